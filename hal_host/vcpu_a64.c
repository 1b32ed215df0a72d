/*
 * The AArch64 reference vCPU backend (include/rmm/vcpu_a64.h): a
 * straightforward A64 interpreter at EL1/EL0 with the EL1 stage-1 MMU.
 * Memory goes through rmm_vcpu_access(), so stage 2 and the GPT apply to
 * every fetch, load, store and stage-1 table walk exactly as for hardware,
 * and a stage-2 fault leaves the instruction unexecuted for the RMM.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <rmm/vcpu_a64.h>

struct rmm_a64_ctx {
	unsigned int budget;
	_Atomic uint64_t retired;
};

struct rmm_a64_ctx *rmm_a64_ctx_new(unsigned int budget)
{
	struct rmm_a64_ctx *c = calloc(1, sizeof(*c));

	if (c)
		c->budget = budget ? budget : 100000;
	return c;
}

void rmm_a64_ctx_free(struct rmm_a64_ctx *ctx)
{
	free(ctx);
}

uint64_t rmm_a64_retired(const struct rmm_a64_ctx *ctx)
{
	return ctx->retired;
}

/* What executing one instruction did. */
enum { DONE, EXC, STOP };

struct cpu {
	struct rmm_vcpu *v;
	struct rmm_vcpu_regs *r;
	struct rmm_vcpu_exit *x;
};

#define BIT(v, n) (((v) >> (n)) & 1u)
#define BITS(v, hi, lo) (((v) >> (lo)) & ((1ull << ((hi) - (lo) + 1)) - 1))
#define OA_MASK 0x0000fffffffff000ull

/* Sign-extend the low 'bits' bits of v (well defined for every input). */
static int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static unsigned int el(const struct cpu *c)
{
	return (unsigned int)BITS(c->r->pstate, 3, 2);
}

static uint64_t *sp(struct cpu *c)
{
	return (el(c) == 0 || !(c->r->pstate & 1)) ? &c->r->sp_el0 : &c->r->sp_el1;
}

static uint64_t xr(struct cpu *c, unsigned int n)
{
	return n == 31 ? 0 : c->r->x[n];
}

static uint64_t xsp(struct cpu *c, unsigned int n)
{
	return n == 31 ? *sp(c) : c->r->x[n];
}

static void setx(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (n != 31)
		c->r->x[n] = sf ? v : (uint32_t)v;
}

static void setxsp(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (!sf)
		v = (uint32_t)v;
	if (n == 31)
		*sp(c) = v;
	else
		c->r->x[n] = v;
}

/* Take a synchronous exception to EL1 (the interpreter's own: SVC, BRK,
 * undefined, stage-1 faults, alignment). */
static int take(struct cpu *c, unsigned int ec, uint64_t iss, uint64_t far, uint64_t ret)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t off = el(c) == 0 ? 0x400 : (r->pstate & 1) ? 0x200 : 0;

	r->esr_el1 = ((uint64_t)ec << 26) | (1ull << 25) | iss;
	r->far_el1 = far;
	r->elr_el1 = ret;
	r->spsr_el1 = r->pstate;
	r->pstate = 0x3c5;
	r->pc = r->vbar_el1 + off;
	return EXC;
}

static int undef(struct cpu *c)
{
	return take(c, 0x00, 0, 0, c->r->pc);
}

enum acc { RD = 0, WR = 1, FETCH = 2 };

/* A stage-1 fault taken into the realm. */
static int s1_fault(struct cpu *c, enum acc a, uint64_t fsc, uint64_t va)
{
	bool low = el(c) == 0;
	unsigned int ec = a == FETCH ? (low ? 0x20 : 0x21) : (low ? 0x24 : 0x25);

	return take(c, ec, fsc | (a == WR ? (1ull << 6) : 0), va, c->r->pc);
}

