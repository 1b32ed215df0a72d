/*
 * The AArch64 interpreter: system instructions and registers, the generic
 * timers and interrupt delivery. The GIC virtual CPU interface (ICC_*_EL1)
 * is in vcpu_a64_gic.c; ID registers and anything else not handled here trap
 * to the RMM (an EC 0x18 exit), which owns the realm's CPU profile.
 */
#include "vcpu_a64_int.h"

#define K(o0, o1, n, m, o2) (((o0) << 14) | ((o1) << 11) | ((n) << 7) | ((m) << 3) | (o2))

/* Cache geometry the guest sees: 64-byte lines, PIPT I-cache, IDC (no clean
 * to PoU needed for instruction fetches to see data), ERG and CWG 64 bytes. */
#define A64_CTR_EL0 ((1ull << 31) | (1ull << 28) | (4ull << 24) | (4ull << 20) | (4ull << 16) | \
		     (3ull << 14) | 4ull)
#define A64_DCZID_EL0 4ull  /* DC ZVA permitted, block 2^4 words = 64 bytes */
/* CLIDR: L1 separate I and D; LoUIS, LoC, LoUU = 1. */
#define A64_CLIDR_EL1 ((1ull << 27) | (1ull << 24) | (1ull << 21) | 3ull)
/* CCSIDR for L1: 64-byte lines (2), 4 ways, 128 sets (32 KiB). */
#define A64_CCSIDR_EL1 ((127ull << 13) | (3ull << 3) | 2ull)

/* SCTLR_EL1 controls of EL0 (set: EL0 may). */
#define SCTLR_UMA (1ull << 9)    /* DAIF */
#define SCTLR_DZE (1ull << 14)   /* DC ZVA */
#define SCTLR_UCT (1ull << 15)   /* CTR_EL0 */
#define SCTLR_NTWI (1ull << 16)  /* WFI (clear: traps) */
#define SCTLR_NTWE (1ull << 18)  /* WFE (clear: traps) */
#define SCTLR_UCI (1ull << 26)   /* DC CVAU/CVAC/CIVAC, IC IVAU */

/* The ISS of a trapped MSR, MRS or SYS (EC 0x18): Op0, Op2, Op1, CRn, Rt,
 * CRm, Direction (1: read), from the instruction's own fields. */
static uint64_t sys_iss(uint32_t in)
{
	return ((uint64_t)BITS(in, 20, 19) << 20) | ((uint64_t)BITS(in, 7, 5) << 17) |
	       ((uint64_t)BITS(in, 18, 16) << 14) | ((uint64_t)BITS(in, 15, 12) << 10) |
	       ((uint64_t)(in & 31) << 5) | ((uint64_t)BITS(in, 11, 8) << 1) | BIT(in, 21);
}

/* An EL0 access that an EL1 control (SCTLR_EL1, CNTKCTL_EL1) disables:
 * taken to EL1 as a trapped MSR/MRS/SYS (EC 0x18). */
static int trap_el1(struct cpu *c, uint32_t in)
{
	return a64_take(c, 0x18, sys_iss(in), 0, c->r->pc);
}

/* Does an EL0 MRS/MSR of 'key' (op1 = 3) trap to EL1 under the EL1
 * controls? SCTLR_EL1.UMA (DAIF), UCT (CTR_EL0); CNTKCTL_EL1.EL0PCTEN
 * (bit 0: CNTPCT), EL0VCTEN (1: CNTVCT; either for CNTFRQ), EL0VTEN (8:
 * CNTV_*), EL0PTEN (9: CNTP_*). */
static bool el0_trapped(const struct cpu *c, uint32_t key)
{
	uint64_t sctlr = c->r->sctlr_el1, k = c->r->cntkctl_el1;

	switch (key) {
	case K(3, 3, 4, 2, 1): return !(sctlr & SCTLR_UMA);
	case K(3, 3, 0, 0, 1): return !(sctlr & SCTLR_UCT);
	case K(3, 3, 14, 0, 0): return !(k & 3);
	case K(3, 3, 14, 0, 1): return !BIT(k, 0);
	case K(3, 3, 14, 0, 2): return !BIT(k, 1);
	case K(3, 3, 14, 3, 0): case K(3, 3, 14, 3, 1): case K(3, 3, 14, 3, 2):
		return !BIT(k, 8);
	case K(3, 3, 14, 2, 0): case K(3, 3, 14, 2, 1): case K(3, 3, 14, 2, 2):
		return !BIT(k, 9);
	default: return false;
	}
}

