/*
 * The AArch64 interpreter: the SIMD&FP register file (the REC's v[32][2],
 * FPCR, FPSR), the CPACR_EL1.FPEN trap, SIMD&FP loads and stores, and the
 * scalar FP moves (FMOV register, general, immediate). Vector data
 * processing is in vcpu_a64_simd.c. A V register is 16 bytes, element 0 at
 * the lowest address (the host is little-endian, as the guest's memory).
 */
#include <string.h>

#include "vcpu_a64_int.h"

uint8_t *a64_vreg(struct cpu *c, unsigned int n)
{
	return (uint8_t *)c->r->v[n & 31];
}

/* Write the low 'bytes' bytes of V[n] from buf, the rest zero (every scalar
 * and 64-bit vector write clears the upper part). */
void a64_vset(struct cpu *c, unsigned int n, const void *buf, unsigned int bytes)
{
	uint8_t *d = a64_vreg(c, n);

	memset(d, 0, 16);
	memcpy(d, buf, bytes);
}

int a64_fp_trap(struct cpu *c)
{
	unsigned int fpen = (unsigned int)BITS(c->r->cpacr_el1, 21, 20);
	uint64_t far = c->r->far_el1;
	int rc;

	if (fpen == 3 || (fpen == 1 && el(c) == 1))
		return DONE;
	/* EC 0x07, ISS: CV = 1, COND = 0b1110 (from AArch64); FAR unchanged */
	rc = a64_take(c, 0x07, (1ull << 24) | (0xeull << 20), 0, c->r->pc);
	c->r->far_el1 = far;
	return rc;
}

/* Transfer 'bytes' (1-16) between memory at va and buf; DONE, EXC or STOP.
 * No register is changed here, so a load that faults leaves its target as
 * it was. SIMD&FP accesses carry no syndrome (ISV = 0). */
static int xfer(struct cpu *c, uint64_t va, uint8_t *buf, unsigned int bytes, enum acc a)
{
	unsigned int done = 0, n;
	int rc;

	while (done < bytes) {
		n = bytes - done > 8 ? 8 : bytes - done;
		rc = a64_mem(c, va + done, buf + done, n, a, 0);
		if (rc != DONE)
			return rc;
		done += n;
	}
	return DONE;
}

/* One register, scalar: load or store the low 'bytes' of V[t]. */
static int ldst_v(struct cpu *c, uint64_t va, unsigned int bytes, bool load, unsigned int t)
{
	uint8_t buf[16];
	int rc;

	if (load) {
		rc = xfer(c, va, buf, bytes, RD);
		if (rc == DONE)
			a64_vset(c, t, buf, bytes);
		return rc;
	}
	memcpy(buf, a64_vreg(c, t), bytes);
	return xfer(c, va, buf, bytes, WR);
}

/* LD1-LD4/ST1-ST4 (multiple structures), with or without post-index:
 * 'selem'-element structures interleaved in memory (LD2-4/ST2-4), or 1-4
 * consecutive registers of one element each (LD1/ST1). Everything is read
 * before any register is written, so a fault leaves them as they were. */
