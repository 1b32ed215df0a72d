/* The AArch64 interpreter: loads and stores, branches, exceptions, system. */
#include "vcpu_a64_int.h"

/* ---- loads and stores ---- */
static int ldst_one(struct cpu *c, uint64_t va, unsigned int size, unsigned int opc, unsigned int rt,
		    bool emul)
{
	uint64_t v = 0, syn = 0;
	bool load = opc != 0, sign = opc >= 2, sf64 = opc != 3;
	int rc;

	if (emul)
		syn = (1ull << 24) | ((uint64_t)size << 22) | ((uint64_t)sign << 21) |
		      ((uint64_t)rt << 16) | ((uint64_t)(size == 3 || (sign && sf64)) << 15);
	if (!load) {
		v = xr(c, rt);
		return a64_mem(c, va, &v, 1u << size, WR, syn);
	}
	rc = a64_mem(c, va, &v, 1u << size, RD, syn);
	if (rc != DONE)
		return rc;
	if (sign && size < 3) {
		unsigned int b = 8u << size;

		if (v >> (b - 1))
			v |= ~a64_ones(b);
		if (!sf64)
			v = (uint32_t)v;
	}
	setx(c, rt, v, true);
	return DONE;
}

int a64_ldst(struct cpu *c, uint32_t in)
{
	unsigned int rt = in & 31, rn = BITS(in, 9, 5);

	if (BITS(in, 29, 24) == 0x08 || (in & 0x3ffffc00) == 0x38bfc000)
		return a64_ldst_excl(c, in);  /* exclusives, LDAR/STLR, LDAPR */
	if (BIT(in, 26))
		return a64_fp_ldst(c, in);    /* SIMD&FP */
	if (BITS(in, 29, 27) == 3 && BITS(in, 25, 24) == 0) {  /* LDR literal */
		int64_t off = sext(BITS(in, 23, 5), 19) * 4;
		unsigned int opc = BITS(in, 31, 30);

		if (opc == 3)
			return DONE;  /* PRFM */
		return ldst_one(c, c->r->pc + (uint64_t)off, opc == 0 ? 2 : opc == 1 ? 3 : 2,
				opc == 2 ? 2 : 1, rt, false);
	}
	if (BITS(in, 29, 27) == 5 && !BIT(in, 26)) {  /* LDP/STP */
		unsigned int opc = BITS(in, 31, 30), mode = BITS(in, 24, 23), rt2 = BITS(in, 14, 10);
		bool load = BIT(in, 22), sf = opc == 2;
		unsigned int sz = sf ? 3 : 2;
		int64_t off = sext(BITS(in, 21, 15), 7) * (1 << sz);
		uint64_t base = xsp(c, rn), va = mode == 1 ? base : base + (uint64_t)off;
		uint64_t v[2] = { 0, 0 };
		int rc;

		if (opc == 3 || (opc == 1 && !load))
			return a64_undef(c);
		if (load) {
			if ((rc = a64_mem(c, va, &v[0], 1u << sz, RD, 0)) != DONE ||
			    (rc = a64_mem(c, va + (1u << sz), &v[1], 1u << sz, RD, 0)) != DONE)
				return rc;
			if (opc == 1) {
				v[0] = (uint64_t)(int64_t)(int32_t)v[0];
				v[1] = (uint64_t)(int64_t)(int32_t)v[1];
			}
		} else {
			v[0] = xr(c, rt);
			v[1] = xr(c, rt2);
			if ((rc = a64_mem(c, va, &v[0], 1u << sz, WR, 0)) != DONE ||
			    (rc = a64_mem(c, va + (1u << sz), &v[1], 1u << sz, WR, 0)) != DONE)
				return rc;
		}
		if (load) {
			setx(c, rt, v[0], true);
			setx(c, rt2, v[1], true);
		}
		if (mode == 1 || mode == 3)
			setxsp(c, rn, base + (uint64_t)off, true);
		return DONE;
	}
	if (BITS(in, 29, 27) == 7 && !BIT(in, 26)) {  /* load/store register */
		unsigned int size = BITS(in, 31, 30), opc = BITS(in, 23, 22);
		uint64_t base = xsp(c, rn), va;
		int rc;

		if (opc == 2 && size == 3)
			return DONE;  /* PRFM */
		if ((opc == 3 && size >= 2))
			return a64_undef(c);
		if (BIT(in, 24)) {  /* unsigned offset */
			va = base + (BITS(in, 21, 10) << size);
			return ldst_one(c, va, size, opc, rt, true);
		}
		if (BIT(in, 21)) {  /* register offset */
			unsigned int opt = BITS(in, 15, 13);

			if (BITS(in, 11, 10) != 2 || !(opt & 2))
				return a64_undef(c);
			va = base + a64_extend(xr(c, BITS(in, 20, 16)), opt, BIT(in, 12) ? size : 0);
			return ldst_one(c, va, size, opc, rt, true);
		}
		{
			int64_t imm9 = sext(BITS(in, 20, 12), 9);
			unsigned int idx = BITS(in, 11, 10);

			va = idx == 1 ? base : base + (uint64_t)imm9;
			c->unpriv = idx == 2 && el(c) == 1;  /* LDTR*, STTR*: as EL0 */
			rc = ldst_one(c, va, size, opc, rt, idx == 0 || idx == 2);
			c->unpriv = false;
			if (rc == DONE && (idx == 1 || idx == 3))
				setxsp(c, rn, base + (uint64_t)imm9, true);
			return rc;
		}
	}
	return a64_undef(c);  /* exclusives, atomics, SIMD&FP */
}

