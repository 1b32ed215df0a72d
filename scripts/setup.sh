#!/usr/bin/env bash
# Install the build dependencies from Debian 12's archive (root or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq cmake make gcc clang libclang-rt-14-dev \
	llvm libcmocka-dev libssl-dev lcov pkg-config \
	python3 python3-cbor2 python3-cryptography python3-ecdsa >/dev/null
# Debian's arm64 kernel for examples/linux_realm and its boot test (no
# system install: a private apt state directory, see the script).
"$(dirname "$0")/fetch_linux.sh"
# Debian's busybox-static (arm64) and the initramfs built from it for
# linux_realm --initrd and ctest example_linux_realm_initramfs, which skips
# without it: a failed fetch does not fail the setup.
"$(dirname "$0")/fetch_busybox.sh" ||
	echo "setup: fetch_busybox.sh failed: example_linux_realm_initramfs will be skipped"
