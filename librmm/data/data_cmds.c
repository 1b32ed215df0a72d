/* RMI_DATA_CREATE, DATA_CREATE_UNKNOWN, DATA_DESTROY. */
#include "core/rmi_table.h"
#include "measure/measure.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

/* ipa_align, ipa_bound (not a protected IPA) -> ERROR_INPUT. */
static uint64_t check_data_ipa(struct call *c, const struct s2_ctx *s, uint64_t ipa)
{
	if (ipa & GRANULE_MASK)
		return call_fail(c, RMI_ERROR_INPUT, 0, "ipa_align: 0x%llx", (unsigned long long)ipa);
	if (!ipa_is_protected(ipa, s->ipa_width))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "ipa_bound: 0x%llx is not a protected IPA of a %u-bit space",
				 (unsigned long long)ipa, s->ipa_width);
	return RMI_SUCCESS;
}

/*
 * Shared part of DATA_CREATE and DATA_CREATE_UNKNOWN once the source (if
 * any) has been checked: data_align, data_bound, rd_align, rd_bound;
 * data + rd locked in address order (data_state, rd_state); ipa_align,
 * ipa_bound -> INPUT; realm_state (DATA_CREATE only) -> ERROR_REALM; the walk
 * to level 3: rtt_walk -> (RTT, walk.level), rtte_state -> (RTT, 3).
 * On success: data, rd and the level-3 RTT are locked.
 */
static uint64_t data_prepare(struct call *c, uint64_t rd, uint64_t data, uint64_t ipa,
			     bool need_new, struct granule_req req[2], struct rtt_walk *w,
			     struct rtte *e)
{
	struct rmm *rmm = c->rmm;
	struct realm *r;
	struct s2_ctx s;
	uint64_t ret;

	if ((ret = granule_check_addr(c, data, "data")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS)
		return ret;
	req[0] = (struct granule_req){ data, RMM_GRANULE_DELEGATED, "data", NULL };
	req[1] = (struct granule_req){ rd, RMM_GRANULE_RD, "rd", NULL };
	ret = granule_lock_set(c, req, 2);
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(rmm, req[1].g);
	realm_s2_ctx(r, &s);
	ret = check_data_ipa(c, &s, ipa);
	if (ret == RMI_SUCCESS && need_new && r->state != REALM_NEW)
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_state: realm is %s, not NEW",
				realm_state_name(r->state));
	if (ret == RMI_SUCCESS)
		ret = mig_gate(c, r, MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, 2);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, 3, w, NULL);
	rtte_decode(rtt_read(w->tbl, w->idx), w->level, e);
	if (w->level < 3)
		ret = call_fail(c, RMI_ERROR_RTT, (unsigned int)w->level,
				"rtt_walk: walk for 0x%llx stopped at level %d (%s)",
				(unsigned long long)ipa, w->level,
				e->st == RTTE_ASSIGNED ? "block" : "no RTT");
	else if (e->st != RTTE_UNASSIGNED)
		ret = call_fail(c, RMI_ERROR_RTT, 3, "rtte_state: entry for 0x%llx is not UNASSIGNED",
				(unsigned long long)ipa);
	if (ret != RMI_SUCCESS) {
		rtt_walk_unlock(w);
		granule_unlock_set(req, 2);
	}
	return ret;
}

static void data_map_locked(struct call *c, struct granule_req req[2], struct rtt_walk *w,
			    struct rtte *e, uint64_t data)
{
	e->st = RTTE_ASSIGNED;
	e->oa = data;
	rtt_write(w->tbl, w->idx, rtte_encode(e, 3));
	granule_get(w->g);
	granule_set_state_locked(c, req[0].g, RMM_GRANULE_DATA);
	rtt_walk_unlock(w);
	granule_unlock_set(req, 2);
}

/*
 * DATA_CREATE(rd, data, ipa, src, flags): flags not 0/1, src_align,
 * src_bound, src_pas, then data_prepare's conditions. Copies the source into
 * the granule, extends the RIM, maps it ASSIGNED with RIPAS RAM.
 * Locks: data + rd (address order), the walk; the source is read lock-free.
 */
