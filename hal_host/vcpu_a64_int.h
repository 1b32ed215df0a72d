/* Private to the AArch64 interpreter (vcpu_a64*.c). */
#ifndef HAL_HOST_VCPU_A64_INT_H
#define HAL_HOST_VCPU_A64_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <rmm/vcpu_a64.h>

/* What executing one instruction did. */
enum { DONE, EXC, STOP };

/* Exclusive monitor slots: one per host CPU (a REC runs on one at a time). */
#define A64_MON_SLOTS RMM_MAX_CPUS
#define A64_ERG 64u            /* reservation granule (CTR_EL0.ERG = 4) */
#define A64_DCZ 64u            /* DC ZVA block (DCZID_EL0.BS = 4) */
#define MON_VALID 1ull
#define MON_BUSY 2ull

/* The local half of a host CPU's exclusive monitor: what LDXR/LDXP read,
 * kept across REC exits while the same REC runs on that CPU again. */
struct a64_local {
	uint64_t rec;                /* REC PA the reservation belongs to */
	uint64_t ipa, val[2];
	unsigned int size;           /* bytes of one register; 0: none */
	bool pair;
};

/* A cached stage-1 translation of one 4 KiB page (valid iff gen matches). */
#define A64_S1_TLB 512
struct s1_tlbe {
	uint64_t vpage, ipage, attr;  /* attr: AP[2:1], PXN, UXN of the leaf */
	uint32_t gen;
	uint32_t level;
};

/* A decoded block: up to A64_BLK_INSNS instructions fetched at once from
 * one page, kept while the translation it was fetched under holds: the same
 * VA -> IPA at the same EL (the stage-1 TLB), the same stage-2/GPT state
 * (rmm_vcpu_fetch_gen()) and no IC instruction since (ic_gen). */
struct cpu;
#define A64_BLK_INSNS 32u
#define A64_BLKS 4096u
#define A64_IC_PAGES 4096u
struct a64_blk {
	uint64_t va, ipa, token, icgen;
	unsigned int n, el;
	uint64_t icpage;             /* ic_page[] of its IPA page at the fetch */
	uint32_t in[A64_BLK_INSNS];
};

struct rmm_a64_ctx {
	unsigned int budget;
	_Atomic uint64_t retired;
	/* The global exclusive monitor: slot[cpu] = reserved IPA granule |
	 * MON_VALID (| MON_BUSY while that CPU's store-exclusive commits). */
	_Atomic uint64_t mon[A64_MON_SLOTS];
	_Atomic unsigned int nres;   /* valid slots */
	struct a64_local local[A64_MON_SLOTS];
	struct s1_tlbe tlb[A64_MON_SLOTS][A64_S1_TLB];  /* per host CPU */
	uint32_t tlb_gen[A64_MON_SLOTS];
	_Atomic uint64_t tlbi_gen;   /* bumped by every TLBI a vCPU executes */
	struct a64_blk *blk[A64_MON_SLOTS];  /* per host CPU, allocated on first run */
	_Atomic uint64_t ic_gen;     /* bumped by IC IALLU(IS), and IC IVAU of an
				      * address not in the stage-1 TLB */
	_Atomic uint64_t ic_page[A64_IC_PAGES];  /* IC IVAU, by IPA page hash */
	_Atomic bool blk_off;        /* rmm_a64_set_blocks(ctx, false) */
	_Atomic uint64_t blk_fills, blk_runs;
};

struct cpu {
	struct rmm_vcpu *v;
	struct rmm_vcpu_regs *r;
	struct rmm_vcpu_exit *x;
	struct rmm_a64_ctx *ctx;
	unsigned int slot;           /* this host CPU's monitor slot */
	bool check_irq;              /* re-evaluate interrupts before the next step */
	struct a64_local *lo;        /* this host CPU's local monitor */
	struct s1_tlbe *tlb;         /* this host CPU's stage-1 TLB */
	uint32_t tlb_gen;            /* entries of other generations are invalid */
	uint64_t tlbi_seen;          /* ctx->tlbi_gen when the TLB was last flushed */
	struct a64_blk *blks;        /* this host CPU's decoded blocks (or NULL) */
	uint64_t blk_fills, blk_runs;
	bool unpriv;                 /* LDTR/STTR at EL1: EL0's permissions */
	/* AT: walk stage 1 without taking a fault */
	bool probe;
	unsigned int probe_el, probe_fsc;
};

#define A64_PPI_VTIMER 27u
#define A64_PPI_PTIMER 30u

#define BIT(v, n) (((v) >> (n)) & 1u)
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1ull << ((hi) - (lo) + 1)) - 1))
#define OA_MASK 0x0000fffffffff000ull

/* Sign-extend the low 'bits' bits of v (well defined for every input). */
static inline int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static inline unsigned int el(const struct cpu *c)
{
	return (unsigned int)BITS(c->r->pstate, 3, 2);
}

