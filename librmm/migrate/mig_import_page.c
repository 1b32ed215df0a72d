/*
 * A page record's import (docs/migration.md section 5, destination page
 * import): the fast path that decrypts a DATA page straight into its
 * granule, and the general path for an authenticated body.
 */
#include <string.h>

#include "migrate/mig.h"
#include "migrate/mig_leaf.h"
#include "rtt/rtt.h"

#define GET32(p) ((uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[3] << 24)
#define GET64(p) ((uint64_t)GET32(p) | (uint64_t)GET32((p) + 4) << 32)

/*
 * Import one authenticated page body. Not fatal: (RTT, level) when the
 * walk stops short, INPUT for a granule the host did not delegate.
 * Locks: a granule of 'grans' (claimed), then the walk, then DATA.
 */
uint64_t mig_import_page(struct call *c, struct realm *r, unsigned int stream,
			 const uint8_t *body, uint32_t len, uint64_t grans, uint64_t *used,
			 uint64_t *at)
{
	struct rmm *rmm = c->rmm;
	struct mig_session *m = &r->mig;
	uint64_t ipa = GET64(body), pa, ret = RMI_SUCCESS;
	struct granule *g = NULL, *gd;
	uint8_t kind = body[8], ripas = body[9];
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;

	realm_s2_ctx(r, &s);
	if ((ipa & GRANULE_MASK) || !ipa_is_protected(ipa, s.ipa_width) || ripas > RMI_DESTROYED)
		return mig_import_fatal(c, r, RMI_MIG_RANGE, "page IPA or RIPAS out of range");
	if (!mig_zero_bytes(body + 10, 6) || kind > RMM_MIG_PAGE_ZERO ||
	    (kind == RMM_MIG_PAGE_ZERO) != (len == 16))
		return mig_import_fatal(c, r, RMI_MIG_FORMAT, "page record body");
	rtt_walk_lock(c, &s, ipa, 3, &w, NULL);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (w.level == 3 && e.st == RTTE_UNASSIGNED) {
		/* a fresh page: claim the host's next granule (lock order rule 1) */
		rtt_walk_unlock(&w);
		if (ns_read(c, grans + 8 * *used, &pa, 8) != 0)
			return call_fail(c, RMI_ERROR_INPUT, 0, "grans_pas: 0x%llx",
					 (unsigned long long)grans);
		ret = granule_find_lock(c, pa, RMM_GRANULE_DELEGATED, "data", &g);
		if (ret != RMI_SUCCESS)
			return ret;
		rtt_walk_lock(c, &s, ipa, 3, &w, NULL);
		rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	}
	if (w.level < 3) {
		*at = ipa;
		ret = call_fail(c, RMI_ERROR_RTT, (unsigned int)w.level,
				"rtt_walk: walk for 0x%llx stopped at level %d", (unsigned long long)ipa,
				w.level);
	} else if (e.st == RTTE_UNASSIGNED && g) {
		void *dst = granule_map(rmm, g);

		if (kind == RMM_MIG_PAGE_DATA)
			memcpy(dst, body + 16, GRANULE_SIZE);
		else
			memset(dst, 0, GRANULE_SIZE);
		e.st = RTTE_ASSIGNED;
		e.oa = pa;
		e.ripas = ripas;
		rtt_write(w.tbl, w.idx, rtte_encode(&e, 3));
		granule_get(w.g);
		granule_set_state_locked(c, g, RMM_GRANULE_DATA);
		g->mig = MIG_G_IMPORTED;
		g->mig_epoch = (uint16_t)m->epoch;
		m->st[stream].fresh++;
		(*used)++;
	} else if (e.st == RTTE_ASSIGNED) {
		/* a newer version of a page imported in an earlier epoch */
		gd = granule_find(rmm, e.oa);
		granule_lock(rmm, gd);
		if (!(gd->mig & MIG_G_IMPORTED) || gd->mig_epoch == m->epoch) {
			ret = mig_import_fatal(c, r, RMI_MIG_DUPLICATE,
					       "the page was imported in this epoch already");
		} else {
			if (kind == RMM_MIG_PAGE_DATA)
				memcpy(granule_map(rmm, gd), body + 16, GRANULE_SIZE);
			else
				memset(granule_map(rmm, gd), 0, GRANULE_SIZE);
			e.ripas = ripas;
			rtt_write(w.tbl, w.idx, rtte_encode(&e, 3));
			gd->mig_epoch = (uint16_t)m->epoch;
		}
		granule_unlock(gd);
	} else {
		ret = mig_import_fatal(c, r, RMI_MIG_LAYOUT, "the page's RTT entry is not "
				       "UNASSIGNED or an imported page");
	}
	rtt_walk_unlock(&w);
	if (g)
		granule_unlock(g);
	return ret;
}

/*
 * Claim the host's next granule for a fresh page while l holds the walk:
 * tried first (granule_trylock: the walk is held, the lock order wants the
 * granule first); if that fails (or the walk had to be released for reading
 * the list: the host named the held table as NS memory) the granule is
 * locked and the walk taken again. Returns the locked DELEGATED granule with l
 * covering ipa at an UNASSIGNED level-3 entry, or NULL (nothing locked but
 * l) if anything is not so.
 */
