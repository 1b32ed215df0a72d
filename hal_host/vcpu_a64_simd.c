/*
 * The AArch64 interpreter: Advanced SIMD data processing, the integer
 * subset compilers and libc string routines use (see include/rmm/
 * vcpu_a64.h for the list). Anything else in the SIMD&FP data-processing
 * space is UNDEFINED. Every form first honours CPACR_EL1.FPEN.
 */
#include <string.h>

#include "vcpu_a64_int.h"

static uint64_t ge(const uint8_t *b, unsigned int i, unsigned int es)
{
	uint64_t v = 0;

	memcpy(&v, b + i * es, es);
	return v;
}

static void pe(uint8_t *b, unsigned int i, unsigned int es, uint64_t v)
{
	memcpy(b + i * es, &v, es);
}

static uint64_t mask(unsigned int es)
{
	return es == 8 ? ~0ull : (1ull << (8 * es)) - 1;
}

/* Operands of a vector form: Vn, Vm, the old Vd, the result (zeroed). */
struct vop {
	uint8_t n[16], m[16], o[16], d[16];
	unsigned int es, nel, bytes, rd;
};

static void vop_init(struct cpu *c, uint32_t in, unsigned int es, struct vop *p)
{
	memcpy(p->n, a64_vreg(c, BITS(in, 9, 5)), 16);
	memcpy(p->m, a64_vreg(c, BITS(in, 20, 16)), 16);
	memcpy(p->o, a64_vreg(c, in & 31), 16);
	memset(p->d, 0, 16);
	p->rd = in & 31;
	p->es = es;
	p->bytes = BIT(in, 30) ? 16 : 8;
	p->nel = p->bytes / es;
}

static int vop_done(struct cpu *c, struct vop *p)
{
	a64_vset(c, p->rd, p->d, p->bytes);
	return DONE;
}

/* AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF on 64-bit lanes. */
static uint64_t logic(unsigned int sel, uint64_t n, uint64_t m, uint64_t d)
{
	switch (sel) {
	case 0: return n & m;
	case 1: return n & ~m;
	case 2: return n | m;
	case 3: return n | ~m;
	case 4: return n ^ m;
	case 5: return m ^ ((m ^ n) & d);   /* BSL */
	case 6: return d ^ ((d ^ n) & m);   /* BIT */
	default: return d ^ ((d ^ n) & ~m); /* BIF */
	}
}

static int three_same(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 15, 11), i;
	bool q = BIT(in, 30);
	struct vop p;

	vop_init(c, in, 1u << size, &p);
	if (op == 0x03) {
		for (i = 0; i < p.bytes / 8; i++)
			pe(p.d, i, 8, logic(u * 4 + size, ge(p.n, i, 8), ge(p.m, i, 8), ge(p.o, i, 8)));
		return vop_done(c, &p);
	}
	if (size == 3 && !q)
		return a64_undef(c);
	if (op >= 0x18)
		return a64_fpv_same(c, in);  /* FP: FADD, FMLA, FCMxx, ... */
	if (op == 0x0c || op == 0x0d || op == 0x14 || op == 0x15 || (op == 0x17 && !u)) {
		bool pair = op != 0x0c && op != 0x0d;
		uint8_t cat[32];

		if (size == 3 && op != 0x17)
			return a64_undef(c);
		memcpy(cat, p.n, p.bytes);
		memcpy(cat + p.bytes, p.m, p.bytes);
		for (i = 0; i < p.nel; i++) {
			uint64_t x = pair ? ge(cat, 2 * i, p.es) : ge(p.n, i, p.es);
			uint64_t y = pair ? ge(cat, 2 * i + 1, p.es) : ge(p.m, i, p.es);
			bool gt = u ? x > y : sext(x, 8 * p.es) > sext(y, 8 * p.es);
			uint64_t r;

			if (op == 0x17)
				r = x + y;
			else if ((op & 1) == 0)   /* max */
				r = gt ? x : y;
			else
				r = gt ? y : x;
			pe(p.d, i, p.es, r);
		}
		return vop_done(c, &p);
	}
	if (op != 0x10 && op != 0x06 && op != 0x07 && op != 0x11)
		return a64_simd_same2(c, in);  /* MUL, MLA, ABD, QADD, ... */
	for (i = 0; i < p.nel; i++) {
		uint64_t x = ge(p.n, i, p.es), y = ge(p.m, i, p.es), r;
		int64_t sx = sext(x, 8 * p.es), sy = sext(y, 8 * p.es);

		switch (op) {
		case 0x10: r = u ? x - y : x + y; break;
		case 0x06: r = (u ? x > y : sx > sy) ? ~0ull : 0; break;
		case 0x07: r = (u ? x >= y : sx >= sy) ? ~0ull : 0; break;
		default: r = (u ? x == y : (x & y) != 0) ? ~0ull : 0; break;
		}
		pe(p.d, i, p.es, r);
	}
	return vop_done(c, &p);
}

