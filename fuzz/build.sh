#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script: the standard environment gives
# $CC, $CFLAGS (sanitizer and -fsanitize=fuzzer-no-link), $LIB_FUZZING_ENGINE,
# $SRC and $OUT. Builds the core as a static library with those flags, links
# each harness against the engine, and ships the seed corpora.
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${WORK:-/tmp}/librmm-ossfuzz"
mkdir -p "$BUILD" "$OUT"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRMM_BUILD_TESTS=OFF -DRMM_BUILD_EXAMPLES=OFF \
	-DRMM_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" --target rmm_static -j"$(nproc)"
for spec in rmi_fuzzer:rmi_fuzzer.c:rmi: rmi_diff_fuzzer:rmi_fuzzer.c:rmi_diff:-DRMI_DIFF \
	    rsi_fuzzer:rsi_fuzzer.c:rsi: a64_fuzzer:a64_fuzzer.c:a64:; do
	IFS=: read -r name src corpus def <<<"$spec"
	extra=""
	[ "$name" = a64_fuzzer ] && extra="$ROOT/examples/kvmhost/kvm_host.c"
	# shellcheck disable=SC2086
	$CC $CFLAGS $def -I"$ROOT/include" -I"$ROOT/librmm" -I"$ROOT" "$ROOT/fuzz/$src" $extra \
		-o "$OUT/$name" $LIB_FUZZING_ENGINE "$BUILD/librmm_static.a" -lcrypto -lpthread
	(cd "$ROOT/fuzz/corpora/$corpus" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
done
