/*
 * PSCI from a realm (RMM 1.0 B6): VERSION, FEATURES and the argument checks
 * are answered by the RMM; CPU_ON, CPU_OFF, CPU_SUSPEND, AFFINITY_INFO,
 * SYSTEM_OFF and SYSTEM_RESET exit to the host (RMI_EXIT_PSCI) with the FID
 * and sanitised arguments. The realm sees X0..X6 = the PSCI result on its
 * next entry (set here, or by RMI_PSCI_COMPLETE for CPU_ON/AFFINITY_INFO).
 */
#include <string.h>

#include "run/run.h"

static enum run_action answer(struct rmm_vcpu *v, uint64_t ret)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;

	r->x[0] = ret;
	r->x[1] = r->x[2] = r->x[3] = 0;
	r->pc += 4;
	return RUN_CONTINUE;
}

/* Exit to the host with FID and up to one argument; the realm's result is
 * SUCCESS unless PSCI_COMPLETE provides another. */
static enum run_action psci_exit(struct rmm_vcpu *v, uint64_t fid, uint64_t arg1, bool pending)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;

	v->exit->exit_reason = RMI_EXIT_PSCI;
	v->exit->gprs[0] = fid;
	v->exit->gprs[1] = arg1;
	v->rec->psci_pending = pending;
	v->rec->last_exit_psci = 1;
	if (!pending) {
		r->x[0] = PSCI_SUCCESS;
		memset(&r->x[1], 0, 6 * sizeof(uint64_t));
	}
	r->pc += 4;
	return RUN_EXIT;
}

static bool is_fid(uint64_t fid, uint64_t want64)
{
	return fid == want64 || fid == (want64 & ~0x40000000ull);
}

/* Index of an existing REC of this realm from an MPIDR, or -1. */
static int64_t target_index(struct rmm_vcpu *v, uint64_t mpidr)
{
	int64_t idx = rec_mpidr_index(mpidr);

	if (idx < 0 || (uint64_t)idx >= v->realm->rec_index)
		return -1;
	return idx;
}

enum run_action psci_handle(struct rmm_vcpu *v, uint64_t fid)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	bool smc32 = !(fid & 0x40000000ull);
	uint64_t a1 = smc32 ? (r->x[1] & 0xffffffffull) : r->x[1];
	uint64_t a2 = smc32 ? (r->x[2] & 0xffffffffull) : r->x[2];

	if (fid == PSCI_VERSION)
		return answer(v, 0x10001);  /* PSCI 1.1 */
	if (fid == PSCI_FEATURES) {
		uint64_t f = r->x[1] & 0xffffffffull;
		bool ok = is_fid(f, PSCI_CPU_SUSPEND) || f == PSCI_CPU_OFF || is_fid(f, PSCI_CPU_ON) ||
			  is_fid(f, PSCI_AFFINITY_INFO) || f == PSCI_SYSTEM_OFF ||
			  f == PSCI_SYSTEM_RESET || f == PSCI_FEATURES || f == SMCCC_VERSION;

		return answer(v, ok ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
	}
	if (is_fid(fid, PSCI_CPU_SUSPEND))
		return psci_exit(v, fid, 0, false);
	if (fid == PSCI_CPU_OFF) {
		v->rec->runnable = 0;
		return psci_exit(v, fid, 0, false);
	}
	if (is_fid(fid, PSCI_CPU_ON)) {
		int64_t t = target_index(v, a1);

		if (!ipa_is_protected(a2, v->s2.ipa_width))
			return answer(v, PSCI_INVALID_ADDRESS);
		if (t < 0)
			return answer(v, PSCI_INVALID_PARAMETERS);
		if ((uint64_t)t == v->rec->index)
			return answer(v, PSCI_ALREADY_ON);
		r->x[1] = a1;
		r->x[2] = a2;
		if (smc32)
			r->x[3] &= 0xffffffffull;
		return psci_exit(v, fid, a1, true);
	}
	if (is_fid(fid, PSCI_AFFINITY_INFO)) {
		int64_t t = target_index(v, a1);

		if (a2 != 0 || t < 0)
			return answer(v, PSCI_INVALID_PARAMETERS);
		if ((uint64_t)t == v->rec->index)
			return answer(v, PSCI_AFF_ON);
		r->x[1] = a1;
		return psci_exit(v, fid, a1, true);
	}
	if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET) {
		granule_lock(v->rmm, v->g_rd);
		realm_state_set(v->realm, REALM_SYSTEM_OFF);
		granule_unlock(v->g_rd);
		return psci_exit(v, fid, 0, false);
	}
	return answer(v, PSCI_NOT_SUPPORTED);
}
