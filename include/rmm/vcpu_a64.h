/*
 * The AArch64 reference vCPU backend: an interpreter for an integer subset
 * of A64 at EL1/EL0 with the EL1 stage-1 MMU (4 KiB granule, TTBR0/TTBR1,
 * levels 0-3), exception vectors and the EL1 system registers, so that real
 * guest code (assembled by clang from examples/guests/ *.S) runs, faults and
 * takes injected exceptions.
 *
 * Implemented: ADD/SUB/ADDS/SUBS (immediate, shifted and extended register),
 * logical (immediate and shifted register), MOVZ/MOVN/MOVK, ADR/ADRP,
 * bitfield moves (UBFM/SBFM/BFM: shifts, extends), EXTR, variable shifts,
 * MADD/MSUB, UDIV/SDIV, CSEL/CSINC/CSINV/CSNEG, CCMP/CCMN (immediate and
 * register), CLZ/RBIT/REV; B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET,
 * ERET; LDR/STR of 8/16/32/64 bits with signed and unsigned loads
 * (unsigned offset, pre/post-index, unscaled, register offset), LDR
 * literal, LDP/STP (signed offset, pre/post-index, LDPSW); MRS/MSR of the
 * EL1 registers the REC state holds, DAIFSet/DAIFClr, SPSel, NZCV, DAIF,
 * CurrentEL, MPIDR_EL1, CNTVCT_EL0, CNTFRQ_EL0; SVC, HVC, SMC, WFI, WFE,
 * barriers, hints, cache and TLB maintenance (no-ops: stage 1 is not
 * cached). Anything else takes an Undefined exception into the realm.
 * Not implemented: FP/SIMD instructions, atomics and exclusives, PAC, MTE,
 * AArch32, SVE.
 */
#ifndef RMM_VCPU_A64_H
#define RMM_VCPU_A64_H

#include <rmm/vcpu.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rmm_a64_ctx;

/* budget: instructions per run() before an IRQ exit (0: 100000). */
RMM_API struct rmm_a64_ctx *rmm_a64_ctx_new(unsigned int budget);
RMM_API void rmm_a64_ctx_free(struct rmm_a64_ctx *ctx);
RMM_API const struct rmm_vcpu_ops *rmm_vcpu_a64_ops(void);
/* Instructions executed so far (all RECs). */
RMM_API uint64_t rmm_a64_retired(const struct rmm_a64_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
