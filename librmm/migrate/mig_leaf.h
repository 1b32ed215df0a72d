/* The migration commands' level-3 walk kept across pages (mig_walk.c). */
#ifndef RMM_MIG_LEAF_H
#define RMM_MIG_LEAF_H

#include "migrate/mig.h"
#include "rtt/rtt.h"

/*
 * A level-3 walk kept locked across the consecutive pages of one EXPORT_
 * PAGES or IMPORT call: a page in the table already held takes no root or
 * middle RTT lock (which every stream's walk would share). The held table
 * cannot go away meanwhile (it is locked). Release before any other walk
 * and before the call returns.
 */
struct mig_leaf {
	struct rtt_walk w;
	bool held;
};
/* Lock the walk to 'ipa' (target level 3) into l->w, reusing the held
 * level-3 table when it covers ipa. */
void mig_leaf_walk(struct call *c, const struct s2_ctx *s, struct mig_leaf *l, uint64_t ipa);
/* Does the held walk cover ipa at level 3? */
static inline bool mig_leaf_covers(const struct mig_leaf *l, uint64_t ipa)
{
	return l->held && l->w.level == 3 && (ipa & ~(level_size(2) - 1)) == l->w.base;
}
static inline void mig_leaf_release(struct mig_leaf *l)
{
	if (l->held)
		rtt_walk_unlock(&l->w);
	l->held = false;
}

/* Is the held table one of the granules of [pa, pa + len)? (The host may
 * name it as NS memory: locking it for an NS access would wait for itself.) */
static inline bool mig_leaf_in(const struct mig_leaf *l, uint64_t pa, uint64_t len)
{
	uint64_t t;

	if (!l->held)
		return false;
	t = granule_pa(l->w.rmm, l->w.g);
	return t + GRANULE_SIZE > (pa & ~GRANULE_MASK) && t < pa + len;
}

/* Release the held table before an NS access to [pa, pa + len) that would
 * lock it. */
static inline void mig_leaf_release_for(struct mig_leaf *l, uint64_t pa, uint64_t len)
{
	if (mig_leaf_in(l, pa, len))
		mig_leaf_release(l);
}

/* --- page import (mig_import_page.c) --- */
struct mig_hdr;
/* mig_import_direct could not take its fast path: open the record as usual. */
#define MIG_FALLBACK (~0ull)
/*
 * A DATA page record decrypted straight into its granule: RMI_SUCCESS, a
 * fatal refusal, or MIG_FALLBACK (nothing changed; the caller releases l,
 * opens the record and calls mig_import_page). 'head': the body's first 16
 * bytes, decrypted (mig_open_begin) but not yet authenticated.
 */
uint64_t mig_import_direct(struct call *c, struct realm *r, const struct mig_hdr *h,
			   const uint8_t *rec, const uint8_t *head, uint64_t grans, uint64_t *used,
			   struct mig_leaf *l);
/* An authenticated page body: (RTT, level) with *at, INPUT, or fatal. */
uint64_t mig_import_page(struct call *c, struct realm *r, unsigned int stream,
			 const uint8_t *body, uint32_t len, uint64_t grans, uint64_t *used,
			 uint64_t *at);

#endif
