#!/bin/sh
# The main job of rvm, on loopback and offline: a trust authority signs an
# app's block, a vendor serves the manifest over TLS, and rvm fetches,
# verifies, decides and launches it with an example runtime.
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/rvm-demo.XXXXXX")
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "build rvm, rvm-trust, the example runtime and the demo vendor server"
go build -o "$work/bin/" ./cmd/rvm ./cmd/rvm-trust ./cmd/example-runtime
go build -o "$work/bin/vendor-server" ./testdata/demo/server
PATH="$work/bin:$PATH"
export RVM_HOME="$work/home"

step "the vendor serves its manifest over TLS on 127.0.0.1 (a CA made on the spot)"
vendor-server --manifest testdata/demo/app.json --block "$work/block.json" \
	--ca-out "$work/tls-ca.pem" --port-file "$work/port" 2>"$work/server.log" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || { cat "$work/server.log"; echo "demo: the vendor server did not start" >&2; exit 1; }
	sleep 0.05
done
port=$(cat "$work/port")
url="fins://apps.acme.test:$port/blotter/app.json?\$\$ticker=ACME"
resolve="apps.acme.test:$port:127.0.0.1"

step "a trust authority makes a root and a code-signing certificate, and signs the app's block"
show rvm-trust init-root --out root --name "Demo Trust Root"
rvm-trust init-root --out "$work/root" --name "Demo Trust Root"
show rvm-trust issue --ca root --name "Acme Corp" --out signer
rvm-trust issue --ca "$work/root" --name "Acme Corp" --out "$work/signer"
sed "s/@PORT@/$port/" testdata/demo/apps.json.in >"$work/apps.json"
show rvm-trust sign --signer signer --apps apps.json '>' block.json
rvm-trust sign --signer "$work/signer" --apps "$work/apps.json" >"$work/block.json"
show rvm-trust inspect --trust-roots root/cert.pem block.json
rvm-trust inspect --trust-roots "$work/root/cert.pem" "$work/block.json"

step "the desktop owner: machine settings, and a policy that denies what it does not allow"
mkdir -p "$work/runtime/38.126.82.64" "$work/runtime/channels"
cp "$work/bin/example-runtime" "$work/runtime/38.126.82.64/runtime"
echo 38.126.82.64 >"$work/runtime/channels/stable"
cp testdata/demo/owner.json "$work/owner.json"
# The demo cannot write /etc/rvm/settings.json, so RVM_MACHINE_SETTINGS
# stands in for the per-user settings sources: it may name the policy
# file and the runtime folder where no owner source does, but not the
# trust roots (an owner-only setting), which come with --trust-roots.
cat >"$work/settings.json" <<JSON
{
  "DesktopOwnerSettings": "$work/owner.json",
  "RuntimeDirectory": "$work/runtime"
}
JSON
cat "$work/settings.json"
export RVM_MACHINE_SETTINGS="$work/settings.json"
roots="$work/root/cert.pem"
# rvm verifies the server's TLS certificate against the system roots; the
# demo's CA stands in for them.
export SSL_CERT_FILE="$work/tls-ca.pem" SSL_CERT_DIR="$work"

step "rvm verify: fetched strictly, verified, decided"
show rvm verify --trust-roots root/cert.pem --resolve "$resolve" -- "$url"
rvm verify --trust-roots "$roots" --resolve "$resolve" -- "$url" | tee "$work/summary"
grep -q '^trust      trusted' "$work/summary" || { echo "demo: the signed block was not trusted" >&2; exit 1; }

step "rvm verify --json: the decision document"
rvm verify --json --trust-roots "$roots" --resolve "$resolve" -- "$url"

step "rvm launch: the runtime starts with the decision"
show rvm launch --trust-roots root/cert.pem --resolve "$resolve" -- "$url"
rvm launch --trust-roots "$roots" --resolve "$resolve" -- "$url" </dev/null
log="$RVM_HOME/decisions"
i=0
while ! grep -q "example-runtime: decision document" "$log"/*.log 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "demo: the runtime printed nothing" >&2; exit 1; }
	sleep 0.05
done
step "what the example runtime printed"
cat "$log"/*.log

step "done: a signed app was fetched, verified, decided and launched, offline"
