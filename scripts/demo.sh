#!/usr/bin/env bash
# Build the library and run the demos: a realm built and torn down as Linux
# KVM does it, a 2-vCPU realm run through KVM's run loop, and real AArch64
# guest code on the interpreter backend; and a realm that asks for an
# attestation token (decoded and checked by tools/cca_verify.py); and a running
# realm migrated live between two processes.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default --target kvm_realm_build kvm_run_loop a64_realm attest_token mig_demo
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
