/*
 * The AArch64 interpreter: scalar FP arithmetic on S and D registers (no
 * FP16): FADD/FSUB/FMUL/FDIV/FNMUL, FMAX/FMIN/FMAXNM/FMINNM, FABS/FNEG/
 * FSQRT, FCVT between S and D, FCMP/FCMPE (register, #0.0), FCSEL,
 * FMADD/FMSUB/FNMADD/FNMSUB, FRINT*, FCCMP(E), SCVTF/UCVTF and
 * FCVT{N,P,M,Z,A}{S,U} between general registers and S/D; and the element
 * rules (vcpu_a64_fpu_int.h) vcpu_a64_fpu_vec.c builds the AdvSIMD FP
 * operations on. The host's IEEE 754 arithmetic computes the
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
#include "vcpu_a64_fpu_int.h"

/* FPCR.FZ on an input: a denormal reads as a zero of its sign (IDC). */
uint64_t fpu_flush_in(struct fctx *f, uint64_t b)
{
	if (f->fz && !(b & exp_mask(f)) && (b & frac_mask(f))) {
		f->fl |= IDC;
		return b & sign_bit(f);
	}
	return b;
}

/* FPProcessNaNs over n operands in order: SNaN first, then QNaN. */
bool fpu_nans(struct fctx *f, const uint64_t *op, unsigned int n, uint64_t *res)
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
uint64_t fpu_arith2(struct fctx *f, unsigned int op, uint64_t a, uint64_t b)
{
	uint64_t ops[2], r;
	volatile double x, y, z = 0;
	volatile float xs, ys, zs = 0;

	a = fpu_flush_in(f, a);
	b = fpu_flush_in(f, b);
	if (op >= 6) {  /* a quiet NaN against a number: the number */
		if (is_nan(f, a) && !is_snan(f, a) && !is_nan(f, b))
			a = b;
		else if (is_nan(f, b) && !is_snan(f, b) && !is_nan(f, a))
			b = a;
	}
	ops[0] = a;
	ops[1] = b;
	if (fpu_nans(f, ops, 2, &r))
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
uint64_t fpu_muladd(struct fctx *f, uint64_t a, uint64_t n, uint64_t m)
{
	uint64_t ops[3], r;
	volatile double x, y, w, z;
	volatile float xs, ys, ws, zs;
	double vn, vm;

	a = fpu_flush_in(f, a);
	n = fpu_flush_in(f, n);
	m = fpu_flush_in(f, m);
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
	if (fpu_nans(f, ops, 3, &r))
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
uint64_t fpu_convert(struct fctx *f, uint64_t b)
{
	struct fctx src = *f;
	volatile double d;
	volatile float s;
	uint64_t r;

	src.dbl = !f->dbl;
	b = fpu_flush_in(&src, b);
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
uint64_t fpu_to_int(struct fctx *f, uint64_t b, unsigned int mode, bool uns, unsigned int bits)
{
	double x, t, fr, hi, lo;

	b = fpu_flush_in(f, b);
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
uint64_t fpu_round_int(struct fctx *f, uint64_t b, unsigned int mode, bool exact)
{
	double x, t, fr;
	uint64_t res;

	b = fpu_flush_in(f, b);
	if (fpu_nans(f, &b, 1, &res))
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

uint64_t fpu_from_int(struct fctx *f, uint64_t v, bool uns, bool sf)
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
unsigned int fpu_compare(struct fctx *f, uint64_t a, uint64_t b, bool signal)
{
	double va, vb;

	a = fpu_flush_in(f, a);
	b = fpu_flush_in(f, b);
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

	a64_set_nzcv(c, nzcv[fpu_compare(f, a, b, signal)]);
}

/* FSQRT. */
uint64_t fpu_sqrt(struct fctx *f, uint64_t a)
{
	volatile double x, z;
	volatile float xs, zs;
	uint64_t r;

	a = fpu_flush_in(f, a);
	if (fpu_nans(f, &a, 1, &r))
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
uint64_t fpu_fmulx(struct fctx *f, uint64_t a, uint64_t b)
{
	uint64_t ops[2] = { fpu_flush_in(f, a), fpu_flush_in(f, b) }, r;
	double va, vb;

	if (fpu_nans(f, ops, 2, &r))
		return r;
	va = val(f, ops[0]);
	vb = val(f, ops[1]);
	if ((isinf(va) && vb == 0) || (va == 0 && isinf(vb)))
		return ((ops[0] ^ ops[1]) & sign_bit(f)) | bits_of(f, 2.0);
	return fpu_arith2(f, 0, a, b);
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
		r = fpu_muladd(&f, a, n, vget(c, rm, f.dbl));
	} else if (sf || !BIT(in, 21)) {
		if (!BIT(in, 21) || BITS(in, 15, 10) != 0)
			return a64_undef(c);
		goto conv;
	} else if (BITS(in, 11, 10) == 2) {  /* 2-source */
		unsigned int op = BITS(in, 15, 12);

		if (op > 8)
			return a64_undef(c);
		r = fpu_arith2(&f, op == 8 ? 0 : op, vget(c, rn, f.dbl), vget(c, rm, f.dbl));
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
		case 3: r = fpu_sqrt(&f, a); break;
		case 8: case 9: case 10: case 11: case 12:  /* FRINTN, P, M, Z, A */
			r = fpu_round_int(&f, a, op - 8, false);
			break;
		case 14: case 15:                           /* FRINTX, FRINTI */
			r = fpu_round_int(&f, a, 5, op == 14);
			break;
		case 4: case 5:
			if ((op == 5) != !f.dbl)
				return a64_undef(c);  /* FCVT to the same width */
			f.dbl = op == 5;
			r = fpu_convert(&f, vget(c, rn, !f.dbl));
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
		r = fpu_from_int(&f, xr(c, rn), op == 3, sf);
		a64_vset(c, rd, &r, f.dbl ? 8 : 4);
	} else if (op <= 1 || ((op == 4 || op == 5) && rmode == 0)) {  /* FCVT*S/U */
		unsigned int mode = op >= 4 ? 4 : rmode == 0 ? 0 : rmode;

		setx(c, rd, fpu_to_int(&f, vget(c, rn, f.dbl), mode, op & 1, sf ? 64 : 32), sf);
	} else {
		return a64_undef(c);
	}
	c->r->fpsr |= f.fl;
	return DONE;
	}
}
