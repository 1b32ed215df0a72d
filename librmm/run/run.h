/*
 * Running a REC: the vCPU handle, the stage-2 service, exception injection
 * and the RSI/PSCI handlers the run loop calls.
 */
#ifndef RMM_RUN_H
#define RMM_RUN_H

#include <rmm/rsi.h>
#include <rmm/vcpu.h>
#include "rec/rec.h"
#include "rtt/rtt.h"

/* The REC while REC_ENTER runs it (the REC granule holds a reference). */
struct rmm_vcpu {
	struct rmm *rmm;
	struct call *call;
	unsigned int cpu;
	struct granule *g_rec, *g_rd;
	struct rec *rec;
	struct realm *realm;     /* immutable fields are read without the RD lock */
	uint64_t rec_pa;
	struct s2_ctx s2;
	bool trap_wfi, trap_wfe;
	struct rmi_rec_exit *exit;  /* the exit being built */
	/* SEA loop detection (run_loop): the IPA and RIPAS of the last SEA the
	 * RMM injected, and how many in a row were for that IPA. */
	bool sea_injected;
	uint64_t sea_ipa, sea_last;
	unsigned int sea_ripas, sea_run;
	bool sea_looped;   /* this REC_ENTER ended on an SEA loop */
};

/* RIPAS value recorded for an SEA with no RIPAS behind it (outside the
 * protected IPA space, or no memory behind a mapping). */
#define RUN_RIPAS_NONE 0xffu
/* RMM-injected SEAs in a row at one IPA that make an SEA loop: the REC_ENTER
 * ends with an IRQ exit and the loop is reported (rmm_realm_sea_loop). */
#define RUN_SEA_LOOP RMM_SEA_LOOP

/* What the RMM does after handling a vCPU exit. */
enum run_action {
	RUN_CONTINUE,   /* back into the realm */
	RUN_EXIT,       /* REC exit to the host; v->exit is filled */
};

/* Where an IPA stands in the realm's tables (lock-free walk). */
struct s2_lookup {
	int level;        /* level of the entry found */
	struct rtte e;    /* decoded entry */
	uint64_t desc;
	int walk_fsc;     /* 0, or the FSC a bad table descriptor gives the walk */
};
/* Takes the CPU's access lock (vcpu_access_begin) for the walk. */
void s2_lookup(struct rmm_vcpu *v, uint64_t ipa, struct s2_lookup *out);
/* rmm_vcpu_translate() for a caller that holds the access lock. */
int s2_translate_locked(struct rmm_vcpu *v, uint64_t ipa, size_t len, enum rmm_vcpu_access acc,
			int s1ptw, void **host, struct rmm_vcpu_exit *fault);

/* Exceptions into the realm (ESR/FAR/ELR/SPSR_EL1, pc = VBAR_EL1 + offset). */
void run_inject_sea(struct rmm_vcpu *v, uint64_t esr_el2, uint64_t far, bool iabt);
void run_inject_undef(struct rmm_vcpu *v);

/* Route a stage-2 abort reported by the backend. */
enum run_action run_handle_abort(struct rmm_vcpu *v, const struct rmm_vcpu_exit *x);
/* An SMC from the realm: RSI, PSCI or neither. */
enum run_action run_handle_smc(struct rmm_vcpu *v);
enum run_action rsi_handle(struct rmm_vcpu *v, uint64_t fid);
enum run_action psci_handle(struct rmm_vcpu *v, uint64_t fid);
enum run_action rsi_attest_init(struct rmm_vcpu *v);
enum run_action rsi_attest_continue(struct rmm_vcpu *v);
/*
 * Copy to or from an RSI buffer at a protected IPA (within one granule).
 * Returns 0 when done; 1 if the IPA has RIPAS EMPTY (the call fails with
 * ERROR_INPUT); 2 if it is not mapped (a data abort exit to the host was
 * built, the SMC is re-executed once the host has mapped it).
 */
int rsi_buffer(struct rmm_vcpu *v, uint64_t ipa, size_t len, enum rmm_vcpu_access acc, void *buf);
/* A trapped system register access (ID registers, GIC SGIs). */
enum run_action run_handle_sysreg(struct rmm_vcpu *v, uint64_t esr);

/* The realm's view of an ID register (key: an RMM_SYSREG encoding); false
 * if key is not in the ID space. */
bool run_id_reg(struct rmm_vcpu *v, uint64_t key, uint64_t *val);

/* A synthetic data abort exit for an RSI buffer at an unmapped IPA. */
void run_exit_buffer_abort(struct rmm_vcpu *v, uint64_t ipa, int level);

#endif