static int two_misc(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 16, 12), i;
	bool q = BIT(in, 30);
	struct vop p;

	if (op >= 0x18 && op <= 0x1d)
		return a64_fp_vcvt(c, in);  /* FRINT*, FCVT*S/U, SCVTF/UCVTF (vector) */
	if ((op >= 0x0c && op <= 0x0f && BIT(in, 23)) || op == 0x16 || op == 0x17 || op == 0x1f)
		return a64_fpv_misc(c, in);  /* FABS, FNEG, FSQRT, FCMxx #0, FCVTL/N */
	vop_init(c, in, 1u << size, &p);
	if (op <= 1) {  /* REV64, REV32, REV16: reverse elements in containers */
		unsigned int cb = op == 1 ? 2 : u ? 4 : 8, epc;

		if (op == 1 && u)
			return a64_undef(c);
		if (p.es >= cb)
			return a64_undef(c);
		epc = cb / p.es;
		for (i = 0; i < p.nel; i++)
			pe(p.d, i, p.es, ge(p.n, (i / epc) * epc + (epc - 1 - i % epc), p.es));
		return vop_done(c, &p);
	}
	if (op == 0x05) {  /* CNT, NOT, RBIT */
		if (size > (u ? 1u : 0u))
			return a64_undef(c);
		for (i = 0; i < p.bytes; i++) {
			unsigned int b = p.n[i], r = 0, k;

			for (k = 0; k < 8; k++) {
				if (!u)
					r += BIT(b, k);
				else if (size == 1)
					r |= BIT(b, k) << (7 - k);
			}
			p.d[i] = (uint8_t)(u && size == 0 ? ~b : r);
		}
		return vop_done(c, &p);
	}
	if (op == 0x12 && !u) {  /* XTN, XTN2 */
		uint8_t lo[8];

		if (size == 3)
			return a64_undef(c);
		for (i = 0; i < 8 / p.es; i++)
			pe(lo, i, p.es, ge(p.n, i, 2 * p.es));
		if (q) {
			memcpy(p.d, p.o, 8);
			memcpy(p.d + 8, lo, 8);
		} else {
			memcpy(p.d, lo, 8);
		}
		return vop_done(c, &p);
	}
	if (size == 3 && !q)
		return a64_undef(c);
	if (op < 0x08 || op > 0x0b || (op == 0x0a && u))
		return a64_simd_misc2(c, in);  /* CLS/CLZ, ADDLP, SQXTN, ... */
	for (i = 0; i < p.nel; i++) {
		uint64_t x = ge(p.n, i, p.es), r;
		int64_t s = sext(x, 8 * p.es);

		switch (op * 2 + u) {
		case 0x10: r = s > 0 ? ~0ull : 0; break;   /* CMGT #0 */
		case 0x11: r = s >= 0 ? ~0ull : 0; break;  /* CMGE #0 */
		case 0x12: r = s == 0 ? ~0ull : 0; break;  /* CMEQ #0 */
		case 0x13: r = s <= 0 ? ~0ull : 0; break;  /* CMLE #0 */
		case 0x14: r = s < 0 ? ~0ull : 0; break;   /* CMLT #0 */
		case 0x16: r = s < 0 ? 0 - x : x; break;   /* ABS */
		default: r = 0 - x; break;                 /* NEG */
		}
		pe(p.d, i, p.es, r);
	}
	return vop_done(c, &p);
}

