/*
 * The vCPU backend interface: how a REC's context runs.
 *
 * RMI_REC_ENTER loads a REC into the instance's backend and calls run() until
 * the REC needs the RMM: a memory access stage 2 refused, an SMC (RSI, PSCI),
 * an HVC, WFI/WFE, a trapped system register, or an interrupt/budget. The
 * RMM handles RSI and PSCI itself, routes aborts as RMM 1.0 says (inject an
 * SEA into the realm, exit to the host, or an emulatable MMIO exit) and
 * returns to the host only when the spec says so.
 *
 * A backend reaches memory only through rmm_vcpu_translate(), which walks the
 * realm's real stage-2 tables and the GPT the way the MMU would, and gives
 * either a host pointer or the exact fault syndrome.
 */
#ifndef RMM_VCPU_H
#define RMM_VCPU_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/rmm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The architectural state of a REC (kept in the REC granule). */
struct rmm_vcpu_regs {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;         /* SPSR_EL2 layout: M[3:0], DAIF, NZCV */
	uint64_t sp_el0, sp_el1;
	/* EL1/EL0 system registers */
	uint64_t sctlr_el1, ttbr0_el1, ttbr1_el1, tcr_el1, mair_el1, amair_el1;
	uint64_t vbar_el1, esr_el1, far_el1, elr_el1, spsr_el1, par_el1;
	uint64_t contextidr_el1, tpidr_el0, tpidrro_el0, tpidr_el1, cpacr_el1;
	uint64_t cntkctl_el1, afsr0_el1, afsr1_el1, mdscr_el1, csselr_el1, actlr_el1;
	/* generic timers; CVALs compare with rmm_vcpu_counter() */
	uint64_t cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
	/* FP/SIMD */
	uint64_t fpcr, fpsr;
	uint64_t v[32][2];
};

/* Why run() returned. */
enum rmm_vcpu_exit_kind {
	RMM_VCPU_EXIT_IRQ = 0,   /* interrupt, budget used up, or nothing to run */
	RMM_VCPU_EXIT_SMC,       /* SMC #0 at pc: x0 holds the FID */
	RMM_VCPU_EXIT_HVC,       /* HVC at pc */
	RMM_VCPU_EXIT_ABORT,     /* a translation refused: esr/far/hpfar/ipa set */
	RMM_VCPU_EXIT_WFX,       /* WFI/WFE at pc: esr EC 0x01 with TI */
	RMM_VCPU_EXIT_SYSREG,    /* trapped MRS/MSR at pc: esr EC 0x18 ISS */
	RMM_VCPU_EXIT_UNDEF,     /* an instruction the backend cannot execute */
};

struct rmm_vcpu_exit {
	enum rmm_vcpu_exit_kind kind;
	uint64_t esr;    /* ESR_EL2 as the hardware would write it */
	uint64_t far;    /* FAR_EL2: the faulting VA */
	uint64_t hpfar;  /* HPFAR_EL2 */
	uint64_t ipa;    /* the faulting IPA (the RMM routes on it) */
};

enum rmm_vcpu_access { RMM_ACCESS_READ = 0, RMM_ACCESS_WRITE = 1, RMM_ACCESS_FETCH = 2 };

struct rmm_vcpu;  /* a REC while it runs */

struct rmm_vcpu_ops {
	unsigned int version;   /* RMM_VCPU_VERSION */
	/* Run until the REC needs the RMM; fill *exit. */
	void (*run)(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *exit);
	/* Optional: told after the RMM made the vCPU take an exception (SEA or
	 * undefined injection): regs already hold ESR/FAR/ELR/SPSR_EL1 and
	 * pc = VBAR_EL1 + offset. */
	void (*exception_taken)(void *ctx, struct rmm_vcpu *v);
};
#define RMM_VCPU_VERSION 1u

/* Install the backend used by REC_ENTER (NULL: the default, the AArch64
 * interpreter of rmm/vcpu_a64.h with an instance-owned context, which is
 * also what a new instance runs RECs on). RMM_OK, or
 * RMM_EINVAL (nothing changed) for ops of another version or without run().
 * Call it only while no REC_ENTER is running. */
RMM_API int rmm_set_vcpu_backend(struct rmm *rmm, const struct rmm_vcpu_ops *ops, void *ctx);

/* During run(): the REC's registers, its PA, its index (from its MPIDR). */
RMM_API struct rmm_vcpu_regs *rmm_vcpu_regs(struct rmm_vcpu *v);
RMM_API uint64_t rmm_vcpu_rec(const struct rmm_vcpu *v);
RMM_API uint64_t rmm_vcpu_rd(const struct rmm_vcpu *v);
RMM_API unsigned int rmm_vcpu_index(const struct rmm_vcpu *v);
RMM_API unsigned int rmm_vcpu_cpu(const struct rmm_vcpu *v);

