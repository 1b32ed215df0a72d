/*
 * The hardware abstraction layer: what librmm needs from the machine.
 *
 * For implementers (an embedding simulator, or hal_host/ for Linux). One const
 * table of operations, versioned; librmm calls nothing else in the OS. The
 * built-in Linux HAL is used when rmm_config.hal is NULL.
 *
 * Physical addresses are DRAM addresses (config.dram_base..+dram_size);
 * granules are 4 KiB. Every operation may be called from any CPU thread
 * concurrently unless stated.
 */
#ifndef RMM_SYS_HAL_H
#define RMM_SYS_HAL_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/rmm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2 added the attestation operations, 3 reset_memory(); version-1 and -2
 * tables are still accepted (version-1 instances have no attestation key
 * unless rmm_config.attest gives one; rmm_reset resets memory without
 * reset_memory through gpt_set and granule_ptr). */
#define RMM_HAL_VERSION 4u
#define RMM_HAL_VERSION_MIN 1u

/* Physical address spaces in the GPT. */
enum rmm_pas { RMM_PAS_NS = 0, RMM_PAS_REALM = 1 };

/* What the core tells the HAL when it opens it. */
struct rmm_hal_platform {
	uint64_t dram_base, dram_size;
	unsigned int ncpus;
	unsigned int flags;   /* rmm_config.flags */
	/* Called by the HAL (possibly from a signal handler) to describe a
	 * granule in a fault report. */
	void (*explain)(void *core, uint64_t pa, char *buf, size_t len);
	void *core;
};

/* Counters a HAL may report (all optional, zero if not kept). */
struct rmm_hal_stats {
	uint64_t gpt_enforced, gpt_software, map_limit_hits, meta_bytes;
};

/* A cached stage-2 translation (one 4 KiB page of a leaf entry). */
struct rmm_tlb_entry {
	uint64_t desc;     /* the leaf descriptor it was filled from */
	int level;         /* the leaf's level */
	uint64_t seq;      /* the instance's event counter when filled */
};

enum rmm_log_level { RMM_LOG_ERROR = 0, RMM_LOG_WARN, RMM_LOG_INFO, RMM_LOG_DEBUG };

struct rmm_hal_ops {
	unsigned int version; /* RMM_HAL_VERSION */

	/* Set up memory for the platform; *hal is passed to every other op. */
	int (*open)(void *ctx, const struct rmm_hal_platform *plat, void **hal);
	void (*close)(void *hal);

	/* The RMM's view of a DRAM granule (always accessible to the RMM). */
	void *(*granule_ptr)(void *hal, uint64_t pa);
	/* The host's (NS) view of a DRAM address. */
	void *(*ns_ptr)(void *hal, uint64_t pa);

	/* Move a granule to another PAS in the GPT (EL3's job). 0 on success,
	 * non-zero if the transition is refused. Must never fail for a host-OS
	 * reason: degrade enforcement instead and count it. Called with the
	 * granule's lock held. */
	int (*gpt_set)(void *hal, unsigned int cpu, uint64_t pa, enum rmm_pas pas);
	enum rmm_pas (*gpt_get)(void *hal, uint64_t pa);

	/* Copies between the NS PAS and RMM memory that take a GPF instead of
	 * crashing: 0, or RMM_EGPF if a granule of the range is not NS.
	 * Not called by the core since version 3 (it copies NS memory through
	 * granule_ptr holding the NS granule's lock, which delegation needs);
	 * kept for the table's layout; may be NULL. */
	int (*ns_read)(void *hal, uint64_t pa, void *dst, size_t len);
	int (*ns_write)(void *hal, uint64_t pa, const void *src, size_t len);
	/* A host (NS world) access: as above, but as host code does it. */
	int (*host_access)(void *hal, uint64_t pa, void *buf, size_t len, int write);

	/* Pause a spinning CPU thread (may be NULL). */
	void (*relax)(void *hal);
	/* Monotonic counter in nanoseconds. */
	uint64_t (*counter)(void *hal);
	/* Log a line. */
	void (*log)(void *hal, enum rmm_log_level lvl, const char *msg);
	/* A broken internal invariant: must not return. */
	void (*panic)(void *hal, const char *msg) __attribute__((noreturn));
	void (*stats)(void *hal, struct rmm_hal_stats *st);