uint64_t rmi_data_create(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], data = a[2], ipa = a[3], src = a[4], flags = a[5], ret;
	struct granule_req req[2];
	struct rtt_walk w;
	struct realm *r;
	struct rtte e;
	void *dst;

	if (flags > RMI_MEASURE_CONTENT)
		return call_fail(c, RMI_ERROR_INPUT, 0, "flags: reserved bits in 0x%llx",
				 (unsigned long long)flags);
	ret = granule_check_addr(c, src, "src");
	if (ret != RMI_SUCCESS)
		return ret;
	if (rmm->hal->gpt_get(rmm->hal_h, src) != RMM_PAS_NS)
		return call_fail(c, RMI_ERROR_INPUT, 0, "src_pas: source 0x%llx is not in the NS PAS",
				 (unsigned long long)src);
	ret = data_prepare(c, rd, data, ipa, true, req, &w, &e);
	if (ret != RMI_SUCCESS)
		return ret;
	dst = granule_map(rmm, req[0].g);
	if (ns_read(c, src, dst, GRANULE_SIZE) != 0) {
		/* delegated by another CPU since the check above (the copy
		 * itself holds the source's lock, so it is all or nothing) */
		granule_wipe(rmm, req[0].g);
		rtt_walk_unlock(&w);
		granule_unlock_set(req, 2);
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "src_pas: source 0x%llx left the NS PAS during the copy",
				 (unsigned long long)src);
	}
	r = realm_of(rmm, req[1].g);
	measure_data(r->hash_algo, r->meas[0], ipa, flags, flags ? dst : NULL);
	e.ripas = RMI_RAM;
	data_map_locked(c, req, &w, &e, data);
	return RMI_SUCCESS;
}

/* DATA_CREATE_UNKNOWN(rd, data, ipa): data_prepare's conditions without the
 * realm state; RIPAS unchanged; contents stay zero. */
uint64_t rmi_data_create_unknown(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct granule_req req[2];
	struct rtt_walk w;
	struct rtte e;
	uint64_t ret;

	ret = data_prepare(c, a[1], a[2], a[3], false, req, &w, &e);
	if (ret != RMI_SUCCESS)
		return ret;
	data_map_locked(c, req, &w, &e, a[2]);
	return RMI_SUCCESS;
}

/*
 * DATA_DESTROY(rd, ipa) -> data, top: rd_*, ipa_align, ipa_bound -> INPUT
 * (top 0); rtt_walk -> (RTT, walk.level), rtte_state (not ASSIGNED) ->
 * (RTT, 3), both with top = walk_top. RIPAS RAM becomes DESTROYED.
 * Locks: rd, the walk, then the DATA granule.
 */
uint64_t rmi_data_destroy(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t ipa = a[2], ret;
	struct granule *g_rd, *g_data;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;

	ret = granule_find_lock(c, a[1], RMM_GRANULE_RD, "rd", &g_rd);
	if (ret != RMI_SUCCESS)
		return ret;
	realm_s2_ctx(realm_of(rmm, g_rd), &s);
	ret = check_data_ipa(c, &s, ipa);
	if (ret == RMI_SUCCESS)
		ret = mig_gate(c, realm_of(rmm, g_rd), MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, 3, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (w.level < 3 || e.st != RTTE_ASSIGNED) {
		res[2] = rtt_walk_top(&w, ipa);
		if (w.level < 3)
			ret = call_fail(c, RMI_ERROR_RTT, (unsigned int)w.level,
					"rtt_walk: walk for 0x%llx stopped at level %d",
					(unsigned long long)ipa, w.level);
		else
			ret = call_fail(c, RMI_ERROR_RTT, 3,
					"rtte_state: entry for 0x%llx is not ASSIGNED",
					(unsigned long long)ipa);
		rtt_walk_unlock(&w);
		return ret;
	}
	g_data = granule_find(rmm, e.oa);
	RMM_ASSERT(rmm, g_data != NULL);
	granule_lock(rmm, g_data);
	RMM_ASSERT(rmm, g_data->state == RMM_GRANULE_DATA);
	res[1] = e.oa;
	e.st = RTTE_UNASSIGNED;
	if (e.ripas == RMI_RAM)
		e.ripas = RMI_DESTROYED;
	s2_change_begin(c);
	rtt_write(w.tbl, w.idx, rtte_encode(&e, 3));
	s2_change_end(c, s.vmid, ipa, GRANULE_SIZE);
	granule_put(w.g);
	granule_wipe(rmm, g_data);
	granule_set_state_locked(c, g_data, RMM_GRANULE_DELEGATED);
	granule_unlock(g_data);
	res[2] = rtt_walk_top(&w, ipa);
	rtt_walk_unlock(&w);
	return RMI_SUCCESS;
}