/*
 * The CPU features the running REC's realm was created with (RmiRealmParams,
 * validated against the instance's rmm_config): what a backend reflects in
 * the realm's ID registers (ID_AA64DFR0_EL1.PMUVer/BRPs/WRPs, PMCR_EL0.N,
 * ID_AA64PFR0_EL1.SVE, ZCR_EL1.LEN). Immutable for the realm's life.
 * What the backends shipped here execute of them: nothing yet. The scripted
 * backend has no such state; the AArch64 interpreter runs no PMU, SVE or
 * debug (breakpoint/watchpoint) instructions or registers: a realm that uses
 * them gets what rmm/vcpu_a64.h lists for unimplemented instructions.
 */
struct rmm_vcpu_features {
	unsigned int pmu;            /* 1: the realm has a PMU (RmiRealmFlags.pmu) */
	unsigned int pmu_num_ctrs;   /* its event counters (PMCR_EL0.N); 0 without a PMU */
	unsigned int sve;            /* 1: SVE enabled (RmiRealmFlags.sve) */
	unsigned int sve_vl;         /* with sve: VL = (sve_vl + 1) * 128 bits; else 0 */
	unsigned int num_bps;        /* breakpoints (a count, params.num_bps + 1) */
	unsigned int num_wps;        /* watchpoints (a count, params.num_wps + 1) */
};
RMM_API void rmm_vcpu_features(const struct rmm_vcpu *v, struct rmm_vcpu_features *out);

/* The realm's generic counter frequency (CNTFRQ_EL0): 1 GHz, as Armv8.6
 * fixes it; the HAL's counter() is in nanoseconds, so a tick is 1 ns. */
#define RMM_CNTFRQ_HZ 1000000000ull
/* The realm's counter now: what CNTVCT_EL0 and CNTPCT_EL0 read in the realm
 * (the host's counter minus the realm's offset, which the RMM owns; the
 * realm's time starts at 0 when it is created and never goes back). */
RMM_API uint64_t rmm_vcpu_counter(const struct rmm_vcpu *v);

/*
 * The stage-2 service. Translate 'len' bytes at 'ipa' (which must not cross
 * a granule) for an access by the realm. s1ptw: the access is a stage-1
 * table walk. On success returns RMM_OK and *host points at the bytes; on a
 * fault returns RMM_EGPF and fills *fault: esr (EC 0x24/0x20 from a lower EL,
 * DFSC/IFSC with the level, WnR, S1PTW; no ISV: the backend adds ISV, SAS,
 * SSE, SRT, SF for a load/store it can describe), far = ipa (MMU off) or the
 * VA the backend knows, hpfar, ipa. The pointer is valid only until another
 * CPU may change the realm's tables; prefer rmm_vcpu_access().
 */
RMM_API int rmm_vcpu_translate(struct rmm_vcpu *v, uint64_t ipa, size_t len,
			       enum rmm_vcpu_access acc, int s1ptw, void **host,
			       struct rmm_vcpu_exit *fault);

/*
 * Translate and access in one step: copy len bytes between buf and the
 * realm's memory at ipa (a write for RMM_ACCESS_WRITE, a read otherwise).
 * Unlike a pointer from rmm_vcpu_translate(), the access is ordered against
 * other CPUs' invalidations, as on hardware: a TLBI or GPT change that
 * completes after this call began waits for it. Backends should use this.
 */
RMM_API int rmm_vcpu_access(struct rmm_vcpu *v, uint64_t ipa, void *buf, size_t len,
			    enum rmm_vcpu_access acc, int s1ptw, struct rmm_vcpu_exit *fault);

/*
 * A host interrupt raised on this vCPU's CPU (rmm_host_irq()) that the
 * backend's run() must end with an RMM_VCPU_EXIT_IRQ exit to deliver: 1 and
 * the interrupt is taken (cleared), else 0. Cheap (one atomic load when
 * none is pending); poll it as often as a CPU would sample its IRQ line.
 */
RMM_API int rmm_vcpu_take_host_irq(struct rmm_vcpu *v);

/*
 * For a backend that keeps decoded instructions (as a CPU's instruction TLB
 * and cache do): a token for the stage-2 and GPT state this vCPU's fetches
 * were translated under on its CPU. Read it BEFORE fetching through
 * rmm_vcpu_access() and keep it with what was fetched; what was fetched may
 * be executed again without a new fetch only while this returns the same
 * token. It changes when a TLBI reaches this CPU, when a granule leaves
 * Realm PAS (a fetch is only ever from Realm PAS: no delegation can make one
 * stale), and between realms and instances (tokens are unique in the
 * process). 0 means nothing may be kept (TLB checking mode, fault injection,
 * such a PAS change in flight): fetch every instruction. Self-modified code is the backend's to
 * track (IC instructions), as on hardware.
 */