static uint64_t *sysreg(struct cpu *c, uint32_t key)
{
	struct rmm_vcpu_regs *r = c->r;

	switch (key) {
	case K(3, 0, 1, 0, 0): return &r->sctlr_el1;
	case K(3, 0, 1, 0, 1): return &r->actlr_el1;
	case K(3, 0, 1, 0, 2): return &r->cpacr_el1;
	case K(3, 0, 2, 0, 0): return &r->ttbr0_el1;
	case K(3, 0, 2, 0, 1): return &r->ttbr1_el1;
	case K(3, 0, 2, 0, 2): return &r->tcr_el1;
	case K(3, 0, 4, 0, 0): return &r->spsr_el1;
	case K(3, 0, 4, 0, 1): return &r->elr_el1;
	case K(3, 0, 4, 1, 0): return &r->sp_el0;
	case K(3, 0, 5, 1, 0): return &r->afsr0_el1;
	case K(3, 0, 5, 1, 1): return &r->afsr1_el1;
	case K(3, 0, 5, 2, 0): return &r->esr_el1;
	case K(3, 0, 6, 0, 0): return &r->far_el1;
	case K(3, 0, 7, 4, 0): return &r->par_el1;
	case K(3, 0, 10, 2, 0): return &r->mair_el1;
	case K(3, 0, 10, 3, 0): return &r->amair_el1;
	case K(3, 0, 12, 0, 0): return &r->vbar_el1;
	case K(3, 0, 13, 0, 1): return &r->contextidr_el1;
	case K(3, 0, 13, 0, 4): return &r->tpidr_el1;
	case K(3, 3, 13, 0, 2): return &r->tpidr_el0;
	case K(3, 3, 13, 0, 3): return &r->tpidrro_el0;
	case K(3, 0, 14, 1, 0): return &r->cntkctl_el1;
	case K(2, 0, 0, 2, 2): return &r->mdscr_el1;
	case K(3, 2, 0, 0, 0): return &r->csselr_el1;
	case K(3, 3, 4, 4, 0): return &r->fpcr;
	case K(3, 3, 4, 4, 1): return &r->fpsr;
	default: return NULL;
	}
}

static uint64_t timer_ctl_read(uint64_t ctl, uint64_t cval, uint64_t now)
{
	ctl &= 3;
	if ((ctl & 1) && now >= cval)
		ctl |= 4;  /* ISTATUS */
	return ctl;
}

/* Timers and counters; returns false if key is none of them. */
static bool timer_reg(struct cpu *c, uint32_t key, bool l, uint64_t *val)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t *ctl, *cval;

	switch (key) {
	case K(3, 3, 14, 0, 0):  /* CNTFRQ_EL0 */
		if (!l && el(c) == 0)
			return false;
		if (l)
			*val = RMM_CNTFRQ_HZ;
		return true;   /* a write at EL1 is ignored: the frequency is fixed */
	case K(3, 3, 14, 0, 1):  /* CNTPCT_EL0 */
	case K(3, 3, 14, 0, 2):  /* CNTVCT_EL0 */
		if (!l)
			return false;
		*val = rmm_vcpu_counter(c->v);
		return true;
	case K(3, 3, 14, 3, 0): case K(3, 3, 14, 3, 1): case K(3, 3, 14, 3, 2):
		ctl = &r->cntv_ctl;
		cval = &r->cntv_cval;
		break;
	case K(3, 3, 14, 2, 0): case K(3, 3, 14, 2, 1): case K(3, 3, 14, 2, 2):
		ctl = &r->cntp_ctl;
		cval = &r->cntp_cval;
		break;
	default:
		return false;
	}
	c->check_irq = true;
	switch (key & 7) {
	case 0:  /* TVAL: a signed 32-bit down-counter view of CVAL */
		if (l)
			*val = (uint32_t)(*cval - rmm_vcpu_counter(c->v));
		else
			*cval = rmm_vcpu_counter(c->v) + (uint64_t)sext(*val, 32);
		break;
	case 1:
		if (l)
			*val = timer_ctl_read(*ctl, *cval, rmm_vcpu_counter(c->v));
		else
			*ctl = *val & 3;
		break;
	default:
		if (l)
			*val = *cval;
		else
			*cval = *val;
		break;
	}
	return true;
}

