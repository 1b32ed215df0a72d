/* The AArch64 interpreter: data processing (immediate and register). */
#include "vcpu_a64_int.h"

/* x + y + carry with flags, for 32 or 64 bits. */
uint64_t a64_add_flags(struct cpu *c, uint64_t x, uint64_t y, unsigned int carry, bool sf,
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
		a64_set_nzcv(c, n << 3 | z << 2 | cy << 1 | v);
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

uint64_t a64_extend(uint64_t v, unsigned int option, unsigned int shift)
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

uint64_t a64_ones(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static uint64_t ror(uint64_t v, unsigned int r, unsigned int esize)
{
	r %= esize;
	v &= a64_ones(esize);
	return r ? ((v >> r) | (v << (esize - r))) & a64_ones(esize) : v;
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
	*wmask = replicate(ror(a64_ones(s + 1), r, esize), esize, dsize);
	*tmask = replicate(a64_ones(d + 1), esize, dsize);
	return true;
}

/* ---- data processing: immediate ---- */
int a64_dp_imm(struct cpu *c, uint32_t in)
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
		uint64_t res = a64_add_flags(c, xsp(c, rn), sub ? ~imm : imm, sub, sf, set);

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
			return a64_undef(c);
		if (!bitmasks(BIT(in, 22), BITS(in, 15, 10), BITS(in, 21, 16), true, (unsigned)ds, &wmask, &tmask))
			return a64_undef(c);
		res = opc == 0 || opc == 3 ? a & wmask : opc == 1 ? a | wmask : a ^ wmask;
		if (!sf)
			res = (uint32_t)res;
		if (opc == 3) {
			a64_set_nzcv(c, (unsigned)((sf ? res >> 63 : res >> 31) & 1) << 3 | (res == 0) << 2);
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
			return a64_undef(c);
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
			return a64_undef(c);
		dst = opc == 1 ? xr(c, rd) : 0;
		bot = (dst & ~wmask) | (ror(src, immr, (unsigned)ds) & wmask);
		top = opc == 0 ? (BIT(src, imms) ? a64_ones((unsigned)ds) : 0) : dst;
		setx(c, rd, (top & ~tmask) | (bot & tmask), sf);
		return DONE;
	}
	case 7: {  /* EXTR: (Xn:Xm) >> lsb */
		unsigned int lsb = BITS(in, 15, 10);
		uint64_t hi = xr(c, rn), lo = xr(c, BITS(in, 20, 16)), res;

		if (BIT(in, 22) != sf || (!sf && lsb > 31))
			return a64_undef(c);
		if (!sf)
			res = (uint32_t)((((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo) >> lsb);
		else
			res = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
		setx(c, rd, res, sf);
		return DONE;
	}
	default:
		return a64_undef(c);
	}
}

/* ---- data processing: register ---- */
int a64_dp_reg(struct cpu *c, uint32_t in)
{
	bool sf = BIT(in, 31);
	unsigned int rd = in & 31, rn = BITS(in, 9, 5), rm = BITS(in, 20, 16);

	if (BITS(in, 28, 24) == 0x0a) {  /* logical, shifted register */
		unsigned int opc = BITS(in, 30, 29);
		uint64_t b = shift_val(xr(c, rm), BITS(in, 23, 22), BITS(in, 15, 10), sf), a = xr(c, rn), res;

		if (!sf && BIT(in, 15))
			return a64_undef(c);
		if (BIT(in, 21))
			b = ~b;
		res = opc == 0 || opc == 3 ? a & b : opc == 1 ? a | b : a ^ b;
		if (!sf)
			res = (uint32_t)res;
		if (opc == 3)
			a64_set_nzcv(c, (unsigned)((sf ? res >> 63 : res >> 31) & 1) << 3 | (res == 0) << 2);
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 24) == 0x0b) {  /* add/sub shifted or extended register */
		bool sub = BIT(in, 30), set = BIT(in, 29), ext = BIT(in, 21);
		uint64_t a, b, res;

		if (ext) {
			if (BITS(in, 12, 10) > 4)
				return a64_undef(c);
			a = xsp(c, rn);
			b = a64_extend(xr(c, rm), BITS(in, 15, 13), BITS(in, 12, 10));
		} else {
			if (BITS(in, 23, 22) == 3 || (!sf && BIT(in, 15)))
				return a64_undef(c);
			a = xr(c, rn);
			b = shift_val(xr(c, rm), BITS(in, 23, 22), BITS(in, 15, 10), sf);
		}
		res = a64_add_flags(c, a, sub ? ~b : b, sub, sf, set);
		if (ext && !set)
			setxsp(c, rd, res, sf);
		else
			setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd0) {  /* ADC, SBC */
		bool sub = BIT(in, 30);
		uint64_t b = xr(c, rm);

		setx(c, rd, a64_add_flags(c, xr(c, rn), sub ? ~b : b, BIT(c->r->pstate, 29), sf, BIT(in, 29)), sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd2) {  /* CCMN, CCMP */
		uint64_t b = BIT(in, 11) ? rm : xr(c, rm);
		bool sub = BIT(in, 30);

		if (a64_cond_holds(c, BITS(in, 15, 12)))
			a64_add_flags(c, xr(c, rn), sub ? ~b : b, sub, sf, true);
		else
			a64_set_nzcv(c, in & 0xf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd4) {  /* conditional select */
		unsigned int o = (unsigned)BIT(in, 30) << 1 | (unsigned)BIT(in, 10);
		uint64_t res;

		if (a64_cond_holds(c, BITS(in, 15, 12)))
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
			return a64_undef(c);
		}
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 21) == 0xd6 && BIT(in, 30)) {  /* 1-source */
		unsigned int opc = BITS(in, 15, 10);
		uint64_t a = xr(c, rn), res = 0;
		unsigned int w = sf ? 64 : 32;

		if (BITS(in, 20, 16) != 0 || BIT(in, 29))
			return a64_undef(c);  /* PAC: not in the profile (ISAR1 APA/API 0) */
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
				return a64_undef(c);
			res = __builtin_bswap64(a);
			break;
		case 4:
			res = a ? (uint64_t)(sf ? __builtin_clzll(a) : __builtin_clz((uint32_t)a)) : w;
			break;
		case 5: {  /* CLS: leading bits equal to the sign bit, less one */
			uint64_t x = a ^ (sf ? (uint64_t)((int64_t)a >> 1) : (uint32_t)((int32_t)a >> 1));

			x &= a64_ones(w - 1);
			res = x ? (uint64_t)(sf ? __builtin_clzll(x) : __builtin_clz((uint32_t)x)) - 1 : w - 1;
			break;
		}
		default:
			return a64_undef(c);
		}
		setx(c, rd, res, sf);
		return DONE;
	}
	if (BITS(in, 28, 24) == 0x1b) {  /* 3-source */
		unsigned int op31 = BITS(in, 23, 21), ra = BITS(in, 14, 10);
		bool o0 = BIT(in, 15);
		uint64_t a = xr(c, rn), b = xr(c, rm), acc = xr(c, ra), prod, res;

		if (BITS(in, 30, 29) != 0 || (op31 != 0 && !sf))
			return a64_undef(c);
		switch (op31) {
		case 0:  /* MADD, MSUB */
			prod = a * b;
			break;
		case 1:  /* SMADDL, SMSUBL */
			prod = (uint64_t)((int64_t)(int32_t)a * (int64_t)(int32_t)b);
			break;
		case 5:  /* UMADDL, UMSUBL */
			prod = (uint64_t)(uint32_t)a * (uint32_t)b;
			break;
		case 2:  /* SMULH */
		case 6:  /* UMULH */
			if (o0)
				return a64_undef(c);
			res = op31 == 2 ? (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64)
					: (uint64_t)(((unsigned __int128)a * b) >> 64);
			setx(c, rd, res, true);
			return DONE;
		default:
			return a64_undef(c);
		}
		setx(c, rd, o0 ? acc - prod : acc + prod, sf);
		return DONE;
	}
	return a64_undef(c);
}