RMM_API uint64_t rmm_vcpu_fetch_gen(struct rmm_vcpu *v);

/*
 * Compare and swap len bytes (1, 2, 4, 8 or 16, naturally aligned) at ipa,
 * atomically against every other CPU's accesses to the same bytes, as a
 * store-exclusive or an atomic instruction does: if the bytes equal
 * *expected they become *desired and *swapped = 1, otherwise *swapped = 0.
 * Translated as a write (a fault fills *fault and returns RMM_EGPF);
 * RMM_EINVAL for a bad length or alignment.
 */
RMM_API int rmm_vcpu_cmpxchg(struct rmm_vcpu *v, uint64_t ipa, size_t len, const void *expected,
			     const void *desired, int *swapped, struct rmm_vcpu_exit *fault);

/*
 * The REC's virtual GIC CPU interface state (ICH_*_EL2 as the RMM holds
 * them): the host programs the list registers in RecRun on entry and reads
 * them back on exit; the backend is the GIC virtual CPU interface that
 * acknowledges, ends and signals what they hold. Valid during run().
 */
struct rmm_vcpu_gic {
	uint64_t *hcr;     /* ICH_HCR_EL2 */
	uint64_t *lrs;     /* ICH_LR<n>_EL2, n < num_lrs */
	unsigned int num_lrs;
	uint64_t *vmcr;    /* ICH_VMCR_EL2: VENG0/1, VEOIM, VBPR0/1, VPMR */
	uint64_t *ap0r, *ap1r;  /* ICH_AP0R0_EL2, ICH_AP1R0_EL2 (5 priority bits) */
};
RMM_API void rmm_vcpu_gic(struct rmm_vcpu *v, struct rmm_vcpu_gic *out);

/* ESR encodings used across the interface. */
#define RMM_ESR_EC_SHIFT 26
#define RMM_ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define RMM_ESR_IL (1ull << 25)
#define RMM_EC_UNKNOWN 0x00
#define RMM_EC_WFX 0x01
#define RMM_EC_HVC64 0x16
#define RMM_EC_SMC64 0x17
#define RMM_EC_SYSREG 0x18
#define RMM_EC_IABT_LOW 0x20
#define RMM_EC_IABT_CUR 0x21
#define RMM_EC_DABT_LOW 0x24
#define RMM_EC_DABT_CUR 0x25
#define RMM_ISS_ISV (1ull << 24)
#define RMM_ISS_SAS_SHIFT 22
#define RMM_ISS_SSE (1ull << 21)
#define RMM_ISS_SRT_SHIFT 16
#define RMM_ISS_SF (1ull << 15)
#define RMM_ISS_EA (1ull << 9)
#define RMM_ISS_S1PTW (1ull << 7)
#define RMM_ISS_WNR (1ull << 6)
#define RMM_FSC_TRANSLATION(l) (0x04 + (l))
#define RMM_FSC_PERMISSION(l) (0x0c + (l))
#define RMM_FSC_ADDR_SIZE(l) (0x00 + (l))
#define RMM_FSC_SEA 0x10
#define RMM_FSC_ACCESS(l) (0x08 + (l))
#define RMM_FSC_WALK_SEA(l) (0x14 + (l))
#define RMM_FSC_GPF_WALK(l) (0x24 + (l))
#define RMM_FSC_GPF 0x28

/* A system register as ESR_EL2.ISS encodes it for EC 0x18 (Rt and direction 0). */
#define RMM_SYSREG(op0, op1, crn, crm, op2)                                      \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) | \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))
#define RMM_SYSREG_VBAR_EL1   RMM_SYSREG(3, 0, 12, 0, 0)
#define RMM_SYSREG_CNTV_CTL   RMM_SYSREG(3, 3, 14, 3, 1)
#define RMM_SYSREG_CNTV_CVAL  RMM_SYSREG(3, 3, 14, 3, 2)
#define RMM_SYSREG_CNTP_CTL   RMM_SYSREG(3, 3, 14, 2, 1)
#define RMM_SYSREG_CNTP_CVAL  RMM_SYSREG(3, 3, 14, 2, 2)
#define RMM_SYSREG_CNTVCT     RMM_SYSREG(3, 3, 14, 0, 2)
#define RMM_SYSREG_TPIDR_EL1  RMM_SYSREG(3, 0, 13, 0, 4)
#define RMM_SYSREG_ID_AA64PFR0 RMM_SYSREG(3, 0, 0, 4, 0)
#define RMM_SYSREG_ICC_SGI1R  RMM_SYSREG(3, 0, 12, 11, 5)

#ifdef __cplusplus
}
#endif
#endif /* RMM_VCPU_H */
