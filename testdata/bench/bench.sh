#!/bin/sh
# make bench: every package's benchmarks, the ratios that the issues set
# targets for, rvm verify and rvm launch as whole processes against curl
# and a fast C TLS server (openssl s_server), and the service against a
# bare client, under load and idle, printed as one table (see main.go
# beside this file).
#
# BASE=<commit> also builds rvm at that commit (from git archive, leaving
# the checkout alone) and runs it alternated with this one, for figures
# before and after a change measured in one run.
# By default BASE is where HEAD left main, where that is another commit.
# With a BASE, BenchmarkLaunchInstalled also runs here and there in turn,
# ROUNDS times each.
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/rvm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# BENCHTIME and COUNT keep the whole run within a few minutes on 2 cores.
BENCHTIME=${BENCHTIME:-1s}
COUNT=${COUNT:-3}
RUNS=${RUNS:-25}
BASE=${BASE:-}
if [ -z "$BASE" ] && git rev-parse -q --verify main >/dev/null 2>&1; then
	BASE=$(git merge-base HEAD main 2>/dev/null || true)
	[ "$BASE" = "$(git rev-parse HEAD)" ] && BASE=""
fi

# openssl serves the manifest and curl fetches it; install them where they
# are missing and this can (root, apt-get), and say so where not.
missing=""
for tool in openssl curl; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing$missing with apt-get" >&2
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 ||
			{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2; }
	else
		echo "bench: missing$missing (install them; curl's rows say SKIP without it)" >&2
	fi
fi

echo "bench: building rvm, rvm-trust, the example runtime, the floor client and the bench tool" >&2
go build -o "$work/bin/" ./cmd/rvm ./cmd/rvm-trust ./cmd/example-runtime
go build -o "$work/bin/floor" ./testdata/bench/floor
go build -o "$work/bin/bench" ./testdata/bench
base_args=""
if [ -n "$BASE" ]; then
	echo "bench: building rvm at $BASE" >&2
	mkdir -p "$work/base-src"
	git archive "$BASE" | tar -x -C "$work/base-src"
	(cd "$work/base-src" && go build -o "$work/base/" ./cmd/rvm)
	base_args="-base $work/base -base-name $BASE"
fi

echo "bench: go test -bench . -benchtime $BENCHTIME -count $COUNT ./... (about two minutes)" >&2
if ! go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" -count "$COUNT" ./... >"$work/gotest.txt" 2>&1; then
	cat "$work/gotest.txt" >&2
	echo "bench: go test failed" >&2
	exit 1
fi

# The fleet of 10,000 desktops (FLEET=), once: 4 to 10 minutes on 2 cores.
# Its data directories go to /dev/shm where there is one: what it measures
# is requests and bytes, and the disk would only make it slower.
FLEET=${FLEET:-10000}
echo "bench: BenchmarkFleet with $FLEET desktops, three simulated days (4 to 10 minutes)" >&2
fleet_tmp=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && fleet_tmp=/dev/shm
if ! RVM_FLEET_DESKTOPS="$FLEET" TMPDIR="$fleet_tmp" go test -run '^$' -bench '^BenchmarkFleet$' -benchtime 1x -count 1 ./launcher >>"$work/gotest.txt" 2>&1; then
	cat "$work/gotest.txt" >&2
	echo "bench: BenchmarkFleet failed" >&2
	exit 1
fi

launch_args=""
if [ -n "$BASE" ]; then
	ROUNDS=${ROUNDS:-10}
	echo "bench: BenchmarkLaunchInstalled here and at $BASE, in turn, $ROUNDS rounds (about a minute)" >&2
	cp launcher/launch_bench_test.go "$work/base-src/launcher/"
	go test -c -o "$work/launch-here.test" ./launcher
	(cd "$work/base-src" && go test -c -o "$work/launch-base.test" ./launcher)
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		for t in here base; do
			"$work/launch-$t.test" -test.run '^$' -test.bench '^BenchmarkLaunchInstalled$' -test.benchtime 100x >>"$work/launch-$t.txt"
		done
		i=$((i + 1))
	done
	launch_args="-launch $work/launch-here.txt -launch-base $work/launch-base.txt"
fi

echo "bench: rvm against curl and openssl s_server, then the service (about a minute)" >&2
# shellcheck disable=SC2086
"$work/bin/bench" -gotest "$work/gotest.txt" -bin "$work/bin" -demo testdata/demo \
	-work "$work" -runs "$RUNS" $base_args $launch_args