static struct granule *claim(struct call *c, const struct s2_ctx *s, struct mig_leaf *l,
			     uint64_t ipa, uint64_t grans, uint64_t used)
{
	struct granule *g;
	struct rtte e;
	uint64_t pa;

	/* (a refusal's reason is overwritten when the fallback refuses again) */
	mig_leaf_release_for(l, grans + 8 * used, 8);
	if (ns_read(c, grans + 8 * used, &pa, 8) != 0 ||
	    granule_check_addr(c, pa, "data") != RMI_SUCCESS)
		return NULL;
	g = granule_find(c->rmm, pa);
	if (!l->held || !granule_trylock(g)) {
		mig_leaf_release(l);
		granule_lock(c->rmm, g);
		/* before the walk: the walk's own RTTs (the table just held, which
		 * the host may name here) are never DELEGATED */
		if (g->state != RMM_GRANULE_DELEGATED) {
			granule_unlock(g);
			return NULL;
		}
		mig_leaf_walk(c, s, l, ipa);
		rtte_decode(rtt_read(l->w.tbl, l->w.idx), l->w.level, &e);
		if (l->w.level < 3 || e.st != RTTE_UNASSIGNED) {
			granule_unlock(g);
			return NULL;
		}
	}
	if (g->state != RMM_GRANULE_DELEGATED) {
		granule_unlock(g);
		return NULL;
	}
	return g;
}

/*
 * The fast path for a DATA page: decrypted straight into its granule, the
 * tag verified, and only then the RTT entry written. A fresh page goes into
 * the host's next granule (still DELEGATED, mapped nowhere); a newer
 * version of a page imported in an earlier epoch overwrites its DATA
 * granule in place (the realm cannot run before COMMIT, and a bad tag makes
 * it destroy-only, so unverified bytes are never seen). 'head' holds the
 * body's first 16 bytes, decrypted but not yet authenticated, so anything
 * but these plain cases (a bad-looking head, a missing RTT, a page imported
 * in this epoch already, no granule to claim) returns MIG_FALLBACK with
 * nothing changed, and the caller releases l, authenticates first and
 * imports through mig_import_page, which gives every error in its usual order.
 * A bad tag: a claimed granule is wiped and left DELEGATED; the import
 * fails (AUTH). Locks: the level-3 walk (l, kept by the caller across
 * records), then the DATA or claimed granule (see claim).
 */
uint64_t mig_import_direct(struct call *c, struct realm *r, const struct mig_hdr *h,
			   const uint8_t *rec, const uint8_t *head, uint64_t grans, uint64_t *used,
			   struct mig_leaf *l)
{
	struct rmm *rmm = c->rmm;
	uint64_t ipa = GET64(head);
	struct rtt_walk *w = &l->w;
	struct granule *g;
	struct s2_ctx s;
	struct rtte e;
	bool fresh;

	realm_s2_ctx(r, &s);
	if (h->body_len != 16 + GRANULE_SIZE || head[8] != RMM_MIG_PAGE_DATA ||
	    head[9] > RMI_DESTROYED || !mig_zero_bytes(head + 10, 6) || (ipa & GRANULE_MASK) ||
	    !ipa_is_protected(ipa, s.ipa_width))
		return MIG_FALLBACK;
	mig_leaf_walk(c, &s, l, ipa);
	rtte_decode(rtt_read(w->tbl, w->idx), w->level, &e);
	if (w->level < 3)
		return MIG_FALLBACK;
	fresh = e.st == RTTE_UNASSIGNED;
	if (fresh) {
		g = claim(c, &s, l, ipa, grans, *used);
		if (!g)
			return MIG_FALLBACK;
	} else if (e.st == RTTE_ASSIGNED) {
		g = granule_find(rmm, e.oa);
		granule_lock(rmm, g);
		if (!(g->mig & MIG_G_IMPORTED) || g->mig_epoch == r->mig.epoch) {
			granule_unlock(g);
			return MIG_FALLBACK;
		}
	} else {
		return MIG_FALLBACK;
	}
	if (mig_open_finish(rmm, c->cpu, rec, h, 16, granule_map(rmm, g)) != 0) {
		if (fresh)
			memset(granule_map(rmm, g), 0, GRANULE_SIZE);
		granule_unlock(g);
		return mig_import_fatal(c, r, RMI_MIG_AUTH, "the record's tag");
	}
	e.ripas = head[9];
	if (fresh) {
		e.st = RTTE_ASSIGNED;
		e.oa = granule_pa(rmm, g);
		granule_get(w->g);
		granule_set_state_locked(c, g, RMM_GRANULE_DATA);
		g->mig = MIG_G_IMPORTED;
		r->mig.st[h->stream].fresh++;
		(*used)++;
	}
	rtt_write(w->tbl, w->idx, rtte_encode(&e, 3));
	g->mig_epoch = (uint16_t)r->mig.epoch;
	granule_unlock(g);
	return RMI_SUCCESS;
}
