/*
 * RMI_RTT_CREATE, RTT_DESTROY, RTT_FOLD, RTT_READ_ENTRY, RTT_MAP_UNPROTECTED,
 * RTT_UNMAP_UNPROTECTED, RTT_INIT_RIPAS.
 *
 * Shape of every handler: argument checks that need no lock; lock the RD
 * (and claimed granules) and check states; the checks that read the realm;
 * the walk (RD released once the starting RTT is locked, unless the command
 * measures); the walk's failure conditions; then a commit that cannot fail.
 */
#include "core/rmi_table.h"
#include "measure/measure.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

#define RTT_FAIL(c, lvl, ...) call_fail((c), RMI_ERROR_RTT, (unsigned int)(lvl), __VA_ARGS__)

/* Checks shared by RTT_CREATE/DESTROY/FOLD: level_bound (not valid, or the
 * starting level), ipa_align (to level - 1), ipa_bound. */
static uint64_t check_rtt_level_ipa(struct call *c, const struct s2_ctx *s, int64_t level,
				    uint64_t ipa)
{
	if (level <= s->sl || level > 3)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "level_bound: level %lld outside [%d, 3] (starting level %d)",
				 (long long)level, s->sl + 1, s->sl);
	if (!ipa_level_aligned(ipa, (int)level - 1))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "ipa_align: 0x%llx not aligned to a level %d entry",
				 (unsigned long long)ipa, (int)level - 1);
	if (!ipa_in_range(ipa, s->ipa_width))
		return call_fail(c, RMI_ERROR_INPUT, 0, "ipa_bound: 0x%llx >= 2^%u",
				 (unsigned long long)ipa, s->ipa_width);
	return RMI_SUCCESS;
}

static uint64_t lock_rd_ctx(struct call *c, uint64_t rd, struct granule **g, struct s2_ctx *s)
{
	uint64_t ret = granule_find_lock(c, rd, RMM_GRANULE_RD, "rd", g);

	if (ret == RMI_SUCCESS)
		realm_s2_ctx(realm_of(c->rmm, *g), s);
	return ret;
}

/*
 * RTT_CREATE(rd, rtt, ipa, level): rd_*, level_bound, ipa_align, ipa_bound,
 * rtt_align, rtt_bound, rtt_state -> INPUT; rtt_walk -> (RTT, walk.level);
 * rtte_state (already TABLE) -> (RTT, level - 1).
 * Locks: rd + rtt (address order), then the walk.
 */
uint64_t rmi_rtt_create(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], rtt = a[2], ipa = a[3], ret;
	int64_t level = (int64_t)a[4];
	struct granule_req req[2] = { { rd, RMM_GRANULE_RD, "rd", NULL },
				      { rtt, RMM_GRANULE_DELEGATED, "rtt", NULL } };
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte pe, te = { .st = RTTE_TABLE };

	if ((ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rtt, "rtt")) != RMI_SUCCESS)
		return ret;
	ret = granule_lock_set(c, req, 2);
	if (ret != RMI_SUCCESS)
		return ret;
	realm_s2_ctx(realm_of(rmm, req[0].g), &s);
	ret = check_rtt_level_ipa(c, &s, level, ipa);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, 2);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level - 1, &w, req[0].g);
	if (w.level < level - 1) {
		ret = RTT_FAIL(c, w.level, "rtt_walk: walk to level %lld stopped at level %d",
			       (long long)level - 1, w.level);
		goto out;
	}
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &pe);
	if (pe.st == RTTE_TABLE) {
		ret = RTT_FAIL(c, w.level, "rtte_state: level %d entry for 0x%llx is already TABLE",
			       w.level, (unsigned long long)ipa);
		goto out;
	}
	atomic_store(&req[1].g->refcount, rtt_unfold(granule_map(rmm, req[1].g), (int)level, &pe));
	granule_set_state_locked(c, req[1].g, RMM_GRANULE_RTT);
	te.oa = rtt;
	if (pe.st == RTTE_ASSIGNED || pe.st == RTTE_ASSIGNED_NS) {
		/* a block becomes a table: break-before-make wants it gone */
		s2_change_begin(c);
		rtt_write(w.tbl, w.idx, rtte_encode(&te, w.level));
		s2_change_end(c, s.vmid, ipa, level_size(w.level));
	} else {
		rtt_write(w.tbl, w.idx, rtte_encode(&te, w.level));
	}
	if (!rtte_counts(pe.st))
		granule_get(w.g);
	ret = RMI_SUCCESS;
