/*
 * The AArch64 interpreter: scalar FP arithmetic on S and D registers (no
 * FP16): FADD/FSUB/FMUL/FDIV/FNMUL, FMAX/FMIN/FMAXNM/FMINNM, FABS/FNEG/
 * FSQRT, FCVT between S and D, FCMP/FCMPE (register, #0.0), FCSEL,
 * FMADD/FMSUB/FNMADD/FNMSUB, SCVTF/UCVTF and FCVT{N,P,M,Z,A}{S,U} between
 * general registers and S/D. The host's IEEE 754 arithmetic computes the
 * numbers under FPCR.RMode; the Arm rules it does not share are applied
 * here: NaN selection and quieting (FPProcessNaNs), the positive default
 * NaN (and FPCR.DN), FPCR.FZ flushing of inputs (IDC) and outputs (UFC),
 * saturating conversions to integers. Exceptions accumulate in FPSR
 * (FPCR's trap enables are RAZ: no FP exception is ever taken).
 * Known difference: the host (x86) detects tininess after rounding where
 * Arm detects it before, so UFC can differ for results that round up to
 * the smallest normal.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "vcpu_a64_int.h"

#define IOC 0x01u
#define DZC 0x02u
#define OFC 0x04u
#define UFC 0x08u
#define IXC 0x10u
#define IDC 0x80u

struct fctx {
	bool dbl, dn, fz;
	unsigned int rmode, fl;
};

static uint64_t sign_bit(const struct fctx *f)
{
	return f->dbl ? 1ull << 63 : 1ull << 31;
}

static uint64_t quiet_bit(const struct fctx *f)
{
	return f->dbl ? 1ull << 51 : 1ull << 22;
}

static uint64_t exp_mask(const struct fctx *f)
{
	return f->dbl ? 0x7ffull << 52 : 0xffull << 23;
}

static uint64_t frac_mask(const struct fctx *f)
{
	return f->dbl ? (1ull << 52) - 1 : (1ull << 23) - 1;
}

static bool is_nan(const struct fctx *f, uint64_t b)
{
	return (b & exp_mask(f)) == exp_mask(f) && (b & frac_mask(f));
}

static bool is_snan(const struct fctx *f, uint64_t b)
{
	return is_nan(f, b) && !(b & quiet_bit(f));
}

static uint64_t def_nan(const struct fctx *f)
{
	return exp_mask(f) | quiet_bit(f);
}

static double val(const struct fctx *f, uint64_t b)
{
	if (f->dbl) {
		double d;

		memcpy(&d, &b, 8);
		return d;
	} else {
		float s;
		uint32_t w = (uint32_t)b;

		memcpy(&s, &w, 4);
		return s;
	}
}

/* Round the host result to the destination width (exact for D, one
 * rounding for S since the operations below compute S in float). */
static uint64_t bits_of(const struct fctx *f, double d)
{
	uint64_t b = 0;

	if (f->dbl) {
		memcpy(&b, &d, 8);
	} else {
		float s = (float)d;
		uint32_t w;

		memcpy(&w, &s, 4);
		b = w;
	}
	return b;
}

/* FPCR.FZ on an input: a denormal reads as a zero of its sign (IDC). */
static uint64_t flush_in(struct fctx *f, uint64_t b)
{
	if (f->fz && !(b & exp_mask(f)) && (b & frac_mask(f))) {
		f->fl |= IDC;
		return b & sign_bit(f);
	}
	return b;
}

/* FPProcessNaNs over n operands in order: SNaN first, then QNaN. */
static bool nans(struct fctx *f, const uint64_t *op, unsigned int n, uint64_t *res)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (is_snan(f, op[i])) {
			f->fl |= IOC;
			*res = f->dn ? def_nan(f) : op[i] | quiet_bit(f);
			return true;
		}
	}
	for (i = 0; i < n; i++) {
		if (is_nan(f, op[i])) {
			*res = f->dn ? def_nan(f) : op[i];
			return true;
		}
	}
	return false;
}

static const int host_rmode[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };

static void host_begin(const struct fctx *f)
{
	feclearexcept(FE_ALL_EXCEPT);
	fesetround(host_rmode[f->rmode & 3]);
}

