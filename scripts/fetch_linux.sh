#!/usr/bin/env bash
# Fetch Debian 12's arm64 kernel (linux-image-6.1.0-*-arm64-unsigned, whose
# vmlinuz is a raw arm64 Image) into third_party/linux/Image for
# examples/linux_realm. apt runs with arm64 package lists in a private state
# directory: nothing is installed or changed on this system. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=third_party/linux
[ -s "$out/Image" ] && { echo "fetch_linux: $out/Image present"; exit 0; }
mkdir -p "$out"
. scripts/arm64_apt.sh
arm64_apt_init
pkg=$(apt-cache "${ARM64_APT[@]}" search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' |
      awk '{print $1}' | sort -V | tail -1)
[ -n "$pkg" ] || { echo "fetch_linux: no linux-image-6.1.0-*-arm64-unsigned in the arm64 lists"; exit 1; }
arm64_apt_unpack "$pkg" >/dev/null
cp "$ARM64_STATE"/x/boot/vmlinuz-* "$out/Image"
echo "$pkg" > "$out/PACKAGE"
echo "fetch_linux: $pkg -> $out/Image ($(stat -c %s "$out/Image") bytes)"