/* VA -> IPA through the EL1 stage-1 tables (4 KiB granule). */
static int s1(struct cpu *c, uint64_t va, enum acc a, uint64_t *ipa)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t tcr = r->tcr_el1, table, d = 0;
	bool hi = BIT(va, 55);
	unsigned int tsz, bits, level;

	if (!(r->sctlr_el1 & 1)) {
		*ipa = va;
		return DONE;
	}
	tsz = (unsigned int)(hi ? BITS(tcr, 21, 16) : BITS(tcr, 5, 0));
	if (tsz < 16)
		tsz = 16;
	bits = 64 - tsz;
	if ((hi ? BIT(tcr, 23) : BIT(tcr, 7)) ||
	    (hi ? (~va >> bits) != 0 : (va >> bits) != 0))
		return s1_fault(c, a, 0x04, va);  /* translation fault, level 0 */
	table = (hi ? r->ttbr1_el1 : r->ttbr0_el1) & OA_MASK;
	level = 4 - (bits - 12 + 8) / 9;
	for (;;) {
		unsigned int shift = 12 + 9 * (3 - level);
		uint64_t idx = (va >> shift) & 511;

		if (shift + 9 > bits)
			idx = (va >> shift) & ((1ull << (bits - shift)) - 1);
		if (rmm_vcpu_access(c->v, table + idx * 8, &d, 8, RMM_ACCESS_READ, 1, c->x) != RMM_OK) {
			/* stage 2 refused the walk: the RMM decides */
			if (a == FETCH)
				c->x->esr = (c->x->esr & ~(0x3full << 26)) | (0x20ull << 26);
			c->x->far = va;
			return STOP;
		}
		if (!(d & 1) || (level == 3 && !(d & 2)) || (level == 0 && !(d & 2)))
			return s1_fault(c, a, 0x04 + level, va);
		if (level < 3 && (d & 2)) {
			table = d & OA_MASK;
			level++;
			continue;
		}
		break;
	}
	if (!BIT(d, 10))
		return s1_fault(c, a, 0x08 + level, va);   /* access flag */
	if ((a == WR && BIT(d, 7)) || (el(c) == 0 && !BIT(d, 6)) ||
	    (a == FETCH && BIT(d, el(c) == 0 ? 54 : 53)))
		return s1_fault(c, a, 0x0c + level, va);   /* permission */
	{
		uint64_t size = 1ull << (12 + 9 * (3 - level));

		*ipa = ((d & OA_MASK) & ~(size - 1)) | (va & (size - 1));
	}
	return DONE;
}

/* One access of up to 8 bytes at a VA; 'syn' is the ISS the RMM needs to
 * emulate it (ISV, SAS, SSE, SRT, SF), 0 when it cannot be emulated. */
static int mem(struct cpu *c, uint64_t va, void *buf, unsigned int size, enum acc a, uint64_t syn)
{
	unsigned int first = size;
	uint64_t ipa = 0;
	int rc;

	if ((va & 0xfff) + size > 4096) {  /* crosses a page: two accesses */
		first = 4096 - (unsigned int)(va & 0xfff);
		rc = mem(c, va, buf, first, a, 0);
		if (rc != DONE)
			return rc;
		return mem(c, va + first, (uint8_t *)buf + first, size - first, a, 0);
	}
	rc = s1(c, va, a, &ipa);
	if (rc != DONE)
		return rc;
	if (rmm_vcpu_access(c->v, ipa, buf, size,
			    a == WR ? RMM_ACCESS_WRITE : a == FETCH ? RMM_ACCESS_FETCH : RMM_ACCESS_READ,
			    0, c->x) != RMM_OK) {
		c->x->far = va;
		if (syn)
			c->x->esr = (c->x->esr & ~(1ull << 25)) | syn;
		return STOP;
	}
	return DONE;
}

static bool cond_holds(const struct cpu *c, unsigned int cond)
{
	uint64_t p = c->r->pstate;
	bool n = BIT(p, 31), z = BIT(p, 30), cy = BIT(p, 29), v = BIT(p, 28), res;

	switch (cond >> 1) {
	case 0: res = z; break;
	case 1: res = cy; break;
	case 2: res = n; break;
	case 3: res = v; break;
	case 4: res = cy && !z; break;
	case 5: res = n == v; break;
	case 6: res = n == v && !z; break;
	default: res = true; break;
	}
	if ((cond & 1) && cond != 15)
		res = !res;
	return res;
}

static void set_nzcv(struct cpu *c, unsigned int nzcv)
{
	c->r->pstate = (c->r->pstate & ~(0xfull << 28)) | ((uint64_t)nzcv << 28);
}

