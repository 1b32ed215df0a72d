#!/usr/bin/env bash
# Executions per second of each fuzz harness from its checked-in corpus, the
# rate the RMI calls alone would allow (their CPU time, measured inside
# rmm_smc with FUZZ_TIMING=1 in a second run), and the coverage libFuzzer
# reports after a fixed number of runs. Rates are per CPU second of the
# process (user + sys), so a busy machine does not lower them; the wall-clock
# rate is printed too. Artifacts go to build/fuzz/artifacts/.
# Needs the fuzz preset: cmake --preset fuzz && cmake --build --preset fuzz
# Usage: bench/fuzz_rate.sh [runs]   (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5000}
art=build/fuzz/artifacts
mkdir -p "$art"
printf "%-16s %6s %6s %10s %10s %12s %6s\n" harness corpus runs "exec/s" "wall/s" "RMI-only/s" cov
for spec in rmi_fuzzer:rmi rmi_diff_fuzzer:rmi_diff rsi_fuzzer:rsi a64_fuzzer:a64; do
	name=${spec%%:*}
	corpus=${spec##*:}
	dir=$(mktemp -d)
	cp fuzz/corpora/"$corpus"/* "$dir/"
	n=$(ls "$dir" | wc -l)
	bin=./build/fuzz/fuzz/$name
	# run 1: rate and coverage; CPU time from /proc of the process itself
	t0=$(date +%s.%N)
	out=$( { TIMEFORMAT='cpu %U %S'; time "$bin" -runs="$runs" -print_final_stats=1 \
		-artifact_prefix="$art/$name-" "$dir" 2>&1; } 2>&1)
	t1=$(date +%s.%N)
	units=$(echo "$out" | sed -n 's/stat::number_of_executed_units: *//p')
	cpu=$(echo "$out" | awk '/^cpu /{print $2 + $3}')
	cov=$(echo "$out" | grep -E "DONE" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	# run 2: the same inputs with the RMI calls timed
	rm -rf "$dir"; dir=$(mktemp -d); cp fuzz/corpora/"$corpus"/* "$dir/"
	out2=$(FUZZ_TIMING=1 "$bin" -runs="$runs" -seed=1 -artifact_prefix="$art/$name-" "$dir" 2>&1)
	rmi=$(echo "$out2" | sed -n 's/^fuzz_timing: [0-9]* RMI calls, \([0-9.]*\) s/\1/p' | tail -1)
	awk -v name="$name" -v n="$n" -v u="$units" -v c="$cpu" -v w0="$t0" -v w1="$t1" \
		-v r="$rmi" -v cov="$cov" 'BEGIN {
		printf "%-16s %6d %6d %10.0f %10.0f %12.0f %6d\n", name, n, u, u / c, u / (w1 - w0),
			(r > 0 ? u / r : 0), cov }'
	rm -rf "$dir"
done
