#!/usr/bin/env bash
# ctest example_linux_realm_initramfs (label long): Debian's kernel boots in a
# realm with an initramfs that scripts/mkinitramfs.py builds (here, so that
# it is always the current /init) from the busybox scripts/fetch_busybox.sh
# fetched; its /init (busybox sh, glibc static, EL0) runs its commands and
# powers off, and the host sees PSCI SYSTEM_OFF. Exit 77 (ctest SKIP) when
# the kernel or busybox was not fetched.
# Usage: linux_initramfs_check.sh LINUX_REALM IMAGE BUSYBOX
set -uo pipefail
bin=$1 image=$2 busybox=$3
for f in "$image" "$busybox"; do
	if [ ! -s "$f" ]; then
		echo "SKIP: no $f: run scripts/setup.sh (or scripts/fetch_linux.sh, scripts/fetch_busybox.sh)"
		exit 77
	fi
done
log=$(mktemp)
cpio=$(mktemp)
trap 'rm -f "$log" "$cpio"' EXIT
python3 "$(dirname "$0")/mkinitramfs.py" "$busybox" "$cpio" || { echo "FAIL: mkinitramfs.py"; exit 1; }
# the guest's tty writes CR LF: drop the CRs so that $ anchors work
"$bin" "$image" --initrd "$cpio" --seconds 900 2>&1 | tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
head -3 "$log"
echo "..."
sed -n '/Run \/init as init process/,$p' "$log"
fail=0
check() {
	if grep -qE "$1" "$log"; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
absent() {
	if grep -qE "$1" "$log"; then echo "FAIL: $2"; grep -m3 -E "$1" "$log"; fail=1; else echo "ok: $2"; fi
}
check 'Trying to unpack rootfs image as initramfs' "the kernel finds the initramfs in the DTB"
check 'Run /init as init process' "the kernel starts /init"
check '^initramfs: /init \(busybox sh\) running as pid 1$' "/init runs (busybox sh, pid 1)"
check '^Linux \(none\) [^ ]+ #.* aarch64 GNU/Linux$' "uname -a (a child process, exec'd)"
check '^Features[[:space:]]+: fp asimd' "/proc/cpuinfo: the FP/AdvSIMD profile"
check '^bin +dev +init +proc' "ls /"
check '^initramfs: sh arithmetic 6\*7 = 42$' "shell arithmetic"
check '^initramfs: slept 0\.1 s$' "sleep 0.1 (strtod, FP to integer in a V register, nanosleep)"
check '^initramfs: powering off$' "/init reaches poweroff"
check 'reboot: Power down' "the kernel powers down"
check '^linux_realm: PSCI SYSTEM_OFF' "the host sees PSCI SYSTEM_OFF"
absent 'Illegal instruction|Segmentation fault|unhandled exception|Internal error|Oops|Kernel panic|: not found$' \
	"no signal, oops or panic"
[ $rc -eq 0 ] || { echo "FAIL: linux_realm exit status $rc"; fail=1; }
exit $fail