/* x + y + carry with flags, for 32 or 64 bits. */
static uint64_t add_flags(struct cpu *c, uint64_t x, uint64_t y, unsigned int carry, bool sf,
			  bool set)
{
	uint64_t res;
	unsigned int n, z, cy, v;

	if (sf) {
		unsigned __int128 u = (unsigned __int128)x + y + carry;
		__int128 s = (__int128)(int64_t)x + (int64_t)y + carry;

		res = (uint64_t)u;
		cy = (unsigned int)(u >> 64) & 1;
		v = s != (__int128)(int64_t)res;
		n = res >> 63;
	} else {
		uint64_t u = (uint64_t)(uint32_t)x + (uint32_t)y + carry;
		int64_t s = (int64_t)(int32_t)x + (int32_t)y + carry;

		res = (uint32_t)u;
		cy = (u >> 32) & 1;
		v = s != (int64_t)(int32_t)res;
		n = (res >> 31) & 1;
	}
	z = res == 0;
	if (set)
		set_nzcv(c, n << 3 | z << 2 | cy << 1 | v);
	return res;
}

static uint64_t shift_val(uint64_t v, unsigned int type, unsigned int amount, bool sf)
{
	unsigned int w = sf ? 64 : 32;

	if (!sf)
		v = (uint32_t)v;
	amount %= w;
	if (!amount)
		return v;
	switch (type) {
	case 0: v <<= amount; break;
	case 1: v >>= amount; break;
	case 2: v = sf ? (uint64_t)((int64_t)v >> amount) : (uint32_t)((int32_t)v >> amount); break;
	default: v = (v >> amount) | (v << (w - amount)); break;
	}
	return sf ? v : (uint32_t)v;
}

static uint64_t extend_val(uint64_t v, unsigned int option, unsigned int shift)
{
	switch (option) {
	case 0: v = (uint8_t)v; break;
	case 1: v = (uint16_t)v; break;
	case 2: v = (uint32_t)v; break;
	case 4: v = (uint64_t)(int64_t)(int8_t)v; break;
	case 5: v = (uint64_t)(int64_t)(int16_t)v; break;
	case 6: v = (uint64_t)(int64_t)(int32_t)v; break;
	default: break;
	}
	return v << shift;
}

