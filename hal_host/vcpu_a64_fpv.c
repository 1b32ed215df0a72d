/*
 * The AArch64 interpreter: floating-point arithmetic on Advanced SIMD
 * registers, S and D elements (no FP16), each element through the scalar
 * rules of vcpu_a64_fpu.c (FPCR RMode/DN/FZ, Arm NaNs, FPSR flags):
 * - three same (vector, and scalar where the architecture has it): FADD,
 *   FSUB, FMUL, FDIV, FMULX, FMAX, FMIN, FMAXNM, FMINNM, FMLA, FMLS, FABD,
 *   FCMEQ, FCMGE, FCMGT, FACGE, FACGT; FADDP, FMAXP, FMINP, FMAXNMP,
 *   FMINNMP (vector);
 * - two-register misc: FABS, FNEG, FSQRT, FCMGT/FCMGE/FCMEQ/FCMLE/FCMLT
 *   against zero (and their scalar forms), FCVTL(2) S->D, FCVTN(2) D->S;
 * - pairwise scalar FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP; across lanes
 *   FMAXV, FMINV, FMAXNMV, FMINNMV (the architecture's pairwise tree);
 * - by element: FMLA, FMLS, FMUL, FMULX (vector and scalar).
 * FRECPE/FRSQRTE (vcpu_a64_fpu_vec.c, from a64_fp_vcvt) and FRECPS/FRSQRTS
 * (here) follow the architecture's estimate and fused-step definitions.
 * Not here (UNDEFINED): FRECPX, FCVTXN, URECPE/URSQRTE, the half-precision
 * forms. The caller has checked CPACR_EL1.FPEN.
 */
#include <string.h>

#include "vcpu_a64_int.h"

static uint64_t el_get(const uint8_t *b, unsigned int i, unsigned int es)
{
	uint64_t v = 0;

	memcpy(&v, b + i * es, es);
	return v;
}

static void el_put(uint8_t *b, unsigned int i, unsigned int es, uint64_t v)
{
	memcpy(b + i * es, &v, es);
}

static uint64_t sign_of(bool dbl)
{
	return dbl ? 1ull << 63 : 1ull << 31;
}

static int done(struct cpu *c, unsigned int rd, const uint8_t *d, unsigned int bytes,
		unsigned int fl)
{
	a64_vset(c, rd, d, bytes);
	c->r->fpsr |= fl;
	return DONE;
}

/* One element of a three-same FP operation (key: U, a = bit 23, opcode);
 * *ok false: not allocated. */
static uint64_t same_el(struct cpu *c, unsigned int key, bool dbl, uint64_t x, uint64_t y,
			uint64_t acc, unsigned int *fl, bool *ok)
{
	uint64_t ones = dbl ? ~0ull : 0xffffffffull, s = sign_of(dbl);
	unsigned int r;

	switch (key) {
	case 0x18: return a64_fpe_op2(c, dbl, 6, x, y, fl);              /* FMAXNM */
	case 0x38: return a64_fpe_op2(c, dbl, 7, x, y, fl);              /* FMINNM */
	case 0x19: return a64_fpe_fma(c, dbl, acc, x, y, fl);            /* FMLA */
	case 0x39: return a64_fpe_fma(c, dbl, acc, x ^ s, y, fl);        /* FMLS */
	case 0x1a: return a64_fpe_op2(c, dbl, 2, x, y, fl);              /* FADD */
	case 0x3a: return a64_fpe_op2(c, dbl, 3, x, y, fl);              /* FSUB */
	case 0x1b: return a64_fpe_op2(c, dbl, A64_FPE_MULX, x, y, fl);   /* FMULX */
	case 0x1e: return a64_fpe_op2(c, dbl, 4, x, y, fl);              /* FMAX */
	case 0x3e: return a64_fpe_op2(c, dbl, 5, x, y, fl);              /* FMIN */
	case 0x5b: return a64_fpe_op2(c, dbl, 0, x, y, fl);              /* FMUL */
	case 0x5f: return a64_fpe_op2(c, dbl, 1, x, y, fl);              /* FDIV */
	case 0x7a: return a64_fpe_op2(c, dbl, 3, x, y, fl) & ~s;         /* FABD */
	case 0x1c:                                                       /* FCMEQ */
		return a64_fpe_cmp(c, dbl, x, y, false, fl) == 0 ? ones : 0;
	case 0x5c:                                                       /* FCMGE */
		r = a64_fpe_cmp(c, dbl, x, y, true, fl);
		return r == 0 || r == 2 ? ones : 0;
	case 0x7c:                                                       /* FCMGT */
		return a64_fpe_cmp(c, dbl, x, y, true, fl) == 2 ? ones : 0;
	case 0x5d:                                                       /* FACGE */
		r = a64_fpe_cmp(c, dbl, x & ~s, y & ~s, true, fl);
		return r == 0 || r == 2 ? ones : 0;
	case 0x7d:                                                       /* FACGT */
		return a64_fpe_cmp(c, dbl, x & ~s, y & ~s, true, fl) == 2 ? ones : 0;
	case 0x1f: return a64_fpe_step(c, dbl, x, y, false, fl);         /* FRECPS */
	case 0x3f: return a64_fpe_step(c, dbl, x, y, true, fl);          /* FRSQRTS */
	default:
		*ok = false;
		return 0;
	}
}