/* Registers the interpreter itself implements; false: trap to the RMM. */
static bool local_reg(struct cpu *c, uint32_t key, bool l, uint64_t *val)
{
	uint64_t *f;

	switch (key) {
	case K(3, 3, 4, 2, 0):  /* NZCV */
		if (l)
			*val = c->r->pstate & (0xfull << 28);
		else
			c->r->pstate = (c->r->pstate & ~(0xfull << 28)) | (*val & (0xfull << 28));
		return true;
	case K(3, 3, 4, 2, 1):  /* DAIF */
		if (l) {
			*val = c->r->pstate & (0xfull << 6);
		} else {
			c->r->pstate = (c->r->pstate & ~(0xfull << 6)) | (*val & (0xfull << 6));
			c->check_irq = true;
		}
		return true;
	case K(3, 0, 4, 2, 2):  /* CurrentEL */
		if (l)
			*val = (uint64_t)el(c) << 2;
		return l;
	case K(3, 0, 4, 2, 0):  /* SPSel */
		if (l)
			*val = c->r->pstate & 1;
		else
			c->r->pstate = (c->r->pstate & ~1ull) | (*val & 1);
		return true;
	case K(3, 0, 0, 0, 5): {  /* MPIDR_EL1 */
		unsigned int n = rmm_vcpu_index(c->v);

		*val = (1ull << 31) | (n & 0xf) | ((uint64_t)((n >> 4) & 0xff) << 8) |
		       ((uint64_t)((n >> 12) & 0xff) << 16);
		return l;
	}
	case K(3, 3, 0, 0, 1):  /* CTR_EL0 */
		*val = A64_CTR_EL0;
		return l;
	case K(3, 3, 0, 0, 7):  /* DCZID_EL0; DZP: DC ZVA prohibited at this EL */
		*val = A64_DCZID_EL0 |
		       (el(c) == 0 && !(c->r->sctlr_el1 & SCTLR_DZE) ? 1ull << 4 : 0);
		return l;
	case K(3, 1, 0, 0, 1):  /* CLIDR_EL1 */
		*val = A64_CLIDR_EL1;
		return l;
	case K(3, 1, 0, 0, 0):  /* CCSIDR_EL1 of the level CSSELR selects */
		*val = (c->r->csselr_el1 & ~1ull) == 0 ? A64_CCSIDR_EL1 : 0;
		return l;
	default:
		break;
	}
	if (timer_reg(c, key, l, val))
		return true;
	if (a64_gic_reg(c, key, l, val))
		return true;
	f = sysreg(c, key);
	if (!f)
		return false;
	if (!l && el(c) == 0 && f == &c->r->tpidrro_el0)
		return false;  /* read-only at EL0: UNDEFINED (the RMM injects it) */
	if (l) {
		*val = *f;
	} else {
		*f = *val;
		if (f == &c->r->fpcr)  /* AHP, DN, FZ, RMode; no trapped exceptions */
			*f &= 0x07c00000ull;
		if (f == &c->r->fpsr)  /* NZCV, QC, IDC, the cumulative flags */
			*f &= 0xf800009full;
		if (f == &c->r->sctlr_el1 || f == &c->r->tcr_el1 || f == &c->r->ttbr0_el1 ||
		    f == &c->r->ttbr1_el1)
			a64_tlb_flush(c);  /* cached translations depend on them */
	}
	return true;
}

/* DC ZVA: zero the aligned block, checked as a store of every byte. */
static int dc_zva(struct cpu *c, uint64_t va)
{
	static const uint8_t zero[A64_DCZ];

	return a64_mem(c, va & ~(uint64_t)(A64_DCZ - 1), (void *)zero, A64_DCZ, WR, 0);
}

