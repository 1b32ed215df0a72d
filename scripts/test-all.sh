#!/usr/bin/env bash
# The whole test suite: default and asan-ubsan builds with every ctest case.
set -euo pipefail
cd "$(dirname "$0")/.."
for preset in default asan-ubsan; do
	echo "=== preset: $preset"
	cmake --preset "$preset" >/dev/null
	cmake --build --preset "$preset"
	ctest --preset "$preset" -j2
done