static uint64_t ones(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static uint64_t ror(uint64_t v, unsigned int r, unsigned int esize)
{
	r %= esize;
	v &= ones(esize);
	return r ? ((v >> r) | (v << (esize - r))) & ones(esize) : v;
}

static uint64_t replicate(uint64_t v, unsigned int esize, unsigned int dsize)
{
	uint64_t out = 0;

	for (unsigned int i = 0; i < dsize; i += esize)
		out |= v << i;
	return out;
}

/* DecodeBitMasks of the Arm ARM. Returns false for a reserved encoding. */
static bool bitmasks(unsigned int n, unsigned int imms, unsigned int immr, bool imm,
		     unsigned int dsize, uint64_t *wmask, uint64_t *tmask)
{
	unsigned int v = (n << 6) | (~imms & 0x3f), len = 0, levels, s, r, esize, d;

	for (int i = 6; i >= 0; i--)
		if (v & (1u << i)) {
			len = (unsigned int)i;
			break;
		}
	if (v == 0 || len < 1 || (1u << len) > dsize)
		return false;
	levels = (1u << len) - 1;
	if (imm && (imms & levels) == levels)
		return false;
	s = imms & levels;
	r = immr & levels;
	esize = 1u << len;
	d = (s - r) & levels;
	*wmask = replicate(ror(ones(s + 1), r, esize), esize, dsize);
	*tmask = replicate(ones(d + 1), esize, dsize);
	return true;
}

/* ---- data processing: immediate ---- */
static int dp_imm(struct cpu *c, uint32_t in)
{
	bool sf = BIT(in, 31);
	unsigned int rd = in & 31, rn = BITS(in, 9, 5), op = BITS(in, 25, 23);
	uint64_t ds = sf ? 64 : 32;

	switch (op) {
	case 0: case 1: {  /* ADR, ADRP */
		int64_t imm = sext(BITS(in, 23, 5) << 2 | BITS(in, 30, 29), 21);

		if (BIT(in, 31))
			setx(c, rd, (c->r->pc & ~0xfffull) + ((uint64_t)imm << 12), true);
		else
			setx(c, rd, c->r->pc + (uint64_t)imm, true);
		return DONE;
	}
	case 2: {  /* ADD/SUB immediate */
		uint64_t imm = BITS(in, 21, 10) << (BIT(in, 22) ? 12 : 0);
		bool sub = BIT(in, 30), set = BIT(in, 29);
		uint64_t res = add_flags(c, xsp(c, rn), sub ? ~imm : imm, sub, sf, set);

		if (set)
			setx(c, rd, res, sf);
		else
			setxsp(c, rd, res, sf);
		return DONE;
	}
	case 4: {  /* logical immediate */
		uint64_t wmask, tmask, res, a = xr(c, rn);
		unsigned int opc = BITS(in, 30, 29);

		if (!sf && BIT(in, 22))
			return undef(c);
		if (!bitmasks(BIT(in, 22), BITS(in, 15, 10), BITS(in, 21, 16), true, (unsigned)ds, &wmask, &tmask))
			return undef(c);
		res = opc == 0 || opc == 3 ? a & wmask : opc == 1 ? a | wmask : a ^ wmask;
		if (!sf)
			res = (uint32_t)res;
		if (opc == 3) {
			set_nzcv(c, (unsigned)((sf ? res >> 63 : res >> 31) & 1) << 3 | (res == 0) << 2);
			setx(c, rd, res, sf);
		} else {
			setxsp(c, rd, res, sf);
		}
		return DONE;
	}
	case 5: {  /* move wide */
		unsigned int hw = BITS(in, 22, 21), opc = BITS(in, 30, 29);
		uint64_t imm = BITS(in, 20, 5) << (16 * hw);

		if ((!sf && hw > 1) || opc == 1)
			return undef(c);
		if (opc == 0)
			setx(c, rd, ~imm, sf);
		else if (opc == 2)
			setx(c, rd, imm, sf);
		else
			setx(c, rd, (xr(c, rd) & ~(0xffffull << (16 * hw))) | imm, sf);
		return DONE;
	}
	case 6: {  /* bitfield */
		unsigned int opc = BITS(in, 30, 29), immr = BITS(in, 21, 16), imms = BITS(in, 15, 10);
		uint64_t wmask, tmask, src = xr(c, rn), dst, bot, top;

		if (opc == 3 || BIT(in, 22) != sf ||
		    !bitmasks(BIT(in, 22), imms, immr, false, (unsigned)ds, &wmask, &tmask))
			return undef(c);
		dst = opc == 1 ? xr(c, rd) : 0;
		bot = (dst & ~wmask) | (ror(src, immr, (unsigned)ds) & wmask);
		top = opc == 0 ? (BIT(src, imms) ? ones((unsigned)ds) : 0) : dst;
		setx(c, rd, (top & ~tmask) | (bot & tmask), sf);
		return DONE;
	}
	case 7: {  /* EXTR: (Xn:Xm) >> lsb */
		unsigned int lsb = BITS(in, 15, 10);
		uint64_t hi = xr(c, rn), lo = xr(c, BITS(in, 20, 16)), res;

		if (BIT(in, 22) != sf || (!sf && lsb > 31))
			return undef(c);
		if (!sf)
			res = (uint32_t)((((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo) >> lsb);
		else
			res = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
		setx(c, rd, res, sf);
		return DONE;
	}
	default:
		return undef(c);
	}
}

/* ---- data processing: register ---- */
static int dp_reg(struct cpu *c, uint32_t in)
{
	bool sf = BIT(in, 31);
	unsigned int rd = in & 31, rn = BITS(in, 9, 5), rm = BITS(in, 20, 16);

	if (BITS(in, 28, 24) == 0x0a) {  /* logical, shifted register */
		unsigned int opc = BITS(in, 30, 29);
		uint64_t b = shift_val(xr(c, rm), BITS(in, 23, 22), BITS(in, 15, 10), sf), a = xr(c, rn), res;

		if (!sf && BIT(in, 15))
			return undef(c);
		if (BIT(in, 21))
			b = ~b;
		res = opc == 0 || opc == 3 ? a & b : opc == 1 ? a | b : a ^ b;
		if (!sf)
			res = (uint32_t)res;
		if (opc == 3)
			set_nzcv(c, (unsigned)((sf ? res >> 63 : res >> 31) & 1) << 3 | (res == 0) << 2);
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 24) == 0x0b) {  /* add/sub shifted or extended register */
		bool sub = BIT(in, 30), set = BIT(in, 29), ext = BIT(in, 21);
		uint64_t a, b, res;

		if (ext) {
			if (BITS(in, 12, 10) > 4)
				return undef(c);
			a = xsp(c, rn);
			b = extend_val(xr(c, rm), BITS(in, 15, 13), BITS(in, 12, 10));
		} else {
			if (BITS(in, 23, 22) == 3 || (!sf && BIT(in, 15)))
				return undef(c);
			a = xr(c, rn);
			b = shift_val(xr(c, rm), BITS(in, 23, 22), BITS(in, 15, 10), sf);
		}
		res = add_flags(c, a, sub ? ~b : b, sub, sf, set);
		if (ext && !set)
			setxsp(c, rd, res, sf);
		else
			setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd0) {  /* ADC, SBC */
		bool sub = BIT(in, 30);
		uint64_t b = xr(c, rm);

		setx(c, rd, add_flags(c, xr(c, rn), sub ? ~b : b, BIT(c->r->pstate, 29), sf, BIT(in, 29)), sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd2) {  /* CCMN, CCMP */
		uint64_t b = BIT(in, 11) ? rm : xr(c, rm);
		bool sub = BIT(in, 30);

		if (cond_holds(c, BITS(in, 15, 12)))
			add_flags(c, xr(c, rn), sub ? ~b : b, sub, sf, true);
		else
			set_nzcv(c, in & 0xf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd4) {  /* conditional select */
		unsigned int o = (unsigned)BIT(in, 30) << 1 | (unsigned)BIT(in, 10);
		uint64_t res;

		if (cond_holds(c, BITS(in, 15, 12)))
			res = xr(c, rn);
		else if (o == 0)
			res = xr(c, rm);
		else if (o == 1)
			res = xr(c, rm) + 1;
		else if (o == 2)
			res = ~xr(c, rm);
		else
			res = -xr(c, rm);
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd6 && !BIT(in, 30)) {  /* 2-source */
		unsigned int opc = BITS(in, 15, 10);
		uint64_t a = xr(c, rn), b = xr(c, rm), res;

		if (!sf) {
			a = (uint32_t)a;
			b = (uint32_t)b;
		}
		switch (opc) {
		case 2: res = b ? a / b : 0; break;
		case 3:
			if (sf)
				res = b == 0 ? 0 : (a == 1ull << 63 && b == ~0ull) ? a : (uint64_t)((int64_t)a / (int64_t)b);
			else
				res = b == 0 ? 0 : ((uint32_t)a == 0x80000000u && (uint32_t)b == ~0u) ? a :
				      (uint32_t)((int32_t)a / (int32_t)b);
			break;
		case 8: case 9: case 10: case 11:
			res = shift_val(a, opc - 8, (unsigned)(b % (sf ? 64 : 32)), sf);
			break;
		default:
			return undef(c);
		}
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd6 && BIT(in, 30)) {  /* 1-source */
		unsigned int opc = BITS(in, 15, 10);
		uint64_t a = xr(c, rn), res = 0;
		unsigned int w = sf ? 64 : 32;

		if (!sf)
			a = (uint32_t)a;
		switch (opc) {
		case 0:
			for (unsigned int i = 0; i < w; i++)
				res |= ((a >> i) & 1) << (w - 1 - i);
			break;
		case 1:
			res = ((a & 0x00ff00ff00ff00ffull) << 8) | ((a >> 8) & 0x00ff00ff00ff00ffull);
			break;
		case 2:
			res = sf ? (uint64_t)__builtin_bswap32((uint32_t)a) |
				   (uint64_t)__builtin_bswap32((uint32_t)(a >> 32)) << 32
				 : __builtin_bswap32((uint32_t)a);
			break;
		case 3:
			if (!sf)
				return undef(c);
			res = __builtin_bswap64(a);
			break;
		case 4:
			res = a ? (uint64_t)(sf ? __builtin_clzll(a) : __builtin_clz((uint32_t)a)) : w;
			break;
		default:
			return undef(c);
		}
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 24) == 0x1b) {  /* 3-source */
		unsigned int op31 = BITS(in, 23, 21), ra = BITS(in, 14, 10);
		uint64_t a = xr(c, rn), b = xr(c, rm), res;

		if (op31 == 0)
			res = BIT(in, 15) ? xr(c, ra) - a * b : xr(c, ra) + a * b;
		else if (op31 == 2 && sf)
			res = (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
		else if (op31 == 6 && sf)
			res = (uint64_t)(((unsigned __int128)a * b) >> 64);
		else
			return undef(c);
		setx(c, rd, res, sf);
		return DONE;
	}
	return undef(c);
}

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
		return mem(c, va, &v, 1u << size, WR, syn);
	}
	rc = mem(c, va, &v, 1u << size, RD, syn);
	if (rc != DONE)
		return rc;
	if (sign && size < 3) {
		unsigned int b = 8u << size;

		if (v >> (b - 1))
			v |= ~ones(b);
		if (!sf64)
			v = (uint32_t)v;
	}
	setx(c, rt, v, true);
	return DONE;
}

static int ldst(struct cpu *c, uint32_t in)
{
	unsigned int rt = in & 31, rn = BITS(in, 9, 5);

	if (BITS(in, 29, 27) == 3 && BITS(in, 25, 24) == 0) {  /* LDR literal */
		int64_t off = sext(BITS(in, 23, 5), 19) * 4;
		unsigned int opc = BITS(in, 31, 30);

		if (BIT(in, 26))
			return undef(c);
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
			return undef(c);
		if (load) {
			if ((rc = mem(c, va, &v[0], 1u << sz, RD, 0)) != DONE ||
			    (rc = mem(c, va + (1u << sz), &v[1], 1u << sz, RD, 0)) != DONE)
				return rc;
			if (opc == 1) {
				v[0] = (uint64_t)(int64_t)(int32_t)v[0];
				v[1] = (uint64_t)(int64_t)(int32_t)v[1];
			}
		} else {
			v[0] = xr(c, rt);
			v[1] = xr(c, rt2);
			if ((rc = mem(c, va, &v[0], 1u << sz, WR, 0)) != DONE ||
			    (rc = mem(c, va + (1u << sz), &v[1], 1u << sz, WR, 0)) != DONE)
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
			return undef(c);
		if (BIT(in, 24)) {  /* unsigned offset */
			va = base + (BITS(in, 21, 10) << size);
			return ldst_one(c, va, size, opc, rt, true);
		}
		if (BIT(in, 21)) {  /* register offset */
			unsigned int opt = BITS(in, 15, 13);

			if (BITS(in, 11, 10) != 2 || !(opt & 2))
				return undef(c);
			va = base + extend_val(xr(c, BITS(in, 20, 16)), opt, BIT(in, 12) ? size : 0);
			return ldst_one(c, va, size, opc, rt, true);
		}
		{
			int64_t imm9 = sext(BITS(in, 20, 12), 9);
			unsigned int idx = BITS(in, 11, 10);

			va = idx == 1 ? base : base + (uint64_t)imm9;
			rc = ldst_one(c, va, size, opc, rt, idx == 0 || idx == 2);
			if (rc == DONE && (idx == 1 || idx == 3))
				setxsp(c, rn, base + (uint64_t)imm9, true);
			return rc;
		}
	}
	return undef(c);  /* exclusives, atomics, SIMD&FP */
}

/* ---- system registers ---- */
static uint64_t *sysreg(struct cpu *c, uint32_t key)
{
	struct rmm_vcpu_regs *r = c->r;

#define K(o0, o1, n, m, o2) (((o0) << 14) | ((o1) << 11) | ((n) << 7) | ((m) << 3) | (o2))
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
	case K(3, 3, 14, 3, 1): return &r->cntv_ctl;
	case K(3, 3, 14, 3, 2): return &r->cntv_cval;
	case K(3, 3, 14, 2, 1): return &r->cntp_ctl;
	case K(3, 3, 14, 2, 2): return &r->cntp_cval;
	case K(2, 0, 0, 2, 2): return &r->mdscr_el1;
	case K(3, 2, 0, 0, 0): return &r->csselr_el1;
	case K(3, 3, 4, 4, 0): return &r->fpcr;
	case K(3, 3, 4, 4, 1): return &r->fpsr;
	default: return NULL;
	}
}

static int sys(struct cpu *c, uint32_t in)
{
	unsigned int l = BIT(in, 21), op0 = BITS(in, 20, 19), op1 = BITS(in, 18, 16);
	unsigned int crn = BITS(in, 15, 12), crm = BITS(in, 11, 8), op2 = BITS(in, 7, 5), rt = in & 31;
	uint32_t key = K(op0, op1, crn, crm, op2);
	uint64_t *f, v;

	if (op0 == 0 && crn == 2 && !l) {  /* hints */
		if (crm == 0 && (op2 == 2 || op2 == 3)) {  /* WFE, WFI */
			c->x->kind = RMM_VCPU_EXIT_WFX;
			c->x->esr = (0x01ull << 26) | (1ull << 25) | (op2 == 2);
			return STOP;
		}
		return DONE;
	}
	if (op0 == 0 && crn == 3 && !l)
		return DONE;  /* CLREX, DSB, DMB, ISB, SB */
	if (op0 == 0 && crn == 4 && !l) {  /* MSR (immediate) */
		if (el(c) == 0)
			return undef(c);
		if (op1 == 3 && op2 == 6)
			c->r->pstate |= (uint64_t)crm << 6;
		else if (op1 == 3 && op2 == 7)
			c->r->pstate &= ~((uint64_t)crm << 6);
		else if (op1 == 0 && op2 == 5)
			c->r->pstate = (c->r->pstate & ~1ull) | (crm & 1);
		else
			return undef(c);
		return DONE;
	}
	if (op0 == 1 && !l)
		return el(c) == 0 ? undef(c) : DONE;  /* DC, IC, TLBI, AT: nothing cached */
	if (op0 < 2)
		return undef(c);
	if (el(c) == 0 && op1 != 3)
		return undef(c);
	if (key == K(3, 3, 4, 2, 0)) {  /* NZCV */
		if (l)
			setx(c, rt, c->r->pstate & (0xfull << 28), true);
		else
			c->r->pstate = (c->r->pstate & ~(0xfull << 28)) | (xr(c, rt) & (0xfull << 28));
		return DONE;
	}
	if (key == K(3, 3, 4, 2, 1)) {  /* DAIF */
		if (l)
			setx(c, rt, c->r->pstate & (0xfull << 6), true);
		else
			c->r->pstate = (c->r->pstate & ~(0xfull << 6)) | (xr(c, rt) & (0xfull << 6));
		return DONE;
	}
	if (key == K(3, 0, 4, 2, 2) && l) {  /* CurrentEL */
		setx(c, rt, (uint64_t)el(c) << 2, true);
		return DONE;
	}
	if (key == K(3, 0, 4, 2, 0)) {  /* SPSel */
		if (l)
			setx(c, rt, c->r->pstate & 1, true);
		else
			c->r->pstate = (c->r->pstate & ~1ull) | (xr(c, rt) & 1);
		return DONE;
	}
	if (key == K(3, 0, 0, 0, 5) && l) {  /* MPIDR_EL1 */
		unsigned int n = rmm_vcpu_index(c->v);

		setx(c, rt, (1ull << 31) | (n & 0xf) | ((uint64_t)((n >> 4) & 0xff) << 8) |
			    ((uint64_t)((n >> 12) & 0xff) << 16), true);
		return DONE;
	}
	f = sysreg(c, key);
	if (f) {
		if (l) {
			setx(c, rt, *f, true);
		} else {
			v = xr(c, rt);
			*f = v;
		}
		return DONE;
	}
	/* ID registers, GIC CPU interface, counters...: trapped to the RMM */
	c->x->kind = RMM_VCPU_EXIT_SYSREG;
	c->x->esr = (0x18ull << 26) | (1ull << 25) | ((uint64_t)op0 << 20) | ((uint64_t)op2 << 17) |
		    ((uint64_t)op1 << 14) | ((uint64_t)crn << 10) | ((uint64_t)rt << 5) |
		    ((uint64_t)crm << 1) | l;
	return STOP;
#undef K
}

/* ---- branches, exception generation, system ---- */
static int branch(struct cpu *c, uint32_t in)
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

		if (cond_holds(c, in & 15)) {
			r->pc += (uint64_t)off;
			return EXC;
		}
		return DONE;
	}
	if (BITS(in, 31, 24) == 0xd4) {  /* exception generation */
		unsigned int opc = BITS(in, 23, 21), ll = in & 3;
		uint64_t imm = BITS(in, 20, 5);

		if (opc == 0 && ll == 1) {
			return take(c, 0x15, imm, 0, r->pc + 4);  /* SVC */
		}
		if (opc == 0 && (ll == 2 || ll == 3)) {
			if (el(c) == 0)
				return undef(c);
			c->x->kind = ll == 2 ? RMM_VCPU_EXIT_HVC : RMM_VCPU_EXIT_SMC;
			c->x->esr = ((ll == 2 ? 0x16ull : 0x17ull) << 26) | (1ull << 25) | imm;
			return STOP;
		}
		if (opc == 1 && ll == 0)
			return take(c, 0x3c, imm, 0, r->pc);  /* BRK */
		return undef(c);
	}
	if (BITS(in, 31, 22) == 0x354)  /* system */
		return sys(c, in);
	if (BITS(in, 31, 25) == 0x6b) {  /* branch to register */
		unsigned int opc = BITS(in, 24, 21);
		uint64_t target = xr(c, BITS(in, 9, 5));

		if (opc == 4 && BITS(in, 20, 0) == 0x1f03e0) {  /* ERET */
			if (el(c) == 0)
				return undef(c);
			r->pc = r->elr_el1;
			r->pstate = r->spsr_el1;
			return EXC;
		}
		if (BITS(in, 20, 10) != 0x7c0 || (in & 31))
			return undef(c);
		if (opc == 1)
			r->x[30] = r->pc + 4;
		else if (opc != 0 && opc != 2)
			return undef(c);
		r->pc = target;
		return EXC;
	}
	return undef(c);
}

