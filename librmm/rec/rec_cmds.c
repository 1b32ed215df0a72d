/* RMI_REC_CREATE, RMI_REC_DESTROY, RMI_PSCI_COMPLETE. */
#include <string.h>
#include <rmm/rsi.h>

#include "core/rmi_table.h"
#include "measure/measure.h"
#include "rec/rec.h"

int64_t rec_mpidr_index(uint64_t mpidr)
{
	if (mpidr & (0xf0ull | ~0xffffffffull))
		return -1;
	return (int64_t)((mpidr & 0xf) + 16 * ((mpidr >> 8) & 0xff) +
			 16 * 256 * ((mpidr >> 16) & 0xff) + 16 * 256 * 256 * ((mpidr >> 24) & 0xff));
}

/*
 * REC_CREATE(rd, rec, params_ptr). Conditions: params_align, params_bound,
 * params_pas, rec_align, rec_bound, rd_align, rd_bound -> INPUT; the aux
 * list (num_aux > 16, aux_align, aux_bound, aux_alias) -> INPUT; rec, rd and
 * aux locked in address order (rec_state, rd_state, aux_state -> INPUT);
 * realm_state, num_recs -> ERROR_REALM; mpidr_index, num_aux -> INPUT.
 * ([rd_bound, rd_state] < [realm_state, num_recs] is the only ordering the
 * spec fixes; aux are locked with rec and rd, so their states come first.)
 */
uint64_t rmi_rec_create(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], rec_pa = a[2], pp = a[3], ret, n, i, j;
	struct granule_req req[2 + RMI_REC_MAX_AUX];
	struct rmi_rec_params p;
	struct realm *r;
	struct rec *rec;
	int64_t idx;

	ret = granule_read_params(c, pp, &p, sizeof(p));
	if (ret != RMI_SUCCESS)
		return ret;
	if ((ret = granule_check_addr(c, rec_pa, "rec")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS)
		return ret;
	if (p.num_aux > RMI_REC_MAX_AUX)
		return call_fail(c, RMI_ERROR_INPUT, 0, "num_aux: %llu, the RMM needs %u",
				 (unsigned long long)p.num_aux, REALM_AUX_COUNT);
	n = p.num_aux;
	for (i = 0; i < n; i++) {
		if ((ret = granule_check_addr(c, p.aux[i], "aux")) != RMI_SUCCESS)
			return ret;
		if (p.aux[i] == rec_pa)
			return call_fail(c, RMI_ERROR_INPUT, 0, "aux_alias: aux[%llu] is the REC",
					 (unsigned long long)i);
		for (j = 0; j < i; j++)
			if (p.aux[j] == p.aux[i])
				return call_fail(c, RMI_ERROR_INPUT, 0,
						 "aux_alias: aux[%llu] == aux[%llu]",
						 (unsigned long long)i, (unsigned long long)j);
	}
	req[0] = (struct granule_req){ rec_pa, RMM_GRANULE_DELEGATED, "rec", NULL };
	req[1] = (struct granule_req){ rd, RMM_GRANULE_RD, "rd", NULL };
	for (i = 0; i < n; i++)
		req[2 + i] = (struct granule_req){ p.aux[i], RMM_GRANULE_DELEGATED, "aux", NULL };
	ret = granule_lock_set(c, req, (unsigned int)(2 + n));
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(rmm, req[1].g);
	idx = rec_mpidr_index(p.mpidr);
	if (realm_state_get(r) != REALM_NEW)
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_state: realm is %s, not NEW",
				realm_state_name(realm_state_get(r)));
	else if (r->rec_index >= REC_MAX_INDEX)
		ret = call_fail(c, RMI_ERROR_REALM, 0, "num_recs: the realm has %u RECs already",
				REC_MAX_INDEX);
	else if (idx < 0 || (uint64_t)idx != r->rec_index)
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"mpidr_index: MPIDR 0x%llx is index %lld, the next REC must be %llu",
				(unsigned long long)p.mpidr, (long long)idx,
				(unsigned long long)r->rec_index);
	else if (n != REALM_AUX_COUNT)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "num_aux: %llu, REC_AUX_COUNT is %u",
				(unsigned long long)n, REALM_AUX_COUNT);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, (unsigned int)(2 + n));
		return ret;
	}

	/* Commit. */
	rec = rec_of(rmm, req[0].g);
	memset(rec, 0, sizeof(*rec));
	rec->owner = rd;
	rec->mpidr = p.mpidr;
	rec->index = (uint32_t)idx;
	rec->runnable = p.flags & RMI_REC_FLAG_RUNNABLE;
	rec->last_exit = 0xff;
	rec->num_aux = n;
	for (i = 0; i < n; i++) {
		rec->aux[i] = p.aux[i];
		granule_set_state_locked(c, req[2 + i].g, RMM_GRANULE_REC_AUX);
	}
	memcpy(rec->regs.x, p.gprs, sizeof(p.gprs));
	rec->regs.pc = p.pc;
	rec->regs.pstate = 0x3c5;            /* EL1h, DAIF masked */
	rec->regs.sctlr_el1 = 0x30d00800;    /* RES1 bits; MMU and caches off */
	if (rec->runnable)
		measure_rec(r->hash_algo, r->meas[0], p.flags, p.pc, p.gprs);
	r->rec_index++;
	granule_get(req[1].g);               /* the realm's REC count */
	atomic_store(&req[0].g->refcount, 0);
	granule_set_state_locked(c, req[0].g, RMM_GRANULE_REC);
	granule_unlock_set(req, (unsigned int)(2 + n));
	return RMI_SUCCESS;
}

