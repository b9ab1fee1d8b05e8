#!/usr/bin/env bash
# Compares corskit's request path at a git revision (before) with the
# working tree (after), for a change that must not slow it down:
#
#   bench/ab.sh main                 # 8 rounds of 200ms per cell
#   ROUNDS=12 BENCHTIME=300ms bench/ab.sh HEAD~3
#
# It builds the library's own benchmarks (BenchmarkMiddleware, bench_test.go)
# and corskit's cells of the comparative suite (bench/, BenchmarkCORS
# mw=corskit) at both revisions, then runs the two builds in alternating
# order, round after round, so that a slow spell on a shared machine falls
# on both alike. It prints, per benchmark, the median ns/op of each side,
# their ratio (after/before), the range of the per-round ratios without the
# highest and the lowest, and both sides' allocs/op, which are exact. For
# the comparative suite's cells it also counts the instructions per
# request under callgrind (bench/cmd/instr, as run.sh does; the median of
# three counts; INSTR=0 skips it), which do not depend on the machine's
# load.
set -euo pipefail
cd "$(dirname "$0")/.."

rev=${1:-main}
ROUNDS=${ROUNDS:-8}
BENCHTIME=${BENCHTIME:-200ms}
GO=${GO:-go}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/before"
git archive "$rev" | tar -x -C "$tmp/before"

build() { # dir name
	(cd "$1" && "$GO" test -c -o "$tmp/$2-root.test" .)
	(cd "$1/bench" && "$GO" test -c -o "$tmp/$2-bench.test" . && "$GO" build -o "$tmp/$2-instr" ./cmd/instr)
}
build "$tmp/before" before
build . after

run() { # name round
	"$tmp/$1-root.test" -test.run '^$' -test.bench '^BenchmarkMiddleware$' -test.benchmem -test.benchtime "$BENCHTIME" |
		awk -v side="$1" -v round="$2" '/^Benchmark/ { print side, round, $1, $3, $(NF-1) }'
	"$tmp/$1-bench.test" -test.run '^$' -test.bench '^BenchmarkCORS$/scenario=/^mw=corskit$' -test.benchmem -test.benchtime "$BENCHTIME" |
		awk -v side="$1" -v round="$2" '/^Benchmark/ { print side, round, $1, $3, $(NF-1) }'
}

: > "$tmp/samples"
for round in $(seq 1 "$ROUNDS"); do
	echo "== round $round of $ROUNDS" >&2
	if ((round % 2)); then order="before after"; else order="after before"; fi
	for side in $order; do run "$side" "$round" >> "$tmp/samples"; done
done

# Instructions per request: two runs of n requests, the difference divided
# by the difference in n (start-up cancels out).
: > "$tmp/instr"
if [[ ${INSTR:-1} != 0 ]] && command -v valgrind >/dev/null 2>&1; then
	echo "== counting instructions (callgrind)" >&2
	count() { # side scenario n [mw]
		GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			"$tmp/$1-instr" -scenario "$2" -mw "${4:-corskit}" -n "$3" 2>&1 | sed -n 's/.*Collected : //p'
	}
	for sc in $(awk '$3 ~ /^BenchmarkCORS/ { split($3, p, "/"); print substr(p[2], 10) }' "$tmp/instr" "$tmp/samples" | sort -u); do
		# The harness's own work (mw=none: resetting the header map) is
		# taken off, so the count is the middleware's. Map hash seeds
		# differ from process to process, so each side is counted three
		# times and the median kept.
		n1=$(count after "$sc" 1000 none) n2=$(count after "$sc" 11000 none)
		for side in before after; do
			counts=()
			for k in 1 2 3; do
				c1=$(count "$side" "$sc" 1000) c2=$(count "$side" "$sc" 11000)
				counts+=($(( (c2 - c1 - n2 + n1) / 10000 )))
			done
			echo "$side bench/$sc $(printf '%s\n' "${counts[@]}" | sort -n | sed -n 2p)" >> "$tmp/instr"
		done
	done
fi

echo "before: $rev ($(git rev-parse --short "$rev")); after: the working tree ($(git describe --always --dirty --exclude '*')); $ROUNDS rounds of $BENCHTIME per cell; $(go version | cut -d' ' -f3); $(nproc) CPUs"
echo
echo "| benchmark | before | after | after/before | rounds | allocs before → after | instructions before → after |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk '
function median(s, n,   a, i, j, t, k) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
FILENAME ~ /instr$/ { instr[$2, $1] = $3; next }
{
	name = $3; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkCORS\/scenario=/, "bench/", name); sub(/\/mw=corskit$/, "", name)
	sub(/^BenchmarkMiddleware\//, "", name)
	ns[name, $1] = ns[name, $1] " " $4; allocs[name, $1] = $5; per[name, $2, $1] = $4
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	rounds[$2] = 1
}
END {
	for (i = 1; i <= n; i++) {
		name = order[i]; rs = ""; m = 0
		for (r in rounds) if ((name, r, "before") in per && (name, r, "after") in per) { rs = rs " " per[name, r, "after"] / per[name, r, "before"]; m++ }
		k = split(rs, a, " ")
		for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
		lo = k > 2 ? a[2] : a[1]; hi = k > 2 ? a[k - 1] : a[k]
		b = median(ns[name, "before"]); f = median(ns[name, "after"])
		ins = ((name, "before") in instr) ? sprintf("%d → %d (%.2f×)", instr[name, "before"], instr[name, "after"], instr[name, "after"] / instr[name, "before"]) : "—"
		printf "| `%s` | %.1f ns | %.1f ns | %.2f× | %.2f–%.2f× | %s → %s | %s |\n", name, b, f, f / b, lo, hi, allocs[name, "before"], allocs[name, "after"], ins
	}
}' "$tmp/instr" "$tmp/samples"
