#!/usr/bin/env bash
# Coverage: build with gcov, run the whole suite (corpora replays included),
# write an lcov HTML report to coverage/report/ and a one-line summary to
# coverage/summary.txt. Fails if line coverage of librmm/ is under 90%.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p coverage
cmake --preset coverage >/dev/null
cmake --build --preset coverage
lcov --quiet --zerocounters --directory build/coverage
ctest --preset coverage -j2 --label-exclude "bench|long" >/dev/null
lcov --quiet --capture --directory build/coverage --output-file coverage/all.info \
	--rc lcov_branch_coverage=1 2>/dev/null
lcov --quiet --extract coverage/all.info "$PWD/librmm/*" --output-file coverage/librmm.info \
	--rc lcov_branch_coverage=1
genhtml --quiet --branch-coverage coverage/librmm.info --output-directory coverage/report
lines=$(lcov --summary coverage/librmm.info --rc lcov_branch_coverage=1 2>&1 | sed -n 's/.*lines\.*: \([0-9.]*\)%.*/\1/p')
branches=$(lcov --summary coverage/librmm.info --rc lcov_branch_coverage=1 2>&1 | sed -n 's/.*branches\.*: \([0-9.]*\)%.*/\1/p')
echo "librmm/ coverage: lines ${lines}%, branches ${branches}% (report: coverage/report/index.html)" \
	| tee coverage/summary.txt
awk -v l="$lines" 'BEGIN { exit !(l >= 90.0) }' || { echo "line coverage under 90%"; exit 1; }
