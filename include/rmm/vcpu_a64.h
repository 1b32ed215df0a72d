/*
 * The AArch64 reference vCPU backend: an interpreter for the integer A64
 * instruction set at EL1/EL0 with the EL1 stage-1 MMU (4 KiB granule,
 * TTBR0/TTBR1, levels 0-3), exception vectors, the EL1 system registers, the
 * generic timers and the GICv3 virtual CPU interface, so that real guest
 * code (clang-assembled examples/guests/ *.S, a Linux kernel) runs, faults
 * and takes interrupts. The CPU profile the realm's ID registers describe is
 * the RMM's (librmm/run/idregs.c) and matches what is executed here.
 *
 * Implemented:
 * - data processing: ADD/SUB/ADDS/SUBS (immediate, shifted, extended),
 *   logical (immediate, shifted), MOVZ/MOVN/MOVK, ADR/ADRP, UBFM/SBFM/BFM,
 *   EXTR, variable shifts, ADC/SBC, MADD/MSUB, SMADDL/SMSUBL/UMADDL/UMSUBL,
 *   SMULH/UMULH, UDIV/SDIV, CSEL/CSINC/CSINV/CSNEG, CCMP/CCMN, CLZ/CLS/RBIT/
 *   REV/REV16/REV32;
 * - branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET; SVC,
 *   HVC, SMC, BRK;
 * - loads/stores: LDR/STR of 8-64 bits, signed loads (unsigned offset,
 *   pre/post-index, unscaled, register offset; LDTR/STTR, checked with
 *   EL0's permissions when executed at EL1), LDR
 *   literal, LDP/STP/LDPSW, PRFM; exclusives LDXR/STXR, LDAXR/STLXR,
 *   LDXP/STXP, LDAXP/STLXP and CLREX with a global exclusive monitor (a
 *   store by another vCPU to a reserved 64-byte granule clears the
 *   reservation; reservations survive REC exits unless another REC ran on
 *   the host CPU); LDAR/STLR of every size, LDAPR (FEAT_LRCPC);
 * - system: MRS/MSR of the EL1 registers the REC holds, NZCV, DAIF (and
 *   DAIFSet/DAIFClr), SPSel, CurrentEL, MPIDR_EL1, CTR_EL0 (64-byte lines,
 *   IDC), DCZID_EL0 (64-byte blocks) with DC ZVA zeroing its block, CLIDR/
 *   CCSIDR, CNTFRQ_EL0 (1 GHz), CNTVCT/CNTPCT_EL0 (rmm_vcpu_counter()),
 *   CNTV and CNTP CTL/CVAL/TVAL, AT S1E1R/W and S1E0R/W into PAR_EL1; WFI
 *   and WFE (exit unless an interrupt is pending); barriers; TLBI
 *   VMALLE1/VAE1/ASIDE1/VAAE1/VALE1/VAALE1 (IS) (drops the stage-1 TLB of
 *   every vCPU), IC IALLU(IS)/IVAU (drops every vCPU's decoded blocks), DC
 *   IVAC/ISW/CSW/CISW/CVAC/CVAU/CIVAC (no data is cached); other SYS
 *   encodings are UNDEFINED;
 * - EL0: SCTLR_EL1.UMA (DAIF, DAIFSet/Clr), DZE (DC ZVA; DCZID_EL0.DZP),
 *   UCT (CTR_EL0), UCI (DC/IC by VA), nTWI/nTWE (WFI/WFE) and CNTKCTL_EL1
 *   EL0PCTEN/EL0VCTEN/EL0VTEN/EL0PTEN gate EL0's accesses: disabled, they
 *   trap to EL1 (EC 0x18 with the instruction's ISS; EC 0x01 for WFx);
 *   TPIDRRO_EL0 is read-only; EL1 and ID registers are UNDEFINED (no
 *   FEAT_IDST). Stage-1 permissions of the EL1&0 regime without PAN: AP
 *   governs data accesses only (EL0 may execute an EL1-only page with UXN
 *   clear), UXN/PXN, no EL1 execution of a page writable at EL0, and
 *   SCTLR_EL1.WXN;
 * - interrupts: the ICC_*_EL1 registers over the REC's list registers
 *   (hal_host/vcpu_a64_gic.c has the model); a pending, enabled group-1
 *   interrupt above PMR and the running priority is taken as an IRQ at
 *   VBAR_EL1 + 0x80/0x280/0x480 when PSTATE.I is clear. An enabled,
 *   unmasked timer whose condition holds and whose PPI (27 virtual, 30
 *   physical) is in no list register ends run() with an IRQ exit, so the
 *   host injects it; so does a host interrupt (rmm_host_irq()), sampled
 *   every 1024 instructions.
 * - SIMD&FP (hal_host/vcpu_a64_fp.c, vcpu_a64_simd.c), every form first
 *   honouring CPACR_EL1.FPEN (disabled: an EC 0x07 trap to EL1): the V
 *   register file, FPCR/FPSR MRS/MSR (writable: FPCR AHP/DN/FZ/RMode; FPSR
 *   NZCV/QC/IDC/cumulative flags); LDR/STR of B/H/S/D/Q (unsigned offset,
 *   pre/post-index, LDUR/STUR, register offset), LDR literal (S/D/Q),
 *   LDP/STP/LDNP/STNP of S/D/Q (offset, pre/post-index), LD1-LD4/ST1-ST4
 *   (multiple structures: LD1/ST1 of 1-4 registers, LD2-4/ST2-4
 *   interleaved; single structure, one lane) and LD1R-LD4R, with
 *   post-index by immediate or register;
 *   MOVI/MVNI/ORR/BIC/FMOV (vector, immediate), DUP (element, general), INS
 *   (general, element), UMOV/SMOV, FMOV (register, general incl. D[1],
 *   immediate; S and D), AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF, NOT, ADD/SUB,
 *   ABS/NEG, CMEQ/CMTST/CMHI/CMHS/CMGT/CMGE (register), CMEQ/CMGT/CMGE/
 *   CMLE/CMLT (zero), SMAX/UMAX/SMIN/UMIN, ADDP (vector and scalar D),
 *   SMAXP/UMAXP/SMINP/UMINP, ADDV/SMAXV/UMAXV/SMINV/UMINV/SADDLV/UADDLV,
 *   SSHR/USHR/SSRA/USRA/SHL/SHRN(2)/SSHLL(2)/USHLL(2), EXT, ZIP1/ZIP2/
 *   UZP1/UZP2/TRN1/TRN2, TBL/TBX (1-4 registers), REV64/REV32/REV16, CNT,
 *   RBIT, XTN(2); (hal_host/vcpu_a64_simd2.c) the three-different forms
 *   S/U ADDL/ADDW/SUBL/SUBW/ABAL/ABDL/MLAL/MLSL/MULL(2), SQDMULL/SQDMLAL/
 *   SQDMLSL(2), ADDHN/RADDHN/SUBHN/RSUBHN(2), PMULL(2) of bytes; MUL, PMUL,
 *   MLA, MLS, S/U ABD/ABA/HADD/RHADD/HSUB/QADD/QSUB, S/U SHL/RSHL/QSHL/
 *   QRSHL (register), SQDMULH/SQRDMULH; CLS, CLZ, S/U ADDLP/ADALP,
 *   SQXTN/UQXTN/SQXTUN(2), SHLL(2), SQABS/SQNEG, SUQADD/USQADD; shifts by
 *   immediate S/U RSHR, RSRA, SRI, SLI, SQSHLU, SQSHL/UQSHL, RSHRN(2),
 *   SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/SQSHRUN/SQRSHRUN(2), vector and scalar
 *   (and scalar SSHR/USHR/SSRA/USRA/SHL); by element (H, S) MUL, MLA,
 *   MLS, SQDMULH, SQRDMULH, S/U MULL/MLAL/MLSL(2), SQDMULL/SQDMLAL/
 *   SQDMLSL(2); scalar SQADD/UQADD/SQSUB/UQSUB/SQSHL/UQSHL/SQRSHL/UQRSHL,
 *   SUQADD/USQADD, SQABS/SQNEG, SQDMULH/SQRDMULH, SQXTN/UQXTN/SQXTUN and,
 *   on D, ADD/SUB, CMxx (register, #0), SSHL/USHL/SRSHL/URSHL, ABS/NEG;
 *   with FPSR.QC on saturation; scalar FP on S and D (hal_host/vcpu_a64_fpu.c):
 *   FADD/FSUB/FMUL/FDIV/FNMUL, FMAX/FMIN/FMAXNM/FMINNM, FABS/FNEG/FSQRT,
 *   FCVT S<->D, FCMP/FCMPE (register, #0.0), FCSEL, FMADD/FMSUB/FNMADD/
 *   FNMSUB, FRINT{N,P,M,Z,A,X,I}, FCCMP/FCCMPE, SCVTF/UCVTF and
 *   FCVT{N,P,M,Z,A}{S,U} to/from W and X (and the fixed-point SCVTF/UCVTF/
 *   FCVTZS/FCVTZU, also on V-register elements), FRINT* on vectors of
 *   S/D, and the same
 *   conversions on S/D elements in V registers (AdvSIMD scalar and vector
 *   FCVT{N,P,M,Z,A}{S,U}, SCVTF/UCVTF, integer forms); FP on vectors of
 *   S/D (hal_host/vcpu_a64_fpv.c): FADD/FSUB/FMUL/FDIV/FMULX, FMAX/FMIN/
 *   FMAXNM/FMINNM, FMLA/FMLS, FABD, FCMEQ/FCMGE/FCMGT/FACGE/FACGT,
 *   FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP, FABS/FNEG/FSQRT, FCMxx against
 *   zero, FCVTL(2)/FCVTN(2) between S and D, FMAXV/FMINV/FMAXNMV/FMINNMV,
 *   FMLA/FMLS/FMUL/FMULX by element, FRECPE/FRSQRTE (the architecture's
 *   estimates) and FRECPS/FRSQRTS, and the scalar FMULX, FABD, compares,
 *   pairwise, by-element, estimate and step forms; all honouring
 *   FPCR.RMode/DN/FZ, Arm NaN selection and the default NaN, saturation,
 *   and accumulating FPSR flags (UFC: the host detects tininess after
 *   rounding, Arm before). Not executed (UNDEFINED): FP16 and the
 *   half-precision conversions, FRINT32/64 (FEAT_FRINTTS), FRECPX,
 *   URECPE/URSQRTE, FCVTXN, the scalar integer by-element forms, SDOT/UDOT and SQRDMLAH/SQRDMLSH
 *   (not in the profile), PMULL of 64-bit elements.
 * Not implemented (UNDEFINED, never a silent no-op): the SIMD&FP forms
 * above, LSE atomics and CAS, PAC (the HINT-space forms are NOPs), MTE,
 * SVE, AArch32, LOR, breakpoints/watchpoints (their registers read as zero
 * in the RMM).
 */
