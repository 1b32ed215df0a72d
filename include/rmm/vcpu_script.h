/*
 * The scripted vCPU backend: a realm "program" is a list of steps (memory
 * accesses, SMC/HVC calls, WFI/WFE, system register accesses, spinning). Unit
 * tests and fuzzers use it to drive RSI, PSCI and every exit path without an
 * instruction set. The REC's pc is 4 x the index of the next step, so the
 * RMM's "advance the PC" and "re-execute" work unchanged.
 *
 * Results: each step records what the realm saw (registers after an SMC, the
 * value read, exceptions taken while on it).
 * An exception injected while on step i is recorded on step i, and the
 * program goes on at step i + 1 (the handler "skips" the instruction).
 */
#ifndef RMM_VCPU_SCRIPT_H
#define RMM_VCPU_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/vcpu.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rmm_script_op {
	RMM_STEP_END = 0,  /* the program is over: every run returns an IRQ exit */
	RMM_STEP_READ,     /* x[rt] = *(size *)addr */
	RMM_STEP_WRITE,    /* *(size *)addr = value (held in x[rt]) */
	RMM_STEP_FETCH,    /* an instruction fetch from addr */
	RMM_STEP_SMC,      /* x0..x6 = arg[0..6]; SMC #0 */
	RMM_STEP_HVC,      /* x0..x6 = arg[0..6]; HVC #0 */
	RMM_STEP_WFI,
	RMM_STEP_WFE,
	RMM_STEP_MRS,      /* x[rt] = sysreg arg[0] (op0:op1:CRn:CRm:op2 as in ESR ISS) */
	RMM_STEP_MSR,      /* sysreg arg[0] = value */
	RMM_STEP_SPIN,     /* use up arg[0] steps of budget */
};

struct rmm_script_step {
	uint32_t op;
	uint32_t size;       /* READ/WRITE: 1, 2, 4 or 8 */
	uint32_t rt;         /* READ/WRITE/MRS/MSR: the register (0..30) */
	uint32_t sign;       /* READ: sign-extend (SSE) into a 64-bit register */
	uint64_t addr;       /* READ/WRITE/FETCH: IPA (stage 1 is off) */
	uint64_t value;      /* WRITE/MSR: the value */
	uint64_t arg[7];     /* SMC/HVC: x0..x6; MRS/MSR: arg[0] = encoding; SPIN: count */
};

struct rmm_script_result {
	uint32_t done;       /* the step completed */
	uint32_t exceptions; /* exceptions taken while on this step */
	uint64_t x[8];       /* x0..x7 when it completed (READ/MRS: x[0] is the value) */
	uint64_t esr_el1, far_el1; /* of the last exception taken on it */
};

struct rmm_script {
	const struct rmm_script_step *steps;
	size_t n;
	struct rmm_script_result *res;  /* n entries, zeroed by attach */
};

struct rmm_script_ctx;

/* A backend context holding one script per REC; budget = steps per run. */
RMM_API struct rmm_script_ctx *rmm_script_ctx_new(unsigned int budget);
RMM_API void rmm_script_ctx_free(struct rmm_script_ctx *ctx);
RMM_API int rmm_script_attach(struct rmm_script_ctx *ctx, uint64_t rec_pa, struct rmm_script *s);
RMM_API const struct rmm_vcpu_ops *rmm_vcpu_script_ops(void);

#ifdef __cplusplus
}
#endif
#endif
