#!/bin/sh
# The main job of rvm, on loopback and offline: a trust authority signs an
# app's block, a vendor serves the manifest over TLS, a runtime publisher
# signs a runtime repository with rvm-repo, and rvm fetches, verifies and
# decides the app, then downloads, verifies, installs and starts its
# runtime (the example runtime, built for this machine).
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

step "build rvm, rvm-trust, rvm-repo, the example runtime and the demo vendor server"
go build -o "$work/bin/" ./cmd/rvm ./cmd/rvm-trust ./cmd/rvm-repo ./cmd/example-runtime
go build -o "$work/bin/vendor-server" ./testdata/demo/server
PATH="$work/bin:$PATH"
export RVM_HOME="$work/home"

step "a runtime publisher signs a runtime repository: the example runtime for $(go env GOOS)-$(go env GOARCH), channel stable"
mkdir -p "$work/pack"
exe=runtime
[ "$(go env GOOS)" = windows ] && exe=runtime.exe
cp "$work/bin/example-runtime$(go env GOEXE)" "$work/pack/$exe"
tar -czf "$work/runtime.tar.gz" -C "$work/pack" "$exe"
show rvm-repo init --out repo
rvm-repo init --out "$work/repo"
show rvm-repo add --repo repo --version 38.126.82.64 --os "$(go env GOOS)" --arch "$(go env GOARCH)" runtime.tar.gz
rvm-repo add --repo "$work/repo" --version 38.126.82.64 --os "$(go env GOOS)" --arch "$(go env GOARCH)" "$work/runtime.tar.gz"
show rvm-repo channel --repo repo stable 38.126.82.64
rvm-repo channel --repo "$work/repo" stable 38.126.82.64
show rvm-repo publish --repo repo
rvm-repo publish --repo "$work/repo"

step "the vendor serves its manifest, and the runtime repository, over TLS on 127.0.0.1 (a CA made on the spot)"
vendor-server --manifest testdata/demo/app.json --block "$work/block.json" --repo "$work/repo/public" \
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
resolve_rt="runtimes.acme.test:$port:127.0.0.1"

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
cp testdata/demo/owner.json "$work/owner.json"
cp "$work/repo/public/metadata/1.root.json" "$work/runtime-root.json"
# The runtime repository is the owner's to name (RuntimeRepository and
# RuntimeRepositoryRoot are read from owner sources only), in
# /etc/rvm/settings.json on Linux. The demo does not touch the machine's
# /etc: it runs each rvm command in a private mount namespace of its own
# (unshare; as root, or in a user namespace otherwise) whose /etc is an
# overlay holding that file, as a desktop owner's machine would.
mkdir -p "$work/etc/upper/rvm" "$work/etc/work"
cat >"$work/etc/upper/rvm/settings.json" <<JSON
{
  "RuntimeRepository": "https://runtimes.acme.test:$port/runtimes/",
  "RuntimeRepositoryRoot": "$work/runtime-root.json"
}
JSON
show cat /etc/rvm/settings.json
cat "$work/etc/upper/rvm/settings.json"
ns="unshare --mount"
[ "$(id -u)" = 0 ] || ns="unshare --user --map-root-user --mount"
owner_rvm() {
	$ns sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc && exec "$@"' "$work/etc" rvm "$@"
}
done="and its runtime downloaded, verified, installed and launched"
if ! owner_rvm --help >/dev/null 2>"$work/unshare.log"; then
	# No mount namespace here (not Linux, or neither root nor user
	# namespaces): rvm gets no repository, and the demo installs the
	# runtime the way an owner would without one.
	echo "demo: cannot give rvm an owner's /etc/rvm/settings.json here ($(tail -n 1 "$work/unshare.log")):"
	echo "demo: installing the example runtime by hand instead of from the repository"
	owner_rvm() { rvm "$@"; }
	done="and launched with a runtime installed by hand"
	mkdir -p "$work/runtime/38.126.82.64"
	cp "$work/pack/$exe" "$work/runtime/38.126.82.64/$exe"
	mkdir -p "$work/runtime/channels"
	echo 38.126.82.64 >"$work/runtime/channels/stable"
fi
# RVM_MACHINE_SETTINGS stands in for the per-user settings sources: it
# may name the policy file and the runtime folder where no owner source
# does, but not the trust roots (an owner-only setting), which come with
# --trust-roots.
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

step "rvm verify: fetched strictly, verified, decided; the runtime is in the repository, not yet installed"
show rvm verify --trust-roots root/cert.pem --resolve "$resolve" --resolve "$resolve_rt" -- "$url"
owner_rvm verify --trust-roots "$roots" --resolve "$resolve" --resolve "$resolve_rt" -- "$url" | tee "$work/summary"
grep -q '^trust      trusted' "$work/summary" || { echo "demo: the signed block was not trusted" >&2; exit 1; }
grep -q '^runtime    "stable": \(download\|installed\) (38.126.82.64)' "$work/summary" || { echo "demo: runtime 38.126.82.64 is neither to be downloaded nor installed" >&2; exit 1; }

step "rvm verify --json: the decision document"
owner_rvm verify --json --trust-roots "$roots" --resolve "$resolve" --resolve "$resolve_rt" -- "$url"

step "rvm launch: the runtime is downloaded, verified (TUF), installed, and starts with the decision"
show rvm launch --trust-roots root/cert.pem --resolve "$resolve" --resolve "$resolve_rt" -- "$url"
owner_rvm launch --trust-roots "$roots" --resolve "$resolve" --resolve "$resolve_rt" -- "$url" </dev/null
log="$RVM_HOME/decisions"
i=0
while ! grep -q "example-runtime: decision document" "$log"/*.log 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "demo: the runtime printed nothing" >&2; exit 1; }
	sleep 0.05
done
step "what the example runtime printed"
cat "$log"/*.log

step "rvm runtime list: the runtime installed"
show rvm runtime list
owner_rvm runtime list
owner_rvm runtime list --json | grep -q '"version": "38.126.82.64"' || { echo "demo: runtime 38.126.82.64 is not installed" >&2; exit 1; }

step "done: a signed app was fetched, verified and decided, $done, offline"
