/* Private to hal_host/: the Linux host HAL instance. */
#ifndef HAL_HOST_INT_H
#define HAL_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <rmm/sys/hal.h>

struct hal_host {
	struct rmm_hal_platform plat;
	int memfd;
	uint8_t *ns_view;   /* host (NS) mapping; Realm granules PROT_NONE */
	uint8_t *rmm_view;  /* the RMM's mapping; always RW */
	uint64_t base, size, ngran;
	int software_gpt;   /* RMM_CFG_GPT_SOFTWARE: no mprotect at all */

	_Atomic uint8_t *gpt;      /* enum rmm_pas per granule: the GPT */
	_Atomic uint8_t *enforced; /* 1: NS view page is PROT_NONE */
	pthread_mutex_t prot_lock; /* serialises mprotect + enforced[] */
	_Atomic uint64_t n_enforced, n_software, map_limit_hits;
	struct hh_cpu_cache *caches;  /* per-CPU TLB and GPT cache (tlb.c) */
	struct hh_dcache *dcache;     /* per-CPU data caches (dcache.c); NULL: not modelled */
	_Atomic unsigned int faults;  /* RMM_FAULT_* */
	int64_t vma_extra;         /* protected by prot_lock: mappings our GPT added */
	int warned_map_limit;      /* protected by prot_lock */
	/* RMM-view chunks (HH_PREFAULT_PAGES granules) already populated: the
	 * RMM's first write to a delegated granule (its wipe) then takes no
	 * page fault. One bit per chunk. */
	_Atomic uint64_t *prefaulted;
};
#define HH_PREFAULT_PAGES 64u

static inline uint64_t hh_index(const struct hal_host *h, uint64_t pa)
{
	return (pa - h->base) >> 12;
}

static inline int hh_in_dram(const struct hal_host *h, uint64_t pa, size_t len)
{
	return pa >= h->base && len <= h->size && pa - h->base <= h->size - len;
}

/* fault.c */
int hh_fault_init(void);
void hh_fault_register(struct hal_host *h);
void hh_fault_unregister(struct hal_host *h);
int hh_guarded_copy(void *dst, const void *src, size_t len);

/* gpt.c */
void hh_vma_release(struct hal_host *h);
int hh_gpt_set(void *hal, unsigned int cpu, uint64_t pa, enum rmm_pas pas);
enum rmm_pas hh_gpt_get(void *hal, uint64_t pa);
int hh_host_access(void *hal, uint64_t pa, void *buf, size_t len, int write);
int hh_reset_memory(void *hal);

void hh_log(void *hal, enum rmm_log_level lvl, const char *msg);

/* tlb.c */
struct hh_cpu_cache;
int hh_caches_init(struct hal_host *h);
void hh_caches_fini(struct hal_host *h);
void hh_caches_reset(struct hal_host *h);
int hh_tlb_lookup(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa, struct rmm_tlb_entry *e);
uint64_t hh_tlb_gen(void *hal, unsigned int cpu);
void hh_tlb_fill(void *hal, unsigned int cpu, uint64_t gen, uint16_t vmid, uint64_t ipa,
		 const struct rmm_tlb_entry *e);
void hh_tlbi(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa, uint64_t size);
enum rmm_pas hh_gpt_lookup(void *hal, unsigned int cpu, uint64_t pa);
void hh_gpt_invalidate(struct hal_host *h, unsigned int cpu, uint64_t pa);
void hh_set_faults(void *hal, unsigned int faults);

/* dcache.c */
struct hh_dcache;
int hh_dcache_init(struct hal_host *h);
void hh_dcache_fini(struct hal_host *h);
void hh_dcache_reset(struct hal_host *h);
size_t hh_dc_access(void *hal, unsigned int cpu, uint64_t pa, size_t len, enum rmm_pas pas,
		    int write);
void hh_dc_cipapa(void *hal, unsigned int cpu, uint64_t pa);

/* attest_pair.c: the public test RAK and platform token */
int hh_attest_key(void *hal, uint8_t rak[48]);
int hh_platform_token(void *hal, const uint8_t *challenge, size_t challenge_len, uint8_t *buf,
		      size_t cap, size_t *len);

#endif