static int step(struct cpu *c)
{
	uint32_t in = 0;
	unsigned int op0;
	int rc;

	if (c->r->pc & 3)
		return take(c, 0x22, 0, c->r->pc, c->r->pc);  /* PC alignment */
	rc = mem(c, c->r->pc, &in, 4, FETCH, 0);
	if (rc != DONE) {
		if (rc == STOP && c->x->kind == RMM_VCPU_EXIT_ABORT)
			c->x->esr |= 1ull << 25;  /* instruction aborts have IL set */
		return rc;
	}
	op0 = BITS(in, 28, 25);
	if ((op0 & 0xe) == 0x8)
		rc = dp_imm(c, in);
	else if ((op0 & 0xe) == 0xa)
		rc = branch(c, in);
	else if ((op0 & 0x5) == 0x4)
		rc = ldst(c, in);
	else if ((op0 & 0x7) == 0x5)
		rc = dp_reg(c, in);
	else
		rc = undef(c);
	if (rc == DONE)
		c->r->pc += 4;
	return rc;
}

static void a64_run(void *vctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct rmm_a64_ctx *ctx = vctx;
	struct cpu c = { v, rmm_vcpu_regs(v), x };
	unsigned int n;

	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
	for (n = 0; n < ctx->budget; n++) {
		x->kind = RMM_VCPU_EXIT_ABORT;  /* what a refused access reports */
		if (step(&c) == STOP)
			break;
		x->kind = RMM_VCPU_EXIT_IRQ;
	}
	atomic_fetch_add(&ctx->retired, n);
}

static const struct rmm_vcpu_ops a64_ops = {
	.version = RMM_VCPU_VERSION,
	.run = a64_run,
};

const struct rmm_vcpu_ops *rmm_vcpu_a64_ops(void)
{
	return &a64_ops;
}