/* Collect the host's flags for a computed result r, apply the default NaN
 * and FZ on the output, and restore the host's environment. */
static uint64_t host_end(struct fctx *f, uint64_t r)
{
	int e = fetestexcept(FE_ALL_EXCEPT);

	fesetround(FE_TONEAREST);
	feclearexcept(FE_ALL_EXCEPT);
	if (e & FE_INVALID)
		f->fl |= IOC;
	if (e & FE_DIVBYZERO)
		f->fl |= DZC;
	if (e & FE_OVERFLOW)
		f->fl |= OFC;
	if (e & FE_UNDERFLOW)
		f->fl |= UFC;
	if (e & FE_INEXACT)
		f->fl |= IXC;
	if (is_nan(f, r))
		return def_nan(f);   /* no input was a NaN: an invalid operation */
	if (f->fz && !(r & exp_mask(f)) && (r & frac_mask(f))) {
		f->fl = (f->fl & ~(IXC | UFC)) | UFC;
		return r & sign_bit(f);
	}
	return r;
}

/* op: 0 FMUL, 1 FDIV, 2 FADD, 3 FSUB, 4 FMAX, 5 FMIN, 6 FMAXNM, 7 FMINNM. */
static uint64_t arith2(struct fctx *f, unsigned int op, uint64_t a, uint64_t b)
{
	uint64_t ops[2], r;
	volatile double x, y, z = 0;
	volatile float xs, ys, zs = 0;

	a = flush_in(f, a);
	b = flush_in(f, b);
	if (op >= 6) {  /* a quiet NaN against a number: the number */
		if (is_nan(f, a) && !is_snan(f, a) && !is_nan(f, b))
			a = b;
		else if (is_nan(f, b) && !is_snan(f, b) && !is_nan(f, a))
			b = a;
	}
	ops[0] = a;
	ops[1] = b;
	if (nans(f, ops, 2, &r))
		return r;
	if (op >= 4) {
		double va = val(f, a), vb = val(f, b);
		bool max = !(op & 1);

		if (va == 0 && vb == 0 && (a ^ b) & sign_bit(f))
			return max ? (a & sign_bit(f) ? b : a) : (a & sign_bit(f) ? a : b);
		return (va > vb) == max ? a : b;
	}
	host_begin(f);
	if (f->dbl) {
		x = val(f, a);
		y = val(f, b);
		switch (op) {
		case 0: z = x * y; break;
		case 1: z = x / y; break;
		case 2: z = x + y; break;
		default: z = x - y; break;
		}
		r = bits_of(f, z);
	} else {
		xs = (float)val(f, a);
		ys = (float)val(f, b);
		switch (op) {
		case 0: zs = xs * ys; break;
		case 1: zs = xs / ys; break;
		case 2: zs = xs + ys; break;
		default: zs = xs - ys; break;
		}
		r = bits_of(f, zs);
	}
	return host_end(f, r);
}

/* FPMulAdd: addend + n * m, fused. */
static uint64_t muladd(struct fctx *f, uint64_t a, uint64_t n, uint64_t m)
{
	uint64_t ops[3], r;
	volatile double x, y, w, z;
	volatile float xs, ys, ws, zs;
	double vn, vm;

	a = flush_in(f, a);
	n = flush_in(f, n);
	m = flush_in(f, m);
	vn = val(f, n);
	vm = val(f, m);
	if (is_nan(f, a) && !is_snan(f, a) && !is_snan(f, n) && !is_snan(f, m) &&
	    ((isinf(vn) && vm == 0) || (vn == 0 && isinf(vm)))) {
		f->fl |= IOC;
		return def_nan(f);
	}
	ops[0] = a;
	ops[1] = n;
	ops[2] = m;
	if (nans(f, ops, 3, &r))
		return r;
	host_begin(f);
	if (f->dbl) {
		x = vn;
		y = vm;
		w = val(f, a);
		z = fma(x, y, w);
		r = bits_of(f, z);
	} else {
		xs = (float)vn;
		ys = (float)vm;
		ws = (float)val(f, a);
		zs = fmaf(xs, ys, ws);
		r = bits_of(f, zs);
	}
	return host_end(f, r);
}