	/*
	 * Per-CPU stage-2 TLBs and GPT caches used by realm vCPUs. A HAL may
	 * leave these NULL (no caching: every access walks the tables).
	 *
	 * gpt_set() is also the GPT invalidation: after it returns, no CPU's
	 * GPT cache holds the old PAS of that granule (unless fault injection
	 * says otherwise).
	 */
	/* Look up (vmid, ipa) in cpu's TLB: 1 on a hit (*e filled), 0 on a miss. */
	int (*tlb_lookup)(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa,
			  struct rmm_tlb_entry *e);
	/* The TLBI generation of cpu's TLB: a walk started at 'gen' may fill
	 * only if no invalidation reached cpu since. */
	uint64_t (*tlb_gen)(void *hal, unsigned int cpu);
	void (*tlb_fill)(void *hal, unsigned int cpu, uint64_t gen, uint16_t vmid, uint64_t ipa,
			 const struct rmm_tlb_entry *e);
	/* TLBI by IPA range (size > 0) or whole VMID (size 0), issued on cpu,
	 * broadcast to every CPU (inner shareable). */
	void (*tlbi)(void *hal, unsigned int cpu, uint16_t vmid, uint64_t ipa, uint64_t size);
	/* The PAS of a granule as cpu sees it, through its GPT cache. */
	enum rmm_pas (*gpt_lookup)(void *hal, unsigned int cpu, uint64_t pa);
	/* Fault injection (RMM_FAULT_* in rmm.h). */
	void (*set_faults)(void *hal, unsigned int faults);

	/*
	 * Version 2: attestation material, as EL3 hands it to the RMM at boot
	 * (each may be NULL: no attestation key). Called once, from
	 * rmm_create, after open().
	 */
	/* The Realm Attestation Key: a P-384 private scalar, 48 bytes
	 * big-endian. 0 on success. */
	int (*attest_key)(void *hal, uint8_t rak[48]);
	/* The platform token for 'challenge' (the hash of the RAK's public key
	 * as a COSE_Key, which the token must carry as its challenge claim):
	 * up to 'cap' bytes into buf, the length in *len. 0 on success. */
	int (*platform_token)(void *hal, const uint8_t *challenge, size_t challenge_len,
			      uint8_t *buf, size_t cap, size_t *len);

	/*
	 * Version 3. For rmm_reset(): return the platform to what open() made:
	 * every granule NS in the GPT, all of DRAM zero, every TLB and GPT cache
	 * empty, no fault injection, counters zero; mappings stay. Called with
	 * no other operation running. May be NULL. 0 on success.
	 */
	int (*reset_memory)(void *hal);

	/*
	 * Version 4: data caches tagged with the PAS (RME). A line of PA p held
	 * under NS and a line of p held under Realm are different lines;
	 * coherence keeps only same-PAS copies in step. So a PAS change needs
	 * cache maintenance: clean and invalidate to the Point of Physical
	 * Aliasing (DC CIPAPA) after the GPT change, or a dirty line of the
	 * old PAS can later be written back over what the new owner wrote.
	 * Both may be NULL (no caches modelled); hal_host models them when
	 * the instance has RMM_CFG_DCACHE.
	 */
	/* An access by cpu to [pa, pa+len) under 'pas' (a stage-2 walker's
	 * table read, a realm access, a host access): it allocates lines in
	 * cpu's cache (dirty if 'write'); a line of the same PA held under
	 * another PAS is evicted first, and written back to memory if dirty.
	 * Returns how many bytes of [pa, pa+len) such a write-back changed:
	 * non-zero means the access now sees bytes from before a PAS change. */
	size_t (*dc_access)(void *hal, unsigned int cpu, uint64_t pa, size_t len,
			    enum rmm_pas pas, int write);
	/* DC CIPAPA of the granule at pa, issued on cpu after its PAS
	 * changed: every CPU's lines of it, of every PAS, cleaned and
	 * invalidated (unless fault injection drops it or keeps it on cpu). */
	void (*dc_cipapa)(void *hal, unsigned int cpu, uint64_t pa);
};

/* The built-in Linux host HAL. */
RMM_API const struct rmm_hal_ops *rmm_hal_host_ops(void);

#ifdef __cplusplus
}
#endif
#endif /* RMM_SYS_HAL_H */