/* Three same, FP (opcode 0x18-0x1f): vector (bit 28 clear) or scalar. */
int a64_fpv_same(struct cpu *c, uint32_t in)
{
	unsigned int op = BITS(in, 15, 11), key = (BIT(in, 29) << 6) | (BIT(in, 23) << 5) | op;
	bool scalar = BIT(in, 28), q = BIT(in, 30), dbl = BIT(in, 22), ok = true;
	unsigned int es = dbl ? 8 : 4, n = scalar ? 1 : (q ? 16 : 8) / es, fl = 0, rd = in & 31, i;
	uint8_t a[16], b[16], o[16], d[16] = { 0 };

	if (!scalar && dbl && !q)
		return a64_undef(c);
	memcpy(a, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(b, a64_vreg(c, BITS(in, 20, 16)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	if (!scalar && (key == 0x58 || key == 0x78 || key == 0x5a || key == 0x5e || key == 0x7e)) {
		/* FMAXNMP, FMINNMP, FADDP, FMAXP, FMINP over Vn:Vm */
		static const unsigned int fop[] = { [0x58 & 31] = 6, [0x5a & 31] = 2, [0x5e & 31] = 4 };
		unsigned int f2 = fop[key & 31] + (BIT(key, 5) ? 1 : 0);
		uint8_t cat[32];

		memcpy(cat, a, n * es);
		memcpy(cat + n * es, b, n * es);
		for (i = 0; i < n; i++)
			el_put(d, i, es, a64_fpe_op2(c, dbl, f2, el_get(cat, 2 * i, es),
						      el_get(cat, 2 * i + 1, es), &fl));
		return done(c, rd, d, n * es, fl);
	}
	if (scalar && key != 0x1b && key != 0x1c && key != 0x5c && key != 0x7c && key != 0x5d &&
	    key != 0x7d && key != 0x7a && key != 0x1f && key != 0x3f)
		return a64_undef(c);  /* scalar: FMULX, compares, FABD, FRECPS, FRSQRTS */
	for (i = 0; i < n && ok; i++)
		el_put(d, i, es, same_el(c, key, dbl, el_get(a, i, es), el_get(b, i, es),
					 el_get(o, i, es), &fl, &ok));
	if (!ok)
		return a64_undef(c);
	return done(c, rd, d, n * es, fl);
}

/* Two-register misc, FP (vector; scalar for the compares against zero):
 * key U:a:opcode as in same_el. */
int a64_fpv_misc(struct cpu *c, uint32_t in)
{
	unsigned int op = BITS(in, 16, 12), key = (BIT(in, 29) << 6) | (BIT(in, 23) << 5) | op;
	bool scalar = BIT(in, 28), q = BIT(in, 30), dbl = BIT(in, 22);
	unsigned int es = dbl ? 8 : 4, n = scalar ? 1 : (q ? 16 : 8) / es, fl = 0, rd = in & 31, i;
	uint64_t ones = dbl ? ~0ull : 0xffffffffull, s = sign_of(dbl);
	uint8_t a[16], o[16], d[16] = { 0 };

	memcpy(a, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	if (!scalar && (key == 0x16 || key == 0x17)) {  /* FCVTN(2) D->S, FCVTL(2) S->D */
		if (!dbl)
			return a64_undef(c);  /* the half-precision forms */
		for (i = 0; i < 2; i++) {
			if (key == 0x17)
				el_put(d, i, 8, a64_fpe_cvt(c, true, el_get(a + 8 * q, i, 4), &fl));
			else
				el_put(d, i, 4, a64_fpe_cvt(c, false, el_get(a, i, 8), &fl));
		}
		if (key == 0x16 && q) {  /* FCVTN2: the upper half, the lower kept */
			memmove(d + 8, d, 8);
			memcpy(d, o, 8);
		}
		return done(c, rd, d, key == 0x17 || q ? 16 : 8, fl);
	}
	if ((!scalar && dbl && !q) || (scalar && (key < 0x2c || key > 0x6d || (key & 0x1f) > 0x0e)))
		return a64_undef(c);
	for (i = 0; i < n; i++) {
		uint64_t x = el_get(a, i, es), r;
		unsigned int k;

		switch (key) {
		case 0x2c: r = a64_fpe_cmp(c, dbl, x, 0, true, &fl) == 2 ? ones : 0; break;  /* FCMGT #0 */
		case 0x6c: k = a64_fpe_cmp(c, dbl, x, 0, true, &fl);                         /* FCMGE #0 */
			r = k == 0 || k == 2 ? ones : 0;
			break;
		case 0x2d: r = a64_fpe_cmp(c, dbl, x, 0, false, &fl) == 0 ? ones : 0; break; /* FCMEQ #0 */
		case 0x6d: k = a64_fpe_cmp(c, dbl, x, 0, true, &fl);                         /* FCMLE #0 */
			r = k == 0 || k == 1 ? ones : 0;
			break;
		case 0x2e: r = a64_fpe_cmp(c, dbl, x, 0, true, &fl) == 1 ? ones : 0; break;  /* FCMLT #0 */
		case 0x2f: r = x & ~s; break;                                                /* FABS */
		case 0x6f: r = x ^ s; break;                                                 /* FNEG */
		case 0x7f: r = a64_fpe_sqrt(c, dbl, x, &fl); break;                          /* FSQRT */
		default: return a64_undef(c);
		}
		el_put(d, i, es, r);
	}
	return done(c, rd, d, n * es, fl);
}

/* The architecture's Reduce: op(Reduce(low half), Reduce(high half)). */
static uint64_t reduce(struct cpu *c, unsigned int f2, bool dbl, const uint8_t *v, unsigned int lo,
		       unsigned int n, unsigned int *fl)
{
	unsigned int es = dbl ? 8 : 4;

	if (n == 1)
		return el_get(v, lo, es);
	return a64_fpe_op2(c, dbl, f2, reduce(c, f2, dbl, v, lo, n / 2, fl),
			   reduce(c, f2, dbl, v, lo + n / 2, n / 2, fl), fl);
}

/* FP pairwise: scalar FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP (bit 28 set: the
 * two elements of Vn) or across lanes FMAXV/FMINV/FMAXNMV/FMINNMV (.4S). */
int a64_fpv_pair(struct cpu *c, uint32_t in)
{
	unsigned int op = BITS(in, 16, 12), rd = in & 31, fl = 0, f2;
	bool scalar = BIT(in, 28), a = BIT(in, 23), dbl = scalar && BIT(in, 22);
	uint8_t v[16];
	uint64_t r;

	if (!BIT(in, 29) || (op != 0x0c && op != 0x0d && op != 0x0f) || (op == 0x0d && (a || !scalar)))
		return a64_undef(c);  /* U = 0: the FP16 forms */
	if (!scalar && (BIT(in, 22) || !BIT(in, 30)))
		return a64_undef(c);  /* across lanes: .4S only */
	f2 = op == 0x0d ? 2 : op == 0x0c ? 6 + a : 4 + a;
	memcpy(v, a64_vreg(c, BITS(in, 9, 5)), 16);
	r = reduce(c, f2, dbl, v, 0, scalar ? 2 : 4, &fl);
	a64_vset(c, rd, &r, dbl ? 8 : 4);
	c->r->fpsr |= fl;
	return DONE;
}

/* By element: FMLA, FMLS, FMUL, FMULX (bit 23 set; scalar if bit 28 set):
 * index H:L for S, H for D (L set: UNDEFINED); Vm is bits 20:16. */
int a64_fpv_elem(struct cpu *c, uint32_t in)
{
	unsigned int op = BITS(in, 15, 12), u = BIT(in, 29), rd = in & 31, fl = 0, i;
	bool scalar = BIT(in, 28), q = BIT(in, 30), dbl = BIT(in, 22);
	unsigned int es = dbl ? 8 : 4, n = scalar ? 1 : (q ? 16 : 8) / es;
	unsigned int idx = dbl ? BIT(in, 11) : (BIT(in, 11) << 1) | BIT(in, 21);
	uint8_t a[16], o[16], d[16] = { 0 };
	uint64_t m, s = sign_of(dbl);

	if ((dbl && BIT(in, 21)) || (!scalar && dbl && !q) || (op != 1 && op != 5 && op != 9) ||
	    (u && op != 9))
		return a64_undef(c);
	memcpy(a, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	m = el_get(a64_vreg(c, BITS(in, 20, 16)), idx, es);
	for (i = 0; i < n; i++) {
		uint64_t x = el_get(a, i, es), r;

		if (op == 9)
			r = a64_fpe_op2(c, dbl, u ? A64_FPE_MULX : 0, x, m, &fl);
		else
			r = a64_fpe_fma(c, dbl, el_get(o, i, es), op == 5 ? x ^ s : x, m, &fl);
		el_put(d, i, es, r);
	}
	return done(c, rd, d, n * es, fl);
}