/* FCVT between S and D: from the other width to f's. */
static uint64_t convert(struct fctx *f, uint64_t b)
{
	struct fctx src = *f;
	volatile double d;
	volatile float s;
	uint64_t r;

	src.dbl = !f->dbl;
	b = flush_in(&src, b);
	f->fl |= src.fl;
	if (is_nan(&src, b)) {
		uint64_t sign = (b & sign_bit(&src)) ? sign_bit(f) : 0, pay;

		if (is_snan(&src, b))
			f->fl |= IOC;
		if (f->dn)
			return def_nan(f);
		/* FPConvertNaN: the top fraction bits carry over, quiet */
		pay = f->dbl ? (b & frac_mask(&src)) << 29 : (b & frac_mask(&src)) >> 29;
		return sign | exp_mask(f) | quiet_bit(f) | pay;
	}
	host_begin(f);
	if (f->dbl) {
		d = val(&src, b);
		r = bits_of(f, d);
	} else {
		d = val(&src, b);
		s = (float)d;
		r = bits_of(f, s);
	}
	return host_end(f, r);
}

/* FCVT{N,P,M,Z,A}{S,U}: mode 0 nearest even, 1 +inf, 2 -inf, 3 zero,
 * 4 nearest away; bits 32 or 64. */
static uint64_t to_int(struct fctx *f, uint64_t b, unsigned int mode, bool uns, unsigned int bits)
{
	double x, t, fr, hi, lo;

	b = flush_in(f, b);
	if (is_nan(f, b)) {
		f->fl |= IOC;
		return 0;
	}
	x = val(f, b);
	t = trunc(x);
	fr = x - t;
	switch (mode) {
	case 0:
		if (fabs(fr) > 0.5 || (fabs(fr) == 0.5 && fmod(t, 2) != 0))
			t += fr > 0 ? 1 : -1;
		break;
	case 1: if (fr > 0) t += 1; break;
	case 2: if (fr < 0) t -= 1; break;
	case 4: if (fabs(fr) >= 0.5) t += fr > 0 ? 1 : -1; break;
	default: break;
	}
	hi = uns ? ldexp(1, (int)bits) : ldexp(1, (int)bits - 1);
	lo = uns ? 0 : -ldexp(1, (int)bits - 1);
	if (isinf(x) || t >= hi || t < lo) {
		f->fl |= IOC;
		if (x < 0 || (isinf(x) && x < 0))
			return uns ? 0 : (uint64_t)1 << (bits - 1);
		return uns ? (bits == 64 ? ~0ull : 0xffffffffull)
			   : ((uint64_t)1 << (bits - 1)) - 1;
	}
	if (fr != 0)
		f->fl |= IXC;
	if (uns)
		return (uint64_t)t;
	return (uint64_t)(int64_t)t & (bits == 64 ? ~0ull : 0xffffffffull);
}

/* FRINT{N,P,M,Z,A,X,I}: round to an integral value in the same format;
 * mode as to_int (0-4) or 5 for FPCR.RMode; exact (FRINTX): IXC when the
 * value changed. A zero result keeps the operand's sign. */
static uint64_t round_int(struct fctx *f, uint64_t b, unsigned int mode, bool exact)
{
	double x, t, fr;
	uint64_t res;

	b = flush_in(f, b);
	if (nans(f, &b, 1, &res))
		return res;
	x = val(f, b);
	if (isinf(x) || x == 0)
		return b;
	if (mode == 5)
		mode = f->rmode;  /* RN, RP, RM, RZ: the same order */
	t = trunc(x);         /* exact, as is x - t */
	fr = x - t;
	switch (mode) {
	case 0:
		if (fabs(fr) > 0.5 || (fabs(fr) == 0.5 && fmod(t, 2) != 0))
			t += fr > 0 ? 1 : -1;
		break;
	case 1: if (fr > 0) t += 1; break;
	case 2: if (fr < 0) t -= 1; break;
	case 4: if (fabs(fr) >= 0.5) t += fr > 0 ? 1 : -1; break;
	default: break;
	}
	if (t == 0)
		t = copysign(0.0, x);
	if (exact && t != x)
		f->fl |= IXC;
	return bits_of(f, t);  /* integral and in range: representable */
}

