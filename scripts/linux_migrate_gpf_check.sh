#!/usr/bin/env bash
# ctest example_linux_realm_migrate_gpf (label long; issue 13 item 2): Debian's
# kernel live-migrated mid-boot into a two-CPU destination whose GPT
# invalidations stay on the issuing CPU (RMM_FAULT_GPTI_LOCAL): the import
# runs on cpu0, the REC on cpu1, and its first instruction fetch faults on
# the stage-2 walk of its stage-1 table. Usage: linux_migrate_gpf_check.sh
# LINUX_REALM IMAGE
set -uo pipefail
bin=$1 image=$2
if [ ! -s "$image" ]; then
	echo "FAIL: no kernel Image at $image: run scripts/setup.sh (or scripts/fetch_linux.sh)"
	exit 1
fi
log=$(mktemp)
# B's timeline stays beside the binary for Perfetto (ui.perfetto.dev)
tl=$(dirname "$bin")/linux_migrate_gpf_timeline.json
trap 'rm -f "$log"' EXIT
"$bin" "$image" --seconds 900 --migrate-at 6000 --dest-cpu 1 --gpti-local --timeline "$tl" >"$log" 2>&1
rc=$?
grep -E '^linux_migrate:' "$log"
fail=0
check() {
	if grep -qE "$1" "$log"; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
check '^linux_migrate: B \(2 CPUs, GPT invalidations local\): .* committed' "B imported on cpu0"
check '^linux_migrate: B: REC exit on cpu1: ESR 0x820000a5 HPFAR 0x[0-9a-f]+ \(IPA 0x[0-9a-f]+, inside the kernel' \
	"ESR 0x820000a5 exactly, HPFAR in the kernel's image (its stage-1 table)"
check 'Granule Protection Fault on the stage-2 table walk at level 1 during the stage-1 table walk' \
	"the explanation: GPF at level 1 during the stage-1 walk"
check 'The level 1 RTT on that walk: granule 0x[0-9a-f]+ is RTT' "the explanation names the RTT granule"
check 'S1PTW: the IPA is that of the realm.s stage-1 table' "S1PTW named"
check 'is RTT \(GPT Realm, refcount 1\); its last PAS change: UNDELEGATED -> DELEGATED by GRANULE_DELEGATE on cpu0' \
	"the explanation names the delegation on cpu0"
check "finding \(cpu1, PA 0x[0-9a-f]+, IPA 0x[0-9a-f]+\): cpu1's GPT cache says NS .* GPT says Realm since GRANULE_DELEGATE on cpu0 \(#[0-9]+\): that GPT invalidation did not reach cpu1" \
	"the invalidation checker: cpu1 stale, the delegate on cpu0, the broadcast missing"
# the finding and the explanation name the same granule
g1=$(sed -n 's/.*The level 1 RTT on that walk: granule \(0x[0-9a-f]*\) is RTT.*/\1/p' "$log" | head -1)
g2=$(sed -n 's/.*finding (cpu1, PA \(0x[0-9a-f]*\),.*/\1/p' "$log" | head -1)
if [ -n "$g1" ] && [ "$g1" = "$g2" ]; then echo "ok: both name granule $g1"; else
	echo "FAIL: granules differ ('$g1' vs '$g2')"; fail=1; fi
if grep -q 'VFS: Unable to mount root fs' "$log"; then echo "FAIL: the boot went on"; fail=1; fi
if /usr/bin/python3 "$(dirname "$0")/check_migrate_timeline.py" "$tl"; then
	echo "ok: the timeline ($tl) shows the import on cpu0 and the GPF with its finding on cpu1"
else
	echo "FAIL: the timeline $tl"; fail=1
fi
[ $rc -eq 3 ] || { echo "FAIL: linux_realm exit status $rc (3: a GPF)"; fail=1; }
exit $fail