out:
	rtt_walk_unlock(&w);
	granule_unlock(req[1].g);
	return ret;
}

/*
 * RTT_DESTROY(rd, ipa, level) -> rtt, top: rd_*, level_bound, ipa_align,
 * ipa_bound -> INPUT (top 0); rtt_walk, rtte_state (parent not TABLE) ->
 * (RTT, walk.level), top = walk_top; rtt_live -> (RTT, level), top = ipa.
 * Locks: rd, walk to the parent, then the child.
 */
uint64_t rmi_rtt_destroy(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t ipa = a[2], ret;
	int64_t level = (int64_t)a[3];
	struct granule *g_rd, *child;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte pe, ne = { .st = RTTE_UNASSIGNED_NS };

	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	ret = check_rtt_level_ipa(c, &s, level, ipa);
	if (ret == RMI_SUCCESS)
		ret = mig_gate(c, realm_of(rmm, g_rd), MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level - 1, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &pe);
	if (w.level < level - 1 || pe.st != RTTE_TABLE) {
		res[2] = rtt_walk_top(&w, ipa);
		ret = RTT_FAIL(c, w.level, "%s: level %d entry for 0x%llx is %s",
			       w.level < level - 1 ? "rtt_walk" : "rtte_state", w.level,
			       (unsigned long long)ipa, rtte_state_name(pe.st));
		rtt_walk_unlock(&w);
		return ret;
	}
	child = granule_find(rmm, pe.oa);
	granule_lock(rmm, child);
	RMM_ASSERT(rmm, child->state == RMM_GRANULE_RTT);
	if (granule_refcount(child) != 0) {
		res[2] = ipa;
		ret = RTT_FAIL(c, level, "rtt_live: RTT 0x%llx has %u live entries",
			       (unsigned long long)pe.oa, granule_refcount(child));
		goto out;
	}
	if (ipa_is_protected(ipa, s.ipa_width))
		ne = (struct rtte){ .st = RTTE_UNASSIGNED, .ripas = RMI_DESTROYED };
	s2_change_begin(c);
	rtt_write(w.tbl, w.idx, rtte_encode(&ne, w.level));
	/* the child may have held ASSIGNED_NS mappings */
	s2_change_end(c, s.vmid, ipa, level_size(w.level));
	granule_put(w.g);
	granule_wipe(rmm, child);
	granule_set_state_locked(c, child, RMM_GRANULE_DELEGATED);
	res[1] = pe.oa;
	res[2] = rtt_walk_top(&w, ipa);
	ret = RMI_SUCCESS;
out:
	granule_unlock(child);
	rtt_walk_unlock(&w);
	return ret;
}

/* Is the child RTT at 'level' homogeneous? If so, fill *out with the entry
 * the parent (at level - 1) gets. */
static bool rtt_homogeneous(const uint64_t *tbl, int level, struct rtte *out)
{
	struct rtte e0, e;
	uint64_t sz = level_size(level);

	rtte_decode(rtt_read(tbl, 0), level, &e0);
	if (e0.st == RTTE_TABLE)
		return false;
	if (e0.st == RTTE_ASSIGNED || e0.st == RTTE_ASSIGNED_NS) {
		if (level < 2 || (e0.oa & (level_size(level - 1) - 1)))
			return false;
	}
	for (unsigned int i = 1; i < RTT_ENTRIES; i++) {
		rtte_decode(rtt_read(tbl, i), level, &e);
		if (e.st != e0.st || e.ripas != e0.ripas || e.attr != e0.attr)
			return false;
		if ((e0.st == RTTE_ASSIGNED || e0.st == RTTE_ASSIGNED_NS) && e.oa != e0.oa + i * sz)
			return false;
	}
	*out = e0;
	return true;
}

