/*
 * The AArch64 interpreter: the FP operations Advanced SIMD uses, on top of
 * vcpu_a64_fpu.c's element rules: the a64_fpe_* element API (for
 * vcpu_a64_fpv.c), FP/integer conversions and FRINT* on V-register
 * elements, the fixed-point conversions (general and AdvSIMD registers),
 * and FRECPE/FRSQRTE/FRECPS/FRSQRTS.
 */
#include <math.h>
#include <string.h>

#include "vcpu_a64_fpu_int.h"

static void fctx_init(const struct cpu *c, struct fctx *f, bool dbl)
{
	f->dbl = dbl;
	f->dn = BIT(c->r->fpcr, 25);
	f->fz = BIT(c->r->fpcr, 24);
	f->rmode = (unsigned int)BITS(c->r->fpcr, 23, 22);
	f->fl = 0;
}

uint64_t a64_fpe_op2(const struct cpu *c, bool dbl, unsigned int op, uint64_t a, uint64_t b,
		     unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = op == A64_FPE_MULX ? fpu_fmulx(&f, a, b) : fpu_arith2(&f, op, a, b);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_fma(const struct cpu *c, bool dbl, uint64_t acc, uint64_t n, uint64_t m,
		     unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = fpu_muladd(&f, acc, n, m);
	*fl |= f.fl;
	return r;
}

unsigned int a64_fpe_cmp(const struct cpu *c, bool dbl, uint64_t a, uint64_t b, bool signal,
			 unsigned int *fl)
{
	struct fctx f;
	unsigned int r;

	fctx_init(c, &f, dbl);
	r = fpu_compare(&f, a, b, signal);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_sqrt(const struct cpu *c, bool dbl, uint64_t a, unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = fpu_sqrt(&f, a);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_cvt(const struct cpu *c, bool to_dbl, uint64_t b, unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, to_dbl);
	r = fpu_convert(&f, b);
	*fl |= f.fl;
	return r;
}

/* FCVT{N,M,A,P,Z}{S,U} and SCVTF/UCVTF (vector, integer) on S or D elements
 * held in V registers: the AdvSIMD scalar (bit 28 set) and vector two-
 * register miscellaneous forms with opcode 0x1a-0x1d; FRINT{N,P,M,Z,A,X,I}
 * (vector only) with opcode 0x18-0x19. The caller checked
 * FPEN; UNDEFINED for the other encodings of those opcodes (FRECPE,
 * URECPE, ...) and for .1D. Flags of every element accumulate in FPSR. */
int a64_fp_vcvt(struct cpu *c, uint32_t in)
{
	unsigned int op = BITS(in, 16, 12), es = BIT(in, 22) ? 8 : 4, rn = BITS(in, 9, 5);
	bool scalar = BIT(in, 28), q = BIT(in, 30), u = BIT(in, 29), o2 = BIT(in, 23);
	struct fctx f = { .dbl = es == 8, .dn = BIT(c->r->fpcr, 25), .fz = BIT(c->r->fpcr, 24),
			  .rmode = (unsigned int)BITS(c->r->fpcr, 23, 22) };
	unsigned int mode, n, i;
	uint8_t src[16], dst[16] = { 0 };

	if (op == 0x18 || op == 0x19) {  /* FRINT (vector): N/P, M/Z; A, X/I */
		if (scalar || (!scalar && es == 8 && !q) || (u && op == 0x18 && o2))
			return a64_undef(c);
		mode = u ? (op == 0x18 ? 4 : 5) : (op == 0x18 ? (o2 ? 1 : 0) : (o2 ? 3 : 2));
		n = (q ? 16 : 8) / es;
		memcpy(src, a64_vreg(c, rn), 16);
		for (i = 0; i < n; i++) {
			uint64_t b = 0, r;

			memcpy(&b, src + i * es, es);
			r = fpu_round_int(&f, b, mode, u && op == 0x19 && !o2);
			memcpy(dst + i * es, &r, es);
		}
		a64_vset(c, in & 31, dst, n * es);
		c->r->fpsr |= f.fl;
		return DONE;
	}
	switch (op) {
	case 0x1a: mode = o2 ? 1 : 0; break;    /* FCVTP* : FCVTN* */
	case 0x1b: mode = o2 ? 3 : 2; break;    /* FCVTZ* : FCVTM* */
	case 0x1c: mode = 4; break;             /* FCVTA* */
	case 0x1d: mode = 5; break;             /* SCVTF, UCVTF */
	default: return a64_undef(c);
	}
	if (o2 && op == 0x1d) {  /* FRECPE (U = 0), FRSQRTE (U = 1) */
		n = scalar ? 1 : (q ? 16 : 8) / es;
		if (!scalar && es == 8 && !q)
			return a64_undef(c);
		memcpy(src, a64_vreg(c, rn), 16);
		for (i = 0; i < n; i++) {
			uint64_t b = 0, r;
			unsigned int fl = 0;

			memcpy(&b, src + i * es, es);
			r = a64_fpe_est(c, es == 8, b, u, &fl);
			f.fl |= fl;
			memcpy(dst + i * es, &r, es);
		}
		a64_vset(c, in & 31, dst, n * es);
		c->r->fpsr |= f.fl;
		return DONE;
	}
	if (o2 && op >= 0x1c)
		return a64_undef(c);
	if (!scalar && es == 8 && !q)
		return a64_undef(c);
	n = scalar ? 1 : (q ? 16 : 8) / es;
	memcpy(src, a64_vreg(c, rn), 16);
	for (i = 0; i < n; i++) {
		uint64_t b = 0, r;

		memcpy(&b, src + i * es, es);
		r = mode == 5 ? fpu_from_int(&f, b, u, es == 8) : fpu_to_int(&f, b, mode, u, 8 * es);
		memcpy(dst + i * es, &r, es);
	}
	a64_vset(c, in & 31, dst, scalar ? es : n * es);
	c->r->fpsr |= f.fl;
	return DONE;
}

/* Fixed-point conversions between S/D and W/X (bit 21 clear): SCVTF/UCVTF
 * (rmode 00, opcode 010/011) and FCVTZS/FCVTZU (rmode 11, opcode 000/001)
 * with 64 - scale fraction bits (at most 32 for W). The scaling by a power
 * of two is exact here: a converted integer divided by at most 2^64 stays
 * normal, and an operand multiplied by 2^fbits either stays finite or is
 * beyond every integer range (it saturates with IOC either way). The
 * caller checked FPEN and type 0/1. */
int a64_fpu_fixed(struct cpu *c, uint32_t in)
{
	unsigned int rmode = BITS(in, 20, 19), op = BITS(in, 18, 16), scale = BITS(in, 15, 10);
	unsigned int fbits = 64 - scale, rn = BITS(in, 9, 5), rd = in & 31;
	struct fctx f = { .dbl = BITS(in, 23, 22) == 1, .dn = BIT(c->r->fpcr, 25),
			  .fz = BIT(c->r->fpcr, 24), .rmode = (unsigned int)BITS(c->r->fpcr, 23, 22) };
	bool sf = BIT(in, 31);
	uint64_t r;

	if ((!sf && scale < 32) || !((rmode == 0 && (op == 2 || op == 3)) || (rmode == 3 && op <= 1)))
		return a64_undef(c);
	if (rmode == 0) {  /* SCVTF, UCVTF: round the integer, then scale */
		double d;

		r = fpu_from_int(&f, xr(c, rn), op == 3, sf);
		d = ldexp(val(&f, r), -(int)fbits);
		r = bits_of(&f, d);
		a64_vset(c, rd, &r, f.dbl ? 8 : 4);
	} else {           /* FCVTZS, FCVTZU: scale, then truncate (as a D value) */
		struct fctx g = f;
		uint64_t b = fpu_flush_in(&f, vget(c, rn, f.dbl)), db;
		double d = ldexp(val(&f, b), (int)fbits);

		memcpy(&db, &d, 8);
		g.dbl = true;
		g.fz = false;
		g.fl = 0;
		r = fpu_to_int(&g, db, 3, op == 1, sf ? 64 : 32);
		f.fl |= g.fl;
		setx(c, rd, r, sf);
	}
	c->r->fpsr |= f.fl;
	return DONE;
}

/* SCVTF/UCVTF and FCVTZS/FCVTZU (vector and scalar, fixed-point): AdvSIMD
 * shift by immediate, opcode 0x1c / 0x1f, elements of S (immh 01xx) or D
 * (1xxx), fbits = 2 * esize - immh:immb; the scaling as a64_fpu_fixed().
 * The half-precision forms are UNDEFINED; the caller checked FPEN. */
int a64_fp_vfixed(struct cpu *c, uint32_t in)
{
	unsigned int immh = BITS(in, 22, 19), op = BITS(in, 15, 11), u = BIT(in, 29);
	bool scalar = BIT(in, 28), q = BIT(in, 30), dbl = BIT(immh, 3);
	unsigned int es = dbl ? 8 : 4, fbits = 2 * 8 * es - BITS(in, 22, 16);
	unsigned int n = scalar ? 1 : (q ? 16 : 8) / es, i;
	struct fctx f = { .dbl = dbl, .dn = BIT(c->r->fpcr, 25), .fz = BIT(c->r->fpcr, 24),
			  .rmode = (unsigned int)BITS(c->r->fpcr, 23, 22) };
	uint8_t src[16], dst[16] = { 0 };

	if (immh < 4 || (op != 0x1c && op != 0x1f) || (!scalar && dbl && !q))
		return a64_undef(c);
	memcpy(src, a64_vreg(c, BITS(in, 9, 5)), 16);
	for (i = 0; i < n; i++) {
		uint64_t b = 0, r;

		memcpy(&b, src + i * es, es);
		if (op == 0x1c) {  /* SCVTF, UCVTF: round the integer, then scale */
			r = fpu_from_int(&f, b, u, dbl);
			r = bits_of(&f, ldexp(val(&f, r), -(int)fbits));
		} else {           /* FCVTZS, FCVTZU: scale, then truncate */
			struct fctx g = f;
			double d;
			uint64_t db;

			b = fpu_flush_in(&f, b);
			d = ldexp(val(&f, b), (int)fbits);
			memcpy(&db, &d, 8);
			g.dbl = true;
			g.fz = false;
			g.fl = 0;
			r = fpu_to_int(&g, db, 3, u, 8 * es);
			f.fl |= g.fl;
		}
		memcpy(dst + i * es, &r, es);
	}
	a64_vset(c, in & 31, dst, n * es);
	c->r->fpsr |= f.fl;
	return DONE;
}

/* RecipEstimate and RecipSqrtEstimate: 9-bit fixed-point estimates. */
static unsigned int recip_est(unsigned int a)   /* a in [256, 512): 0.5 <= x < 1 */
{
	a = a * 2 + 1;
	return ((1u << 19) / a + 1) / 2;
}

static unsigned int rsqrt_est(unsigned int a)   /* a in [128, 512): 0.25 <= x < 1 */
{
	uint64_t b = 512;

	if (a < 256)
		a = a * 2 + 1;
	else
		a = ((a >> 1) << 1) * 2 + 2;
	while ((uint64_t)a * (b + 1) * (b + 1) < (1ull << 28))
		b++;
	return (unsigned int)((b + 1) / 2);
}

/* FRECPE (rsqrt false) and FRSQRTE on one S or D element. */
static uint64_t estimate(struct fctx *f, uint64_t b, bool rsqrt)
{
	unsigned int ebits = f->dbl ? 11 : 8, fb = f->dbl ? 52 : 23;
	uint64_t sign = b & sign_bit(f), r, frac;
	int64_t exp, rexp;
	double v;

	b = fpu_flush_in(f, b);
	if (fpu_nans(f, &b, 1, &r))
		return r;
	v = val(f, b);
	if (v == 0) {
		f->fl |= DZC;
		return sign | exp_mask(f);
	}
	if (rsqrt && sign) {
		f->fl |= IOC;
		return def_nan(f);
	}
	if (isinf(v))
		return rsqrt ? 0 : sign;
	/* the fraction as 52 bits, the biased exponent (denormals normalised) */
	frac = (b & frac_mask(f)) << (52 - fb);
	exp = (int64_t)((b & exp_mask(f)) >> fb);
	if (!rsqrt) {
		if (fabs(v) < ldexp(1, f->dbl ? -1024 : -128)) {
			bool inf = f->rmode == 0 || (f->rmode == 1 && !sign) || (f->rmode == 2 && sign);

			f->fl |= OFC | IXC;
			return inf ? sign | exp_mask(f) : sign | (exp_mask(f) - (1ull << fb)) | frac_mask(f);
		}
		if (f->fz && fabs(v) >= ldexp(1, f->dbl ? 1022 : 126)) {
			f->fl |= UFC;
			return sign;
		}
		if (exp == 0) {
			if (!BIT(frac, 51)) {
				exp = -1;
				frac = (frac << 2) & ((1ull << 52) - 1);
			} else {
				frac = (frac << 1) & ((1ull << 52) - 1);
			}
		}
		rexp = (f->dbl ? 2045 : 253) - exp;
		frac = (uint64_t)(recip_est((unsigned int)((1u << 8) | (frac >> 44))) & 0xff) << 44;
		if (rexp == 0) {
			frac = (1ull << 51) | (frac >> 1);
		} else if (rexp == -1) {
			frac = (1ull << 50) | (frac >> 2);
			rexp = 0;
		}
	} else {
		if (exp == 0) {
			while (!BIT(frac, 51)) {
				frac = (frac << 1) & ((1ull << 52) - 1);
				exp--;
			}
			frac = (frac << 1) & ((1ull << 52) - 1);
		}
		{
			unsigned int scaled = (exp & 1) ? (unsigned int)((1u << 7) | (frac >> 45))
							: (unsigned int)((1u << 8) | (frac >> 44));

			/* (380 - exp) DIV 2, rounding down as the pseudocode's DIV */
			rexp = ((f->dbl ? 3068 : 380) - exp) >> 1;
			frac = (uint64_t)(rsqrt_est(scaled) & 0xff) << 44;
		}
		sign = 0;
	}
	return sign | ((uint64_t)rexp & ((1ull << ebits) - 1)) << fb | (frac >> (52 - fb));
}

/* FRECPS (rsqrt false: 2 - a*b) and FRSQRTS ((3 - a*b) / 2), fused: the
 * negated a's NaN first; infinity times zero gives 2.0 / 1.5 exactly. */
static uint64_t step(struct fctx *f, uint64_t a, uint64_t b, bool rsqrt)
{
	uint64_t ops[2], r, na;
	double va, vb;

	na = fpu_flush_in(f, a) ^ sign_bit(f);
	b = fpu_flush_in(f, b);
	ops[0] = na;
	ops[1] = b;
	if (fpu_nans(f, ops, 2, &r))
		return r;
	va = val(f, na);
	vb = val(f, b);
	if ((isinf(va) && vb == 0) || (va == 0 && isinf(vb)))
		return bits_of(f, rsqrt ? 1.5 : 2.0);
	if (!rsqrt)
		return fpu_muladd(f, bits_of(f, 2.0), na, b);
	/* (3 - a*b) / 2 = 1.5 + (-a) * (b / 2) or (-a / 2) * b with one
	 * rounding, halving an operand that stays normal (so FZ sees the same
	 * inputs); if neither can be, |a*b| < 2^-1000 and the halving of the
	 * rounded 3 - a*b is exact */
	{
		unsigned int fb = f->dbl ? 52 : 23;

		if (((b & exp_mask(f)) >> fb) >= 2 && !isinf(vb))
			return fpu_muladd(f, bits_of(f, 1.5), na, b - (1ull << fb));
		if (((na & exp_mask(f)) >> fb) >= 2 && !isinf(va))
			return fpu_muladd(f, bits_of(f, 1.5), na - (1ull << fb), b);
		r = fpu_muladd(f, bits_of(f, 3.0), na, b);
		return bits_of(f, val(f, r) / 2);
	}
}

uint64_t a64_fpe_est(const struct cpu *c, bool dbl, uint64_t a, bool rsqrt, unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = estimate(&f, a, rsqrt);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_step(const struct cpu *c, bool dbl, uint64_t a, uint64_t b, bool rsqrt,
		      unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = step(&f, a, b, rsqrt);
	*fl |= f.fl;
	return r;
}