#ifndef RMM_VCPU_A64_H
#define RMM_VCPU_A64_H

#include <rmm/vcpu.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rmm_a64_ctx;

/* budget: instructions per run() before an IRQ exit (0: 100000). A context
 * keeps per-host-CPU state (exclusive monitor, stage-1 TLB, decoded blocks)
 * indexed by the RMM's CPU number: give each instance that runs RECs at the
 * same time as another its own context. */
RMM_API struct rmm_a64_ctx *rmm_a64_ctx_new(unsigned int budget);
RMM_API void rmm_a64_ctx_free(struct rmm_a64_ctx *ctx);
/* Forget every exclusive reservation, cached translation, decoded block and
 * count, as a fresh context (no run() may be in progress). rmm_reset() does
 * this to the instance's default context. */
RMM_API void rmm_a64_ctx_reset(struct rmm_a64_ctx *ctx);
RMM_API const struct rmm_vcpu_ops *rmm_vcpu_a64_ops(void);
/* Instructions executed so far (all RECs). */
RMM_API uint64_t rmm_a64_retired(const struct rmm_a64_ctx *ctx);

/*
 * Decoded blocks (on by default): up to 32 instructions of one page fetched
 * through rmm_vcpu_access() at once and executed again without a fetch while
 * the translation they were fetched under holds: the same stage-1 VA -> IPA
 * with execute permission at the same EL, the same rmm_vcpu_fetch_gen()
 * token (no TLBI reached the CPU, no PAS changed), and no IC instruction
 * since. Off: every instruction is fetched (the RMM's TLB checking mode and
 * fault injection have the same effect). rmm_a64_block_stats() counts block
 * fetches and block executions (each fetch included), for tests and benches.
 * The checks are made as a block is entered (its instructions are fetched
 * then, as into a pipeline): a block running when another CPU's
 * invalidation completes finishes (32 instructions at most, and any branch,
 * exception or system instruction ends it); no block is entered after it.
 */
RMM_API void rmm_a64_set_blocks(struct rmm_a64_ctx *ctx, int on);
RMM_API void rmm_a64_block_stats(const struct rmm_a64_ctx *ctx, uint64_t *fills, uint64_t *runs);

#ifdef __cplusplus
}
#endif
#endif
