#!/usr/bin/env bash
# Build the library and run the demos: a realm built and torn down as Linux
# KVM does it, a 2-vCPU realm run through KVM's run loop, and real AArch64
# guest code on the interpreter backend; and a realm that asks for an
# attestation token (decoded and checked by tools/cca_verify.py); and a running
# realm migrated live between two processes; Debian's kernel to the VFS panic
# and, with the busybox initramfs, to a shell that runs commands and powers off.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default --target kvm_realm_build kvm_run_loop a64_realm attest_token mig_demo \
	linux_realm
echo "== examples/kvm_realm_build"
./build/default/examples/kvm_realm_build
echo "== examples/kvm_run_loop"
./build/default/examples/kvm_run_loop
echo "== examples/a64_realm (examples/guests/hello.S on the AArch64 interpreter)"
./build/default/examples/a64_realm build/default/examples/guests/hello.bin
echo "== examples/attest_token (examples/guests/attest.S requests a token; tools/cca_verify.py checks it)"
challenge=$(printf 'librmm demo challenge %.0s' 1 2 3 | head -c 64 | od -An -tx1 -v | tr -d ' \n')
./build/default/examples/attest_token build/default/examples/guests/attest.bin \
	build/default/demo-token.cbor "$challenge"
/usr/bin/python3 tools/cca_verify.py --print --iak unit/attest/data/platform-key.pem \
	--expect build/default/demo-token.cbor.json build/default/demo-token.cbor
echo "== examples/mig_demo (examples/guests/count.S migrated live between two processes)"
./build/default/examples/mig_demo build/default/examples/guests/count.bin
image=third_party/linux/Image
if [ ! -s "$image" ]; then
	echo "== (no $image: scripts/setup.sh fetches Debian's arm64 kernel; skipping the Linux demos)"
	exit 0
fi
echo "== examples/linux_realm: Debian's arm64 kernel in a realm, to the VFS panic (first and last lines)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
./build/default/examples/linux_realm "$image" >"$log" 2>&1 || true
head -5 "$log"
echo "[...]"
grep -m1 'Kernel panic' "$log" || true
echo "[...]"
tail -6 "$log"
cpio=third_party/busybox/initramfs.cpio
if [ -s "$cpio" ]; then
	echo "== examples/linux_realm --initrd $cpio: the same kernel with Debian's busybox-static;"
	echo "   /init (busybox sh at EL0) runs a few commands and powers off (PSCI SYSTEM_OFF)"
	./build/default/examples/linux_realm "$image" --initrd "$cpio" 2>&1 | tr -d '\r' >"$log" || true
	sed -n '/Run \/init as init process/,$p' "$log"
else
	echo "== (no $cpio: scripts/setup.sh builds it from Debian's busybox-static; skipping the shell)"
fi
echo "== the field failure: the kernel migrated mid-boot into a two-CPU host whose GPT"
echo "   invalidations stay local; its first instruction on the other CPU (README, docs/field-failures.md)"
set +e
./build/default/examples/linux_realm "$image" --migrate-at 6000 --dest-cpu 1 --gpti-local \
	--timeline build/default/demo-timeline.json >"$log" 2>&1
rc=$?
set -e
grep '^linux_migrate:' "$log"
[ $rc -eq 3 ] || { echo "demo: expected the Granule Protection Fault (exit 3), got $rc"; exit 1; }
echo "(timeline for ui.perfetto.dev: build/default/demo-timeline.json)"
