/*
 * librmm: a host-userspace Arm CCA Realm Management Monitor (RMM 1.0).
 *
 * An instance (struct rmm) is one machine: physical memory with a Granule
 * Protection Table, N CPUs, and the RMM running on them. Everything the
 * architecture defines goes through rmm_smc(), the SMC conduit; the rest of
 * this header is the library around it (creation, diagnostics, the host's
 * view of memory).
 *
 * Two kinds of status never mix:
 *  - library status: int, 0 or a negative RMM_E* value (this header);
 *  - architectural status: the RMI/RSI status and index packed in X0 (rmi.h).
 */
#ifndef RMM_RMM_H
#define RMM_RMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RMM_API __attribute__((visibility("default")))

/* Library status codes (never returned in X0). */
enum rmm_error {
	RMM_OK = 0,
	RMM_EINVAL = -1,   /* bad argument to a library call */
	RMM_ENOMEM = -2,   /* allocation failed */
	RMM_EOS = -3,      /* the host OS refused (memfd, mmap, signals) */
	RMM_EGPF = -4,     /* the access took a Granule Protection Fault */
	RMM_ERANGE = -5,   /* address outside the instance's memory */
	RMM_EVERSION = -6, /* HAL table of an unsupported version */
	RMM_EATTEST = -7,  /* attestation key and platform token malformed or not bound */
};

struct rmm;
struct rmm_hal_ops;
struct rmm_attest_config;

/* Configuration flags. */
#define RMM_CFG_GPT_SOFTWARE (1u << 0) /* no mprotect, no SIGSEGV handler */
#define RMM_CFG_TLB_CHECK    (1u << 1) /* check every cached translation (findings) */
#define RMM_CFG_TRACE        (1u << 2) /* record every RMI call (rmm_trace_save) */
#define RMM_CFG_TIMELINE     (1u << 4) /* record a per-CPU timeline (rmm_timeline_save) */
#define RMM_CFG_DCACHE       (1u << 5) /* model PAS-tagged data caches (docs/field-failures.md) */

struct rmm_config {
	uint64_t dram_base, dram_size;     /* delegable DRAM window */
	uint64_t secure_base, secure_size; /* present, never delegable */
	uint64_t mmio_base, mmio_size;     /* present, never delegable */
	unsigned int ncpus;                /* 1..RMM_MAX_CPUS */
	unsigned int flags;                /* RMM_CFG_* */
	const struct rmm_hal_ops *hal;     /* NULL: the built-in Linux host HAL */
	void *hal_ctx;                     /* passed to hal->open */
	uint64_t seed;                     /* keys, tokens and choices */
	/*
	 * The emulated CPU's features offered to realms (RMI_FEATURES reports
	 * them, REALM_CREATE validates a realm's request against them, vCPU
	 * backends read a realm's choice with rmm_vcpu_features()). Appended
	 * after the fields above; all zero keeps the defaults: no PMU, no SVE,
	 * 6 breakpoints and 4 watchpoints.
	 */
	unsigned int cpu_flags;            /* RMM_CPU_PMU, RMM_CPU_SVE */
	unsigned int pmu_num_ctrs;         /* with RMM_CPU_PMU: event counters, 0..31 */
	unsigned int sve_vl;               /* with RMM_CPU_SVE: the largest vector length,
					    * encoded as RMI does: (sve_vl + 1) * 128 bits,
					    * 0..15 */
	unsigned int num_bps, num_wps;     /* breakpoints / watchpoints, 2..64 (0: 6, 4) */
	/* Attestation material of the user's own (see below); NULL: what the
	 * HAL supplies (the built-in HAL: the public test pair). */
	const struct rmm_attest_config *attest;
};

/*
 * Attestation material, as EL3 hands it to a real RMM: the Realm Attestation
 * Key (RAK, a P-384 private scalar) and the platform token bound to it (a
 * tagged COSE_Sign1 whose challenge claim is SHA-256 of the RAK's public key
 * as a COSE_Key; docs/attestation.md). rmm_create checks the binding and
 * fails with RMM_EATTEST if it does not hold. The bytes are copied.
 */
