/*
 * Granules: the RMM's metadata for each 4 KiB of DRAM.
 *
 * LOCK ORDER (the one place it is written, with docs/locking.md):
 *  1. The granules a command claims (DELEGATED -> RD/RTT/DATA/REC/REC_AUX)
 *     together with the RD it names are locked first, all in ascending
 *     address order, and each one's state is checked as soon as it is locked.
 *     A command that finds a granule in an unexpected state releases
 *     everything at once, so it never waits while holding a granule of the
 *     wrong state.
 *  2. Then RTTs, hand over hand from the starting level towards level 3: the
 *     RD stays locked while the root is locked; each child is locked before
 *     its parent is released (or while the parent stays locked, for commands
 *     that change the parent entry).
 *  3. Last, granules an RTT entry points at (DATA) or that the RD owns
 *     (starting RTTs in REALM_DESTROY): locked while their owner is held.
 *  4. The RMM's own copies to and from NS memory lock the NS (UNDELEGATED)
 *     granule innermost, whatever else is held: its holders (DELEGATE,
 *     UNDELEGATE, the copies) never wait for another granule lock.
 *  A realm vCPU reads RTT entries without locks, as a hardware walker does;
 *  entries are written with single atomic stores.
 *
 * Fields: 'state' and the history fields are protected by 'lock' ('state' is
 * also stored atomically so that granule_state_peek() may read it with no
 * lock); 'refcount' is atomic (RTT: live entries; RD: RECs; REC: running).
 */
#ifndef RMM_GRANULE_H
#define RMM_GRANULE_H

#include "core/rmm_int.h"

struct granule {
	_Atomic uint8_t lock;
	uint8_t state;          /* enum rmm_granule_state; protected by lock */
	uint16_t last_fnum;     /* protected by lock: last command that changed it */
	_Atomic uint32_t refcount;
	uint32_t last_seq;      /* protected by lock */
	uint8_t last_cpu;       /* protected by lock */
	uint8_t mig;            /* protected by lock: MIG_G_* (migrate/mig.h) */
	uint16_t mig_epoch;     /* protected by lock: epoch of the last export/import */
};
_Static_assert(sizeof(struct granule) == 16, "granule metadata is 16 bytes");

/* NULL unless 'pa' is a granule-aligned DRAM address. */
static inline struct granule *granule_find(struct rmm *rmm, uint64_t pa)
{
	if ((pa & GRANULE_MASK) || pa < rmm->dram_base || pa - rmm->dram_base >= rmm->dram_size)
		return NULL;
	return &rmm->gran[(pa - rmm->dram_base) >> GRANULE_SHIFT];
}

static inline uint64_t granule_pa(const struct rmm *rmm, const struct granule *g)
{
	return rmm->dram_base + ((uint64_t)(g - rmm->gran) << GRANULE_SHIFT);
}

static inline void *granule_map(struct rmm *rmm, const struct granule *g)
{
	return rmm->hal->granule_ptr(rmm->hal_h, granule_pa(rmm, g));
}

void granule_lock(struct rmm *rmm, struct granule *g);

/* The state as a thread holding no lock may read it (a snapshot; stores to
 * 'state' are atomic for that reason). Under the lock, read g->state. */
static inline uint8_t granule_state_peek(const struct granule *g)
{
	return __atomic_load_n(&g->state, __ATOMIC_RELAXED);
}

/* Take the lock if it is free now: true if taken. Never waits, so it may be
 * taken against the lock order. */
static inline bool granule_trylock(struct granule *g)
{
	return !atomic_exchange_explicit(&g->lock, 1, memory_order_acquire);
}

static inline void granule_unlock(struct granule *g)
{
	atomic_store_explicit(&g->lock, 0, memory_order_release);
}

static inline bool granule_locked(struct granule *g)
{
	return atomic_load_explicit(&g->lock, memory_order_relaxed) != 0;
}

static inline uint32_t granule_refcount(struct granule *g)
{
	return atomic_load_explicit(&g->refcount, memory_order_acquire);
}

static inline void granule_get(struct granule *g)
{
	atomic_fetch_add_explicit(&g->refcount, 1, memory_order_acq_rel);
}

static inline void granule_put(struct granule *g)
{
	atomic_fetch_sub_explicit(&g->refcount, 1, memory_order_acq_rel);
}

/* Change a locked granule's state, recording who did it. */
void granule_set_state_locked(struct call *c, struct granule *g, enum rmm_granule_state to);

/* Zero a granule's contents through the RMM view. */
void granule_wipe(struct rmm *rmm, struct granule *g);

/*
 * Argument checks shared by every command. 'what' is the spec's argument name
 * ("rd", "rtt", "data", "rec"...); failures name <what>_align, <what>_bound and
 * <what>_state and return RMI_ERROR_INPUT.
 */
uint64_t granule_check_addr(struct call *c, uint64_t pa, const char *what);
/* Checking mode (RMM_CFG_TLB_CHECK): the granule's last PAS change (a
 * change to or from UNDELEGATED), however old; false if none is known.
 * Lock-free (diag/history.c). */
struct rmm_granule_event;
bool granule_last_pas_change(struct rmm *rmm, uint64_t pa, struct rmm_granule_event *e);
uint64_t granule_check_state(struct call *c, struct granule *g, enum rmm_granule_state expect,
			     const char *what);
/* check_addr, lock, check_state; on success *out is locked. */
uint64_t granule_find_lock(struct call *c, uint64_t pa, enum rmm_granule_state expect,
			   const char *what, struct granule **out);

/* Read a parameter block the host passes in an NS granule (RealmParams,
 * RecParams): params_align, params_bound, params_pas -> ERROR_INPUT. */
uint64_t granule_read_params(struct call *c, uint64_t pa, void *dst, size_t len);

/* Lock a set of granules in ascending address order, checking each one's
 * state as soon as it is locked (lock order rule 1). Addresses must already
 * be checked. On failure nothing stays locked. Duplicates fail the later
 * argument's state check. */
struct granule_req {
	uint64_t pa;
	enum rmm_granule_state expect;
	const char *what;
	struct granule *g;   /* out */
};
uint64_t granule_lock_set(struct call *c, struct granule_req *req, unsigned int n);
void granule_unlock_set(struct granule_req *req, unsigned int n);

#endif
