/*
 * The CPU profile a realm sees (RMM 1.0 lets the RMM sanitise the ID
 * registers; the host cannot change them). It describes exactly what the
 * vCPU executes (include/rmm/vcpu_a64.h):
 *   ID_AA64PFR0_EL1  EL0 and EL1 AArch64 only, FP and AdvSIMD implemented (0:
 *                    no FP16; the interpreter executes the SIMD&FP subset
 *                    vcpu_a64.h lists, enough for Linux to boot), GICv3 system register interface, SVE = 1 iff
 *                    the realm was created with SVE (rmm_vcpu_features());
 *                    no RAS, AMU, MPAM, SEL2; CSV2 = CSV3 = 1 (an
 *                    interpreter does not speculate: no Spectre-v2 or
 *                    Meltdown exposure, so the kernel needs no KPTI)
 *   ID_AA64ISAR0_EL1 0: no LSE atomics, CRC32, crypto, RNDR, ...
 *   ID_AA64ISAR1_EL1 LRCPC = 1 (LDAPR); no PAC, BF16, ...
 *   ID_AA64MMFR0_EL1 PARange from the realm's IPA width, 8-bit ASIDs, 4 KiB
 *                    granule only (TGran16 0, TGran64 0xf)
 *   ID_AA64MMFR1/2   0: no VHE, PAN, LOR, HAFDBS, UAO, CnP; 48-bit VAs
 *   ID_AA64DFR0_EL1  Armv8.0 debug; BRPs, WRPs and PMUVer (PMUv3 or 0) as the
 *                    realm was created (rmm_vcpu_features()); no SPE, trace.
 *                    The AArch64 interpreter executes no SVE or PMU
 *                    instruction or register (UNDEFINED) and its breakpoint
 *                    and watchpoint registers read as zero, ignore writes
 *                    and never fire (rmm/vcpu_a64.h).
 *   MIDR_EL1         0x000f0000 (implementer 0: software), REVIDR/AIDR 0
 *   everything else in the ID space (op0 3, op1 0, CRn 0), AArch32 included,
 *   reads as zero. Other trapped registers outside it are UNDEFINED.
 */
#include "core/rmi_table.h"
#include "run/run.h"

#define ID(op1, crm, op2) RMM_SYSREG(3, op1, 0, crm, op2)

static uint64_t parange(unsigned int ipa_width)
{
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int i = 0;

	while (i + 1 < sizeof(bits) / sizeof(bits[0]) && bits[i] < ipa_width)
		i++;
	return i;
}

bool run_id_reg(struct rmm_vcpu *v, uint64_t key, uint64_t *val)
{
	struct rmm_vcpu_features ft;

	*val = 0;
	switch (key) {
	case ID(0, 0, 0):  /* MIDR_EL1 */
		*val = 0x000f0000;
		return true;
	case ID(0, 4, 0):  /* ID_AA64PFR0_EL1 */
		rmm_vcpu_features(v, &ft);
		*val = 0x11 | (1ull << 24) |
		       ((uint64_t)(ft.sve ? 1 : 0) << 32) | (1ull << 56) | (1ull << 60);
		return true;
	case ID(0, 6, 1):  /* ID_AA64ISAR1_EL1 */
		*val = 1ull << 20;
		return true;
	case ID(0, 7, 0):  /* ID_AA64MMFR0_EL1 */
		*val = parange(v->realm->ipa_width) | (0xfull << 24);
		return true;
	case ID(0, 5, 0):  /* ID_AA64DFR0_EL1 */
		rmm_vcpu_features(v, &ft);
		*val = 6 | ((uint64_t)(ft.pmu ? 1 : 0) << 8) | ((uint64_t)(ft.num_bps - 1) << 12) |
		       ((uint64_t)(ft.num_wps - 1) << 20);
		return true;
	case ID(1, 0, 7):  /* AIDR_EL1 */
		return true;
	default:
		/* the rest of the ID space reads as zero */
		return (key & RMM_SYSREG(3, 7, 15, 0, 0)) == RMM_SYSREG(3, 0, 0, 0, 0);
	}
}
