/*
 * hal_host GPT: a PAS byte per granule (the table EL3 would own), enforced on
 * the host's NS view with mprotect.
 *
 * The kernel limits mappings per process (vm.max_map_count, 65530 by
 * default). Every isolated PROT_NONE page splits a VMA in three, so about 32K
 * scattered delegations exhaust it. When mprotect refuses with ENOMEM the
 * granule is still moved to Realm PAS in the GPT, but enforced in software
 * only: the RMM's own NS accesses and rmm_host_read/write consult the GPT, a
 * raw host pointer does not fault. Such granules are counted (stats) and the
 * first one is logged. An RMI call never fails for this host-OS reason.
 *
 * The rest of the process needs mappings too (malloc, thread stacks, a
 * sanitizer's allocator), so the GPT never takes more than half of the limit:
 * each instance counts the mappings its protections add (an isolated page
 * adds two, a page joining a protected neighbour none, a page bridging two
 * protected runs removes two) into a process-wide total, and beyond the
 * budget a granule is enforced in software.
 *
 * Lock: prot_lock serialises mprotect and enforced[] (the kernel serialises
 * mprotect on mmap_lock anyway); gpt[] is written under the core's granule
 * lock and read lock-free.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "hal_host_int.h"

static _Atomic int64_t hh_vma_total;  /* mappings added by all instances */
static int64_t hh_vma_budget;
static pthread_once_t hh_budget_once = PTHREAD_ONCE_INIT;

static void hh_read_budget(void)
{
	FILE *fp = fopen("/proc/sys/vm/max_map_count", "r");
	long v = 65530;

	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = 65530;
		fclose(fp);
	}
	hh_vma_budget = v / 2;
}

/* Mappings added by protecting page idx (negative: removed). */
static int64_t hh_protect_delta(struct hal_host *h, uint64_t idx)
{
	int n = 0;

	n += idx > 0 && atomic_load(&h->enforced[idx - 1]);
	n += idx + 1 < h->ngran && atomic_load(&h->enforced[idx + 1]);
	return 2 - 2 * n;
}

static void hh_vma_account(struct hal_host *h, int64_t delta)
{
	h->vma_extra += delta;
	atomic_fetch_add(&hh_vma_total, delta);
}

/* Release everything an instance still accounts for (close). */
void hh_vma_release(struct hal_host *h)
{
	atomic_fetch_sub(&hh_vma_total, h->vma_extra);
	h->vma_extra = 0;
}

/* Make the run of enforced granules around 'idx' accessible again; used when
 * unprotecting one page alone would need a new VMA the kernel refuses.
 * Un-protecting a whole PROT_NONE run merges it with its RW neighbours, which
 * never needs a new mapping. The rest of the run becomes software-enforced. */
static void hh_unprotect_run_locked(struct hal_host *h, uint64_t idx)
{
	uint64_t lo = idx, hi = idx + 1, i;

	while (lo > 0 && atomic_load(&h->enforced[lo - 1]))
		lo--;
	while (hi < h->ngran && atomic_load(&h->enforced[hi]))
		hi++;
	if (mprotect(h->ns_view + (lo << 12), (hi - lo) << 12, PROT_READ | PROT_WRITE) != 0) {
		hh_log(h, RMM_LOG_ERROR, "GPT: cannot unprotect a PROT_NONE run; NS view stays blocked");
		return;
	}
	hh_vma_account(h, -2);
	for (i = lo; i < hi; i++) {
		atomic_store(&h->enforced[i], 0);
		if (i != idx) {
			atomic_fetch_sub(&h->n_enforced, 1);
			atomic_fetch_add(&h->n_software, 1);
		}
	}
	atomic_fetch_sub(&h->n_enforced, 1);
}

/*
 * Populate the RMM view around a granule moving to Realm PAS, a chunk of
 * HH_PREFAULT_PAGES at a time (one madvise instead of a page fault on the
 * RMM's first write to each granule: the wipe of every delegation). Pages
 * of the chunk not yet in the memfd are allocated (zero). Best effort: a
 * kernel without MADV_POPULATE_WRITE just takes the faults.
 */
static void hh_prefault(struct hal_host *h, uint64_t idx)
{
	uint64_t chunk = idx / HH_PREFAULT_PAGES, bit = 1ull << (chunk % 64);
	uint64_t first = chunk * HH_PREFAULT_PAGES, n = HH_PREFAULT_PAGES;

	if (atomic_load_explicit(&h->prefaulted[chunk / 64], memory_order_relaxed) & bit)
		return;
	if (atomic_fetch_or(&h->prefaulted[chunk / 64], bit) & bit)
		return;
	if (first + n > h->ngran)
		n = h->ngran - first;
#ifdef MADV_POPULATE_WRITE
	(void)madvise(h->rmm_view + (first << 12), n << 12, MADV_POPULATE_WRITE);
#endif
}