/* ADDV, SMAXV/UMAXV, SMINV/UMINV, SADDLV/UADDLV. */
static int across(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), size = BITS(in, 23, 22), op = BITS(in, 16, 12), i;
	bool q = BIT(in, 30);
	struct vop p;
	uint64_t acc;

	if (u && (op == 0x0c || op == 0x0f))
		return a64_fpv_pair(c, in);  /* FMAXV, FMINV, FMAXNMV, FMINNMV */
	if (size == 3 || (size == 2 && !q) || (op != 0x1b && op != 0x0a && op != 0x1a && op != 0x03) ||
	    (op == 0x1b && u))
		return a64_undef(c);
	vop_init(c, in, 1u << size, &p);
	acc = op == 0x03 ? (u ? ge(p.n, 0, p.es) : (uint64_t)sext(ge(p.n, 0, p.es), 8 * p.es))
			 : ge(p.n, 0, p.es);
	for (i = 1; i < p.nel; i++) {
		uint64_t x = ge(p.n, i, p.es);
		bool gt = u ? x > acc : sext(x, 8 * p.es) > sext(acc, 8 * p.es);

		if (op == 0x1b)
			acc += x;
		else if (op == 0x03)
			acc += u ? x : (uint64_t)sext(x, 8 * p.es);
		else if ((op == 0x0a) == gt)
			acc = x;
	}
	pe(p.d, 0, 8, acc & mask(op == 0x03 ? 2 * p.es : p.es));
	a64_vset(c, p.rd, p.d, op == 0x03 ? 2 * p.es : p.es);
	return DONE;
}

/* DUP (element, general), INS (general, element), SMOV, UMOV. */
static int copy(struct cpu *c, uint32_t in)
{
	unsigned int imm5 = BITS(in, 20, 16), imm4 = BITS(in, 14, 11), size, idx, i;
	unsigned int rn = BITS(in, 9, 5), rd = in & 31, es;
	bool q = BIT(in, 30), op = BIT(in, 29);
	struct vop p;

	if ((imm5 & 0xf) == 0)
		return a64_undef(c);
	size = (unsigned int)__builtin_ctz(imm5);
	es = 1u << size;
	idx = imm5 >> (size + 1);
	vop_init(c, in, es, &p);
	if (op) {  /* INS (element) */
		if (!q)
			return a64_undef(c);
		memcpy(p.d, p.o, 16);
		pe(p.d, idx, es, ge(p.n, imm4 >> size, es));
		return vop_done(c, &p);
	}
	switch (imm4) {
	case 0: case 1:  /* DUP */
		if (size == 3 && !q)
			return a64_undef(c);
		for (i = 0; i < p.nel; i++)
			pe(p.d, i, es, imm4 ? xr(c, rn) : ge(p.n, idx, es));
		return vop_done(c, &p);
	case 3:  /* INS (general) */
		if (!q)
			return a64_undef(c);
		memcpy(p.d, p.o, 16);
		pe(p.d, idx, es, xr(c, rn));
		return vop_done(c, &p);
	case 5:  /* SMOV */
		if (size > (q ? 2u : 1u))
			return a64_undef(c);
		setx(c, rd, (uint64_t)sext(ge(p.n, idx, es), 8 * es), q);
		return DONE;
	case 7:  /* UMOV */
		if (q != (size == 3))
			return a64_undef(c);
		setx(c, rd, ge(p.n, idx, es), q);
		return DONE;
	default:
		return a64_undef(c);
	}
}

