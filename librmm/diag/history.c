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

size_t rmm_granule_history(struct rmm *rmm, uint64_t pa, struct rmm_granule_event *ev, size_t max)
{
	size_t n = 0;

	pa &= ~GRANULE_MASK;
	for (unsigned int cpu = 0; cpu < rmm->cfg.ncpus; cpu++) {
		const struct rmm_hist_ring *h = &rmm->cpus[cpu].hist;
		uint64_t first = h->head > RMM_HIST_PER_CPU ? h->head - RMM_HIST_PER_CPU : 0;

		for (uint64_t i = first; i < h->head; i++) {
			const struct rmm_granule_event *e = &h->ev[i % RMM_HIST_PER_CPU];
			size_t j;

			if (e->pa != pa)
				continue;
			/* keep the newest 'max', newest first */
			if (n < max)
				j = n++;
			else if (max && ev[max - 1].seq < e->seq)
				j = max - 1;
			else
				continue;
			for (; j > 0 && ev[j - 1].seq < e->seq; j--)
				ev[j] = ev[j - 1];
			ev[j] = *e;
		}
	}
	return n;
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
		       (unsigned long long)granule_pa(rmm, g), rmm_granule_state_name(g->state),
		       rmm->hal->gpt_get(rmm->hal_h, granule_pa(rmm, g)) == RMM_PAS_NS ? "NS"
										: "Realm",
		       (unsigned)atomic_load_explicit(&g->refcount, memory_order_relaxed));
	n = rmm_granule_history(rmm, pa, ev, 4);
	for (i = 0; i < n && off > 0 && (size_t)off < len; i++)
		off += snprintf(buf + off, len - (size_t)off, "%s %s -> %s by %s on cpu%u (#%llu)",
				i ? ";" : "; history:", rmm_granule_state_name(ev[i].from),
				rmm_granule_state_name(ev[i].to), fnum_name(ev[i].fid_num),
				ev[i].cpu, (unsigned long long)ev[i].seq);
}