int hh_gpt_set(void *hal, unsigned int cpu, uint64_t pa, enum rmm_pas pas)
{
	struct hal_host *h = hal;
	int64_t delta;
	uint64_t idx;

	if (!hh_in_dram(h, pa, 4096) || (pa & 0xfff))
		return -1;
	idx = hh_index(h, pa);
	if (atomic_load(&h->gpt[idx]) == pas)
		return 0;

	if (pas == RMM_PAS_REALM) {
		/* GPT first: a concurrent NS access that checks it after this
		 * point refuses, one that already passed is ordered before. */
		atomic_store(&h->gpt[idx], (uint8_t)pas);
		hh_gpt_invalidate(h, cpu, pa);
		hh_prefault(h, idx);
		if (h->software_gpt) {
			atomic_fetch_add(&h->n_software, 1);
			return 0;
		}
		pthread_once(&hh_budget_once, hh_read_budget);
		pthread_mutex_lock(&h->prot_lock);
		delta = hh_protect_delta(h, idx);
		if ((delta <= 0 || atomic_load(&hh_vma_total) + delta <= hh_vma_budget) &&
		    mprotect(h->ns_view + (idx << 12), 4096, PROT_NONE) == 0) {
			atomic_store(&h->enforced[idx], 1);
			atomic_fetch_add(&h->n_enforced, 1);
			hh_vma_account(h, delta);
		} else {
			atomic_fetch_add(&h->n_software, 1);
			atomic_fetch_add(&h->map_limit_hits, 1);
			if (!h->warned_map_limit) {
				h->warned_map_limit = 1;
				hh_log(h, RMM_LOG_WARN,
				       "GPT: half of the kernel map limit (vm.max_map_count) is in "
				       "use; further delegated granules are enforced in software "
				       "only (see rmm_get_stats, docs/memory.md)");
			}
		}
		pthread_mutex_unlock(&h->prot_lock);
		return 0;
	}

	/* To NS. */
	if (h->software_gpt) {
		atomic_fetch_sub(&h->n_software, 1);
	} else {
		pthread_mutex_lock(&h->prot_lock);
		if (atomic_load(&h->enforced[idx])) {
			delta = -hh_protect_delta(h, idx);
			if ((delta <= 0 || atomic_load(&hh_vma_total) + delta <= hh_vma_budget) &&
			    mprotect(h->ns_view + (idx << 12), 4096, PROT_READ | PROT_WRITE) == 0) {
				atomic_store(&h->enforced[idx], 0);
				atomic_fetch_sub(&h->n_enforced, 1);
				hh_vma_account(h, delta);
			} else {
				atomic_fetch_add(&h->map_limit_hits, 1);
				hh_unprotect_run_locked(h, idx);
			}
		} else {
			atomic_fetch_sub(&h->n_software, 1);
		}
		pthread_mutex_unlock(&h->prot_lock);
	}
	atomic_store(&h->gpt[idx], (uint8_t)pas);
	hh_gpt_invalidate(h, cpu, pa);
	return 0;
}

enum rmm_pas hh_gpt_get(void *hal, uint64_t pa)
{
	struct hal_host *h = hal;

	return (enum rmm_pas)atomic_load(&h->gpt[hh_index(h, pa)]);
}

/*
 * A host access: a real load/store through the NS view, so a PROT_NONE page
 * faults exactly as host code would. Granules enforced in software only are
 * refused up front (touching them raw would corrupt Realm memory).
 */
int hh_host_access(void *hal, uint64_t pa, void *buf, size_t len, int write)
{
	struct hal_host *h = hal;
	uint64_t i, last;

	if (!hh_in_dram(h, pa, len))
		return RMM_ERANGE;
	if (len == 0)
		return RMM_OK;
	last = hh_index(h, pa + len - 1);
	for (i = hh_index(h, pa); i <= last; i++)
		if (atomic_load(&h->gpt[i]) != RMM_PAS_NS && !atomic_load(&h->enforced[i]))
			return RMM_EGPF;
	return write ? hh_guarded_copy(h->ns_view + (pa - h->base), buf, len)
		     : hh_guarded_copy(buf, h->ns_view + (pa - h->base), len);
}

/*
 * rmm_reset's part: the GPT all NS (one mprotect of the whole NS view if any
 * page is PROT_NONE, which also merges its VMAs back into one), caches
 * empty, counters zero, and DRAM zero by punching the memfd's pages out
 * (cost: the pages in use; the next touch of a page faults in a zero page),
 * or by memset if the kernel refuses. Nothing else runs (rmm_reset's
 * contract).
 */
int hh_reset_memory(void *hal)
{
	struct hal_host *h = hal;

	pthread_mutex_lock(&h->prot_lock);
	if (!h->software_gpt && atomic_load(&h->n_enforced) &&
	    mprotect(h->ns_view, h->size, PROT_READ | PROT_WRITE) != 0) {
		pthread_mutex_unlock(&h->prot_lock);
		return -1;
	}
	hh_vma_release(h);
	for (uint64_t i = 0; i < h->ngran; i++) {
		atomic_store_explicit(&h->enforced[i], 0, memory_order_relaxed);
		atomic_store_explicit(&h->gpt[i], RMM_PAS_NS, memory_order_relaxed);
	}
	atomic_store(&h->n_enforced, 0);
	atomic_store(&h->n_software, 0);
	atomic_store(&h->map_limit_hits, 0);
	h->warned_map_limit = 0;
	pthread_mutex_unlock(&h->prot_lock);
	hh_caches_reset(h);
	hh_dcache_reset(h);
	atomic_store(&h->faults, 0);
	for (uint64_t i = 0; i < (h->ngran / HH_PREFAULT_PAGES + 64) / 64; i++)
		atomic_store_explicit(&h->prefaulted[i], 0, memory_order_relaxed);
	if (fallocate(h->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)h->size) != 0)
		memset(h->rmm_view, 0, h->size);
	return 0;
}