#define RMM_ATTEST_CONFIG_VERSION 1u
#define RMM_ATTEST_RAK_SIZE 48u
#define RMM_ATTEST_PLAT_TOKEN_MAX 4096u
struct rmm_attest_config {
	unsigned int version;            /* RMM_ATTEST_CONFIG_VERSION */
	const uint8_t *rak;              /* RMM_ATTEST_RAK_SIZE bytes, big-endian */
	size_t rak_len;
	const uint8_t *platform_token;   /* at most RMM_ATTEST_PLAT_TOKEN_MAX bytes */
	size_t platform_token_len;
};

#define RMM_CPU_PMU (1u << 0)  /* a PMUv3 with pmu_num_ctrs counters (FEAT0.PMU_EN) */
#define RMM_CPU_SVE (1u << 1)  /* SVE up to sve_vl (FEAT0.SVE_EN) */

#define RMM_MAX_CPUS 64u
#define RMM_GRANULE_SIZE 4096u

/* Fill a config with the defaults: 2 GiB DRAM at 0x80000000, a 32 MiB secure
 * region at 0x06000000, 64 MiB of MMIO at 0x1c000000, 2 CPUs, no PMU, no
 * SVE, 6 breakpoints and 4 watchpoints. */
RMM_API void rmm_config_init(struct rmm_config *cfg);

/*
 * Create an instance. RMM_EINVAL for: a NULL argument; ncpus outside
 * 1..RMM_MAX_CPUS; a DRAM, secure or MMIO base or size that is not granule
 * aligned; a region that wraps past 2^64 (DRAM must end below 2^48); regions
 * that overlap each other (an MMIO region equal to the secure one included);
 * unknown cpu_flags bits or a feature value out of its range. RMM_EVERSION
 * for a HAL table of another version.
 */
RMM_API int rmm_create(const struct rmm_config *cfg, struct rmm **out);
RMM_API void rmm_destroy(struct rmm *rmm);

/*
 * Return an instance to the state rmm_create() left it in, by state rather
 * than by unmapping: every granule UNDELEGATED and Non-secure with zero
 * contents, no realms, all VMIDs free; reasons, histories, RMI traces,
 * findings, statistics, fault injection, TLBs and GPT caches cleared. The
 * configuration, the memory mappings (rmm_ns_ptr pointers stay valid) and
 * the installed vCPU backend are kept. For fuzzers and test suites that run
 * many independent cases on one instance.
 * Cost: clearing the metadata (about 20 bytes per DRAM granule) plus, with
 * the built-in HAL, one mprotect for the whole NS view if any granule was
 * delegated and dropping the DRAM pages in use (the next touch of a page
 * faults in a zero page).
 * Migration key slots and sessions are dropped (the nonce counter keeps
 * growing); pending host interrupts are cleared; the default vCPU backend's
 * context (exclusive reservations, cached translations, decoded blocks) is
 * reset (rmm_a64_ctx_reset(); a context you passed to rmm_set_vcpu_backend()
 * is yours to reset); the attestation material (configuration) stays.
 * Call it only while no other call on the instance is running (no RMI call,
 * no REC running, no host access on another thread). RMM_OK, or RMM_EOS if
 * the HAL could not reset memory, RMM_ENOMEM if migration state could not
 * be set up again (the instance is then unusable: destroy it).
 */
RMM_API int rmm_reset(struct rmm *rmm);

/*
 * The SMC conduit: what EL2 delivers to the RMM on CPU 'cpu'. x[0] is the FID,
 * x[1..17] the arguments; results come back in x[0..17] (SMCCC 1.2: unused
 * result registers are zero). Unknown FIDs return SMCCC NOT_SUPPORTED (-1).
 * One thread at a time per cpu index; different cpu indexes run concurrently.
 */
RMM_API void rmm_smc(struct rmm *rmm, unsigned int cpu, uint64_t x[18]);

/* Why the last call on 'cpu' was refused ("" after a success). */
RMM_API const char *rmm_last_reason(const struct rmm *rmm, unsigned int cpu);

/* The host's (Non-secure) view of a DRAM address; NULL outside DRAM. Touching a
 * granule that is not in the NS PAS through it takes a Granule Protection
 * Fault (SIGSEGV with an explanation) unless the GPT is software-only. */
