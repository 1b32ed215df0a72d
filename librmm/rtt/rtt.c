/* Stage-2 descriptor encoding and the locked RTT walk. */
#include "rtt/rtt.h"

uint64_t rtte_encode(const struct rtte *e, int level)
{
	uint64_t page = level == 3 ? DESC_TYPE : 0;

	switch (e->st) {
	case RTTE_TABLE:
		return (e->oa & DESC_OA_MASK) | DESC_TYPE | DESC_VALID;
	case RTTE_ASSIGNED:
		if (e->ripas == RMI_RAM)
			return (e->oa & DESC_OA_MASK) | DESC_AF | DESC_SH_INNER | DESC_S2AP_RW |
			       DESC_MEMATTR_WB | page | DESC_VALID;
		return (e->oa & DESC_OA_MASK) | ((uint64_t)e->ripas << INV_RIPAS_SHIFT) |
		       (1ull << INV_HIPAS_SHIFT);
	case RTTE_ASSIGNED_NS:
		return (e->oa & DESC_OA_MASK) | (e->attr & DESC_HOST_ATTR) | DESC_NS | DESC_XN |
		       DESC_AF | DESC_SH_INNER | page | DESC_VALID;
	case RTTE_UNASSIGNED_NS:
		return 2ull << INV_HIPAS_SHIFT;
	case RTTE_UNASSIGNED:
	default:
		return (uint64_t)e->ripas << INV_RIPAS_SHIFT;
	}
}

const char *rtte_state_name(enum rtte_state st)
{
	static const char *const n[] = { "UNASSIGNED", "ASSIGNED", "TABLE", "UNASSIGNED_NS",
					 "ASSIGNED_NS" };

	return n[st];
}

void rtte_decode(uint64_t d, int level, struct rtte *e)
{
	e->oa = d & DESC_OA_MASK;
	e->attr = 0;
	e->ripas = RMI_EMPTY;
	if (d & DESC_VALID) {
		if (level < 3 && (d & DESC_TYPE)) {
			e->st = RTTE_TABLE;
		} else if (d & DESC_NS) {
			e->st = RTTE_ASSIGNED_NS;
			e->attr = d & DESC_HOST_ATTR;
		} else {
			e->st = RTTE_ASSIGNED;
			e->ripas = RMI_RAM;
		}
		return;
	}
	switch ((d >> INV_HIPAS_SHIFT) & 7) {
	case 1:
		e->st = RTTE_ASSIGNED;
		break;
	case 2:
		e->st = RTTE_UNASSIGNED_NS;
		e->oa = 0;
		return;
	default:
		e->st = RTTE_UNASSIGNED;
		e->oa = 0;
		break;
	}
	e->ripas = (uint8_t)((d >> INV_RIPAS_SHIFT) & 3);
}

void rtt_walk_lock(struct call *c, const struct s2_ctx *s, uint64_t ipa, int target,
		   struct rtt_walk *w, struct granule *rd)
{
	struct rmm *rmm = c->rmm;
	int l = s->sl;
	uint64_t all = ipa >> level_shift(l);
	struct granule *g = granule_find(rmm, s->rtt_base + (all / RTT_ENTRIES) * GRANULE_SIZE);
	uint64_t *tbl;

	RMM_ASSERT(rmm, g != NULL && all / RTT_ENTRIES < s->num_start);
	granule_lock(rmm, g);
	RMM_ASSERT(rmm, g->state == RMM_GRANULE_RTT);
	if (rd)
		granule_unlock(rd);
	tbl = granule_map(rmm, g);
	while (l < target) {
		uint64_t d = rtt_read(tbl, (unsigned int)((ipa >> level_shift(l)) % RTT_ENTRIES));
		struct granule *next;

		if (!(d & DESC_VALID) || !(d & DESC_TYPE))
			break;
		next = granule_find(rmm, d & DESC_OA_MASK);
		RMM_ASSERT(rmm, next != NULL);
		granule_lock(rmm, next);
		RMM_ASSERT(rmm, next->state == RMM_GRANULE_RTT);
		granule_unlock(g);
		g = next;
		tbl = granule_map(rmm, g);
		l++;
	}
	w->rmm = rmm;
	w->g = g;
	w->tbl = tbl;
	w->level = l;
	w->idx = (unsigned int)((ipa >> level_shift(l)) % RTT_ENTRIES);
	w->base = ipa & ~((level_size(l) * RTT_ENTRIES) - 1);
	w->ipa_width = s->ipa_width;
}

uint64_t rtt_walk_top(const struct rtt_walk *w, uint64_t ipa)
{
	uint64_t end = w->base + RTT_ENTRIES * level_size(w->level);
	unsigned int i;

	if (rtte_raw_live(rtt_read(w->tbl, w->idx)))
		return ipa;
	/* protected IPAs only: the live entries (ASSIGNED, TABLE) are exactly
	 * the ones the refcount counts */
	if (granule_refcount(w->g) == 0 && end - 1 < (1ull << (w->ipa_width - 1)))
		return end;
	for (i = w->idx + 1; i < RTT_ENTRIES; i++)
		if (rtte_raw_live(rtt_read(w->tbl, i)))
			break;
	return w->base + (uint64_t)i * level_size(w->level);
}

unsigned int rtt_unfold(uint64_t *tbl, int level, const struct rtte *pe)
{
	struct rtte e = *pe;
	bool assigned = pe->st == RTTE_ASSIGNED || pe->st == RTTE_ASSIGNED_NS;

	for (unsigned int i = 0; i < RTT_ENTRIES; i++) {
		if (assigned)
			e.oa = pe->oa + (uint64_t)i * level_size(level);
		rtt_write(tbl, i, rtte_encode(&e, level));
	}
	return pe->st == RTTE_ASSIGNED ? RTT_ENTRIES : 0;
}

void rtt_init_root(uint64_t *tbl, uint64_t base, int level, unsigned int w)
{
	struct rtte ns = { .st = RTTE_UNASSIGNED_NS };

	for (unsigned int i = 0; i < RTT_ENTRIES; i++) {
		uint64_t ipa = base + (uint64_t)i * level_size(level);

		if (ipa_in_range(ipa, w) && !ipa_is_protected(ipa, w))
			rtt_write(tbl, i, rtte_encode(&ns, level));
	}
}
