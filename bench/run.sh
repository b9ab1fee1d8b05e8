#!/usr/bin/env bash
# Runs the comparative CORS benchmarks and writes ../BENCHMARKS.md.
#
#   ./run.sh                      # 6 samples, 200ms each (about 7 minutes on a 2-core VM)
#   COUNT=10 BENCHTIME=500ms ./run.sh
#   BENCH='BenchmarkCORS/scenario=preflight' COUNT=3 ./run.sh
#
# Raw output goes to results/ (git-ignored): bench.txt, benchstat.txt.
set -euo pipefail

cd "$(dirname "$0")"

GO=${GO:-go}
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-Benchmark(CORS|Floor)}
OUT=${OUT:-../BENCHMARKS.md}
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}

mkdir -p results

# The corskit revision under test, read before anything is compiled.
rev() { git -C .. describe --always --dirty --exclude '*' 2>/dev/null || echo unknown; }
rev_before=$(rev)

# Refuse to benchmark a policy the libraries disagree on.
"$GO" test -count=1 -run 'Test' ./...

cmd=(go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m .)
echo "== ${cmd[*]}" >&2
start=$(date +%s)
"$GO" "${cmd[@]:1}" | tee results/bench.txt
echo "== benchmarks took $(( $(date +%s) - start ))s" >&2

# benchstat compares the libraries only; the floor has its own section.
grep -v '^BenchmarkFloor/' results/bench.txt > results/bench-libs.txt
statcmd=(benchstat -row /scenario -col '/mw@(rs-cors corskit go-chi gorilla)' results/bench-libs.txt)
"$GO" run "$BENCHSTAT" "${statcmd[@]:1}" > results/benchstat.txt

rev=$rev_before
if [[ $(rev) != "$rev_before" ]]; then
	rev="$rev_before, changed to $(rev) during the run"
	echo "!! the corskit tree changed during the run ($rev)" >&2
fi

"$GO" run ./cmd/report \
	-in results/bench.txt \
	-benchstat results/benchstat.txt \
	-benchstat-cmd "benchstat -row /scenario -col '/mw@(rs-cors corskit go-chi gorilla)' results/bench-libs.txt" \
	-cmd "cd bench && go test -run '^\$' -bench '$BENCH' -benchmem -count $COUNT -benchtime $BENCHTIME -timeout 60m ." \
	-go "$("$GO" version)" \
	-rev "$rev" \
	-out "$OUT"
echo "== wrote $OUT" >&2