static uint64_t from_int(struct fctx *f, uint64_t v, bool uns, bool sf)
{
	volatile int64_t si;
	volatile uint64_t ui;
	volatile double d;
	volatile float s;
	uint64_t r;

	if (!sf)
		v = uns ? (uint32_t)v : (uint64_t)(int64_t)(int32_t)v;
	host_begin(f);
	if (uns) {
		ui = v;
		if (f->dbl)
			d = (double)ui;
		else
			s = (float)ui;
	} else {
		si = (int64_t)v;
		if (f->dbl)
			d = (double)si;
		else
			s = (float)si;
	}
	r = f->dbl ? bits_of(f, d) : bits_of(f, s);
	return host_end(f, r);
}

/* FPCompare: 0 equal, 1 less, 2 greater, 3 unordered; a NaN sets IOC if
 * 'signal' (FCMPE, FCMGE/GT, FACGE/GT) or if it is signalling. */
static unsigned int compare(struct fctx *f, uint64_t a, uint64_t b, bool signal)
{
	double va, vb;

	a = flush_in(f, a);
	b = flush_in(f, b);
	if (is_nan(f, a) || is_nan(f, b)) {
		if (signal || is_snan(f, a) || is_snan(f, b))
			f->fl |= IOC;
		return 3;
	}
	va = val(f, a);
	vb = val(f, b);
	return va == vb ? 0 : va < vb ? 1 : 2;
}

static void fcmp(struct cpu *c, struct fctx *f, uint64_t a, uint64_t b, bool signal)
{
	static const unsigned int nzcv[4] = { 0x6, 0x8, 0x2, 0x3 };

	a64_set_nzcv(c, nzcv[compare(f, a, b, signal)]);
}

/* FSQRT. */
static uint64_t fp_sqrt(struct fctx *f, uint64_t a)
{
	volatile double x, z;
	volatile float xs, zs;
	uint64_t r;

	a = flush_in(f, a);
	if (nans(f, &a, 1, &r))
		return r;
	if ((a & sign_bit(f)) && val(f, a) != 0) {
		f->fl |= IOC;
		return def_nan(f);
	}
	host_begin(f);
	if (f->dbl) {
		x = val(f, a);
		z = sqrt(x);
		r = bits_of(f, z);
	} else {
		xs = (float)val(f, a);
		zs = sqrtf(xs);
		r = bits_of(f, zs);
	}
	return host_end(f, r);
}

/* FMULX: FMUL, except that infinity times zero is 2.0 (signed). */
static uint64_t fmulx(struct fctx *f, uint64_t a, uint64_t b)
{
	uint64_t ops[2] = { flush_in(f, a), flush_in(f, b) }, r;
	double va, vb;

	if (nans(f, ops, 2, &r))
		return r;
	va = val(f, ops[0]);
	vb = val(f, ops[1]);
	if ((isinf(va) && vb == 0) || (va == 0 && isinf(vb)))
		return ((ops[0] ^ ops[1]) & sign_bit(f)) | bits_of(f, 2.0);
	return arith2(f, 0, a, b);
}

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
	r = op == A64_FPE_MULX ? fmulx(&f, a, b) : arith2(&f, op, a, b);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_fma(const struct cpu *c, bool dbl, uint64_t acc, uint64_t n, uint64_t m,
		     unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = muladd(&f, acc, n, m);
	*fl |= f.fl;
	return r;
}

unsigned int a64_fpe_cmp(const struct cpu *c, bool dbl, uint64_t a, uint64_t b, bool signal,
			 unsigned int *fl)
{
	struct fctx f;
	unsigned int r;

	fctx_init(c, &f, dbl);
	r = compare(&f, a, b, signal);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_sqrt(const struct cpu *c, bool dbl, uint64_t a, unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, dbl);
	r = fp_sqrt(&f, a);
	*fl |= f.fl;
	return r;
}

