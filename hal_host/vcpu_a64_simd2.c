/*
 * The AArch64 interpreter: the widening, narrowing, halving, saturating
 * and multiplying integer Advanced SIMD forms (vector), beside the subset
 * in vcpu_a64_simd.c, which hands them here:
 * - three different: S/U ADDL, ADDW, SUBL, SUBW, ABAL, ABDL, MLAL, MLSL,
 *   MULL, SQDMULL/SQDMLAL/SQDMLSL (and each "2" form), ADDHN/RADDHN/
 *   SUBHN/RSUBHN(2), PMULL(2) of bytes (the 64-bit form needs FEAT_PMULL,
 *   which the profile does not have);
 * - three same: MUL, PMUL, MLA, MLS, S/U ABD, ABA, HADD, RHADD, HSUB, QADD,
 *   QSUB, SHL, RSHL, QSHL, QRSHL (by register), SQDMULH, SQRDMULH;
 * - two-register misc: CLS, CLZ, S/U ADDLP, ADALP, SQXTN/UQXTN/SQXTUN(2),
 *   SHLL(2), SQABS, SQNEG, SUQADD, USQADD.
 * Saturation sets FPSR.QC. Reserved sizes and everything else here are
 * UNDEFINED. The caller has checked CPACR_EL1.FPEN.
 */
#include <string.h>

#include "vcpu_a64_int.h"

#define QC (1ull << 27)

typedef __int128 wide_t;

static uint64_t lane(const uint8_t *b, unsigned int i, unsigned int es)
{
	uint64_t v = 0;

	memcpy(&v, b + i * es, es);
	return v;
}

static void set_lane(uint8_t *b, unsigned int i, unsigned int es, uint64_t v)
{
	memcpy(b + i * es, &v, es);
}

/* An element as an integer: signed or unsigned, of 'bits' bits. */
static wide_t val(uint64_t x, unsigned int bits, bool uns)
{
	return uns ? (wide_t)(bits == 64 ? x : x & ((1ull << bits) - 1)) : (wide_t)sext(x, bits);
}

/* SatQ: v clamped to a signed or unsigned 'bits'-bit integer (*qc set if
 * it had to be). */
static uint64_t sat(wide_t v, unsigned int bits, bool uns, bool *qc)
{
	wide_t hi = uns ? ((wide_t)1 << bits) - 1 : ((wide_t)1 << (bits - 1)) - 1;
	wide_t lo = uns ? 0 : -((wide_t)1 << (bits - 1));

	if (v > hi || v < lo) {
		*qc = true;
		v = v > hi ? hi : lo;
	}
	return (uint64_t)v;
}

/* Carry-less multiply of two bytes. */
static uint64_t pmul8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (unsigned int k = 0; k < 8; k++)
		if (BIT(b, k))
			r ^= (a & 0xff) << k;
	return r;
}

static int finish(struct cpu *c, unsigned int rd, const uint8_t *d, unsigned int bytes, bool qc)
{
	a64_vset(c, rd, d, bytes);
	if (qc)
		c->r->fpsr |= QC;
	return DONE;
}

