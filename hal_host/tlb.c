/*
 * hal_host's model of per-CPU stage-2 TLBs and GPT caches.
 *
 * Each emulated CPU has a direct-mapped TLB of 4 KiB pages tagged with a
 * VMID, and a direct-mapped cache of GPT entries. A CPU's caches are filled
 * only by that CPU; invalidations arrive from any CPU (broadcast) under the
 * per-CPU lock. Fault injection can drop invalidations or keep them on the
 * issuing CPU, reproducing the SMP-only failures of real systems.
 */
#include <stdlib.h>
#include <string.h>

#include "hal_host_int.h"

#define TLB_SETS 256u
#define GPTC_SETS 256u

struct hh_tlb_ent {
	uint8_t valid;
	uint16_t vmid;
	uint64_t page;        /* ipa >> 12 */
	struct rmm_tlb_entry e;
};

struct hh_gptc_ent {
	uint8_t valid, pas;
	uint64_t gran;        /* pa >> 12 */
};

struct hh_cpu_cache {
	pthread_mutex_t lock;
	_Atomic uint64_t gen; /* TLBIs that reached this CPU (written under lock) */
	struct hh_tlb_ent tlb[TLB_SETS];
	struct hh_gptc_ent gptc[GPTC_SETS];
};

int hh_caches_init(struct hal_host *h)
{
	h->caches = calloc(h->plat.ncpus, sizeof(*h->caches));
	if (!h->caches)
		return RMM_ENOMEM;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		pthread_mutex_init(&h->caches[i].lock, NULL);
	return RMM_OK;
}

void hh_caches_fini(struct hal_host *h)
{
	if (!h->caches)
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		pthread_mutex_destroy(&h->caches[i].lock);
	free(h->caches);
}

/* Empty every CPU's TLB and GPT cache (rmm_reset; nothing else runs). */
void hh_caches_reset(struct hal_host *h)
{
	for (unsigned int i = 0; i < h->plat.ncpus; i++) {
		struct hh_cpu_cache *c = &h->caches[i];

		pthread_mutex_lock(&c->lock);
		memset(c->tlb, 0, sizeof(c->tlb));
		memset(c->gptc, 0, sizeof(c->gptc));
		atomic_fetch_add(&c->gen, 1);
		pthread_mutex_unlock(&c->lock);
	}
}

static unsigned int tlb_set(uint16_t vmid, uint64_t page)
{
	return (unsigned int)((page ^ (page >> 8) ^ ((uint64_t)vmid * 0x9e37u)) % TLB_SETS);
}

int hh_tlb_lookup(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa, struct rmm_tlb_entry *e)
{
	struct hal_host *h = hal;
	struct hh_cpu_cache *c = &h->caches[cpu];
	uint64_t page = ipa >> 12;
	struct hh_tlb_ent *t = &c->tlb[tlb_set(vmid, page)];
	int hit;

	pthread_mutex_lock(&c->lock);
	hit = t->valid && t->vmid == vmid && t->page == page;
	if (hit)
		*e = t->e;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

uint64_t hh_tlb_gen(void *hal, unsigned int cpu)
{
	struct hal_host *h = hal;
	struct hh_cpu_cache *c = &h->caches[cpu];
	return atomic_load_explicit(&c->gen, memory_order_acquire);  /* lock-free */
}

void hh_tlb_fill(void *hal, unsigned int cpu, uint64_t gen, uint16_t vmid, uint64_t ipa,
		 const struct rmm_tlb_entry *e)
{
	struct hal_host *h = hal;
	struct hh_cpu_cache *c = &h->caches[cpu];
	uint64_t page = ipa >> 12;
	struct hh_tlb_ent *t = &c->tlb[tlb_set(vmid, page)];

	pthread_mutex_lock(&c->lock);
	if (atomic_load(&c->gen) == gen) {  /* no TLBI since the walk began */
		t->valid = 1;
		t->vmid = vmid;
		t->page = page;
		t->e = *e;
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * Invalidate (vmid, [ipa, ipa + size)) in one CPU's TLB (size 0: the whole
 * VMID). The TLB is direct mapped by page, so a range of fewer pages than
 * there are sets looks only at the sets those pages map to: a TLBI for one
 * page costs one set, not a scan. The generation moves either way, so a
 * walk that began before the TLBI cannot fill afterwards.
 */
static void tlbi_one(struct hh_cpu_cache *c, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	uint64_t pages = size >> 12;

	pthread_mutex_lock(&c->lock);
	if (size && pages < TLB_SETS) {
		for (uint64_t p = ipa >> 12; p < (ipa >> 12) + pages; p++) {
			struct hh_tlb_ent *t = &c->tlb[tlb_set(vmid, p)];

			if (t->valid && t->vmid == vmid && t->page == p)
				t->valid = 0;
		}
	} else {
		for (unsigned int i = 0; i < TLB_SETS; i++) {
			struct hh_tlb_ent *t = &c->tlb[i];

			if (t->valid && t->vmid == vmid &&
			    (size == 0 || ((t->page << 12) >= ipa && (t->page << 12) - ipa < size)))
				t->valid = 0;
		}
	}
	atomic_fetch_add(&c->gen, 1);
	pthread_mutex_unlock(&c->lock);
}

void hh_tlbi(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	struct hal_host *h = hal;
	unsigned int faults = atomic_load(&h->faults);

	if (faults & RMM_FAULT_TLBI_DROP)
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++)
		if (i == cpu || !(faults & RMM_FAULT_TLBI_LOCAL))
			tlbi_one(&h->caches[i], vmid, ipa, size);
}

enum rmm_pas hh_gpt_lookup(void *hal, unsigned int cpu, uint64_t pa)
{
	struct hal_host *h = hal;
	struct hh_cpu_cache *c = &h->caches[cpu];
	uint64_t gran = pa >> 12;
	struct hh_gptc_ent *g = &c->gptc[gran % GPTC_SETS];
	enum rmm_pas pas;

	pthread_mutex_lock(&c->lock);
	if (g->valid && g->gran == gran) {
		pas = (enum rmm_pas)g->pas;
	} else {
		pas = (enum rmm_pas)atomic_load(&h->gpt[hh_index(h, pa)]);
		g->valid = 1;
		g->gran = gran;
		g->pas = (uint8_t)pas;
	}
	pthread_mutex_unlock(&c->lock);
	return pas;
}

/* EL3's GPT invalidation by PA after a PAS change, issued on cpu. */
void hh_gpt_invalidate(struct hal_host *h, unsigned int cpu, uint64_t pa)
{
	unsigned int faults = atomic_load(&h->faults);
	uint64_t gran = pa >> 12;

	if (faults & RMM_FAULT_GPTI_DROP)
		return;
	for (unsigned int i = 0; i < h->plat.ncpus; i++) {
		struct hh_cpu_cache *c = &h->caches[i];
		struct hh_gptc_ent *g = &c->gptc[gran % GPTC_SETS];

		if (i != cpu && (faults & RMM_FAULT_GPTI_LOCAL))
			continue;
		pthread_mutex_lock(&c->lock);
		if (g->valid && g->gran == gran)
			g->valid = 0;
		pthread_mutex_unlock(&c->lock);
	}
}

void hh_set_faults(void *hal, unsigned int faults)
{
	struct hal_host *h = hal;

	atomic_store(&h->faults, faults);
}
