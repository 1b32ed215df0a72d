/*
 * rmm_reset(): an instance back to its state after rmm_create(), by state.
 * The fuzz harnesses reset one instance per input instead of creating one
 * (a memfd, two mmaps and their teardown); the same call serves any user's
 * own fuzzer or test suite.
 */
#include <string.h>

#include <rmm/vcpu_a64.h>

#include "core/rmm_int.h"
#include "granule/granule.h"
#include "migrate/mig.h"

/* For a HAL of version 1 or 2 (no reset_memory): every granule the core knows is in
 * Realm PAS goes back to NS, and every granule is zeroed through the RMM's
 * view (NS memory included: the initial state is all zero). */
static int reset_memory_generic(struct rmm *rmm)
{
	for (uint64_t i = 0; i < rmm->ngran; i++) {
		uint64_t pa = rmm->dram_base + (i << GRANULE_SHIFT);

		if (rmm->hal->gpt_get(rmm->hal_h, pa) != RMM_PAS_NS &&
		    rmm->hal->gpt_set(rmm->hal_h, 0, pa, RMM_PAS_NS) != 0)
			return RMM_EOS;
		memset(rmm->hal->granule_ptr(rmm->hal_h, pa), 0, GRANULE_SIZE);
	}
	if (rmm->hal->set_faults)
		rmm->hal->set_faults(rmm->hal_h, 0);
	return RMM_OK;
}

/* The per-CPU state: reasons, history rings, the stage-2 change log, the
 * RMI trace (its buffers are kept for reuse). */
static void reset_cpu(struct rmm_cpu *pc)
{
	pc->reason[0] = '\0';
	memset(pc->tlbc, 0, sizeof(pc->tlbc));
	memset(pc->uc, 0, sizeof(pc->uc));
	memset(&pc->fetch, 0, sizeof(pc->fetch));
	memset(&pc->hist, 0, sizeof(pc->hist));
	memset(pc->s2log, 0, sizeof(pc->s2log));
	atomic_store_explicit(&pc->s2log_head, 0, memory_order_relaxed);
	atomic_store_explicit(&pc->access_lock, 0, memory_order_relaxed);
	pc->trace.len = 0;
	pc->snaps.len = 0;
	pc->nsnaps = 0;
	memset(pc->trace_in, 0, sizeof(pc->trace_in));
	atomic_store_explicit(&pc->irq_pending, 0, memory_order_relaxed);
	atomic_store_explicit(&pc->n_calls, 0, memory_order_relaxed);
	atomic_store_explicit(&pc->n_fail, 0, memory_order_relaxed);
}

int rmm_reset(struct rmm *rmm)
{
	int rc;

	if (!rmm)
		return RMM_EINVAL;
	if (rmm->hal->version >= 3 && rmm->hal->reset_memory)
		rc = rmm->hal->reset_memory(rmm->hal_h) == 0 ? RMM_OK : RMM_EOS;
	else
		rc = reset_memory_generic(rmm);
	if (rc != RMM_OK)
		return rc;
	/* migration: no key slots or sessions; the nonce counter keeps growing
	 * (a nonce is never used twice by an instance, resets included) */
	if (rmm->mig) {
		uint64_t nonce = atomic_load(&rmm->mig_nonce);

		mig_instance_fini(rmm);
		if (mig_instance_init(rmm) != RMM_OK)
			return RMM_ENOMEM;
		if (atomic_load(&rmm->mig_nonce) < nonce)
			atomic_store(&rmm->mig_nonce, nonce);
	}
	memset(rmm->gran, 0, rmm->ngran * sizeof(*rmm->gran));
	if (rmm->pas_last)
		memset(rmm->pas_last, 0, rmm->ngran * sizeof(*rmm->pas_last));
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++)
		reset_cpu(&rmm->cpus[i]);
	atomic_store(&rmm->seq, 0);
	for (unsigned int i = 0; i < sizeof(rmm->vmid_map) / sizeof(rmm->vmid_map[0]); i++)
		atomic_store_explicit(&rmm->vmid_map[i], 0, memory_order_relaxed);
	atomic_store(&rmm->n_delegated, 0);
	atomic_store(&rmm->s2_inflight, 0);
	atomic_store(&rmm->gpt_inflight, 0);
	atomic_store(&rmm->gpt_busy, 0);
	atomic_store(&rmm->gpt_gen, 0);
	atomic_store(&rmm->gpt_out_busy, 0);
	atomic_store(&rmm->gpt_out_gen, 0);
	atomic_store(&rmm->s2_gen, 0);
	atomic_store(&rmm->nfindings, 0);
	atomic_store(&rmm->trace_seq, 0);
	atomic_store(&rmm->host_gpf_logged, 0);
	memset(rmm->findings, 0, sizeof(rmm->findings));
	/* the default backend's reservations and caches name PAs that are gone */
	rmm_a64_ctx_reset(rmm->a64_default);
	return RMM_OK;
}
