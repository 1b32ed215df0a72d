/*
 * Private to librmm/: the instance, per-CPU state and the context of one RMI
 * call. Core code never calls the OS; everything machine-like goes through
 * rmm->hal.
 */
#ifndef RMM_CORE_INT_H
#define RMM_CORE_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include <rmm/sys/hal.h>

#define GRANULE_SHIFT 12
#define GRANULE_SIZE 4096ull
#define GRANULE_MASK (GRANULE_SIZE - 1)

#define RMM_REASON_LEN 320
#define RMM_HIST_PER_CPU 1024u

struct granule;
struct attest_keys;
struct tl_event;

/*
 * A CPU's ring of granule state changes. Appended only by the owning CPU;
 * read by any thread at any time (explanations run on other CPUs, during a
 * REC_ENTER, and in the SIGSEGV handler), so every field is atomic and each
 * slot is a seqlock: 'seq' (the event's global number, never 0) is zeroed
 * before 'word' changes and set after, and a reader keeps a slot only if it
 * read the same non-zero 'seq' before and after 'word'.
 * word: pa[47:12] | fid_num << 48 | cpu[5:0] | from << 6 | to << 9.
 */
struct rmm_hist_slot {
	_Atomic uint64_t seq;
	_Atomic uint64_t word;
};
struct rmm_hist_ring {
	struct rmm_hist_slot ev[RMM_HIST_PER_CPU];
	_Atomic uint64_t head;  /* written only by the owning CPU */
};

/* A stage-2 change that needed a TLBI (for naming missing invalidations). */
struct s2_change {
	uint64_t seq, ipa, size;  /* size 0: the whole VMID */
	uint16_t vmid, fnum;
	uint8_t cpu;
};
#define RMM_S2LOG_PER_CPU 256u

/* Checking mode: a TLB entry this CPU already compared with the tables, and
 * the s2_gen it was compared at (direct mapped; owned by the CPU's vCPU). */
struct tlb_checked {
	uint64_t tag;        /* ipa page | vmid << 48 | 1 (valid) ... see s2.c */
	uint64_t desc, seq, gen;
};
#define RMM_TLB_CHECKED 256u

/* A vCPU's last translations on this CPU (rmm_vcpu_access's fast path):
 * the host page of an IPA page and the accesses the stage-2 service allowed,
 * valid while no TLBI reached this CPU (the HAL's tlb_gen) and no PAS
 * changed (gpt_gen). Not used in checking mode. Owned by the CPU's vCPU. */
#define RMM_UCACHE 64u
struct vcpu_ucache {
	uint64_t page;         /* ipa >> 12, + 1 (0: empty) */
	uint64_t tlb_gen, gpt_gen;
	uint8_t *host;
	uint16_t vmid;
	uint8_t allowed;       /* 1 << enum rmm_vcpu_access */
};

/* rmm_vcpu_fetch_gen()'s memo: the token handed out for these generations
 * (0: none yet). Owned by the CPU's vCPU. */
struct vcpu_fetch_memo {
	uint64_t tlb_gen, gpt_gen, token;
	uint16_t vmid;
};

struct rmm_cpu {
	char reason[RMM_REASON_LEN];
	struct vcpu_ucache uc[RMM_UCACHE];
	struct vcpu_fetch_memo fetch;
	struct tlb_checked tlbc[RMM_TLB_CHECKED];
	struct rmm_hist_ring hist;
	struct s2_change s2log[RMM_S2LOG_PER_CPU];
	_Atomic uint64_t s2log_head;
	/* Held by a vCPU on this CPU across a translation and its access, so
	 * that an invalidation can wait for in-flight accesses (vcpu_sync). */
	_Atomic uint8_t access_lock;
	/* RMI trace (RMM_CFG_TRACE): this CPU's records, and the NS inputs
	 * captured for the call in progress; owned by this CPU index. */
	struct rmm_tbuf { uint8_t *data; size_t len, cap; } trace, snaps;
	uint32_t nsnaps;
	uint64_t trace_in[18];
	/* RMI calls and failures on this CPU (written by it, read by stats) */
	_Atomic uint64_t n_calls, n_fail;
	/* A host interrupt is pending on this CPU (rmm_host_irq); consumed by
	 * the REC exit that delivers it. */
	_Atomic uint8_t irq_pending;
	/* Timeline (RMM_CFG_TIMELINE): this CPU's ring, owned by this CPU index. */
	struct tl_event *tl;
	uint64_t tl_head;
};

#define RMM_MAX_FINDINGS 64u

/* Every field below that changes after rmm_create() must be put back by
 * rmm_reset() (core/reset.c). */
