/*
 * Walks over a realm's RTTs for migration, and the stage-2 write-protect
 * fault that marks an exported page dirty again (docs/migration.md section
 * 4). Lock order: the RD (held by mig_walk's caller), RTTs root to leaf
 * (a parent stays locked while its children are visited), then a DATA
 * granule an entry points at.
 */
#include "migrate/mig.h"
#include "migrate/mig_leaf.h"
#include "rtt/rtt.h"
#include "run/run.h"
#include "run/tlb.h"

void mig_leaf_walk(struct call *c, const struct s2_ctx *s, struct mig_leaf *l, uint64_t ipa)
{
	if (mig_leaf_covers(l, ipa)) {
		l->w.idx = (unsigned int)((ipa >> level_shift(3)) % RTT_ENTRIES);
		return;
	}
	mig_leaf_release(l);
	rtt_walk_lock(c, s, ipa, 3, &l->w, NULL);
	l->held = true;
}

struct walk {
	mig_leaf_fn fn;
	void *ctx;
	uint64_t from, limit, stop;
	bool stopped;
};

/* Visit the entries of one locked RTT; descend into TABLE entries. */
static void walk_tbl(struct call *c, struct walk *wk, struct granule *g, int level, uint64_t base)
{
	uint64_t *tbl = granule_map(c->rmm, g), sz = level_size(level);

	for (unsigned int i = 0; i < RTT_ENTRIES && !wk->stopped; i++) {
		uint64_t ipa = base + i * sz, d;

		if (ipa >= wk->limit)
			break;
		if (ipa + sz <= wk->from)
			continue;
		d = rtt_read(tbl, i);
		if (level < 3 && (d & DESC_VALID) && (d & DESC_TYPE)) {
			struct granule *child = granule_find(c->rmm, d & DESC_OA_MASK);

			RMM_ASSERT(c->rmm, child != NULL);
			granule_lock(c->rmm, child);
			walk_tbl(c, wk, child, level + 1, ipa);
			granule_unlock(child);
			continue;
		}
		if (wk->fn(c, wk->ctx, ipa, level, tbl, i)) {
			wk->stopped = true;
			wk->stop = ipa < wk->from ? wk->from : ipa;
		}
	}
}

uint64_t mig_walk(struct call *c, struct realm *r, uint64_t ipa, mig_leaf_fn fn, void *ctx)
{
	struct walk wk = { fn, ctx, ipa, 1ull << (r->ipa_width - 1), 0, false };
	uint64_t span = level_size(r->rtt_level_start) * RTT_ENTRIES;

	for (unsigned int i = 0; i < r->rtt_num_start && !wk.stopped; i++) {
		struct granule *root = granule_find(c->rmm, r->rtt_base + i * GRANULE_SIZE);

		if (i * span >= wk.limit)
			break;
		granule_lock(c->rmm, root);
		walk_tbl(c, &wk, root, r->rtt_level_start, i * span);
		granule_unlock(root);
	}
	return wk.stopped ? wk.stop : wk.limit;
}

/* Write permission back on an exported page; the session's granule marks off. */
static bool unmark(struct call *c, void *ctx, uint64_t ipa, int level, uint64_t *tbl,
		   unsigned int idx)
{
	uint64_t d = rtt_read(tbl, idx);
	struct rtte e;
	struct granule *g;

	rtte_decode(d, level, &e);
	if (e.st != RTTE_ASSIGNED || level != 3)
		return false;
	g = granule_find(c->rmm, e.oa);
	granule_lock(c->rmm, g);
	g->mig = 0;
	g->mig_epoch = 0;
	granule_unlock(g);
	if ((d & DESC_VALID) && !(d & DESC_S2AP_W))
		rtt_write(tbl, idx, d | DESC_S2AP_W);
	return false;
}

void mig_unmark_all(struct call *c, struct realm *r)
{
	s2_change_begin(c);
	mig_walk(c, r, 0, unmark, NULL);
	/* permission restored: no CPU may keep a read-only translation */
	s2_change_end(c, r->vmid, 0, 0);
}

bool mig_write_fault(struct rmm_vcpu *v, const struct rmm_vcpu_exit *f)
{
	struct mig_session *m = &v->realm->mig;
	uint64_t fsc = f->esr & 0x3f, ipa = f->ipa & ~GRANULE_MASK, d;
	struct rtt_walk w;
	bool retry = false;

	if (fsc < (uint64_t)RMM_FSC_PERMISSION(0) || fsc > (uint64_t)RMM_FSC_PERMISSION(3) ||
	    !(f->esr & RMM_ISS_WNR) || (f->esr & RMM_ISS_S1PTW) ||
	    !ipa_is_protected(ipa, v->s2.ipa_width))
		return false;
	rtt_walk_lock(v->call, &v->s2, ipa, 3, &w, NULL);
	d = rtt_read(w.tbl, w.idx);
	if (w.level == 3 && (d & DESC_VALID) && !(d & DESC_NS)) {
		if (!(d & DESC_S2AP_W)) {
			struct granule *g = granule_find(v->rmm, d & DESC_OA_MASK);

			granule_lock(v->rmm, g);
			if ((g->mig & (MIG_G_EXPORTED | MIG_G_DIRTY)) == MIG_G_EXPORTED) {
				g->mig |= MIG_G_DIRTY;
				atomic_fetch_add(&m->dirty, 1);
			}
			s2_change_begin(v->call);
			rtt_write(w.tbl, w.idx, d | DESC_S2AP_W);
			s2_change_end(v->call, v->s2.vmid, ipa, GRANULE_SIZE);
			granule_unlock(g);
		}
		retry = true;  /* writable now (by us or by another CPU) */
	}
	rtt_walk_unlock(&w);
	return retry;
}

bool mig_marks_bad(const struct realm *r, const struct granule *g, uint64_t desc)
{
	unsigned int st = mig_state_get(&r->mig);
	bool wp = (desc & DESC_VALID) && !(desc & DESC_S2AP_W);

	switch (st) {
	case RMM_MIG_EXPORT_LIVE:
	case RMM_MIG_EXPORT_PAUSED:
	case RMM_MIG_EXPORT_DONE:
		/* write-protected exactly while exported and clean */
		return (g->mig & ~(MIG_G_EXPORTED | MIG_G_DIRTY)) ||
		       (wp && (g->mig & (MIG_G_EXPORTED | MIG_G_DIRTY)) != MIG_G_EXPORTED);
	case RMM_MIG_IMPORTING:
	case RMM_MIG_IMPORT_FAILED:
		return wp || (g->mig & ~MIG_G_IMPORTED);
	default:
		return wp || g->mig;
	}
}