/*
 * RTT_FOLD(rd, ipa, level) -> rtt: rd_*, level_bound, ipa_align, ipa_bound
 * -> INPUT; rtt_walk, rtte_state -> (RTT, walk.level); rtt_homo -> (RTT,
 * level). Locks: rd, walk to the parent, then the child.
 */
uint64_t rmi_rtt_fold(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t ipa = a[2], ret;
	int64_t level = (int64_t)a[3];
	struct granule *g_rd, *child;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte pe, fe;

	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	ret = check_rtt_level_ipa(c, &s, level, ipa);
	if (ret == RMI_SUCCESS)
		ret = mig_gate(c, realm_of(rmm, g_rd), MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level - 1, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &pe);
	if (w.level < level - 1 || pe.st != RTTE_TABLE) {
		ret = RTT_FAIL(c, w.level, "%s: level %d entry for 0x%llx is %s",
			       w.level < level - 1 ? "rtt_walk" : "rtte_state", w.level,
			       (unsigned long long)ipa, rtte_state_name(pe.st));
		rtt_walk_unlock(&w);
		return ret;
	}
	child = granule_find(rmm, pe.oa);
	granule_lock(rmm, child);
	RMM_ASSERT(rmm, child->state == RMM_GRANULE_RTT);
	if (!rtt_homogeneous(granule_map(rmm, child), (int)level, &fe)) {
		ret = RTT_FAIL(c, level, "rtt_homo: level %lld RTT 0x%llx is not homogeneous",
			       (long long)level, (unsigned long long)pe.oa);
		goto out;
	}
	s2_change_begin(c);
	rtt_write(w.tbl, w.idx, rtte_encode(&fe, w.level));
	s2_change_end(c, s.vmid, ipa, level_size(w.level));
	if (!rtte_counts(fe.st))
		granule_put(w.g);
	atomic_store(&child->refcount, 0);
	granule_wipe(rmm, child);
	granule_set_state_locked(c, child, RMM_GRANULE_DELEGATED);
	res[1] = pe.oa;
	ret = RMI_SUCCESS;
out:
	granule_unlock(child);
	rtt_walk_unlock(&w);
	return ret;
}

/*
 * RTT_READ_ENTRY(rd, ipa, level) -> walk_level, state, desc, ripas: rd_*,
 * level_bound (not valid), ipa_align (to level), ipa_bound -> INPUT.
 */
uint64_t rmi_rtt_read_entry(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t ipa = a[2], ret;
	int64_t level = (int64_t)a[3];
	struct granule *g_rd;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;

	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	if (level < s.sl || level > 3)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "level_bound: level %lld outside [%d, 3]",
				(long long)level, s.sl);
	else if (!ipa_level_aligned(ipa, (int)level))
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"ipa_align: 0x%llx not aligned to a level %lld entry",
				(unsigned long long)ipa, (long long)level);
	else if (!ipa_in_range(ipa, s.ipa_width))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "ipa_bound: 0x%llx >= 2^%u",
				(unsigned long long)ipa, s.ipa_width);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	rtt_walk_unlock(&w);
	res[1] = (uint64_t)(int64_t)w.level;
	switch (e.st) {
	case RTTE_UNASSIGNED:
		res[2] = RMI_UNASSIGNED;
		res[4] = e.ripas;
		break;
	case RTTE_UNASSIGNED_NS:
		res[2] = RMI_UNASSIGNED;
		break;
	case RTTE_ASSIGNED:
		res[2] = RMI_ASSIGNED;
		res[3] = e.oa;
		res[4] = e.ripas;
		break;
	case RTTE_ASSIGNED_NS:
		res[2] = RMI_ASSIGNED;
		res[3] = e.oa | e.attr;
		break;
	case RTTE_TABLE:
		res[2] = RMI_TABLE;
		res[3] = e.oa;
		break;
	}
	return RMI_SUCCESS;
}