/* UZP1/2, TRN1/2, ZIP1/2, TBL/TBX, EXT. */
static int permute(struct cpu *c, uint32_t in)
{
	unsigned int size = BITS(in, 23, 22), op = BITS(in, 14, 12), i;
	bool q = BIT(in, 30);
	uint8_t cat[32];
	struct vop p;

	vop_init(c, in, 1u << size, &p);
	if (BIT(in, 29)) {  /* EXT */
		unsigned int imm4 = BITS(in, 14, 11);

		if (size != 0 || (!q && imm4 >= 8))
			return a64_undef(c);
		memcpy(cat, p.n, p.bytes);
		memcpy(cat + p.bytes, p.m, p.bytes);
		memcpy(p.d, cat + imm4, p.bytes);
		return vop_done(c, &p);
	}
	if (BITS(in, 11, 10) == 0) {  /* TBL, TBX */
		unsigned int len = BITS(in, 14, 13) + 1, rn = BITS(in, 9, 5);
		uint8_t tab[64];

		if (size != 0)
			return a64_undef(c);
		for (i = 0; i < len; i++)
			memcpy(tab + 16 * i, a64_vreg(c, (rn + i) & 31), 16);
		for (i = 0; i < p.bytes; i++)
			p.d[i] = p.m[i] < 16 * len ? tab[p.m[i]] : BIT(in, 12) ? p.o[i] : 0;
		return vop_done(c, &p);
	}
	if ((size == 3 && !q) || op == 0 || op == 4)
		return a64_undef(c);
	memcpy(cat, p.n, p.bytes);
	memcpy(cat + p.bytes, p.m, p.bytes);
	for (i = 0; i < p.nel; i++) {
		unsigned int k = i / 2, odd = i & 1, part = op >> 2;
		uint64_t v;

		switch (op & 3) {
		case 1: v = ge(cat, 2 * i + part, p.es); break;                       /* UZP */
		case 2: v = ge(odd ? p.m : p.n, 2 * k + part, p.es); break;           /* TRN */
		default: v = ge(odd ? p.m : p.n, part * p.nel / 2 + k, p.es); break;  /* ZIP */
		}
		pe(p.d, i, p.es, v);
	}
	return vop_done(c, &p);
}

/* AdvSIMDExpandImm for MOVI/MVNI/ORR/BIC/FMOV (vector, immediate). */
static bool expand_imm(unsigned int op, unsigned int cmode, uint64_t imm8, uint64_t *out)
{
	uint64_t r;
	unsigned int i;

	switch (cmode >> 1) {
	case 0: case 1: case 2: case 3:
		r = imm8 << (8 * (cmode >> 1));
		*out = r | (r << 32);
		return true;
	case 4: case 5:
		r = imm8 << (8 * ((cmode >> 1) & 1));
		*out = r * 0x0001000100010001ull;
		return true;
	case 6:
		r = (cmode & 1) ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff;
		*out = r | (r << 32);
		return true;
	default:
		if (cmode & 1) {  /* FMOV (vector, immediate): S (op 0) or D */
			uint64_t sgn = imm8 >> 7, b6 = BIT(imm8, 6), lo4 = imm8 & 0xf;

			if (op) {
				*out = (sgn << 63) | ((b6 ^ 1) << 62) | ((b6 ? 0xffull : 0) << 54) |
				       (BITS(imm8, 5, 4) << 52) | (lo4 << 48);
			} else {
				r = (sgn << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1full : 0) << 25) |
				    (BITS(imm8, 5, 4) << 23) | (lo4 << 19);
				*out = r | (r << 32);
			}
			return true;
		}
		if (!op) {
			*out = imm8 * 0x0101010101010101ull;
			return true;
		}
		for (r = 0, i = 0; i < 8; i++)
			if (BIT(imm8, i))
				r |= 0xffull << (8 * i);
		*out = r;
		return true;
	}
}

