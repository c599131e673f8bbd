#!/bin/sh
# make bench: every package's benchmarks, the ratios that the issues set
# targets for, rvm verify as a whole process against curl, and the service
# under load and idle, printed as one table (see main.go beside this file).
# BENCH_BASE names a commit (default: where HEAD left main) whose launch
# of an installed runtime BenchmarkLaunchInstalled measures too, in turn
# with this tree's, ROUNDS times each.
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/rvm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# BENCHTIME and COUNT keep the whole run within a few minutes on 2 cores.
BENCHTIME=${BENCHTIME:-1s}
COUNT=${COUNT:-3}
RUNS=${RUNS:-25}

echo "bench: building rvm, rvm-trust, the demo's vendor server and the bench tool" >&2
go build -o "$work/bin/" ./cmd/rvm ./cmd/rvm-trust
go build -o "$work/bin/vendor-server" ./testdata/demo/server
go build -o "$work/bin/bench" ./testdata/bench

echo "bench: go test -bench . -benchtime $BENCHTIME -count $COUNT ./... (about two minutes)" >&2
if ! go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" -count "$COUNT" ./... >"$work/gotest.txt" 2>&1; then
	cat "$work/gotest.txt" >&2
	echo "bench: go test failed" >&2
	exit 1
fi

base=${BENCH_BASE-}
if [ -z "$base" ] && git rev-parse -q --verify main >/dev/null 2>&1; then
	base=$(git merge-base HEAD main 2>/dev/null || true)
	[ "$base" = "$(git rev-parse HEAD)" ] && base=""
fi
set --
if [ -n "$base" ]; then
	ROUNDS=${ROUNDS:-10}
	echo "bench: BenchmarkLaunchInstalled here and at $base, in turn, $ROUNDS rounds (about a minute)" >&2
	mkdir "$work/base"
	git archive "$base" | tar -x -C "$work/base"
	cp launcher/launch_bench_test.go "$work/base/launcher/"
	go test -c -o "$work/launch-here.test" ./launcher
	(cd "$work/base" && go test -c -o "$work/launch-base.test" ./launcher)
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		for t in here base; do
			"$work/launch-$t.test" -test.run '^$' -test.bench '^BenchmarkLaunchInstalled$' -test.benchtime 100x >>"$work/launch-$t.txt"
		done
		i=$((i + 1))
	done
	set -- -launch "$work/launch-here.txt" -launch-base "$work/launch-base.txt" -base-name "$(git rev-parse --short "$base")"
fi

echo "bench: rvm verify against curl, then the service (about 30 seconds)" >&2
"$work/bin/bench" -gotest "$work/gotest.txt" -bin "$work/bin" -demo testdata/demo \
	-work "$work" -runs "$RUNS" "$@"