/* Three registers of different widths (bits 11:10 = 00, bit 21 set). */
int a64_simd_3diff(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 15, 12), i;
	unsigned int es = 1u << size, we = 2 * es, nb = 8 * es, ne = 8 / es, rd = in & 31;
	bool q = BIT(in, 30), uns = u, qc = false;
	uint8_t n[16], m[16], o[16], d[16] = { 0 };

	if (op == 15 || (size == 3 && op != 14) || (u && (op == 9 || op == 11 || op == 13 || op == 14)) ||
	    ((op == 9 || op == 11 || op == 13) && (size == 0)) || (op == 14 && size != 0))
		return a64_undef(c);
	memcpy(n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(m, a64_vreg(c, BITS(in, 20, 16)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	if (op == 4 || op == 6) {  /* ADDHN, RADDHN, SUBHN, RSUBHN: wide in, narrow out */
		uint8_t hn[8];

		for (i = 0; i < ne; i++) {
			uint64_t x = lane(n, i, we), y = lane(m, i, we);
			wide_t r = op == 4 ? (wide_t)x + y : (wide_t)x - y;

			if (u)
				r += (wide_t)1 << (nb - 1);
			set_lane(hn, i, es, (uint64_t)(r >> nb));
		}
		if (q) {
			memcpy(d, o, 8);
			memcpy(d + 8, hn, 8);
		} else {
			memcpy(d, hn, 8);
		}
		return finish(c, rd, d, q ? 16 : 8, false);
	}
	for (i = 0; i < ne; i++) {
		/* the narrow operands come from the half Q selects; ADDW/SUBW's
		 * first is already wide */
		wide_t x = (op == 1 || op == 3) ? val(lane(n, i, we), 2 * nb, uns)
						: val(lane(n + 8 * q, i, es), nb, uns);
		wide_t y = val(lane(m + 8 * q, i, es), nb, uns), acc = val(lane(o, i, we), 2 * nb, uns);
		wide_t ad = x > y ? x - y : y - x;
		uint64_t r;

		switch (op) {
		case 0: case 1: r = (uint64_t)(x + y); break;      /* ADDL, ADDW */
		case 2: case 3: r = (uint64_t)(x - y); break;      /* SUBL, SUBW */
		case 5: r = (uint64_t)(acc + ad); break;           /* ABAL */
		case 7: r = (uint64_t)ad; break;                   /* ABDL */
		case 8: r = (uint64_t)(acc + x * y); break;        /* MLAL */
		case 10: r = (uint64_t)(acc - x * y); break;       /* MLSL */
		case 12: r = (uint64_t)(x * y); break;             /* MULL */
		case 14: r = pmul8((uint64_t)x, (uint64_t)y); break; /* PMULL */
		default: {  /* SQDMULL, SQDMLAL, SQDMLSL */
			wide_t p = (wide_t)(int64_t)sat(2 * x * y, 2 * nb, false, &qc);

			if (op == 13)
				r = (uint64_t)p;
			else
				r = sat(op == 9 ? acc + p : acc - p, 2 * nb, false, &qc);
			break;
		}
		}
		set_lane(d, i, we, r);
	}
	return finish(c, rd, d, 16, qc);
}

/* Shift by a signed register amount (SSHL/USHL, SRSHL/URSHL, SQSHL/UQSHL,
 * SQRSHL/UQRSHL): the unbounded result, before saturation or truncation. */
static wide_t shift_reg(wide_t x, int sh, bool round)
{
	if (sh >= 64)  /* the low 64 bits are zero; any magnitude saturates */
		return x == 0 ? 0 : x > 0 ? (wide_t)1 << 100 : -((wide_t)1 << 100);
	if (sh >= 0)
		return x * ((wide_t)1 << sh);
	sh = -sh > 100 ? 100 : -sh;  /* beyond 65 every result is the same */
	return round ? (x + ((wide_t)1 << (sh - 1))) >> sh : x >> sh;
}

/* The three-same opcodes vcpu_a64_simd.c does not handle (bits 15:11). */
int a64_simd_same2(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 15, 11), i;
	unsigned int es = 1u << size, nb = 8 * es, rd = in & 31;
	bool q = BIT(in, 30), uns = u, qc = false;
	unsigned int bytes = q ? 16 : 8;
	uint8_t n[16], m[16], o[16], d[16] = { 0 };

	switch (op) {
	case 0x00: case 0x02: case 0x04: case 0x0e: case 0x0f: case 0x12:
		if (size == 3)
			return a64_undef(c);
		break;
	case 0x13:  /* MUL; PMUL of bytes only */
		if (size == 3 || (u && size != 0))
			return a64_undef(c);
		break;
	case 0x16:  /* SQDMULH, SQRDMULH: H and S */
		if (size == 0 || size == 3)
			return a64_undef(c);
		break;
	case 0x01: case 0x05: case 0x08: case 0x09: case 0x0a: case 0x0b:
		break;  /* size 3 only with Q (the caller checked) */
	default:
		return a64_undef(c);
	}
	memcpy(n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(m, a64_vreg(c, BITS(in, 20, 16)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	for (i = 0; i < bytes / es; i++) {
		uint64_t xr = lane(n, i, es), yr = lane(m, i, es), r;
		wide_t x = val(xr, nb, uns), y = val(yr, nb, uns);

		switch (op) {
		case 0x00: r = (uint64_t)((x + y) >> 1); break;          /* HADD */
		case 0x02: r = (uint64_t)((x + y + 1) >> 1); break;      /* RHADD */
		case 0x04: r = (uint64_t)((x - y) >> 1); break;          /* HSUB */
		case 0x01: r = sat(x + y, nb, uns, &qc); break;          /* QADD */
		case 0x05: r = sat(x - y, nb, uns, &qc); break;          /* QSUB */
		case 0x08: case 0x0a:                                    /* SHL, RSHL */
			r = (uint64_t)shift_reg(x, (int8_t)yr, op == 0x0a);
			break;
		case 0x09: case 0x0b:                                    /* QSHL, QRSHL */
			r = sat(shift_reg(x, (int8_t)yr, op == 0x0b), nb, uns, &qc);
			break;
		case 0x0e: r = (uint64_t)(x > y ? x - y : y - x); break; /* ABD */
		case 0x0f:                                               /* ABA */
			r = lane(o, i, es) + (uint64_t)(x > y ? x - y : y - x);
			break;
		case 0x12:                                               /* MLA, MLS */
			r = u ? lane(o, i, es) - xr * yr : lane(o, i, es) + xr * yr;
			break;
		case 0x13: r = u ? pmul8(xr, yr) : xr * yr; break;       /* PMUL, MUL */
		default: {                                               /* SQ(R)DMULH */
			wide_t sx = val(xr, nb, false), sy = val(yr, nb, false);

			r = sat((2 * sx * sy + (u ? (wide_t)1 << (nb - 1) : 0)) >> nb, nb, false, &qc);
			break;
		}
		}
		set_lane(d, i, es, r);
	}
	return finish(c, rd, d, bytes, qc);
}

/* The two-register misc opcodes vcpu_a64_simd.c does not handle. */
int a64_simd_misc2(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 16, 12), i;
	unsigned int es = 1u << size, nb = 8 * es, rd = in & 31;
	bool q = BIT(in, 30), uns = u, qc = false;
	unsigned int bytes = q ? 16 : 8;
	uint8_t n[16], o[16], d[16] = { 0 };

	memcpy(n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	if (op == 0x12 || op == 0x13 || op == 0x14) {  /* SQXTUN, SHLL, SQXTN, UQXTN */
		uint8_t half[8];

		if (size == 3 || (op == 0x12 && !u) || (op == 0x13 && !u))
			return a64_undef(c);
		if (op == 0x13) {  /* SHLL: widen the half Q selects, shift by the width */
			for (i = 0; i < 8 / es; i++)
				set_lane(d, i, 2 * es, lane(n + 8 * q, i, es) << nb);
			return finish(c, rd, d, 16, false);
		}
		for (i = 0; i < 8 / es; i++) {
			/* SQXTUN: signed in, unsigned out; SQXTN signed; UQXTN unsigned */
			wide_t x = val(lane(n, i, 2 * es), 2 * nb, op == 0x14 && u);

			set_lane(half, i, es, sat(x, nb, op == 0x12 || u, &qc));
		}
		if (q) {
			memcpy(d, o, 8);
			memcpy(d + 8, half, 8);
		} else {
			memcpy(d, half, 8);
		}
		return finish(c, rd, d, bytes, qc);
	}
	if (op == 0x02 || op == 0x06) {  /* S/U ADDLP, ADALP */
		if (size == 3)
			return a64_undef(c);
		for (i = 0; i < bytes / (2 * es); i++) {
			wide_t r = val(lane(n, 2 * i, es), nb, uns) + val(lane(n, 2 * i + 1, es), nb, uns);

			if (op == 0x06)
				r += lane(o, i, 2 * es);
			set_lane(d, i, 2 * es, (uint64_t)r);
		}
		return finish(c, rd, d, bytes, false);
	}
	if (op != 0x03 && op != 0x04 && op != 0x07)
		return a64_undef(c);
	if ((op == 0x04 && size == 3) || (size == 3 && !q))
		return a64_undef(c);
	for (i = 0; i < bytes / es; i++) {
		uint64_t xr = lane(n, i, es), r;
		wide_t sx = val(xr, nb, false);

		if (op == 0x04) {  /* CLS, CLZ */
			unsigned int k = 0;
			uint64_t v = u ? xr : (xr ^ (xr >> 1)) & ((1ull << (nb - 1)) - 1);
			unsigned int top = u ? nb : nb - 1;

			while (k < top && !BIT(v, top - 1 - k))
				k++;
			r = k;
		} else if (op == 0x07) {  /* SQABS, SQNEG */
			r = sat(u ? -sx : (sx < 0 ? -sx : sx), nb, false, &qc);
		} else if (u) {  /* USQADD: unsigned Vd + signed Vn */
			r = sat(val(lane(o, i, es), nb, true) + sx, nb, true, &qc);
		} else {         /* SUQADD: signed Vd + unsigned Vn */
			r = sat(val(lane(o, i, es), nb, false) + val(xr, nb, true), nb, false, &qc);
		}
		set_lane(d, i, es, r);
	}
	return finish(c, rd, d, bytes, qc);
}

/* Shift by immediate, the forms vcpu_a64_simd.c does not handle, vector
 * and scalar (bit 28; elements of 64 bits only for the plain shifts):
 * SRSHR/URSHR, SRSRA/URSRA, SRI, SLI, SQSHLU, SQSHL/UQSHL (immediate),
 * RSHRN(2), SQSHRN/UQSHRN/SQRSHRN/UQRSHRN(2), SQSHRUN/SQRSHRUN(2); scalar
 * SSHR/USHR/SSRA/USRA/SHL too; the fixed-point conversions are vcpu_a64_fpu.c's. */
int a64_simd_shift2(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), immh = BITS(in, 22, 19), op = BITS(in, 15, 11);
	unsigned int ih = BITS(in, 22, 16), rd = in & 31, i;
	bool scalar = BIT(in, 28), q = BIT(in, 30), qc = false;
	unsigned int hb = immh ? 31 - (unsigned int)__builtin_clz(immh) : 0, es = 1u << hb, nb = 8 * es;
	unsigned int rsh = 2 * nb - ih, lsh = ih - nb, bytes = scalar ? es : q ? 16 : 8;
	uint64_t mask = nb == 64 ? ~0ull : (1ull << nb) - 1;
	uint8_t n[16], o[16], d[16] = { 0 };

	if (!immh)
		return a64_undef(c);
	if (op == 0x1c || op == 0x1f)
		return a64_fp_vfixed(c, in);  /* fixed-point conversions */
	memcpy(n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	if (op >= 0x10 && op <= 0x13) {  /* narrowing: 2*es source elements */
		bool round = op == 0x11 || op == 0x13, sat_ = !(op == 0x11 && !u);
		bool src_uns = op >= 0x12 && u;
		unsigned int cnt = scalar ? 1 : 8 / es;
		uint8_t h[8] = { 0 };

		if (hb == 3 || (op == 0x10 && !u) || (scalar && op == 0x11 && !u))
			return a64_undef(c);  /* SHRN is vcpu_a64_simd.c's; no scalar RSHRN */
		for (i = 0; i < cnt; i++) {
			wide_t x = val(lane(n, i, 2 * es), 2 * nb, src_uns);
			wide_t v = (round ? x + ((wide_t)1 << (rsh - 1)) : x) >> rsh;

			set_lane(h, i, es, sat_ ? sat(v, nb, u, &qc) : (uint64_t)v);
		}
		if (scalar)
			return finish(c, rd, h, es, qc);
		if (q) {
			memcpy(d, o, 8);
			memcpy(d + 8, h, 8);
		} else {
			memcpy(d, h, 8);
		}
		return finish(c, rd, d, q ? 16 : 8, qc);
	}
	if ((!scalar && hb == 3 && !q) || (scalar && hb != 3 && op != 0x0c && op != 0x0e))
		return a64_undef(c);
	if ((op == 0x08 || op == 0x0c) && !u)
		return a64_undef(c);
	if (op != 0x00 && op != 0x02 && op != 0x04 && op != 0x06 && op != 0x08 && op != 0x0a &&
	    op != 0x0c && op != 0x0e)
		return a64_undef(c);
	for (i = 0; i < bytes / es; i++) {
		uint64_t xr = lane(n, i, es), dr = lane(o, i, es), r;
		wide_t x = val(xr, nb, u);

		switch (op) {
		case 0x00: case 0x02: case 0x04: case 0x06: {  /* S/U (R)SHR, (R)SRA */
			wide_t v = (op >= 0x04 ? x + ((wide_t)1 << (rsh - 1)) : x) >> rsh;

			r = (uint64_t)v + (op == 0x02 || op == 0x06 ? dr : 0);
			break;
		}
		case 0x08:  /* SRI: the top rsh bits of each element kept */
			r = rsh == nb ? dr : (dr & ~(mask >> rsh)) | (xr >> rsh);
			break;
		case 0x0a:  /* SHL, SLI: the low lsh bits kept by SLI */
			r = ((xr << lsh) & mask) | (u ? dr & ((1ull << lsh) - 1) : 0);
			break;
		case 0x0c:  /* SQSHLU: signed in, unsigned out */
			r = sat(val(xr, nb, false) * ((wide_t)1 << lsh), nb, true, &qc);
			break;
		default:    /* SQSHL, UQSHL (immediate) */
			r = sat(x * ((wide_t)1 << lsh), nb, u, &qc);
			break;
		}
		set_lane(d, i, es, r);
	}
	return finish(c, rd, d, bytes, qc);
}

/* Integer by element (bit 23 clear; sizes H and S): MUL, MLA, MLS,
 * SQDMULH, SQRDMULH, and the long S/U MULL, MLAL, MLSL, SQDMULL, SQDMLAL,
 * SQDMLSL (each "2" form reads the upper half of Vn). Index H:L:M with Vm
 * in V0-V15 for H elements, H:L with Vm any register for S. */
int a64_simd_elem(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 15, 12), rd = in & 31, i;
	unsigned int es = 1u << size, nb = 8 * es, idx, rm;
	bool q = BIT(in, 30), qc = false, lng;
	uint8_t n[16], o[16], d[16] = { 0 };
	wide_t y;

	if (size != 1 && size != 2)
		return a64_undef(c);
	idx = size == 1 ? (BIT(in, 11) << 2) | (BIT(in, 21) << 1) | BIT(in, 20)
			: (BIT(in, 11) << 1) | BIT(in, 21);
	rm = size == 1 ? BITS(in, 19, 16) : BITS(in, 20, 16);
	switch ((u << 4) | op) {
	case 0x08: case 0x0c: case 0x0d: case 0x10: case 0x14: lng = false; break;
	case 0x02: case 0x03: case 0x06: case 0x07: case 0x0a: case 0x0b:
	case 0x12: case 0x16: case 0x1a: lng = true; break;
	default: return a64_undef(c);  /* SQRDMLAH/SQRDMLSH: no FEAT_RDM */
	}
	memcpy(n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(o, a64_vreg(c, rd), 16);
	y = val(lane(a64_vreg(c, rm), idx, es), nb, u);
	if (!lng) {
		for (i = 0; i < (q ? 16 : 8) / es; i++) {
			uint64_t xr = lane(n, i, es), r;
			uint64_t yr = (uint64_t)y;

			switch ((u << 4) | op) {
			case 0x08: r = xr * yr; break;                        /* MUL */
			case 0x10: r = lane(o, i, es) + xr * yr; break;       /* MLA */
			case 0x14: r = lane(o, i, es) - xr * yr; break;       /* MLS */
			default:                                              /* SQ(R)DMULH */
				r = sat((2 * val(xr, nb, false) * y + (op == 0x0d ? (wide_t)1 << (nb - 1) : 0)) >> nb,
					nb, false, &qc);
				break;
			}
			set_lane(d, i, es, r);
		}
		return finish(c, rd, d, q ? 16 : 8, qc);
	}
	for (i = 0; i < 8 / es; i++) {
		wide_t x = val(lane(n + 8 * q, i, es), nb, u), acc = val(lane(o, i, 2 * es), 2 * nb, u), p;
		uint64_t r;

		switch (op) {
		case 0x0a: r = (uint64_t)(x * y); break;                  /* S/U MULL */
		case 0x02: r = (uint64_t)(acc + x * y); break;            /* S/U MLAL */
		case 0x06: r = (uint64_t)(acc - x * y); break;            /* S/U MLSL */
		default:                                                  /* SQDMULL, SQDMLAL, SQDMLSL */
			p = (wide_t)(int64_t)sat(2 * x * y, 2 * nb, false, &qc);
			r = op == 0x0b ? (uint64_t)p : sat(op == 0x03 ? acc + p : acc - p, 2 * nb, false, &qc);
			break;
		}
		set_lane(d, i, 2 * es, r);
	}
	return finish(c, rd, d, 16, qc);
}

/* Scalar integer three-same (bit 10 set) and two-register misc forms: the
 * vector form's result for element 0. The operands' other elements are
 * zeroed for the vector operation (so that no other lane can saturate
 * and set QC) and restored afterwards; Vd keeps element 0, zero above, as
 * for every scalar write. Allowed: SQADD/UQADD, SQSUB/UQSUB, SQSHL/UQSHL,
 * SQRSHL/UQRSHL, SUQADD/USQADD, SQABS/SQNEG (any size); SQDMULH/SQRDMULH
 * (H, S); SQXTN/UQXTN/SQXTUN (B, H, S results); and on D only ADD, SUB,
 * CMGT/CMHI/CMGE/CMHS/CMEQ/CMTST, SSHL/USHL/SRSHL/URSHL, CMxx #0, ABS, NEG. */
int a64_simd_scalar_int(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), es = 1u << size, i, rc;
	unsigned int r[3] = { BITS(in, 9, 5), BITS(in, 20, 16), in & 31 };
	bool misc = !BIT(in, 10), narrow = false, ok;
	uint8_t save[3][16], res[16];
	unsigned int op = misc ? BITS(in, 16, 12) : BITS(in, 15, 11);

	if (misc) {
		narrow = op == 0x14 || (op == 0x12 && u);
		ok = op == 0x03 || op == 0x07 || narrow ? (!narrow || size != 3)
		     : (size == 3 && (op == 0x08 || op == 0x09 || (op == 0x0a && !u) || op == 0x0b));
		r[1] = r[2];  /* no Vm */
	} else {
		ok = op == 0x01 || op == 0x05 || op == 0x09 || op == 0x0b ||
		     (op == 0x16 && (size == 1 || size == 2)) ||
		     (size == 3 && (op == 0x06 || op == 0x07 || op == 0x08 || op == 0x0a ||
				    op == 0x10 || op == 0x11));
	}
	if (!ok)
		return a64_undef(c);
	for (i = 0; i < 3; i++)
		memcpy(save[i], a64_vreg(c, r[i]), 16);
	for (i = 0; i < 3; i++) {  /* element 0 (the source of a narrowing: 2 * es) only */
		unsigned int keep = (narrow && i == 0) ? 2 * es : es;

		memset(a64_vreg(c, r[i]) + keep, 0, 16 - keep);
	}
	/* the vector encoding: bit 28 clear; Q = 1 (.2D), or 0 for a narrowing
	 * (which would otherwise write the upper half) */
	rc = (unsigned int)a64_simd(c, (in & ~(1u << 28) & ~(1u << 30)) | (narrow ? 0 : 1u << 30));
	memcpy(res, a64_vreg(c, r[2]), 16);
	for (i = 0; i < 3; i++)  /* restore Vn, Vm; Vd too if nothing was written */
		if (r[i] != r[2] || i == 2)
			memcpy(a64_vreg(c, r[i]), save[i], 16);
	if (rc != DONE)
		return (int)rc;
	a64_vset(c, r[2], res, es);
	return DONE;
}
