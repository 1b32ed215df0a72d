/*
 * Realm Translation Tables: real VMSAv8-64 stage-2 tables (4 KiB granule, 512
 * entries per RTT granule) so that a vCPU walks them as hardware would.
 *
 * Valid descriptors: TABLE (levels 0-2), ASSIGNED with RIPAS RAM (page at L3,
 * block at L1/L2; NS bit clear) and ASSIGNED_NS (NS bit 55 set, host
 * attributes). Everything else is an invalid descriptor whose ignored bits
 * carry the RMM's state: HIPAS in bits [4:2] and RIPAS in bits [6:5], with
 * the output address kept for ASSIGNED entries whose RIPAS is EMPTY or
 * DESTROYED. An all-zero descriptor is UNASSIGNED with RIPAS EMPTY.
 *
 * Entries are read and written with single 64-bit atomic accesses: RTT locks
 * serialise writers, readers (vCPU walks) take none.
 */
#ifndef RMM_RTT_H
#define RMM_RTT_H

#include "realm/realm.h"

#define RTT_ENTRIES 512u

#define DESC_VALID        (1ull << 0)
#define DESC_TYPE         (1ull << 1)   /* table (L0-2) or page (L3) */
#define DESC_OA_MASK      0x0000FFFFFFFFF000ull
#define DESC_MEMATTR_WB   (0xfull << 2) /* Normal, inner/outer write-back */
#define DESC_S2AP_RW      (3ull << 6)
#define DESC_SH_INNER     (3ull << 8)
#define DESC_AF           (1ull << 10)
#define DESC_XN           (2ull << 53)
#define DESC_NS           (1ull << 55)
#define DESC_HOST_ATTR    0xdcull       /* MemAttr[2:0] in [4:2], S2AP in [7:6] */
#define INV_HIPAS_SHIFT   2
#define INV_RIPAS_SHIFT   5

enum rtte_state {
	RTTE_UNASSIGNED = 0,
	RTTE_ASSIGNED,
	RTTE_TABLE,
	RTTE_UNASSIGNED_NS,
	RTTE_ASSIGNED_NS,
};

struct rtte {
	enum rtte_state st;
	uint8_t ripas;    /* RMI_EMPTY/RAM/DESTROYED for protected entries */
	uint64_t oa;      /* ASSIGNED*, TABLE */
	uint64_t attr;    /* ASSIGNED_NS: host MemAttr/S2AP bits */
};

static inline unsigned int level_shift(int level)
{
	return 12u + 9u * (unsigned int)(3 - level);
}

static inline uint64_t level_size(int level)
{
	return 1ull << level_shift(level);
}

static inline bool ipa_level_aligned(uint64_t ipa, int level)
{
	return (ipa & (level_size(level) - 1)) == 0;
}

static inline uint64_t rtt_read(const uint64_t *tbl, unsigned int i)
{
	return __atomic_load_n(&tbl[i], __ATOMIC_ACQUIRE);
}

static inline void rtt_write(uint64_t *tbl, unsigned int i, uint64_t d)
{
	__atomic_store_n(&tbl[i], d, __ATOMIC_RELEASE);
}

uint64_t rtte_encode(const struct rtte *e, int level);
void rtte_decode(uint64_t d, int level, struct rtte *e);
/* "UNASSIGNED", "ASSIGNED", ... as the spec names the RTTE states. */
const char *rtte_state_name(enum rtte_state st);

/* RTTE is live (walk_top skips the others): ASSIGNED, ASSIGNED_NS, TABLE. */
static inline bool rtte_live(enum rtte_state st)
{
	return st == RTTE_ASSIGNED || st == RTTE_ASSIGNED_NS || st == RTTE_TABLE;
}

/* Counted in the RTT's refcount (makes the RTT live): ASSIGNED, TABLE. */
static inline bool rtte_counts(enum rtte_state st)
{
	return st == RTTE_ASSIGNED || st == RTTE_TABLE;
}

struct rtt_walk {
	struct rmm *rmm;
	struct granule *g;   /* the RTT reached; locked */
	uint64_t *tbl;
	int level;           /* level of g's entries */
	unsigned int idx;    /* entry covering the IPA */
	uint64_t base;       /* IPA mapped by tbl[0] */
	unsigned int ipa_width;
};

/* Live (rtte_live) from the raw descriptor: valid (TABLE, ASSIGNED RAM,
 * ASSIGNED_NS), or invalid with HIPAS ASSIGNED. */
static inline bool rtte_raw_live(uint64_t d)
{
	return (d & DESC_VALID) || ((d >> INV_HIPAS_SHIFT) & 7) == 1;
}

/*
 * RttWalk(ipa, target): from the starting level towards 'target', following
 * TABLE entries. Caller holds the RD lock and has checked ipa < 2^w; on return
 * w->g is locked (hand over hand: no other RTT stays locked). If 'rd' is not
 * NULL it is unlocked as soon as the starting RTT is locked.
 */
void rtt_walk_lock(struct call *c, const struct s2_ctx *s, uint64_t ipa, int target,
		   struct rtt_walk *w, struct granule *rd);

/* Ends a walk. In checking mode it also counts a possible change of the
 * tables (every RTT write happens under a walk), so that TLB hits already
 * compared with the tables are compared again only after a change. */
static inline void rtt_walk_unlock(struct rtt_walk *w)
{
	if (w->rmm->cfg.flags & RMM_CFG_TLB_CHECK)
		atomic_fetch_add_explicit(&w->rmm->s2_gen, 1, memory_order_release);
	granule_unlock(w->g);
}

/* RttSkipNonLiveEntries: the IPA itself if its entry is live, else the base of
 * the next live entry of the same RTT, else the end of that RTT. Cost: none
 * beyond the entry itself for an RTT of protected IPAs with no live entry
 * (its refcount counts them all), else raw loads up to the next live one. */
uint64_t rtt_walk_top(const struct rtt_walk *w, uint64_t ipa);

/* Fill a newly created RTT at 'level' as the unfolding of parent entry 'pe'.
 * Returns the number of live-counted entries (its refcount). */
unsigned int rtt_unfold(uint64_t *tbl, int level, const struct rtte *pe);

/* Initial contents of the starting RTTs: protected entries UNASSIGNED EMPTY
 * (all zero), unprotected UNASSIGNED_NS. */
void rtt_init_root(uint64_t *tbl, uint64_t base, int level, unsigned int w);

#endif
