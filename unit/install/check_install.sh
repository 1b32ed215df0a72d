#!/usr/bin/env bash
# Install the library into a scratch prefix, then build and run a consumer
# with find_package(rmm) and another with pkg-config.
set -euo pipefail
build=$1 src=$2 cc=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src/unit/install/consumer" -B "$prefix/consumer" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:${LD_LIBRARY_PATH:-}" "$prefix/consumer/consumer"
pcdir=$(dirname "$(find "$prefix" -name rmm.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs rmm)
# shellcheck disable=SC2086
"$cc" "$src/unit/install/consumer/main.c" $flags -o "$prefix/pc-consumer"
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:${LD_LIBRARY_PATH:-}" "$prefix/pc-consumer"
# the installed syndrome decoder runs against the installed library
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:${LD_LIBRARY_PATH:-}" "$prefix/bin/rmm-esr" 0x820000a5 0x40 |
	grep -q "Granule Protection Fault on the stage-2 table walk at level 1 during the stage-1 table walk, IPA 0x4000"
