/*
 * hal_host physical memory: one memfd holds all of DRAM; it is mapped twice,
 * once as the host's NS view (where the GPT is enforced with mprotect) and
 * once as the RMM's view (always accessible, as Realm PAS is to the RMM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "hal_host_int.h"

static void hh_unmap(struct hal_host *h)
{
	if (h->ns_view && h->ns_view != MAP_FAILED)
		munmap(h->ns_view, h->size);
	if (h->rmm_view && h->rmm_view != MAP_FAILED)
		munmap(h->rmm_view, h->size);
	if (h->memfd >= 0)
		close(h->memfd);
}

static int hh_open(void *ctx, const struct rmm_hal_platform *plat, void **out)
{
	struct hal_host *h;

	if ((plat->dram_base | plat->dram_size) & 0xfff || plat->dram_size == 0)
		return RMM_EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return RMM_ENOMEM;
	h->plat = *plat;
	h->base = plat->dram_base;
	h->size = plat->dram_size;
	h->ngran = plat->dram_size >> 12;
	h->software_gpt = !!(plat->flags & RMM_CFG_GPT_SOFTWARE);
	h->memfd = -1;
	pthread_mutex_init(&h->prot_lock, NULL);

	h->gpt = calloc(h->ngran, 1);
	h->enforced = calloc(h->ngran, 1);
	h->prefaulted = calloc((h->ngran / HH_PREFAULT_PAGES + 64) / 64, sizeof(uint64_t));
	if (!h->gpt || !h->enforced || !h->prefaulted || hh_caches_init(h) != RMM_OK ||
	    hh_dcache_init(h) != RMM_OK)
		goto nomem;

	h->memfd = memfd_create("librmm-dram", MFD_CLOEXEC);
	if (h->memfd < 0 || ftruncate(h->memfd, (off_t)h->size) != 0)
		goto os;
	h->ns_view = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			  h->memfd, 0);
	h->rmm_view = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			   h->memfd, 0);
	if (h->ns_view == MAP_FAILED || h->rmm_view == MAP_FAILED)
		goto os;
	if (!h->software_gpt && hh_fault_init() != 0)
		goto os;
	hh_fault_register(h);
	*out = h;
	return RMM_OK;
os:
	hh_caches_fini(h);
	hh_dcache_fini(h);
	hh_unmap(h);
	free(h->gpt);
	free(h->enforced);
	free((void *)h->prefaulted);
	free(h);
	return RMM_EOS;
nomem:
	hh_caches_fini(h);
	hh_dcache_fini(h);
	free(h->gpt);
	free(h->enforced);
	free((void *)h->prefaulted);
	free(h);
	return RMM_ENOMEM;
}

static void hh_close(void *hal)
{
	struct hal_host *h = hal;

	if (!h)
		return;
	hh_fault_unregister(h);
	hh_unmap(h);
	hh_vma_release(h);
	hh_caches_fini(h);
	hh_dcache_fini(h);
	pthread_mutex_destroy(&h->prot_lock);
	free((void *)h->gpt);
	free((void *)h->enforced);
	free((void *)h->prefaulted);
	free(h);
}

static void *hh_granule_ptr(void *hal, uint64_t pa)
{
	struct hal_host *h = hal;

	return hh_in_dram(h, pa, 1) ? h->rmm_view + (pa - h->base) : NULL;
}

static void *hh_ns_ptr(void *hal, uint64_t pa)
{
	struct hal_host *h = hal;

	return hh_in_dram(h, pa, 1) ? h->ns_view + (pa - h->base) : NULL;
}

static void hh_relax(void *hal)
{
	sched_yield();
}

static uint64_t hh_counter(void *hal)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hh_log(void *hal, enum rmm_log_level lvl, const char *msg)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	const char *env = getenv("RMM_LOG");
	int max = env ? atoi(env) : RMM_LOG_WARN;

	if ((int)lvl <= max)
		fprintf(stderr, "librmm %s: %s\n", names[lvl & 3], msg);
}

static __attribute__((noreturn)) void hh_panic(void *hal, const char *msg)
{
	fprintf(stderr, "librmm PANIC: %s\n", msg);
	abort();
}

static void hh_stats(void *hal, struct rmm_hal_stats *st)
{
	struct hal_host *h = hal;

	st->gpt_enforced = atomic_load(&h->n_enforced);
	st->gpt_software = atomic_load(&h->n_software);
	st->map_limit_hits = atomic_load(&h->map_limit_hits);
	st->meta_bytes = 2; /* gpt + enforced bytes per granule */
}

static const struct rmm_hal_ops hal_host_ops = {
	.version = RMM_HAL_VERSION,
	.open = hh_open,
	.close = hh_close,
	.granule_ptr = hh_granule_ptr,
	.ns_ptr = hh_ns_ptr,
	.gpt_set = hh_gpt_set,
	.gpt_get = hh_gpt_get,
	.host_access = hh_host_access,
	.relax = hh_relax,
	.counter = hh_counter,
	.log = hh_log,
	.panic = hh_panic,
	.stats = hh_stats,
	.tlb_lookup = hh_tlb_lookup,
	.tlb_gen = hh_tlb_gen,
	.tlb_fill = hh_tlb_fill,
	.tlbi = hh_tlbi,
	.gpt_lookup = hh_gpt_lookup,
	.set_faults = hh_set_faults,
	.attest_key = hh_attest_key,
	.platform_token = hh_platform_token,
	.reset_memory = hh_reset_memory,
	.dc_access = hh_dc_access,
	.dc_cipapa = hh_dc_cipapa,
};

const struct rmm_hal_ops *rmm_hal_host_ops(void)
{
	return &hal_host_ops;
}