static inline uint64_t *sp(struct cpu *c)
{
	return (el(c) == 0 || !(c->r->pstate & 1)) ? &c->r->sp_el0 : &c->r->sp_el1;
}

static inline uint64_t xr(struct cpu *c, unsigned int n)
{
	return n == 31 ? 0 : c->r->x[n];
}

static inline uint64_t xsp(struct cpu *c, unsigned int n)
{
	return n == 31 ? *sp(c) : c->r->x[n];
}

static inline void setx(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (n != 31)
		c->r->x[n] = sf ? v : (uint32_t)v;
}

static inline void setxsp(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (!sf)
		v = (uint32_t)v;
	if (n == 31)
		*sp(c) = v;
	else
		c->r->x[n] = v;
}

enum acc { RD = 0, WR = 1, FETCH = 2 };

/* vcpu_a64.c */
int a64_take(struct cpu *c, unsigned int ec, uint64_t iss, uint64_t far, uint64_t ret);
int a64_undef(struct cpu *c);
int a64_mem(struct cpu *c, uint64_t va, void *buf, unsigned int size, enum acc a, uint64_t syn);
int a64_translate(struct cpu *c, uint64_t va, enum acc a, uint64_t *ipa);
/* The stage-1 TLB's translation of a fetch at va, if it holds one that
 * permits the fetch at the current EL (or stage 1 is off); never faults. */
bool a64_fetch_cached(struct cpu *c, uint64_t va, uint64_t *ipa);
/* vcpu_a64_blk.c: decoded blocks */
static inline unsigned int a64_blk_slot(uint64_t va)
{
	uint64_t w = va >> 2;

	return (unsigned int)((w ^ (w >> 10) ^ (w >> 19)) % A64_BLKS);
}
static inline unsigned int a64_ic_page(uint64_t ipa)
{
	uint64_t p = ipa >> 12;

	return (unsigned int)((p ^ (p >> 12)) % A64_IC_PAGES);
}
/* IC IVAU (va) or IC IALLU/IALLUIS (all): drop decoded blocks on every vCPU. */
void a64_ic(struct cpu *c, bool all, uint64_t va);
typedef int (*a64_group_fn)(struct cpu *c, uint32_t in);
a64_group_fn a64_group(uint32_t in);
/* The decoded block starting at the PC, fetched now if need be: DONE and
 * *out (NULL: execute one instruction the slow way), or STOP with the fetch
 * fault in the exit. */
int a64_blk_get(struct cpu *c, struct a64_blk **out);
/* Drop every cached stage-1 translation (TLBI; TTBR, TCR, SCTLR writes). */
void a64_tlb_flush(struct cpu *c);
/* AT: 0 and *ipa, the fault status code (> 0), or -1: stage 2 stopped it. */
int a64_probe(struct cpu *c, uint64_t va, enum acc a, bool el0, uint64_t *ipa);
/* An alignment fault (DFSC 0x21) on a data access at va. */
int a64_align_fault(struct cpu *c, uint64_t va, enum acc a);
/* Take an IRQ exception to EL1 (vector offset + 0x80); pc not yet executed. */
int a64_take_irq(struct cpu *c);
bool a64_cond_holds(const struct cpu *c, unsigned int cond);
void a64_set_nzcv(struct cpu *c, unsigned int nzcv);
/* vcpu_a64_dp.c: data processing */
uint64_t a64_add_flags(struct cpu *c, uint64_t x, uint64_t y, unsigned int carry, bool sf, bool set);
uint64_t a64_extend(uint64_t v, unsigned int option, unsigned int shift);
uint64_t a64_ones(unsigned int n);
int a64_dp_imm(struct cpu *c, uint32_t in);
int a64_dp_reg(struct cpu *c, uint32_t in);
/* vcpu_a64_ctl.c: loads and stores, branches, exceptions, system */
int a64_ldst(struct cpu *c, uint32_t in);
int a64_branch(struct cpu *c, uint32_t in);
/* vcpu_a64_ex.c: exclusives, acquire/release, the global monitor */
int a64_ldst_excl(struct cpu *c, uint32_t in);
void a64_mon_clear(struct cpu *c);
void a64_mon_store(struct cpu *c, uint64_t ipa, unsigned int size);
/* vcpu_a64_fp.c: the SIMD&FP register file, loads/stores, scalar moves */
uint8_t *a64_vreg(struct cpu *c, unsigned int n);
void a64_vset(struct cpu *c, unsigned int n, const void *buf, unsigned int bytes);
/* CPACR_EL1.FPEN: DONE if SIMD&FP may be used at the current EL, else the
 * access trap (EC 0x07) is taken to EL1 and EXC returned. */
