/* Granule metadata: locks, state changes with history, argument checks. */
#include <stdio.h>
#include <string.h>

#include "granule/granule.h"

static inline void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

void granule_lock(struct rmm *rmm, struct granule *g)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&g->lock, 1, memory_order_acquire)) {
		while (atomic_load_explicit(&g->lock, memory_order_relaxed)) {
			if (++spins >= 128 && rmm->hal->relax) {
				rmm->hal->relax(rmm->hal_h);
				spins = 0;
			} else {
				cpu_pause();
			}
		}
	}
}

void granule_set_state_locked(struct call *c, struct granule *g, enum rmm_granule_state to)
{
	struct rmm *rmm = c->rmm;
	struct rmm_hist_ring *h = &rmm->cpus[c->cpu].hist;
	uint64_t seq = atomic_fetch_add_explicit(&rmm->seq, 1, memory_order_relaxed) + 1;
	uint64_t head = atomic_load_explicit(&h->head, memory_order_relaxed);
	struct rmm_hist_slot *e = &h->ev[head % RMM_HIST_PER_CPU];

	RMM_ASSERT(rmm, granule_locked(g));
	/* seqlock write: invalidate, publish the word, then the sequence */
	atomic_store_explicit(&e->seq, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&e->word,
			      granule_pa(rmm, g) | ((uint64_t)c->fnum << 48) | (c->cpu & 63u) |
				      ((uint64_t)g->state << 6) | ((uint64_t)to << 9),
			      memory_order_relaxed);
	atomic_store_explicit(&e->seq, seq, memory_order_release);
	atomic_store_explicit(&h->head, head + 1, memory_order_release);
	if (rmm->pas_last && (g->state == RMM_GRANULE_UNDELEGATED || to == RMM_GRANULE_UNDELEGATED)) {
		struct rmm_hist_slot *p = &rmm->pas_last[g - rmm->gran];

		atomic_store_explicit(&p->seq, 0, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		atomic_store_explicit(&p->word, atomic_load_explicit(&e->word, memory_order_relaxed),
				      memory_order_relaxed);
		atomic_store_explicit(&p->seq, seq, memory_order_release);
	}

	if (g->state == RMM_GRANULE_UNDELEGATED)
		atomic_fetch_add_explicit(&rmm->n_delegated, 1, memory_order_relaxed);
	else if (to == RMM_GRANULE_UNDELEGATED)
		atomic_fetch_sub_explicit(&rmm->n_delegated, 1, memory_order_relaxed);
	/* lock-free readers (rmm_granule_state, explanations) load it atomically */
	__atomic_store_n(&g->state, (uint8_t)to, __ATOMIC_RELAXED);
	g->mig = 0;             /* migration marks never outlive a state */
	g->mig_epoch = 0;
	g->last_fnum = c->fnum;
	g->last_seq = (uint32_t)seq;
	g->last_cpu = (uint8_t)c->cpu;
}

void granule_wipe(struct rmm *rmm, struct granule *g)
{
	memset(granule_map(rmm, g), 0, GRANULE_SIZE);
}

uint64_t granule_check_addr(struct call *c, uint64_t pa, const char *what)
{
	struct rmm *rmm = c->rmm;

	if (pa & GRANULE_MASK)
		return call_fail(c, RMI_ERROR_INPUT, 0, "%s_align: 0x%llx is not granule aligned",
				 what, (unsigned long long)pa);
	if (!granule_find(rmm, pa))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "%s_bound: 0x%llx is not delegable memory (%s region)", what,
				 (unsigned long long)pa, rmm_region_name(rmm, pa));
	return RMI_SUCCESS;
}

uint64_t granule_check_state(struct call *c, struct granule *g, enum rmm_granule_state expect,
			     const char *what)
{
	if (g->state == expect)
		return RMI_SUCCESS;
	return call_fail(c, RMI_ERROR_INPUT, 0, "%s_state: granule 0x%llx is %s, expected %s", what,
			 (unsigned long long)granule_pa(c->rmm, g), rmm_granule_state_name(g->state),
			 rmm_granule_state_name(expect));
}

uint64_t granule_read_params(struct call *c, uint64_t pa, void *dst, size_t len)
{
	struct rmm *rmm = c->rmm;

	if (pa & GRANULE_MASK)
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_align: 0x%llx",
				 (unsigned long long)pa);
	if (!granule_find(rmm, pa))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_bound: 0x%llx is in the %s region",
				 (unsigned long long)pa, rmm_region_name(rmm, pa));
	if (ns_read(c, pa, dst, len) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "params_pas: params granule 0x%llx is not in the NS PAS",
				 (unsigned long long)pa);
	return RMI_SUCCESS;
}

uint64_t granule_find_lock(struct call *c, uint64_t pa, enum rmm_granule_state expect,
			   const char *what, struct granule **out)
{
	struct granule *g;
	uint64_t ret = granule_check_addr(c, pa, what);

	if (ret != RMI_SUCCESS)
		return ret;
	g = granule_find(c->rmm, pa);
	granule_lock(c->rmm, g);
	ret = granule_check_state(c, g, expect, what);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	*out = g;
	return RMI_SUCCESS;
}

uint64_t granule_lock_set(struct call *c, struct granule_req *req, unsigned int n)
{
	unsigned int order[20], i, j, locked = 0;
	uint64_t ret = RMI_SUCCESS;

	RMM_ASSERT(c->rmm, n <= 20);
	for (i = 0; i < n; i++) {
		req[i].g = granule_find(c->rmm, req[i].pa);
		RMM_ASSERT(c->rmm, req[i].g != NULL);
		order[i] = i;
	}
	/* insertion sort by address; stable so a duplicate keeps arg order */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && req[order[j - 1]].pa > req[order[j]].pa; j--) {
			unsigned int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		struct granule_req *r = &req[order[i]];

		if (i > 0 && req[order[i - 1]].pa == r->pa) {
			/* one granule named twice: it is already locked and can
			 * be in only one state */
			if (req[order[i - 1]].expect == r->expect)
				ret = call_fail(c, RMI_ERROR_INPUT, 0,
						"%s_state: granule 0x%llx is also passed as %s",
						r->what, (unsigned long long)r->pa,
						req[order[i - 1]].what);
			else
				ret = granule_check_state(c, r->g, r->expect, r->what);
			if (ret != RMI_SUCCESS)
				break;
			continue;
		}
		granule_lock(c->rmm, r->g);
		locked = i + 1;
		ret = granule_check_state(c, r->g, r->expect, r->what);
		if (ret != RMI_SUCCESS)
			break;
	}
	if (ret != RMI_SUCCESS) {
		for (i = 0; i < locked; i++)
			if (i == 0 || req[order[i - 1]].pa != req[order[i]].pa)
				granule_unlock(req[order[i]].g);
	}
	return ret;
}

void granule_unlock_set(struct granule_req *req, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		bool dup = false;

		for (unsigned int j = 0; j < i; j++)
			dup |= req[j].g == req[i].g;
		if (!dup)
			granule_unlock(req[i].g);
	}
}
