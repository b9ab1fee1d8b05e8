#!/usr/bin/env bash
# Runs the comparative CORS benchmarks and writes ../BENCHMARKS.md.
#
#   ./run.sh                      # 10 rounds, 100ms per cell, then callgrind (about 10 minutes on a 2-core VM)
#   COUNT=20 BENCHTIME=200ms ./run.sh
#   BENCH='BenchmarkCORS/scenario=preflight' COUNT=3 INSTR=0 ./run.sh
#
# Raw output goes to results/ (git-ignored): bench.txt, benchstat.txt,
# instr.txt.
set -euo pipefail

cd "$(dirname "$0")"

GO=${GO:-go}
COUNT=${COUNT:-10}
BENCHTIME=${BENCHTIME:-100ms}
BENCH=${BENCH:-Benchmark(CORS|Floor)}
OUT=${OUT:-../BENCHMARKS.md}
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}

mkdir -p results

# The corskit revision under test, read before anything is compiled.
rev() { git -C .. describe --always --dirty --exclude '*' 2>/dev/null || echo unknown; }
rev_before=$(rev)

# Refuse to benchmark a policy the libraries disagree on.
"$GO" test -count=1 -run 'Test' ./...

# One test binary, run COUNT times over the whole suite: each round gives
# every cell one sample, so that the samples of two libraries in the same
# scenario are seconds apart, not a whole suite apart, and a slow spell on
# this shared machine falls on every library alike. (go test -count N
# would instead run each cell N times in a row.) Each round rotates the
# order of the libraries within a scenario.
"$GO" test -c -o results/bench.test .
cmd=(results/bench.test -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 -test.benchtime "$BENCHTIME" -test.timeout 60m)
echo "== $COUNT rounds of: ${cmd[*]} -rotate <round>" >&2
start=$(date +%s)
: > results/bench.txt
for round in $(seq 0 $((COUNT - 1))); do
	echo "== round $((round + 1)) of $COUNT" >&2
	"${cmd[@]}" -rotate "$round" | tee -a results/bench.txt
done
echo "== benchmarks took $(( $(date +%s) - start ))s" >&2

# Instructions per request, counted by callgrind (GOGC=off), for every cell
# that was timed: deterministic where the times are not. Each cell is run
# twice with a different number of requests; the difference cancels the
# program's start-up. Cells slower than 100 µs per request (go-chi and
# gorilla under the hostile headers) get few requests. INSTR=0 skips this.
: > results/instr.txt
if [[ ${INSTR:-1} != 0 ]] && command -v valgrind >/dev/null 2>&1; then
	"$GO" build -o results/instr ./cmd/instr
	count() {
		GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			results/instr -scenario "$1" -mw "$2" -n "$3" 2>&1 | sed -n 's/.*Collected : //p'
	}
	echo "== counting instructions (callgrind)" >&2
	start=$(date +%s)
	# Each timed cell once, with its slowest ns/op.
	awk '/^Benchmark(CORS|Floor)\// {
		split($1, part, "/"); sc = substr(part[2], 10); mw = substr(part[3], 4); sub(/-[0-9]+$/, "", mw)
		if ($3 > worst[sc " " mw]) worst[sc " " mw] = $3
	} END { for (c in worst) print c, worst[c] }' results/bench.txt | sort |
	while read -r sc mw ns; do
		n1=200 n2=2200
		if awk -v ns="$ns" 'BEGIN { exit !(ns > 100000) }'; then n1=1 n2=3; fi
		c1=$(count "$sc" "$mw" $n1) c2=$(count "$sc" "$mw" $n2)
		if [[ -z $c1 || -z $c2 ]]; then
			echo "!! callgrind failed on $sc/$mw" >&2
			continue
		fi
		echo "$sc $mw $(( (c2 - c1) / (n2 - n1) ))" >> results/instr.txt
	done
	echo "== counting took $(( $(date +%s) - start ))s" >&2
fi

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
	-instr results/instr.txt \
	-benchstat-cmd "benchstat -row /scenario -col '/mw@(rs-cors corskit go-chi gorilla)' results/bench-libs.txt" \
	-cmd "cd bench && go test -c -o results/bench.test . && for r in \$(seq 0 $((COUNT - 1))); do results/bench.test -test.run '^\$' -test.bench '$BENCH' -test.benchmem -test.benchtime $BENCHTIME -rotate \$r; done" \
	-go "$("$GO" version)" \
	-rev "$rev" \
	-out "$OUT"
echo "== wrote $OUT" >&2
