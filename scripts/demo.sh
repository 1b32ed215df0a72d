#!/usr/bin/env bash
# Build the library and run the demos: a realm built and torn down as Linux
# KVM does it, a 2-vCPU realm run through KVM's run loop, and real AArch64
# guest code on the interpreter backend.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default --target kvm_realm_build kvm_run_loop a64_realm
echo "== examples/kvm_realm_build"
./build/default/examples/kvm_realm_build
echo "== examples/kvm_run_loop"
./build/default/examples/kvm_run_loop
echo "== examples/a64_realm (examples/guests/hello.S on the AArch64 interpreter)"
./build/default/examples/a64_realm build/default/examples/guests/hello.bin
