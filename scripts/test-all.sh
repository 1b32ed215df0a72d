#!/usr/bin/env bash
# The whole test suite; CI runs exactly this (.ci/run).
#  1. default build: every ctest case (unit tables, examples, benchmark smoke
#     runs, fuzz corpus replays, the stress case)
#  2. asan-ubsan build: every ctest case but those labelled 'long'
#  3. tsan build: the same, the multi-CPU stress case among them
#  4. fuzz build (clang, libFuzzer, ASan+UBSan): each fuzzer for
#     FUZZ_SECONDS (default 60) from its corpus; a finding fails the run and
#     its input is printed
#  5. coverage: line coverage of librmm/ must stay at or above 90%
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0
failed=0
log=$(mktemp)

tally() {
	local p f
	p=$(sed -n 's/.* \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$log" | tail -1)
	[ -n "$p" ] || { failed=$((failed + 1)); return; }
	set -- $p
	passed=$((passed + $1 - $2))
	failed=$((failed + $2))
}

for preset in default asan-ubsan tsan; do
	echo "=== $preset: build and test"
	cmake --preset "$preset" >/dev/null
	cmake --build --preset "$preset" >/dev/null
	status=0
	# cases labelled 'long' (a kernel boot, exhaustive tamper sweeps) run in
	# the default preset only
	label=""
	[ "$preset" = default ] || label="-LE long"
	ctest --preset "$preset" -j2 $label 2>&1 | tee "$log" | grep -E "tests passed|Failed|\*\*\*" || true
	tally
done

echo "=== fuzz: ${FUZZ_SECONDS}s per fuzzer"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
# crashing inputs are written under the build tree, never into the checkout
art=build/fuzz/artifacts
mkdir -p "$art"
fuzz_one() {
	local name=$1 corpus=$2 secs=${3:-$FUZZ_SECONDS} dir rc
	dir=$(mktemp -d)
	mkdir -p "$dir/corpus"
	cp fuzz/corpora/"$corpus"/* "$dir/corpus/"
	rm -f "$art/$name"-*
	set +e
	./build/fuzz/fuzz/"$name" -max_total_time="$secs" -timeout=30 -rss_limit_mb=3072 \
		-print_final_stats=1 -artifact_prefix="$art/$name-" "$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	set -e
	grep -E "^#[0-9]+[[:space:]]+DONE|average_exec_per_sec" "$dir/log" | sed "s/^/$name: /"
	if [ $rc -ne 0 ]; then
		echo "$name: FINDING (exit $rc)"
		grep -E "finding|ERROR|SUMMARY|runtime error" "$dir/log" | head -20
		for a in "$art/$name"-crash-* "$art/$name"-leak-* "$art/$name"-timeout-* \
			"$art/$name"-oom-* "$art/$name"-slow-unit-*; do
			[ -f "$a" ] || continue
			echo "input $(basename "$a") (reproduce: build/default/fuzz/${name}_replay FILE):"
			od -An -tx1 -v "$a"
		done
		return 1
	fi
}
fz_fail=0
fuzz_one rmi_fuzzer rmi & p1=$!
fuzz_one rsi_fuzzer rsi & p2=$!
wait $p1 || fz_fail=$((fz_fail + 1))
wait $p2 || fz_fail=$((fz_fail + 1))
fuzz_one rmi_diff_fuzzer rmi_diff & p1=$!
fuzz_one a64_fuzzer a64 & p2=$!
wait $p1 || fz_fail=$((fz_fail + 1))
wait $p2 || fz_fail=$((fz_fail + 1))
# the migration import stream: alone, for half the time (the phase stays
# at 2.5 x FUZZ_SECONDS)
fuzz_one migrate_import_fuzzer migrate_import $((FUZZ_SECONDS / 2)) || fz_fail=$((fz_fail + 1))
passed=$((passed + 5 - fz_fail))
failed=$((failed + fz_fail))

echo "=== coverage"
if ./scripts/coverage.sh 2>&1 | tail -2; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
rm -f "$log"
echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