RMM_API void *rmm_ns_ptr(struct rmm *rmm, uint64_t pa);

/* Host accesses that catch a Granule Protection Fault: RMM_OK, RMM_EGPF if any
 * byte of [pa, pa+len) is not accessible to the NS world, RMM_ERANGE outside
 * DRAM. These are real loads and stores through the NS view. */
RMM_API int rmm_host_read(struct rmm *rmm, uint64_t pa, void *buf, size_t len);
RMM_API int rmm_host_write(struct rmm *rmm, uint64_t pa, const void *buf, size_t len);

/* Check every internal invariant (granule states vs GPT vs RTT contents vs
 * refcounts vs realm counts). Returns RMM_OK, or RMM_EINVAL with the first
 * broken invariant written to 'why'. Call it only when no RMI call is running. */
RMM_API int rmm_check_invariants(struct rmm *rmm, char *why, size_t len);

/* Granule states as the spec names them. */
enum rmm_granule_state {
	RMM_GRANULE_UNDELEGATED = 0,
	RMM_GRANULE_DELEGATED,
	RMM_GRANULE_RD,
	RMM_GRANULE_REC,
	RMM_GRANULE_REC_AUX,
	RMM_GRANULE_DATA,
	RMM_GRANULE_RTT,
	RMM_GRANULE_NSTATES
};
RMM_API const char *rmm_granule_state_name(int state);

/* State of the granule at 'pa': a rmm_granule_state, or RMM_ERANGE. */
RMM_API int rmm_granule_state(struct rmm *rmm, uint64_t pa);

/* One change of a granule's state, as kept in the instance's history. */
struct rmm_granule_event {
	uint64_t seq;      /* global order of events in the instance */
	uint64_t pa;
	uint16_t fid_num;  /* RMI function number (FID & 0xffff) */
	uint8_t cpu;
	uint8_t from, to;  /* rmm_granule_state */
};
/* Most recent events for 'pa', newest first; returns the number written. */
RMM_API size_t rmm_granule_history(struct rmm *rmm, uint64_t pa,
				   struct rmm_granule_event *ev, size_t max);
/* A one-paragraph explanation of a granule: state, GPT, who changed it. */
RMM_API void rmm_explain_granule(struct rmm *rmm, uint64_t pa, char *buf, size_t len);

struct rmm_stats {
	uint64_t granules;          /* DRAM granules */
	uint64_t meta_bytes;        /* RMM metadata bytes for all of them */
	uint64_t delegated;         /* granules in Realm PAS now */
	uint64_t gpt_enforced;      /* of those, enforced by mprotect */
	uint64_t gpt_software;      /* of those, enforced in software only */
	uint64_t map_limit_hits;    /* mprotect refusals from the kernel map limit */
	uint64_t rmi_calls, rmi_failures;
};
RMM_API void rmm_get_stats(struct rmm *rmm, struct rmm_stats *st);

/*
 * Modelled TLBs and GPT caches. Realm vCPUs translate through a per-CPU
 * stage-2 TLB and GPT cache; the RMM issues the invalidations hardware needs.
 * In checking mode (RMM_CFG_TLB_CHECK) every use of a cached entry is
 * compared with the tables: a disagreement with no invalidation in flight is
 * a missing-invalidation finding naming the command and the CPUs.
 */
#define RMM_FAULT_TLBI_DROP  (1u << 0)  /* stage-2 TLBIs are lost */
#define RMM_FAULT_TLBI_LOCAL (1u << 1)  /* stage-2 TLBIs reach only the issuing CPU */
#define RMM_FAULT_GPTI_DROP  (1u << 2)  /* GPT invalidations are lost */
#define RMM_FAULT_GPTI_LOCAL (1u << 3)  /* GPT invalidations reach only the issuing CPU */
#define RMM_FAULT_CMO_DROP   (1u << 4)  /* the clean+invalidate to PoPA of a PAS change is lost */
#define RMM_FAULT_CMO_LOCAL  (1u << 5)  /* ... reaches only the issuing CPU's data cache */
/* Inject faults into the HAL's invalidations (the built-in HAL supports all). */
RMM_API void rmm_set_faults(struct rmm *rmm, unsigned int faults);

