/* RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE. */
#include "core/rmi_table.h"
#include "granule/granule.h"
#include "run/tlb.h"
#include "diag/timeline.h"

/*
 * GRANULE_DELEGATE(addr): UNDELEGATED -> DELEGATED, GPT NS -> Realm, wiped.
 * Conditions (ERROR_INPUT, no ordering): gran_align, gran_bound, gran_state,
 * gran_gpt. Locks: the granule.
 */
uint64_t rmi_granule_delegate(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t pa = a[1], ret;
	struct granule *g;

	ret = granule_find_lock(c, pa, RMM_GRANULE_UNDELEGATED, "gran", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	if (rmm->hal->gpt_get(rmm->hal_h, pa) != RMM_PAS_NS) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "gran_gpt: GPT entry of 0x%llx is not NS",
				(unsigned long long)pa);
		goto out;
	}
	gpt_change_begin(rmm, false);
	ret = rmm->hal->gpt_set(rmm->hal_h, c->cpu, pa, RMM_PAS_REALM);
	gpt_change_end(rmm, false);
	if (ret != 0) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"gran_gpt: the GPT refused to move 0x%llx to Realm PAS",
				(unsigned long long)pa);
		goto out;
	}
	if (tl_on(rmm))
		tl_instant(rmm, c->cpu, TL_GPT, pa, RMM_PAS_REALM, 0, atomic_load(&rmm->faults));
	/* then EL3's clean and invalidate to PoPA (TF-A gpt_delegate_pas) */
	dc_after_pas_change(rmm, c->cpu, pa);
	/* After the PAS change, so the host cannot write behind the wipe, and
	 * after in-flight realm accesses through an NS mapping completed. */
	vcpu_sync(rmm);
	granule_wipe(rmm, g);
	granule_set_state_locked(c, g, RMM_GRANULE_DELEGATED);
	ret = RMI_SUCCESS;
out:
	granule_unlock(g);
	return ret;
}

/*
 * GRANULE_UNDELEGATE(addr): DELEGATED -> UNDELEGATED, GPT Realm -> NS.
 * Conditions (ERROR_INPUT, no ordering): gran_align, gran_bound, gran_state.
 * Every path into DELEGATED wipes, so the granule is already zero; it is wiped
 * again anyway (cheap, and the host must never see Realm data).
 */
uint64_t rmi_granule_undelegate(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t pa = a[1], ret;
	struct granule *g;

	ret = granule_find_lock(c, pa, RMM_GRANULE_DELEGATED, "gran", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	granule_wipe(rmm, g);
	gpt_change_begin(rmm, true);
	if (rmm->hal->gpt_set(rmm->hal_h, c->cpu, pa, RMM_PAS_NS) != 0)
		rmm_panic(rmm, "GPT refused Realm -> NS for 0x%llx", (unsigned long long)pa);
	gpt_change_end(rmm, true);
	if (tl_on(rmm))
		tl_instant(rmm, c->cpu, TL_GPT, pa, RMM_PAS_NS, 0, atomic_load(&rmm->faults));
	dc_after_pas_change(rmm, c->cpu, pa);
	granule_set_state_locked(c, g, RMM_GRANULE_UNDELEGATED);
	granule_unlock(g);
	return RMI_SUCCESS;
}
