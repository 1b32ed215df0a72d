/*
 * Granule history and explanations. Each CPU appends the state changes it
 * makes to its own ring (no shared lock on the RMI path); a query merges the
 * rings by global sequence number.
 */
#include <stdio.h>
#include <string.h>

#include "core/rmi_table.h"
#include "granule/granule.h"

static const char *fnum_name(uint16_t fnum)
{
	const struct rmi_cmd *cmd = rmi_cmd_find(fnum);

	return cmd ? cmd->name : "?";
}

/* One slot of a ring as a consistent event, or false if it is empty or being
 * rewritten (the seqlock of struct rmm_hist_slot). */
static bool slot_read(const struct rmm_hist_slot *sl, struct rmm_granule_event *e)
{
	uint64_t s1 = atomic_load_explicit(&sl->seq, memory_order_acquire), w;

	if (!s1)
		return false;
	w = atomic_load_explicit(&sl->word, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&sl->seq, memory_order_relaxed) != s1)
		return false;
	e->seq = s1;
	e->pa = w & 0x0000fffffffff000ull;
	e->fid_num = (uint16_t)(w >> 48);
	e->cpu = (uint8_t)(w & 63);
	e->from = (uint8_t)((w >> 6) & 7);
	e->to = (uint8_t)((w >> 9) & 7);
	return true;
}

/* Lock-free: may run while every CPU appends (see struct rmm_hist_slot). */
size_t rmm_granule_history(struct rmm *rmm, uint64_t pa, struct rmm_granule_event *ev, size_t max)
{
	size_t n = 0;

	pa &= ~GRANULE_MASK;
	for (unsigned int cpu = 0; cpu < rmm->cfg.ncpus; cpu++) {
		const struct rmm_hist_ring *h = &rmm->cpus[cpu].hist;

		for (unsigned int i = 0; i < RMM_HIST_PER_CPU; i++) {
			struct rmm_granule_event e;
			size_t j;

			if (!slot_read(&h->ev[i], &e) || e.pa != pa)
				continue;
			/* keep the newest 'max', newest first */
			if (n < max)
				j = n++;
			else if (max && ev[max - 1].seq < e.seq)
				j = max - 1;
			else
				continue;
			for (; j > 0 && ev[j - 1].seq < e.seq; j--)
				ev[j] = ev[j - 1];
			ev[j] = e;
		}
	}
	return n;
}

/* Checking mode: the granule's last PAS change, kept apart from the rings
 * (rmm->pas_last). false if there is none or it is being rewritten. */
bool granule_last_pas_change(struct rmm *rmm, uint64_t pa, struct rmm_granule_event *e)
{
	struct granule *g = granule_find(rmm, pa & ~GRANULE_MASK);

	return g && rmm->pas_last && slot_read(&rmm->pas_last[g - rmm->gran], e);
}

void rmm_explain_granule(struct rmm *rmm, uint64_t pa, char *buf, size_t len)
{
	struct granule *g = granule_find(rmm, pa & ~GRANULE_MASK);
	struct rmm_granule_event ev[4];
	size_t n, i;
	int off;

	if (!g) {
		snprintf(buf, len, "PA 0x%llx is not DRAM (%s region)", (unsigned long long)pa,
			 rmm_region_name(rmm, pa));
		return;
	}
	off = snprintf(buf, len, "granule 0x%llx is %s (GPT %s, refcount %u)",
		       (unsigned long long)granule_pa(rmm, g), rmm_granule_state_name(granule_state_peek(g)),
		       rmm->hal->gpt_get(rmm->hal_h, granule_pa(rmm, g)) == RMM_PAS_NS ? "NS"
										: "Realm",
		       (unsigned)atomic_load_explicit(&g->refcount, memory_order_relaxed));
	n = rmm_granule_history(rmm, pa, ev, 4);
	for (i = 0; i < n && off > 0 && (size_t)off < len; i++)
		off += snprintf(buf + off, len - (size_t)off, "%s %s -> %s by %s on cpu%u (#%llu)",
				i ? ";" : "; history:", rmm_granule_state_name(ev[i].from),
				rmm_granule_state_name(ev[i].to), fnum_name(ev[i].fid_num),
				ev[i].cpu, (unsigned long long)ev[i].seq);
	/* the last PAS change, when the rings no longer hold it */
	for (i = 0; i < n; i++)
		if (ev[i].from == RMM_GRANULE_UNDELEGATED || ev[i].to == RMM_GRANULE_UNDELEGATED)
			break;
	if (i == n && granule_last_pas_change(rmm, pa, &ev[0]) && off > 0 && (size_t)off < len)
		snprintf(buf + off, len - (size_t)off, "; its last PAS change: %s -> %s by %s on cpu%u (#%llu)",
			 rmm_granule_state_name(ev[0].from), rmm_granule_state_name(ev[0].to),
			 fnum_name(ev[0].fid_num), ev[0].cpu, (unsigned long long)ev[0].seq);
}