/* ---- branches, exception generation, system ---- */
int a64_branch(struct cpu *c, uint32_t in)
{
	struct rmm_vcpu_regs *r = c->r;

	if (BITS(in, 30, 26) == 5) {  /* B, BL */
		int64_t off = sext(BITS(in, 25, 0), 26) * 4;

		if (BIT(in, 31))
			r->x[30] = r->pc + 4;
		r->pc += (uint64_t)off;
		return EXC;  /* pc already set */
	}
	if (BITS(in, 30, 25) == 0x1a) {  /* CBZ, CBNZ */
		int64_t off = sext(BITS(in, 23, 5), 19) * 4;
		uint64_t v = xr(c, in & 31);

		if (!BIT(in, 31))
			v = (uint32_t)v;
		if ((v == 0) != BIT(in, 24)) {
			r->pc += (uint64_t)off;
			return EXC;
		}
		return DONE;
	}
	if (BITS(in, 30, 25) == 0x1b) {  /* TBZ, TBNZ */
		unsigned int b = (unsigned)BIT(in, 31) << 5 | BITS(in, 23, 19);
		int64_t off = sext(BITS(in, 18, 5), 14) * 4;

		if (BIT(xr(c, in & 31), b) == BIT(in, 24)) {
			r->pc += (uint64_t)off;
			return EXC;
		}
		return DONE;
	}
	if (BITS(in, 31, 24) == 0x54 && !BIT(in, 4)) {  /* B.cond */
		int64_t off = sext(BITS(in, 23, 5), 19) * 4;

		if (a64_cond_holds(c, in & 15)) {
			r->pc += (uint64_t)off;
			return EXC;
		}
		return DONE;
	}
	if (BITS(in, 31, 24) == 0xd4) {  /* exception generation */
		unsigned int opc = BITS(in, 23, 21), ll = in & 3;
		uint64_t imm = BITS(in, 20, 5);

		if (opc == 0 && ll == 1) {
			return a64_take(c, 0x15, imm, 0, r->pc + 4);  /* SVC */
		}
		if (opc == 0 && (ll == 2 || ll == 3)) {
			if (el(c) == 0)
				return a64_undef(c);
			c->x->kind = ll == 2 ? RMM_VCPU_EXIT_HVC : RMM_VCPU_EXIT_SMC;
			c->x->esr = ((ll == 2 ? 0x16ull : 0x17ull) << 26) | (1ull << 25) | imm;
			return STOP;
		}
		if (opc == 1 && ll == 0)
			return a64_take(c, 0x3c, imm, 0, r->pc);  /* BRK */
		return a64_undef(c);
	}
	if (BITS(in, 31, 22) == 0x354)  /* system */
		return a64_sys(c, in);
	if (BITS(in, 31, 25) == 0x6b) {  /* branch to register */
		unsigned int opc = BITS(in, 24, 21);
		uint64_t target = xr(c, BITS(in, 9, 5));

		if (opc == 4 && BITS(in, 20, 0) == 0x1f03e0) {  /* ERET */
			if (el(c) == 0)
				return a64_undef(c);
			a64_mon_clear(c);
			r->pc = r->elr_el1;
			r->pstate = r->spsr_el1 & 0xf00003cdull;  /* NZCV, DAIF, M; AArch64 only */
			if (BITS(r->pstate, 3, 2) > 1)
				r->pstate = (r->pstate & ~0xfull) | 5;  /* no EL2/EL3 here */
			c->check_irq = true;
			return EXC;
		}
		if (BITS(in, 20, 10) != 0x7c0 || (in & 31))
			return a64_undef(c);
		if (opc == 1)
			r->x[30] = r->pc + 4;
		else if (opc != 0 && opc != 2)
			return a64_undef(c);
		r->pc = target;
		return EXC;
	}
	return a64_undef(c);
}