static int ld1_multi(struct cpu *c, uint32_t in)
{
	unsigned int q = BIT(in, 30), op = BITS(in, 15, 12), rn = BITS(in, 9, 5), rt = in & 31;
	unsigned int es = 1u << BITS(in, 11, 10), rb = q ? 16 : 8, rm = BITS(in, 20, 16), i, e;
	unsigned int nregs, selem;
	bool load = BIT(in, 22), post = BIT(in, 23);
	uint8_t buf[64], regs[4][16];
	uint64_t base = xsp(c, rn);
	int rc;

	switch (op) {
	case 0: nregs = 4; selem = 4; break;   /* LD4/ST4 */
	case 2: nregs = 4; selem = 1; break;   /* LD1/ST1, 4 registers */
	case 4: nregs = 3; selem = 3; break;   /* LD3/ST3 */
	case 6: nregs = 3; selem = 1; break;
	case 7: nregs = 1; selem = 1; break;
	case 8: nregs = 2; selem = 2; break;   /* LD2/ST2 */
	case 10: nregs = 2; selem = 1; break;
	default: return a64_undef(c);
	}
	if (BIT(in, 21) || (!post && rm != 0) || (selem > 1 && es == 8 && !q))
		return a64_undef(c);
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	if (load) {
		rc = xfer(c, base, buf, nregs * rb, RD);
		if (rc != DONE)
			return rc;
		for (i = 0; i < nregs; i++)  /* structure element i of each goes to Vt+i */
			for (e = 0; e < (selem > 1 ? rb / es : 1); e++)
				memcpy(regs[i] + e * es, selem > 1 ? buf + (e * selem + i) * es : buf + i * rb,
				       selem > 1 ? es : rb);
		for (i = 0; i < nregs; i++)
			a64_vset(c, (rt + i) & 31, regs[i], rb);
	} else {
		for (i = 0; i < nregs; i++)
			memcpy(regs[i], a64_vreg(c, (rt + i) & 31), rb);
		for (i = 0; i < nregs; i++)
			for (e = 0; e < (selem > 1 ? rb / es : 1); e++)
				memcpy(selem > 1 ? buf + (e * selem + i) * es : buf + i * rb, regs[i] + e * es,
				       selem > 1 ? es : rb);
		rc = xfer(c, base, buf, nregs * rb, WR);
		if (rc != DONE)
			return rc;
	}
	if (post)
		setxsp(c, rn, base + (rm == 31 ? nregs * rb : xr(c, rm)), true);
	return DONE;
}

/* LDP/STP/LDNP/STNP of S, D, Q registers. */
static int ldst_pair(struct cpu *c, uint32_t in)
{
	unsigned int opc = BITS(in, 31, 30), mode = BITS(in, 24, 23), rt2 = BITS(in, 14, 10);
	unsigned int rn = BITS(in, 9, 5), rt = in & 31, bytes = 4u << opc;
	bool load = BIT(in, 22);
	int64_t off = sext(BITS(in, 21, 15), 7) * (int64_t)bytes;
	uint64_t base, va;
	uint8_t buf[32];
	int rc;

	if (opc == 3)
		return a64_undef(c);
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	base = xsp(c, rn);
	va = mode == 1 ? base : base + (uint64_t)off;
	if (load) {
		if ((rc = xfer(c, va, buf, 2 * bytes, RD)) != DONE)
			return rc;
		a64_vset(c, rt, buf, bytes);
		a64_vset(c, rt2, buf + bytes, bytes);
	} else {
		memcpy(buf, a64_vreg(c, rt), bytes);
		memcpy(buf + bytes, a64_vreg(c, rt2), bytes);
		if ((rc = xfer(c, va, buf, 2 * bytes, WR)) != DONE)
			return rc;
	}
	if (mode == 1 || mode == 3)
		setxsp(c, rn, base + (uint64_t)off, true);
	return DONE;
}

/* LDR/STR (B/H/S/D/Q): unsigned offset, register offset, pre/post-index,
 * unscaled. */
