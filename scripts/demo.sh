#!/usr/bin/env bash
# Build the library and run the demo (a realm built and torn down as Linux KVM does).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default --target kvm_realm_build
./build/default/examples/kvm_realm_build