/* RMM_FINDING_CACHE: a stage-2 walker or realm access read bytes a dirty
 * line of the granule's old PAS wrote back after a PAS change whose DC CIPAPA
 * did not reach that CPU (RMM_CFG_DCACHE). */
enum rmm_finding_kind { RMM_FINDING_TLB = 1, RMM_FINDING_GPT = 2, RMM_FINDING_CACHE = 3 };
struct rmm_finding {
	int kind;            /* enum rmm_finding_kind */
	unsigned int cpu;    /* the CPU that used the stale entry */
	uint64_t ipa, pa;
	char text[320];      /* the explanation */
};
/* Findings so far: copies up to max, returns how many there are. */
RMM_API size_t rmm_findings(struct rmm *rmm, struct rmm_finding *out, size_t max);

/* Host accesses made on a given CPU: as rmm_host_read/write, and they go
 * through (and fill) that CPU's GPT cache, as every access on real hardware
 * does. */
RMM_API int rmm_host_read_on(struct rmm *rmm, unsigned int cpu, uint64_t pa, void *buf,
			     size_t len);
RMM_API int rmm_host_write_on(struct rmm *rmm, unsigned int cpu, uint64_t pa, const void *buf,
			      size_t len);

/*
 * RMI traces (RMM_CFG_TRACE). Every call is recorded per CPU with its input
 * and result registers and the NS memory the RMM read for it (RealmParams,
 * RecParams, DATA_CREATE sources, RecRun.enter). A saved trace replays on a
 * fresh instance of the same configuration: each call's NS inputs are put
 * back, the call is issued on its CPU in the recorded global order (the
 * order calls completed), and every result register is compared.
 * REC_ENTER replays faithfully only with the same vCPU backend and guest.
 * The trusted migration key install (rmm_mig_key_install, not an RMI call)
 * is recorded too, with its key, so a migration's traces replay: such a
 * trace holds the session keys.
 */
/* Serialise the trace: emit() receives it in chunks; a non-zero return
 * from emit stops and is returned. */
RMM_API int rmm_trace_save(struct rmm *rmm, int (*emit)(void *ctx, const void *buf, size_t len),
			   void *ctx);
/* Replay a saved trace. RMM_OK, RMM_EINVAL with the first divergence (or
 * a malformed trace) explained in 'why'. */
RMM_API int rmm_trace_replay(struct rmm *rmm, const void *trace, size_t len, char *why,
			     size_t whylen);

/*
 * Host interrupts. Raise a physical interrupt for the host on 'cpu' (any
 * thread may call this). The RMM polls for it where a long operation may be
 * preempted, as it reads ISR_EL1 on hardware: a REC on that CPU that is in
 * RSI_ATTESTATION_TOKEN_CONTINUE then exits with RMI_EXIT_IRQ (the realm sees
 * RSI_INCOMPLETE and resumes the same token on its next call). That exit
 * delivers the interrupt to the host, which clears it. A vCPU backend
 * running realm code polls it too (rmm_vcpu_take_host_irq(), rmm/vcpu.h)
 * and ends run() with an IRQ exit, as a physical interrupt stops a realm on
 * hardware; the backends' budgets model the interrupts nobody raises.
 */
RMM_API void rmm_host_irq(struct rmm *rmm, unsigned int cpu);

/*
 * The timeline of a run (RMM_CFG_TIMELINE): every CPU's RMI calls, REC runs,
 * host accesses (rmm_host_*_on), stage-2 TLBIs and GPT changes with their
 * invalidations (and how far each reached, under fault injection), cache
 * maintenance and findings, as Chrome/Perfetto trace-event JSON with one
 * track per CPU (open it at ui.perfetto.dev or chrome://tracing). emit()
 * receives the JSON in chunks; a non-zero return stops and is returned.
 * RMM_EINVAL if the timeline is off. Call it with no RMI call in flight.
 * Each CPU keeps its last 8192 events.
 */
RMM_API int rmm_timeline_save(struct rmm *rmm,
			      int (*emit)(void *ctx, const void *buf, size_t len), void *ctx);

/* Library status as text. */
RMM_API const char *rmm_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* RMM_RMM_H */
