#!/usr/bin/env bash
# Executions per second of each fuzz harness, with the corpus size and the
# coverage reached after a fixed number of runs from the checked-in corpus.
# Needs the fuzz preset: cmake --preset fuzz && cmake --build --preset fuzz
# Usage: bench/fuzz_rate.sh [runs]   (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5000}
printf "%-18s %8s %10s %8s %8s\n" harness corpus runs exec/s cov
for spec in rmi_fuzzer:rmi rmi_diff_fuzzer:rmi_diff rsi_fuzzer:rsi a64_fuzzer:a64; do
	name=${spec%%:*}
	corpus=${spec##*:}
	dir=$(mktemp -d)
	cp fuzz/corpora/"$corpus"/* "$dir/"
	n=$(ls "$dir" | wc -l)
	out=$(./build/fuzz/fuzz/"$name" -runs="$runs" -print_final_stats=1 "$dir" 2>&1)
	rate=$(echo "$out" | sed -n 's/stat::average_exec_per_sec: *//p')
	cov=$(echo "$out" | grep -E "DONE" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	printf "%-18s %8s %10s %8s %8s\n" "$name" "$n" "$runs" "$rate" "$cov"
	rm -rf "$dir"
done