static int mod_imm(struct cpu *c, uint32_t in)
{
	unsigned int op = BIT(in, 29), cmode = BITS(in, 15, 12);
	uint64_t imm8 = (BITS(in, 18, 16) << 5) | BITS(in, 9, 5), imm, cur[2], v[2];
	bool q = BIT(in, 30), orr_bic = cmode < 12 && (cmode & 1);

	if (BIT(in, 11) || !expand_imm(op, cmode, imm8, &imm) || (cmode == 15 && op && !q))
		return a64_undef(c);
	memcpy(cur, a64_vreg(c, in & 31), 16);
	if (orr_bic) {
		v[0] = op ? cur[0] & ~imm : cur[0] | imm;
		v[1] = op ? cur[1] & ~imm : cur[1] | imm;
	} else {
		v[0] = v[1] = (op && cmode < 14) ? ~imm : imm;
	}
	a64_vset(c, in & 31, v, q ? 16 : 8);
	return DONE;
}

/* SSHR/USHR, SSRA/USRA, SHL, SHRN, SSHLL/USHLL. */
static int shift_imm(struct cpu *c, uint32_t in)
{
	unsigned int u = BIT(in, 29), immh = BITS(in, 22, 19), op = BITS(in, 15, 11), i;
	unsigned int hb = 31 - (unsigned int)__builtin_clz(immh), es = 1u << hb, bits = 8 * es;
	unsigned int ih = BITS(in, 22, 16);
	bool q = BIT(in, 30);
	struct vop p;

	vop_init(c, in, es, &p);
	if (op == 0x10 || op == 0x14) {  /* narrowing / widening */
		unsigned int half = q ? 8 : 0;

		if (op == 0x10 && u)
			return a64_simd_shift2(c, in);  /* SQSHRUN */
		if (hb == 3)
			return a64_undef(c);
		if (op == 0x10) {  /* SHRN{2}: 2*es source elements, shift right */
			unsigned int sh = 2 * bits - ih;

			if (q)
				memcpy(p.d, p.o, 8);
			for (i = 0; i < 8 / es; i++)
				pe(p.d + half, i, es, ge(p.n, i, 2 * es) >> sh);
		} else {           /* SSHLL{2}/USHLL{2}: es source, 2*es result */
			unsigned int sh = ih - bits;

			for (i = 0; i < 8 / es; i++) {
				uint64_t x = ge(p.n + half, i, es);

				if (!u)
					x = (uint64_t)sext(x, bits);
				pe(p.d, i, 2 * es, x << sh);
			}
		}
		a64_vset(c, p.rd, p.d, 16);
		return DONE;
	}
	if (hb == 3 && !q)
		return a64_undef(c);
	if (op == 0x0a && !u) {  /* SHL */
		for (i = 0; i < p.nel; i++)
			pe(p.d, i, es, ge(p.n, i, es) << (ih - bits));
		return vop_done(c, &p);
	}
	if (op != 0x00 && op != 0x02)
		return a64_simd_shift2(c, in);  /* rounding, inserting, saturating */
	for (i = 0; i < p.nel; i++) {
		unsigned int sh = 2 * bits - ih;   /* 1..bits */
		uint64_t x = ge(p.n, i, es), r;

		if (u)
			r = sh >= 64 ? 0 : x >> sh;
		else
			r = (uint64_t)(sext(x, bits) >> (sh >= 64 ? 63 : sh));
		if (op == 0x02)
			r += ge(p.o, i, es);
		pe(p.d, i, es, r);
	}
	return vop_done(c, &p);
}

