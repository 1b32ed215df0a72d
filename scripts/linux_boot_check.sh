#!/usr/bin/env bash
# ctest example_linux_realm_boot (label long): Debian's kernel boots in a
# realm to the VFS panic with timer interrupts working, and the host sees
# PSCI SYSTEM_RESET. Usage: linux_boot_check.sh LINUX_REALM IMAGE [--migrate-at BYTES]
# With --migrate-at (ctest example_linux_realm_migrate): the boot is also
# live-migrated mid-boot to a second process, re-sending dirtied pages, and
# finishes there with its console continuing (timestamps never go back).
set -uo pipefail
bin=$1 image=$2
shift 2
if [ ! -s "$image" ]; then
	echo "FAIL: no kernel Image at $image: run scripts/setup.sh (or scripts/fetch_linux.sh)"
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" "$image" --seconds 900 "$@" >"$log" 2>&1
rc=$?
head -3 "$log"
echo "..."
if [ $# -gt 0 ]; then grep -B1 -A1 -E '^linux_migrate:' "$log"; echo "..."; fi
tail -8 "$log"
fail=0
check() {
	if grep -qE "$1" "$log"; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
check '^\[ +0\.0+\] Booting Linux on physical CPU' "the kernel starts"
check 'arch_timer: cp15 timer\(s\) running at 1000\.00MHz \(virt\)' "the virtual timer at CNTFRQ"
check 'sched_clock: .* at 1000MHz' "sched_clock from the counter"
check 'clocksource: Switched to clocksource arch_sys_counter' "the arch timer clocksource"
check 'Kernel panic - not syncing: VFS: Unable to mount root fs' "the VFS panic"
check 'Rebooting in 1 seconds' "the panic timeout (a timed delay)"
check 'linux_realm: PSCI SYSTEM_RESET' "the host sees PSCI SYSTEM_RESET"
n=$(sed -n 's/.* \([0-9]*\) timer interrupts injected.*/\1/p' "$log")
if [ "${n:-0}" -ge 100 ]; then echo "ok: $n timer interrupts"; else echo "FAIL: ${n:-0} timer interrupts"; fail=1; fi
if [ $# -gt 0 ]; then
	check '^linux_migrate: A: paused after [0-9]+ rounds, [1-9][0-9]* pages re-sent' "pages dirtied while running were re-sent"
	check '^linux_migrate: B( \([^)]*\))?: [0-9]+ records imported.*committed' "machine B imported and committed"
	# the panic and the reset come after the handover, from B
	if sed -n '/^linux_migrate: B.*committed/,$p' "$log" | grep -q 'VFS: Unable to mount root fs'; then
		echo "ok: the boot finished on B"; else echo "FAIL: the VFS panic is not B's"; fail=1; fi
	# the console goes on where it stopped: printk times never go back
	if grep -oE '^\[ *[0-9]+\.[0-9]+\]' "$log" | tr -d '[] ' |
	   awk 'NR > 1 && $1 + 0 < prev + 0 { bad = 1 } { prev = $1 } END { exit bad }'; then
		echo "ok: kernel timestamps never go back across the migration"; else
		echo "FAIL: a kernel timestamp went back"; fail=1; fi
fi
[ $rc -eq 0 ] || { echo "FAIL: linux_realm exit status $rc"; fail=1; }
exit $fail