/* Checks shared by MAP/UNMAP_UNPROTECTED: level_bound (!RttLevelIsBlockOrPage
 * (rd, level): a block or page level of this realm, max(1, starting level)..3;
 * a level above the realm's starting level is not one of its levels),
 * ipa_align (to level), ipa_bound (outside IPA space or protected). */
static uint64_t check_unprot(struct call *c, const struct s2_ctx *s, int64_t level, uint64_t ipa,
			     uint64_t desc, bool map)
{
	int lo = s->sl > 1 ? s->sl : 1;

	if (level < lo || level > 3)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "level_bound: level %lld is not a block or page level of this "
				 "realm (%d..3, starting level %d)",
				 (long long)level, lo, s->sl);
	if (map && (desc & DESC_OA_MASK & (level_size((int)level) - 1)))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "addr_align: output address 0x%llx not aligned to level %lld",
				 (unsigned long long)(desc & DESC_OA_MASK), (long long)level);
	if (map && (desc & 0x000F000000000000ull))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "addr_bound: output address above 2^48 without LPA2");
	if (!ipa_level_aligned(ipa, (int)level))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "ipa_align: 0x%llx not aligned to a level %lld entry",
				 (unsigned long long)ipa, (long long)level);
	if (!ipa_in_range(ipa, s->ipa_width) || ipa_is_protected(ipa, s->ipa_width))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "ipa_bound: 0x%llx is not an unprotected IPA of a %u-bit space",
				 (unsigned long long)ipa, s->ipa_width);
	return RMI_SUCCESS;
}

/*
 * RTT_MAP_UNPROTECTED(rd, ipa, level, desc): attr_valid, rd_*, level_bound,
 * addr_align, addr_bound, ipa_align, ipa_bound -> INPUT; rtt_walk, rtte_state
 * (not UNASSIGNED_NS) -> (RTT, walk.level).
 */
uint64_t rmi_rtt_map_unprotected(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t ipa = a[2], desc = a[4], ret;
	int64_t level = (int64_t)a[3];
	struct granule *g_rd;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;

	if ((desc & ~(DESC_OA_MASK | 0x000F000000000000ull | DESC_HOST_ATTR)) ||
	    ((desc >> 2) & 7) == 4)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "attr_valid: descriptor 0x%llx has bits other than OA, "
				 "MemAttr[2:0] and S2AP, or a reserved MemAttr",
				 (unsigned long long)desc);
	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	ret = check_unprot(c, &s, level, ipa, desc, true);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (w.level != level)
		ret = RTT_FAIL(c, w.level, "rtt_walk: walk to level %lld stopped at level %d",
			       (long long)level, w.level);
	else if (e.st != RTTE_UNASSIGNED_NS)
		ret = RTT_FAIL(c, w.level, "rtte_state: level %d entry for 0x%llx is %s", w.level,
			       (unsigned long long)ipa, rtte_state_name(e.st));
	else {
		e = (struct rtte){ .st = RTTE_ASSIGNED_NS, .oa = desc & DESC_OA_MASK,
				   .attr = desc & DESC_HOST_ATTR };
		rtt_write(w.tbl, w.idx, rtte_encode(&e, w.level));
	}
	rtt_walk_unlock(&w);
	return ret;
}

/*
 * RTT_UNMAP_UNPROTECTED(rd, ipa, level) -> top: rd_*, level_bound, ipa_align,
 * ipa_bound -> INPUT (top 0); rtt_walk, rtte_state (not ASSIGNED_NS) ->
 * (RTT, walk.level) with top = walk_top.
 */