int a64_fp_trap(struct cpu *c);
int a64_fp_ldst(struct cpu *c, uint32_t in);
int a64_fp_scalar(struct cpu *c, uint32_t in);
/* vcpu_a64_fpu.c: scalar FP arithmetic, compares, conversions (FPEN checked) */
int a64_fpu(struct cpu *c, uint32_t in);
/* vcpu_a64_fpu_vec.c: */
/* FP <-> integer conversions on S/D elements in V registers (AdvSIMD scalar
 * and vector two-register misc, opcodes 0x1a-0x1d; FPEN checked) */
int a64_fp_vcvt(struct cpu *c, uint32_t in);
/* fixed-point SCVTF/UCVTF/FCVTZS/FCVTZU between S/D and W/X (FPEN checked) */
int a64_fpu_fixed(struct cpu *c, uint32_t in);
/* the AdvSIMD (vector, scalar) fixed-point SCVTF/UCVTF/FCVTZS/FCVTZU */
int a64_fp_vfixed(struct cpu *c, uint32_t in);
/* One S (dbl false) or D element under the current FPCR, with the Arm NaN,
 * default-NaN and flush-to-zero rules; exception flags ORed into *fl (the
 * caller adds them to FPSR). op2: 0 FMUL, 1 FDIV, 2 FADD, 3 FSUB, 4 FMAX,
 * 5 FMIN, 6 FMAXNM, 7 FMINNM, A64_FPE_MULX. cmp: 0 equal, 1 less, 2
 * greater, 3 unordered (IOC for any NaN if signal, else for an SNaN). cvt:
 * FCVT from the other width to to_dbl's. */
#define A64_FPE_MULX 8u
uint64_t a64_fpe_op2(const struct cpu *c, bool dbl, unsigned int op, uint64_t a, uint64_t b,
		     unsigned int *fl);
uint64_t a64_fpe_fma(const struct cpu *c, bool dbl, uint64_t acc, uint64_t n, uint64_t m,
		     unsigned int *fl);
unsigned int a64_fpe_cmp(const struct cpu *c, bool dbl, uint64_t a, uint64_t b, bool signal,
			 unsigned int *fl);
uint64_t a64_fpe_sqrt(const struct cpu *c, bool dbl, uint64_t a, unsigned int *fl);
uint64_t a64_fpe_cvt(const struct cpu *c, bool to_dbl, uint64_t b, unsigned int *fl);
/* FRECPE / FRSQRTE (rsqrt) estimates; FRECPS / FRSQRTS steps */
uint64_t a64_fpe_est(const struct cpu *c, bool dbl, uint64_t a, bool rsqrt, unsigned int *fl);
uint64_t a64_fpe_step(const struct cpu *c, bool dbl, uint64_t a, uint64_t b, bool rsqrt,
		      unsigned int *fl);
/* vcpu_a64_fpv.c: FP arithmetic on AdvSIMD vectors and scalars (FPEN checked) */
int a64_fpv_same(struct cpu *c, uint32_t in);
int a64_fpv_misc(struct cpu *c, uint32_t in);
int a64_fpv_pair(struct cpu *c, uint32_t in);  /* scalar pairwise, across lanes */
int a64_fpv_elem(struct cpu *c, uint32_t in);
/* vcpu_a64_simd.c: SIMD&FP data processing (bits 28:25 = x111) */
int a64_simd(struct cpu *c, uint32_t in);
/* vcpu_a64_simd2.c: widening, narrowing, halving, saturating, multiplying
 * integer AdvSIMD (vector); FPEN checked by the caller */
int a64_simd_3diff(struct cpu *c, uint32_t in);
int a64_simd_same2(struct cpu *c, uint32_t in);
int a64_simd_misc2(struct cpu *c, uint32_t in);
int a64_simd_shift2(struct cpu *c, uint32_t in);  /* vector and scalar */
int a64_simd_elem(struct cpu *c, uint32_t in);    /* integer by element */
int a64_simd_scalar_int(struct cpu *c, uint32_t in);  /* scalar 3-same, 2-misc */
/* vcpu_a64_sys.c: system registers, timers, the GIC CPU interface */
int a64_sys(struct cpu *c, uint32_t in);
/* Before a step: STOP with an IRQ exit if the host must service a timer or
 * a host interrupt (rmm_host_irq()), EXC if a virtual interrupt was taken,
 * DONE otherwise. */
int a64_poll(struct cpu *c);
/* WFI/WFE: DONE (wake at once: an interrupt is pending) or STOP. */
int a64_wfx(struct cpu *c, bool wfe);
/* vcpu_a64_gic.c: the GIC virtual CPU interface over the REC's list registers */
bool a64_gic_reg(struct cpu *c, uint32_t key, bool l, uint64_t *val);
bool a64_gic_holds(const struct rmm_vcpu_gic *g, unsigned int intid);
/* Is a virtual interrupt signalled to the PE? (respect_prio: against the
 * running priority and PMR, as for taking it; else any pending one, as
 * for waking from WFI) */
bool a64_gic_signalled(struct cpu *c, const struct rmm_vcpu_gic *g, bool respect_prio);

#endif