static int ldst_reg(struct cpu *c, uint32_t in)
{
	unsigned int size = BITS(in, 31, 30), opc = BITS(in, 23, 22), rn = BITS(in, 9, 5);
	unsigned int scale = (opc & 2) ? 4 : size, rt = in & 31;
	bool load = opc & 1;
	uint64_t base, va;
	int rc;

	if ((opc & 2) && size != 0)
		return a64_undef(c);
	if (!BIT(in, 24) && BIT(in, 21) && BITS(in, 11, 10) != 2)
		return a64_undef(c);  /* atomics space */
	if (!BIT(in, 24) && !BIT(in, 21) && BITS(in, 11, 10) == 2)
		return a64_undef(c);  /* unprivileged: no SIMD&FP form */
	if (!BIT(in, 24) && BIT(in, 21) && !(BITS(in, 15, 13) & 2))
		return a64_undef(c);
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	base = xsp(c, rn);
	if (BIT(in, 24)) {
		va = base + (BITS(in, 21, 10) << scale);
		return ldst_v(c, va, 1u << scale, load, rt);
	}
	if (BIT(in, 21)) {
		va = base + a64_extend(xr(c, BITS(in, 20, 16)), BITS(in, 15, 13),
				       BIT(in, 12) ? scale : 0);
		return ldst_v(c, va, 1u << scale, load, rt);
	}
	{
		int64_t imm9 = sext(BITS(in, 20, 12), 9);
		unsigned int idx = BITS(in, 11, 10);

		va = idx == 1 ? base : base + (uint64_t)imm9;
		rc = ldst_v(c, va, 1u << scale, load, rt);
		if (rc == DONE && (idx == 1 || idx == 3))
			setxsp(c, rn, base + (uint64_t)imm9, true);
		return rc;
	}
}

/* LD1-LD4/ST1-ST4 (single structure: one lane of 'selem' consecutive
 * registers) and LD1R-LD4R (replicated to every lane), with or without
 * post-index. selem = opcode<0>:R + 1. */
static int ld1_single(struct cpu *c, uint32_t in)
{
	unsigned int q = BIT(in, 30), scale = BITS(in, 15, 14), s = BIT(in, 12), size = BITS(in, 11, 10);
	unsigned int selem = ((BIT(in, 13) << 1) | BIT(in, 21)) + 1;
	unsigned int rn = BITS(in, 9, 5), rt = in & 31, rm = BITS(in, 20, 16), es, idx = 0, i, k;
	bool load = BIT(in, 22), post = BIT(in, 23);
	uint8_t buf[32];
	uint64_t base;
	int rc;

	if (!post && rm != 0)
		return a64_undef(c);
	switch (scale) {
	case 0: es = 1; idx = (q << 3) | (s << 2) | size; break;
	case 1:
		if (size & 1)
			return a64_undef(c);
		es = 2;
		idx = (q << 2) | (s << 1) | (size >> 1);
		break;
	case 2:
		if (size == 0) {
			es = 4;
			idx = (q << 1) | s;
		} else if (size == 1 && !s) {
			es = 8;
			idx = q;
		} else {
			return a64_undef(c);
		}
		break;
	default:  /* LDnR */
		if (!load || s)
			return a64_undef(c);
		es = 1u << size;
		break;
	}
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	base = xsp(c, rn);
	if (load) {
		if ((rc = xfer(c, base, buf, selem * es, RD)) != DONE)
			return rc;
		for (k = 0; k < selem; k++) {
			uint8_t v[16];

			if (scale == 3) {
				for (i = 0; i < 16; i++)
					v[i] = buf[k * es + i % es];
				a64_vset(c, (rt + k) & 31, v, q ? 16 : 8);
			} else {  /* the other lanes are kept */
				memcpy(a64_vreg(c, (rt + k) & 31) + idx * es, buf + k * es, es);
			}
		}
	} else {
		for (k = 0; k < selem; k++)
			memcpy(buf + k * es, a64_vreg(c, (rt + k) & 31) + idx * es, es);
		if ((rc = xfer(c, base, buf, selem * es, WR)) != DONE)
			return rc;
	}
	if (post)
		setxsp(c, rn, base + (rm == 31 ? selem * es : xr(c, rm)), true);
	return DONE;
}

