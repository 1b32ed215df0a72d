/*
 * hal_host's model of PAS-tagged data caches (RMM_CFG_DCACHE).
 *
 * Each CPU has a direct-mapped, write-back data cache of 64-byte lines
 * indexed by PA and tagged with (PA, PAS), as caches before the Point of
 * Physical Aliasing are under RME: a line of PA p under NS and one under
 * Realm are different lines, and coherence keeps only same-PAS copies in
 * step. Writes are also written through to memory (so same-PAS readers
 * that bypass the model see them); a dirty line keeps a copy of what was
 * written, and an eviction writes that copy back. Evicting a dirty line of
 * PA p because the same CPU now accesses p under another PAS is exactly
 * what DC CIPAPA after a PAS change exists to prevent: the old owner's bytes
 * land over the new owner's. dc_access() reports how many bytes of the
 * access such a write-back changed.
 *
 * Which accesses go through it: host accesses made on a CPU
 * (rmm_host_*_on) and stage-2 walker reads of RTT entries. The RMM's own
 * writes (wipes, RTT entries, DATA_CREATE copies) go to memory directly: it
 * runs on the CPU that issued the maintenance. Realm data accesses are not
 * routed through it. Locks: one mutex per CPU cache, taken one at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "hal_host_int.h"

#define DC_LINE 64u
#define DC_LINES 8192u   /* 512 KiB per CPU */

struct hh_dline {
	uint64_t line;        /* PA of the line */
	uint8_t valid, dirty, pas;
	uint8_t data[DC_LINE];
};

struct hh_dcache {
	pthread_mutex_t lock;
	struct hh_dline l[DC_LINES];
};

int hh_dcache_init(struct hal_host *h)
{
	if (!(h->plat.flags & RMM_CFG_DCACHE))
		return RMM_OK;
	h->dcache = calloc(h->plat.ncpus, sizeof(*h->dcache));
	if (!h->dcache)
		return RMM_ENOMEM;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		pthread_mutex_init(&h->dcache[i].lock, NULL);
	return RMM_OK;
}

void hh_dcache_fini(struct hal_host *h)
{
	if (!h->dcache)
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		pthread_mutex_destroy(&h->dcache[i].lock);
	free(h->dcache);
	h->dcache = NULL;
}

void hh_dcache_reset(struct hal_host *h)
{
	if (!h->dcache)
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++) {
		pthread_mutex_lock(&h->dcache[i].lock);
		memset(h->dcache[i].l, 0, sizeof(h->dcache[i].l));
		pthread_mutex_unlock(&h->dcache[i].lock);
	}
}

static uint8_t *mem_of(struct hal_host *h, uint64_t line)
{
	return h->rmm_view + (line - h->base);
}

/* Write back e if dirty; returns the bytes of [lo, hi) it changed. Caller
 * holds the cache's lock. */
static size_t writeback(struct hal_host *h, struct hh_dline *e, uint64_t lo, uint64_t hi)
{
	uint8_t *mem = mem_of(h, e->line);
	size_t changed = 0;

	if (!e->valid || !e->dirty)
		return 0;
	for (unsigned int i = 0; i < DC_LINE; i++)
		if (e->line + i >= lo && e->line + i < hi && mem[i] != e->data[i])
			changed++;
	memcpy(mem, e->data, DC_LINE);
	e->dirty = 0;
	return changed;
}

size_t hh_dc_access(void *hal, unsigned int cpu, uint64_t pa, size_t len, enum rmm_pas pas,
		    int write)
{
	struct hal_host *h = hal;
	size_t stale = 0;

	if (!h->dcache || len == 0 || !hh_in_dram(h, pa, len))
		return 0;
	for (uint64_t line = pa & ~(uint64_t)(DC_LINE - 1); line < pa + len; line += DC_LINE) {
		struct hh_dcache *c = &h->dcache[cpu];
		struct hh_dline *e = &c->l[(line / DC_LINE) % DC_LINES];

		pthread_mutex_lock(&c->lock);
		if (!(e->valid && e->line == line && e->pas == pas)) {
			/* a different line (or this PA under another PAS) leaves */
			size_t n = writeback(h, e, pa, pa + len);

			if (e->valid && e->line == line)
				stale += n;
			e->valid = 1;
			e->line = line;
			e->pas = (uint8_t)pas;
		}
		if (write) {
			memcpy(e->data, mem_of(h, line), DC_LINE);
			e->dirty = 1;
		}
		pthread_mutex_unlock(&c->lock);
		if (!write)
			continue;
		/* coherence: a write takes the line; other same-PAS copies go */
		for (unsigned int i = 0; i < h->plat.ncpus; i++) {
			struct hh_dline *o = &h->dcache[i].l[(line / DC_LINE) % DC_LINES];

			if (i == cpu)
				continue;
			pthread_mutex_lock(&h->dcache[i].lock);
			if (o->valid && o->line == line && o->pas == pas)
				o->valid = o->dirty = 0;
			pthread_mutex_unlock(&h->dcache[i].lock);
		}
	}
	return stale;
}

/* DC CIPAPA over one granule on one CPU's cache: dirty lines written back
 * (before the new owner writes), every line of the granule invalidated. */
static void cipapa_one(struct hal_host *h, struct hh_dcache *c, uint64_t gran)
{
	pthread_mutex_lock(&c->lock);
	for (uint64_t line = gran; line < gran + 4096; line += DC_LINE) {
		struct hh_dline *e = &c->l[(line / DC_LINE) % DC_LINES];

		if (e->valid && e->line == line) {
			writeback(h, e, 0, 0);
			e->valid = 0;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

void hh_dc_cipapa(void *hal, unsigned int cpu, uint64_t pa)
{
	struct hal_host *h = hal;
	unsigned int faults = atomic_load(&h->faults);

	if (!h->dcache || (faults & RMM_FAULT_CMO_DROP) || !hh_in_dram(h, pa, 4096))
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		if (i == cpu || !(faults & RMM_FAULT_CMO_LOCAL))
			cipapa_one(h, &h->dcache[i], pa & ~4095ull);
}