uint64_t rmi_rtt_unmap_unprotected(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t ipa = a[2], ret;
	int64_t level = (int64_t)a[3];
	struct granule *g_rd;
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;

	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	ret = check_unprot(c, &s, level, ipa, 0, false);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, ipa, (int)level, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (w.level != level) {
		ret = RTT_FAIL(c, w.level, "rtt_walk: walk to level %lld stopped at level %d",
			       (long long)level, w.level);
	} else if (e.st != RTTE_ASSIGNED_NS) {
		ret = RTT_FAIL(c, w.level, "rtte_state: level %d entry for 0x%llx is %s", w.level,
			       (unsigned long long)ipa, rtte_state_name(e.st));
	} else {
		e = (struct rtte){ .st = RTTE_UNASSIGNED_NS };
		s2_change_begin(c);
		rtt_write(w.tbl, w.idx, rtte_encode(&e, w.level));
		s2_change_end(c, s.vmid, ipa, level_size(w.level));
	}
	res[1] = rtt_walk_top(&w, ipa);
	rtt_walk_unlock(&w);
	return ret;
}

/*
 * RTT_INIT_RIPAS(rd, base, top) -> out_top: rd_*, size_valid, top_bound ->
 * INPUT; realm_state -> ERROR_REALM; base_align, rtte_state -> (RTT,
 * walk.level); top_gran_align -> INPUT; no_progress -> (RTT, walk.level).
 * Processes consecutive entries of the RTT reached, from base, that are
 * UNASSIGNED with RIPAS EMPTY or RAM and end at or below top, measuring each
 * (TF-RMM's stopping rule, see the digest). Locks: rd (held: it measures),
 * then the walk.
 */
uint64_t rmi_rtt_init_ripas(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t base = a[2], top = a[3], ret, ipa, out = base;
	struct granule *g_rd;
	struct rtt_walk w;
	struct realm *r;
	struct s2_ctx s;
	struct rtte e;
	unsigned int i;

	ret = lock_rd_ctx(c, a[1], &g_rd, &s);
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(rmm, g_rd);
	if (top <= base)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "size_valid: top 0x%llx <= base 0x%llx",
				(unsigned long long)top, (unsigned long long)base);
	else if (top < GRANULE_SIZE || !ipa_is_protected(top - GRANULE_SIZE, s.ipa_width))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "top_bound: top 0x%llx is not protected",
				(unsigned long long)top);
	else if (r->state != REALM_NEW)
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_state: realm is %s, not NEW",
				realm_state_name(r->state));
	if (ret != RMI_SUCCESS) {
		granule_unlock(g_rd);
		return ret;
	}
	rtt_walk_lock(c, &s, base, 3, &w, NULL);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (!ipa_level_aligned(base, w.level)) {
		ret = RTT_FAIL(c, w.level, "base_align: 0x%llx not aligned to level %d",
			       (unsigned long long)base, w.level);
		goto out;
	}
	if (e.st != RTTE_UNASSIGNED || e.ripas == RMI_DESTROYED) {
		ret = RTT_FAIL(c, w.level, "rtte_state: level %d entry at 0x%llx is %s%s", w.level,
			       (unsigned long long)base, rtte_state_name(e.st),
			       e.ripas == RMI_DESTROYED ? " (DESTROYED)" : "");
		goto out;
	}
	if (top & GRANULE_MASK) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "top_gran_align: top 0x%llx",
				(unsigned long long)top);
		goto out;
	}
	for (i = w.idx; i < RTT_ENTRIES; i++) {
		ipa = w.base + (uint64_t)i * level_size(w.level);
		if (ipa + level_size(w.level) > top)
			break;
		rtte_decode(rtt_read(w.tbl, i), w.level, &e);
		if (e.st != RTTE_UNASSIGNED || e.ripas == RMI_DESTROYED)
			break;
		e.ripas = RMI_RAM;
		rtt_write(w.tbl, i, rtte_encode(&e, w.level));
		measure_ripas(r->hash_algo, r->meas[0], ipa, ipa + level_size(w.level));
		out = ipa + level_size(w.level);
	}
	if (out == base) {
		ret = RTT_FAIL(c, w.level,
			       "no_progress: level %d entry at 0x%llx extends beyond top 0x%llx",
			       w.level, (unsigned long long)base, (unsigned long long)top);
		goto out;
	}
	res[1] = out;
	ret = RMI_SUCCESS;
out:
	rtt_walk_unlock(&w);
	granule_unlock(g_rd);
	return ret;
}