int a64_fp_ldst(struct cpu *c, uint32_t in)
{
	if ((in & 0xbf800000u) == 0x0c000000u || (in & 0xbf800000u) == 0x0c800000u)
		return ld1_multi(c, in);
	if ((in & 0xbf800000u) == 0x0d000000u || (in & 0xbf800000u) == 0x0d800000u)
		return ld1_single(c, in);
	if (BITS(in, 29, 27) == 3 && BITS(in, 25, 24) == 0) {  /* LDR literal */
		unsigned int opc = BITS(in, 31, 30);
		int64_t off = sext(BITS(in, 23, 5), 19) * 4;
		int rc;

		if (opc == 3)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return ldst_v(c, c->r->pc + (uint64_t)off, 4u << opc, true, in & 31);
	}
	if (BITS(in, 29, 27) == 5)
		return ldst_pair(c, in);
	if (BITS(in, 29, 27) == 7)
		return ldst_reg(c, in);
	return a64_undef(c);
}

/* Expand an FP immediate imm8 (VFPExpandImm) for a 32- or 64-bit type. */
static uint64_t fp_imm(unsigned int imm8, bool dbl)
{
	uint64_t sign = imm8 >> 7, b6 = BIT(imm8, 6), frac = imm8 & 0x3f;

	if (dbl)
		return (sign << 63) | ((b6 ^ 1) << 62) | ((b6 ? 0xffull : 0) << 54) |
		       (BITS(imm8, 5, 4) << 52) | ((frac & 0xf) << 48);
	return (sign << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1full : 0) << 25) |
	       (BITS(imm8, 5, 4) << 23) | ((frac & 0xf) << 19);
}

/* Scalar FP, bits 28:24 = 1111x, bit 30 = 0: FMOV (register, general,
 * immediate) here, the rest in vcpu_a64_fpu.c. */
int a64_fp_scalar(struct cpu *c, uint32_t in)
{
	unsigned int type = BITS(in, 23, 22), rn = BITS(in, 9, 5), rd = in & 31;
	unsigned int bytes = type == 0 ? 4 : 8;
	bool sf = BIT(in, 31);
	uint64_t v = 0;
	int rc;

	if (BIT(in, 29) || type == 3)
		return a64_undef(c);  /* no FEAT_FP16: half-precision forms too */
	if (!BIT(in, 24) && !BIT(in, 21)) {  /* fixed-point conversions */
		if (type == 2)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_fpu_fixed(c, in);
	}
	if (BIT(in, 24)) {  /* 3-source */
		if (type == 2)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		return a64_fpu(c, in);
	}
	if (type == 2) {
		/* FMOV Xd, Vn.D[1] / Vd.D[1], Xn: sf = 1, rmode = 01, opcode 11x */
		if (!sf || BITS(in, 20, 17) != 0x7 || BITS(in, 15, 10) != 0)
			return a64_undef(c);
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		if (BIT(in, 16)) {
			v = xr(c, rn);
			memcpy(a64_vreg(c, rd) + 8, &v, 8);
		} else {
			memcpy(&v, a64_vreg(c, rn) + 8, 8);
			setx(c, rd, v, true);
		}
		return DONE;
	}
	if (!sf && BITS(in, 12, 10) == 4 && BITS(in, 9, 5) == 0) {  /* FMOV (immediate) */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		v = fp_imm(BITS(in, 20, 13), type == 1);
		a64_vset(c, rd, &v, bytes);
		return DONE;
	}
	if (!sf && BITS(in, 20, 10) == 0x10) {  /* FMOV (register) */
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		memcpy(&v, a64_vreg(c, rn), bytes);
		a64_vset(c, rd, &v, bytes);
		return DONE;
	}
	/* FMOV (general): rmode 00, opcode 110 to general, 111 from general */
	if (BITS(in, 15, 10) == 0 && BITS(in, 20, 17) == 3 && sf == (type == 1)) {
		if ((rc = a64_fp_trap(c)) != DONE)
			return rc;
		if (BIT(in, 16)) {
			v = xr(c, rn);
			a64_vset(c, rd, &v, bytes);
		} else {
			memcpy(&v, a64_vreg(c, rn), bytes);
			setx(c, rd, v, sf);
		}
		return DONE;
	}
	if ((rc = a64_fp_trap(c)) != DONE)
		return rc;
	return a64_fpu(c, in);  /* arithmetic, compares, conversions */
}