/* AT S1E1R/W, S1E0R/W: a stage-1 walk that reports in PAR_EL1. */
static int at(struct cpu *c, unsigned int op2, uint64_t va)
{
	uint64_t ipa = 0;
	int rc = a64_probe(c, va, (op2 & 1) ? WR : RD, op2 >= 2, &ipa);

	if (rc < 0)
		return STOP;  /* stage 2 refused the walk: the RMM decides */
	c->r->par_el1 = rc == 0 ? (ipa & OA_MASK) : (1ull | ((uint64_t)rc << 1));
	return DONE;
}

/* SYS (op0 = 1): DC, IC, AT, TLBI; anything else is UNDEFINED. EL0 has DC
 * ZVA (SCTLR_EL1.DZE) and DC CVAC/CVAU/CIVAC, IC IVAU (SCTLR_EL1.UCI),
 * each trapping to EL1 when disabled. EL1 also has IC IALLU(IS), DC IVAC/
 * ISW/CSW/CISW, AT S1E1R/W/S1E0R/W and the TLBI ...E1(IS) forms (no
 * FEAT_TLBIOS or FEAT_TLBIRANGE, no FEAT_DPB: DC CVAP is UNDEFINED). */
static int sys_op(struct cpu *c, uint32_t in)
{
	unsigned int op1 = BITS(in, 18, 16), crn = BITS(in, 15, 12), crm = BITS(in, 11, 8);
	unsigned int op2 = BITS(in, 7, 5), rt = in & 31;
	uint64_t sctlr = c->r->sctlr_el1;
	bool el0 = el(c) == 0;

	if (op1 == 3 && crn == 7 && op2 == 1) {
		if (crm == 4) {  /* DC ZVA */
			if (el0 && !(sctlr & SCTLR_DZE))
				return trap_el1(c, in);
			return dc_zva(c, xr(c, rt));
		}
		if (crm != 5 && crm != 10 && crm != 11 && crm != 14)
			return a64_undef(c);
		if (el0 && !(sctlr & SCTLR_UCI))
			return trap_el1(c, in);
		/* DC CVAC/CVAU/CIVAC: no data is cached. IC IVAU: every vCPU
		 * drops its decoded blocks of that page */
		if (crm == 5)
			a64_ic(c, false, xr(c, rt));
		return DONE;
	}
	if (el0 || op1 != 0)
		return a64_undef(c);
	if (crn == 7 && crm == 8 && op2 <= 3)
		return at(c, op2, xr(c, rt));
	if (crn == 7 && (crm == 1 || crm == 5) && op2 == 0) {  /* IC IALLUIS, IALLU */
		a64_ic(c, true, 0);
		return DONE;
	}
	if (crn == 7 && ((crm == 6 && (op2 == 1 || op2 == 2)) ||
			 ((crm == 10 || crm == 14) && op2 == 2)))
		return DONE;  /* DC IVAC, ISW, CSW, CISW: no data is cached */
	if (crn == 8 && (crm == 3 || crm == 7) && op2 != 4 && op2 != 6) {
		/* TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1 (IS): every
		 * CPU drops its cached stage-1 translations */
		atomic_fetch_add(&c->ctx->tlbi_gen, 1);
		a64_tlb_flush(c);
		return DONE;
	}
	return a64_undef(c);
}