/* Data processing -- SIMD and FP (instruction bits 28:25 = x111). */
int a64_simd(struct cpu *c, uint32_t in)
{
	int rc;

	if ((in & 0x5e000000u) == 0x1e000000u)
		return a64_fp_scalar(c, in);
	if ((in & 0xdf3e0c00u) == 0x5e200800u && BITS(in, 16, 12) >= 0x1a &&
	    BITS(in, 16, 12) <= 0x1d) {  /* FCVT*S/U, SCVTF/UCVTF (scalar, integer) */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_fp_vcvt(c, in);
	}
	if ((in & 0xdf800400u) == 0x5f000400u && BITS(in, 22, 19)) {  /* shift by immediate (scalar) */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_simd_shift2(c, in);
	}
	{  /* scalar FP forms of AdvSIMD */
		bool misc0 = (in & 0xdf3e0c00u) == 0x5e200800u && BIT(in, 23) &&
			     BITS(in, 16, 12) >= 0x0c && BITS(in, 16, 12) <= 0x0e;  /* FCMxx #0 */
		bool same = (in & 0xdf200400u) == 0x5e200400u && BITS(in, 15, 11) >= 0x18;
		bool pair = (in & 0xdf3e0c00u) == 0x5e300800u && BIT(in, 29);
		bool elem = (in & 0xdf000400u) == 0x5f000000u && BIT(in, 23);

		if (misc0 || same || pair || elem) {
			if ((rc = a64_fp_trap(c)) != DONE)
				return rc;
			return misc0 ? a64_fpv_misc(c, in) : same ? a64_fpv_same(c, in)
			       : pair ? a64_fpv_pair(c, in) : a64_fpv_elem(c, in);
		}
	}
	if (((in & 0xdf200400u) == 0x5e200400u && BITS(in, 15, 11) < 0x18) ||
	    ((in & 0xdf3e0c00u) == 0x5e200800u && BITS(in, 16, 12) < 0x18 &&
	     !(BIT(in, 23) && BITS(in, 16, 12) >= 0x0c && BITS(in, 16, 12) <= 0x0e)))
		return a64_simd_scalar_int(c, in);  /* scalar integer 3-same, 2-misc */
	if ((in & 0xff3ffc00u) == 0x5e31b800u) {  /* ADDP (scalar), D only */
		uint64_t v[2];

		if (BITS(in, 23, 22) != 3)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		memcpy(v, a64_vreg(c, BITS(in, 9, 5)), 16);
		v[0] += v[1];
		a64_vset(c, in & 31, v, 8);
		return DONE;
	}
	if (BIT(in, 31) || BITS(in, 28, 25) != 7)
		return a64_undef(c);
	if (BIT(in, 24) == 0) {  /* bits 28:24 = 01110 */
		int (*fn)(struct cpu *, uint32_t) = NULL;

		if (BIT(in, 21)) {
			if (BIT(in, 10))
				fn = three_same;
			else if (BITS(in, 11, 10) == 2 && BITS(in, 20, 17) == 0)
				fn = two_misc;
			else if (BITS(in, 11, 10) == 2 && BITS(in, 20, 17) == 8)
				fn = across;
			else if (BITS(in, 11, 10) == 0)
				fn = a64_simd_3diff;
		} else if (BITS(in, 23, 21) == 0 && !BIT(in, 15) && BIT(in, 10)) {
			fn = copy;
		} else if (!BIT(in, 29) && !BIT(in, 15) && BITS(in, 11, 10) == 2) {
			fn = permute;
		} else if (!BIT(in, 29) && BITS(in, 23, 22) == 0 && !BIT(in, 15) &&
			   BITS(in, 11, 10) == 0) {
			fn = permute;  /* TBL/TBX */
		} else if (BIT(in, 29) && BITS(in, 23, 22) == 0 && !BIT(in, 15) && !BIT(in, 10)) {
			fn = permute;  /* EXT */
		}
		if (!fn)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return fn(c, in);
	}
	if (!BIT(in, 10) && BIT(in, 23) &&
	    (BITS(in, 15, 12) == 1 || BITS(in, 15, 12) == 5 || BITS(in, 15, 12) == 9)) {
		/* by element, FP: FMLA, FMLS, FMUL, FMULX */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_fpv_elem(c, in);
	}
	if (!BIT(in, 10)) {  /* by element, integer */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_simd_elem(c, in);
	}
	if (BIT(in, 23))  /* bit 10 and bit 23 set: unallocated */
		return a64_undef(c);
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	return BITS(in, 22, 19) == 0 ? mod_imm(c, in) : shift_imm(c, in);
}