uint64_t a64_fpe_cvt(const struct cpu *c, bool to_dbl, uint64_t b, unsigned int *fl)
{
	struct fctx f;
	uint64_t r;

	fctx_init(c, &f, to_dbl);
	r = convert(&f, b);
	*fl |= f.fl;
	return r;
}

static uint64_t vget(struct cpu *c, unsigned int n, bool dbl)
{
	uint64_t v = 0;

	memcpy(&v, a64_vreg(c, n), dbl ? 8 : 4);
	return v;
}

/* Scalar FP data processing other than the FMOV forms (bits 28:24 =
 * 11110 or 11111, bit 30 = 0); the caller checked FPEN and type 0/1. */
int a64_fpu(struct cpu *c, uint32_t in)
{
	unsigned int type = BITS(in, 23, 22), rn = BITS(in, 9, 5), rd = in & 31;
	unsigned int rm = BITS(in, 20, 16);
	struct fctx f = { .dbl = type == 1, .dn = BIT(c->r->fpcr, 25), .fz = BIT(c->r->fpcr, 24),
			  .rmode = (unsigned int)BITS(c->r->fpcr, 23, 22) };
	bool sf = BIT(in, 31), wr = true;
	uint64_t r = 0;

	if (BIT(in, 24)) {  /* FMADD, FMSUB, FNMADD, FNMSUB */
		uint64_t a = vget(c, BITS(in, 14, 10), f.dbl), n = vget(c, rn, f.dbl);

		if (sf)
			return a64_undef(c);
		if (BIT(in, 15) != BIT(in, 21))  /* FMSUB, FNMADD: -n */
			n ^= sign_bit(&f);
		if (BIT(in, 21))                 /* FNMADD, FNMSUB: -a */
			a ^= sign_bit(&f);
		r = muladd(&f, a, n, vget(c, rm, f.dbl));
	} else if (sf || !BIT(in, 21)) {
		if (!BIT(in, 21) || BITS(in, 15, 10) != 0)
			return a64_undef(c);
		goto conv;
	} else if (BITS(in, 11, 10) == 2) {  /* 2-source */
		unsigned int op = BITS(in, 15, 12);

		if (op > 8)
			return a64_undef(c);
		r = arith2(&f, op == 8 ? 0 : op, vget(c, rn, f.dbl), vget(c, rm, f.dbl));
		if (op == 8)
			r ^= sign_bit(&f);  /* FNMUL */
	} else if (BITS(in, 11, 10) == 3) {  /* FCSEL */
		r = vget(c, a64_cond_holds(c, BITS(in, 15, 12)) ? rn : rm, f.dbl);
	} else if (BITS(in, 11, 10) == 1) {  /* FCCMP, FCCMPE */
		if (a64_cond_holds(c, BITS(in, 15, 12)))
			fcmp(c, &f, vget(c, rn, f.dbl), vget(c, rm, f.dbl), BIT(in, 4));
		else
			a64_set_nzcv(c, in & 15);
		wr = false;
	} else if (BITS(in, 14, 10) == 0x10) {  /* 1-source */
		unsigned int op = BITS(in, 20, 15);
		uint64_t a = vget(c, rn, f.dbl);

		switch (op) {
		case 1: r = a & ~sign_bit(&f); break;
		case 2: r = a ^ sign_bit(&f); break;
		case 3: r = fp_sqrt(&f, a); break;
		case 8: case 9: case 10: case 11: case 12:  /* FRINTN, P, M, Z, A */
			r = round_int(&f, a, op - 8, false);
			break;
		case 14: case 15:                           /* FRINTX, FRINTI */
			r = round_int(&f, a, 5, op == 14);
			break;
		case 4: case 5:
			if ((op == 5) != !f.dbl)
				return a64_undef(c);  /* FCVT to the same width */
			f.dbl = op == 5;
			r = convert(&f, vget(c, rn, !f.dbl));
			break;
		default:
			return a64_undef(c);
		}
	} else if (BITS(in, 13, 10) == 8 && BITS(in, 15, 14) == 0 && (in & 7) == 0) {  /* FCMP(E) */
		uint64_t b = BIT(in, 3) ? 0 : vget(c, rm, f.dbl);

		if (BIT(in, 3) && rm != 0)
			return a64_undef(c);
		fcmp(c, &f, vget(c, rn, f.dbl), b, BIT(in, 4));
		wr = false;
	} else if (BITS(in, 15, 10) == 0) {
		goto conv;
	} else {
		return a64_undef(c);
	}
	if (wr)
		a64_vset(c, rd, &r, f.dbl ? 8 : 4);
	c->r->fpsr |= f.fl;
	return DONE;
conv: {
	unsigned int rmode = BITS(in, 20, 19), op = BITS(in, 18, 16);

	if (rmode == 0 && (op == 2 || op == 3)) {  /* SCVTF, UCVTF */
		r = from_int(&f, xr(c, rn), op == 3, sf);
		a64_vset(c, rd, &r, f.dbl ? 8 : 4);
	} else if (op <= 1 || ((op == 4 || op == 5) && rmode == 0)) {  /* FCVT*S/U */
		unsigned int mode = op >= 4 ? 4 : rmode == 0 ? 0 : rmode;

		setx(c, rd, to_int(&f, vget(c, rn, f.dbl), mode, op & 1, sf ? 64 : 32), sf);
	} else {
		return a64_undef(c);
	}
	c->r->fpsr |= f.fl;
	return DONE;
	}
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
			r = round_int(&f, b, mode, u && op == 0x19 && !o2);
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
		r = mode == 5 ? from_int(&f, b, u, es == 8) : to_int(&f, b, mode, u, 8 * es);
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

		r = from_int(&f, xr(c, rn), op == 3, sf);
		d = ldexp(val(&f, r), -(int)fbits);
		r = bits_of(&f, d);
		a64_vset(c, rd, &r, f.dbl ? 8 : 4);
	} else {           /* FCVTZS, FCVTZU: scale, then truncate (as a D value) */
		struct fctx g = f;
		uint64_t b = flush_in(&f, vget(c, rn, f.dbl)), db;
		double d = ldexp(val(&f, b), (int)fbits);

		memcpy(&db, &d, 8);
		g.dbl = true;
		g.fz = false;
		g.fl = 0;
		r = to_int(&g, db, 3, op == 1, sf ? 64 : 32);
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
			r = from_int(&f, b, u, dbl);
			r = bits_of(&f, ldexp(val(&f, r), -(int)fbits));
		} else {           /* FCVTZS, FCVTZU: scale, then truncate */
			struct fctx g = f;
			double d;
			uint64_t db;

			b = flush_in(&f, b);
			d = ldexp(val(&f, b), (int)fbits);
			memcpy(&db, &d, 8);
			g.dbl = true;
			g.fz = false;
			g.fl = 0;
			r = to_int(&g, db, 3, u, 8 * es);
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

	b = flush_in(f, b);
	if (nans(f, &b, 1, &r))
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

	na = flush_in(f, a) ^ sign_bit(f);
	b = flush_in(f, b);
	ops[0] = na;
	ops[1] = b;
	if (nans(f, ops, 2, &r))
		return r;
	va = val(f, na);
	vb = val(f, b);
	if ((isinf(va) && vb == 0) || (va == 0 && isinf(vb)))
		return bits_of(f, rsqrt ? 1.5 : 2.0);
	if (!rsqrt)
		return muladd(f, bits_of(f, 2.0), na, b);
	/* (3 - a*b) / 2 = 1.5 + (-a) * (b / 2) or (-a / 2) * b with one
	 * rounding, halving an operand that stays normal (so FZ sees the same
	 * inputs); if neither can be, |a*b| < 2^-1000 and the halving of the
	 * rounded 3 - a*b is exact */
	{
		unsigned int fb = f->dbl ? 52 : 23;

		if (((b & exp_mask(f)) >> fb) >= 2 && !isinf(vb))
			return muladd(f, bits_of(f, 1.5), na, b - (1ull << fb));
		if (((na & exp_mask(f)) >> fb) >= 2 && !isinf(va))
			return muladd(f, bits_of(f, 1.5), na - (1ull << fb), b);
		r = muladd(f, bits_of(f, 3.0), na, b);
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