int a64_sys(struct cpu *c, uint32_t in)
{
	unsigned int l = BIT(in, 21), op0 = BITS(in, 20, 19), op1 = BITS(in, 18, 16);
	unsigned int crn = BITS(in, 15, 12), crm = BITS(in, 11, 8), op2 = BITS(in, 7, 5), rt = in & 31;
	uint32_t key = K(op0, op1, crn, crm, op2);
	uint64_t v = 0;

	if (op0 == 0 && crn == 2 && !l) {  /* hints */
		if (crm == 0 && (op2 == 2 || op2 == 3)) {  /* WFE, WFI */
			if (el(c) == 0 && !(c->r->sctlr_el1 & (op2 == 3 ? SCTLR_NTWI : SCTLR_NTWE)))
				return a64_take(c, 0x01, (1ull << 24) | (0xeull << 20) | (op2 == 2),
						0, c->r->pc);  /* trapped to EL1; CV, COND, TI */
			return a64_wfx(c, op2 == 2);
		}
		return DONE;  /* NOP, YIELD, SEV(L), PACIASP-class and BTI hints */
	}
	if (op0 == 0 && crn == 3 && !l) {
		if (op2 == 2)
			a64_mon_clear(c);  /* CLREX */
		else if (op2 != 4 && op2 != 5 && op2 != 6)
			return a64_undef(c);
		return DONE;  /* DSB, DMB, ISB: every access is already ordered */
	}
	if (op0 == 0 && crn == 4 && !l) {  /* MSR (immediate) */
		if (el(c) == 0 && (op1 != 3 || (op2 != 6 && op2 != 7)))
			return a64_undef(c);
		if (el(c) == 0 && !(c->r->sctlr_el1 & SCTLR_UMA))
			return trap_el1(c, in);  /* DAIFSet/DAIFClr */
		if (op1 == 3 && op2 == 6)
			c->r->pstate |= (uint64_t)crm << 6;
		else if (op1 == 3 && op2 == 7)
			c->r->pstate &= ~((uint64_t)crm << 6);
		else if (op1 == 0 && op2 == 5)
			c->r->pstate = (c->r->pstate & ~1ull) | (crm & 1);
		else
			return a64_undef(c);
		c->check_irq = true;
		return DONE;
	}
	if (op0 == 1 && !l)
		return sys_op(c, in);
	if (op0 < 2)
		return a64_undef(c);
	if (el(c) == 0 && op1 != 3)
		return a64_undef(c);
	if (el(c) == 0 && el0_trapped(c, key))
		return trap_el1(c, in);
	if (key == K(3, 3, 4, 4, 0) || key == K(3, 3, 4, 4, 1)) {  /* FPCR, FPSR */
		int rc = a64_fp_trap(c);

		if (rc != DONE)
			return rc;
	}
	if (!l)
		v = xr(c, rt);
	if (local_reg(c, key, l, &v)) {
		if (l)
			setx(c, rt, v, true);
		return DONE;
	}
	/* ID registers, debug, ICC_SGI*: trapped to the RMM */
	c->x->kind = RMM_VCPU_EXIT_SYSREG;
	c->x->esr = (0x18ull << 26) | (1ull << 25) | sys_iss(in);
	return STOP;
}

/* An enabled, unmasked timer whose condition holds and whose interrupt is
 * not already in a list register needs the host (which injects its PPI). */
static bool timer_needs_host(struct cpu *c, const struct rmm_vcpu_gic *g, uint64_t ctl,
			     uint64_t cval, unsigned int intid, uint64_t *now, bool *have)
{
	if ((ctl & 3) != 1)
		return false;
	if (!*have) {
		*now = rmm_vcpu_counter(c->v);
		*have = true;
	}
	return *now >= cval && !a64_gic_holds(g, intid);
}

int a64_poll(struct cpu *c)
{
	struct rmm_vcpu_regs *r = c->r;
	struct rmm_vcpu_gic g;
	uint64_t now = 0;
	bool have = false;

	rmm_vcpu_gic(c->v, &g);
	if (rmm_vcpu_take_host_irq(c->v) ||
	    timer_needs_host(c, &g, r->cntv_ctl, r->cntv_cval, A64_PPI_VTIMER, &now, &have) ||
	    timer_needs_host(c, &g, r->cntp_ctl, r->cntp_cval, A64_PPI_PTIMER, &now, &have)) {
		c->x->kind = RMM_VCPU_EXIT_IRQ;
		return STOP;
	}
	if (!BIT(r->pstate, 7) && a64_gic_signalled(c, &g, true))
		return a64_take_irq(c);
	return DONE;
}

int a64_wfx(struct cpu *c, bool wfe)
{
	struct rmm_vcpu_gic g;

	rmm_vcpu_gic(c->v, &g);
	if (a64_gic_signalled(c, &g, false))
		return DONE;  /* a pending interrupt wakes the PE (even if masked) */
	c->x->kind = RMM_VCPU_EXIT_WFX;
	c->x->esr = (0x01ull << 26) | (1ull << 25) | wfe;
	return STOP;
}
