#!/usr/bin/env bash
# Fetch Debian 12's busybox-static arm64 package (a static busybox linked
# against glibc) and build third_party/busybox/initramfs.cpio from it with
# scripts/mkinitramfs.py: busybox, its applet links and an /init that mounts
# /proc, prints what it ran and powers the realm off (PSCI SYSTEM_OFF), for
# examples/linux_realm --initrd. apt runs with arm64 package lists in a
# private state directory, as scripts/fetch_linux.sh does: nothing is
# installed or changed on this system. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=third_party/busybox
if [ ! -s "$out/busybox" ]; then
	mkdir -p "$out"
	. scripts/arm64_apt.sh
	arm64_apt_init
	arm64_apt_unpack busybox-static > "$out/PACKAGE"
	cp "$ARM64_STATE/x/bin/busybox" "$out/busybox.part"
	mv "$out/busybox.part" "$out/busybox"
	echo "fetch_busybox: $(cat "$out/PACKAGE") -> $out/busybox ($(stat -c %s "$out/busybox") bytes)"
else
	echo "fetch_busybox: $out/busybox present"
fi
python3 scripts/mkinitramfs.py "$out/busybox" "$out/initramfs.cpio"
