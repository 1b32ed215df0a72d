#!/usr/bin/env bash
# Fetch Debian 12's arm64 kernel (linux-image-6.1.0-*-arm64-unsigned, whose
# vmlinuz is a raw arm64 Image) into third_party/linux/Image for
# examples/linux_realm. apt runs with arm64 package lists in a private state
# directory: nothing is installed or changed on this system. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=third_party/linux
[ -s "$out/Image" ] && { echo "fetch_linux: $out/Image present"; exit 0; }
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$out"
A=(-o APT::Architecture=arm64 -o APT::Architectures=arm64 -o Dir::State::Lists="$state/lists"
   -o Dir::Cache="$state/cache" -o Dir::State::Status=/dev/null -o Debug::NoLocking=1
   -o APT::Sandbox::User="$(id -un)")
apt-get "${A[@]}" -qq update
pkg=$(apt-cache "${A[@]}" search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' |
      awk '{print $1}' | sort -V | tail -1)
[ -n "$pkg" ] || { echo "fetch_linux: no linux-image-6.1.0-*-arm64-unsigned in the arm64 lists"; exit 1; }
(cd "$state" && apt-get "${A[@]}" -qq download "$pkg")
dpkg -x "$state"/"$pkg"_*.deb "$state/x"
cp "$state"/x/boot/vmlinuz-* "$out/Image"
echo "$pkg" > "$out/PACKAGE"
echo "fetch_linux: $pkg -> $out/Image ($(stat -c %s "$out/Image") bytes)"