struct rmm {
	struct rmm_config cfg;
	const struct rmm_hal_ops *hal;
	void *hal_h;
	uint64_t dram_base, dram_size, ngran;
	struct granule *gran;        /* one per DRAM granule */
	struct rmm_cpu *cpus;
	uint64_t feat0;              /* RmiFeatureRegister0 */
	/* global event order: a cache line of its own (every granule state
	 * change adds to it; the fields above are read by every lookup) */
	_Atomic uint64_t seq __attribute__((aligned(64)));
	uint8_t seq_pad[56];
	/* checking mode (RMM_CFG_TLB_CHECK): per granule, its last PAS change
	 * (to or from UNDELEGATED) as a history slot, kept however many other
	 * changes followed, so that a missing GPT invalidation can always be
	 * named; NULL otherwise. Written under the granule's lock. */
	struct rmm_hist_slot *pas_last;
	_Atomic uint64_t vmid_map[65536 / 64]; /* VMIDs in use */
	_Atomic uint64_t n_delegated;
	const struct rmm_vcpu_ops *vcpu_ops;  /* set before any REC_ENTER */
	void *vcpu_ctx;
	struct rmm_a64_ctx *a64_default;      /* the default backend's context */
	/* TLB and GPT-cache checking (RMM_CFG_TLB_CHECK) */
	_Atomic int s2_inflight;       /* RTT changes whose TLBI is not issued yet */
	_Atomic int gpt_inflight;      /* PAS changes whose invalidation is not done */
	_Atomic uint64_t gpt_gen;      /* PAS changes begun and ended (vcpu_ucache) */
	_Atomic int gpt_busy;          /* PAS changes in flight (vcpu_ucache) */
	/* The same for changes out of Realm PAS only (undelegate): what fetch
	 * tokens depend on, since a realm fetches only from Realm PAS (an NS
	 * mapping is never executable), so no delegation can make a fetched
	 * translation stale. */
	_Atomic uint64_t gpt_out_gen;
	_Atomic int gpt_out_busy;
	_Atomic uint64_t s2_gen;       /* RTT walks ended + RTT changes (checking mode) */
	_Atomic uint64_t nfindings;
	_Atomic uint64_t trace_seq;    /* global order of traced calls */
	_Atomic int host_gpf_logged;   /* the host-caused realm GPF was logged */
	struct rmm_finding findings[RMM_MAX_FINDINGS];
	/* Tests only (internal tests set it): called by the lock-free stage-2
	 * walk after it read the entry at 'level' for 'ipa'. */
	void (*test_walk_hook)(struct rmm *rmm, uint64_t ipa, int level);
	struct attest_keys *attest;    /* NULL: no attestation material */
	/* live migration (librmm/migrate/mig_key.c) */
	struct mig_instance *mig;
	_Atomic uint64_t mig_nonce;    /* the GCM nonce counter: only grows */
	_Atomic uint64_t mig_kid;      /* key ids */
	_Atomic unsigned int faults;   /* as last given to rmm_set_faults */
	uint64_t tl_base;              /* timeline clock origin; 0: timeline off */
};

/* The context of one RMI/RSI call on one CPU. */
struct call {
	struct rmm *rmm;
	unsigned int cpu;
	uint16_t fnum;       /* FID & 0xffff */
	const char *name;    /* command name for reasons */
};

/* Record why the call fails and return the packed status. 'fmt' starts with
 * the failure condition's name as the spec spells it, e.g. "rd_state: ...". */
uint64_t call_fail(struct call *c, unsigned int status, unsigned int index,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void rmm_log(struct rmm *rmm, enum rmm_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rmm_panic(struct rmm *rmm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Internal invariant: panic through the HAL (tests may intercept). */
#define RMM_ASSERT(rmm, cond)                                                   \
	do {                                                                    \
		if (!(cond))                                                    \
			rmm_panic((rmm), "%s:%d: assertion '%s' failed", __FILE__, \
				  __LINE__, #cond);                             \
	} while (0)

/* Which region a PA falls in, for reasons: "DRAM", "secure", "MMIO", "none". */
const char *rmm_region_name(const struct rmm *rmm, uint64_t pa);

/* Copy from NS memory (host params, sources). Locks each NS granule of the
 * range for its part of the copy (innermost: callers may hold any granule
 * locks). 0, or -1 if any byte is not in the NS PAS or outside DRAM (the
 * caller reports the failure condition). */
int ns_read(struct call *c, uint64_t pa, void *dst, size_t len);
/* Copy to NS memory (RecRun.exit) within one granule; locks it likewise.
 * 0, or -1 if it is not in the NS PAS. */
int ns_write(struct rmm *rmm, uint64_t pa, const void *src, size_t len);
/* The RMM's pointer to NS byte 'pa' for writing in place up to the end of
 * its granule: the granule is locked (*g; innermost, as for ns_write) and
 * UNDELEGATED until granule_unlock(*g). NULL (nothing locked) if pa is
 * outside DRAM or not in the NS PAS. The host may read and write the same
 * bytes meanwhile: write only what it may see (ciphertext, results). */
struct granule;
void *ns_map_lock(struct rmm *rmm, uint64_t pa, struct granule **g);
/* Copy bytes to or from NS memory the host may write at the same time (a
 * snapshot; not instrumented by ThreadSanitizer). */
void ns_snapshot(void *dst, const void *src, size_t len);

struct rmm_vcpu_ops;

#endif