/*
 * REC_DESTROY(rec): rec_align, rec_bound, rec_gran_state -> INPUT;
 * rec_state (running) -> ERROR_REC. Locks: the REC, then its aux granules
 * (owned by it); the RD's REC count drops atomically.
 */
uint64_t rmi_rec_destroy(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	struct granule *g, *g_rd;
	struct rec *rec;
	uint64_t ret;

	ret = granule_find_lock(c, a[1], RMM_GRANULE_REC, "rec", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	if (rec_running(g)) {
		granule_unlock(g);
		return call_fail(c, RMI_ERROR_REC, 0, "rec_state: REC 0x%llx is running",
				 (unsigned long long)a[1]);
	}
	rec = rec_of(rmm, g);
	ret = mig_gate(c, realm_of(rmm, granule_find(rmm, rec->owner)), MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	for (uint64_t i = 0; i < rec->num_aux; i++) {
		struct granule *ga = granule_find(rmm, rec->aux[i]);

		granule_lock(rmm, ga);
		RMM_ASSERT(rmm, ga->state == RMM_GRANULE_REC_AUX);
		granule_wipe(rmm, ga);
		granule_set_state_locked(c, ga, RMM_GRANULE_DELEGATED);
		granule_unlock(ga);
	}
	g_rd = granule_find(rmm, rec->owner);
	granule_put(g_rd);
	granule_wipe(rmm, g);
	granule_set_state_locked(c, g, RMM_GRANULE_DELEGATED);
	granule_unlock(g);
	return RMI_SUCCESS;
}

/*
 * PSCI_COMPLETE(calling, target, status). All conditions ERROR_INPUT, no
 * ordering: alias, calling_ and target_ align, bound and state, a running
 * calling REC, pending (no PSCI request), owner, target (MPIDR is not the
 * one requested), status (not permitted for the request).
 * Locks: both RECs in address order.
 */
uint64_t rmi_psci_complete(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t status = a[3], ret, fid, entry, context;
	struct granule_req req[2] = { { a[1], RMM_GRANULE_REC, "calling", NULL },
				      { a[2], RMM_GRANULE_REC, "target", NULL } };
	struct rec *cr, *tr;

	if (a[1] == a[2])
		return call_fail(c, RMI_ERROR_INPUT, 0, "alias: calling and target are 0x%llx",
				 (unsigned long long)a[1]);
	if ((ret = granule_check_addr(c, a[1], "calling")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, a[2], "target")) != RMI_SUCCESS)
		return ret;
	ret = granule_lock_set(c, req, 2);
	if (ret != RMI_SUCCESS)
		return ret;
	cr = rec_of(rmm, req[0].g);
	tr = rec_of(rmm, req[1].g);
	fid = cr->regs.x[0] | 0x40000000ull;  /* the SMC32 and SMC64 forms alike */
	if (rec_running(req[0].g))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "calling_state: calling REC is running");
	else if (!cr->psci_pending)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "pending: no PSCI request is pending");
	else if (cr->owner != tr->owner)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "owner: the RECs belong to different realms");
	else if (tr->mpidr != cr->regs.x[1])
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"target: target MPIDR 0x%llx, the request names 0x%llx",
				(unsigned long long)tr->mpidr, (unsigned long long)cr->regs.x[1]);
	else if (status != PSCI_SUCCESS &&
		 !(status == PSCI_DENIED && fid == PSCI_CPU_ON && !tr->runnable))
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"status: 0x%llx is not permitted for this request",
				(unsigned long long)status);
	else
		ret = mig_gate(c, realm_of(rmm, granule_find(rmm, cr->owner)), MIG_OP_PSCI);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, 2);
		return ret;
	}
	entry = cr->regs.x[2];
	context = cr->regs.x[3];
	cr->psci_pending = 0;
	memset(&cr->regs.x[1], 0, 6 * sizeof(uint64_t));
	if (status != PSCI_SUCCESS) {
		cr->regs.x[0] = status;
	} else if (fid == PSCI_CPU_ON) {
		if (tr->runnable) {
			cr->regs.x[0] = PSCI_ALREADY_ON;
		} else {
			uint64_t ee = cr->regs.sctlr_el1 & (1ull << 25);

			memset(tr->regs.x, 0, sizeof(tr->regs.x));
			tr->regs.x[0] = context;
			tr->regs.pc = entry;
			tr->regs.pstate = 0x3c5;
			tr->regs.sctlr_el1 = 0x30d00800 | ee;
			tr->runnable = 1;
			cr->regs.x[0] = PSCI_SUCCESS;
		}
	} else { /* AFFINITY_INFO */
		cr->regs.x[0] = tr->runnable ? PSCI_AFF_ON : PSCI_AFF_OFF;
	}
	granule_unlock_set(req, 2);
	return RMI_SUCCESS;
}
