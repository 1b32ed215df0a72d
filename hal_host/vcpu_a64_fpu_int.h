/* Private to the AArch64 interpreter's FP files (vcpu_a64_fpu.c, the
 * scalar FP operations; vcpu_a64_fpu_vec.c, what AdvSIMD uses of them): the
 * per-operation context and the element operations, each applying the Arm
 * rules (NaN selection, default NaN, FPCR.FZ flushing, FPSR flags in f->fl). */
#ifndef HAL_HOST_VCPU_A64_FPU_INT_H
#define HAL_HOST_VCPU_A64_FPU_INT_H

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

static inline uint64_t sign_bit(const struct fctx *f)
{
	return f->dbl ? 1ull << 63 : 1ull << 31;
}

static inline uint64_t quiet_bit(const struct fctx *f)
{
	return f->dbl ? 1ull << 51 : 1ull << 22;
}

static inline uint64_t exp_mask(const struct fctx *f)
{
	return f->dbl ? 0x7ffull << 52 : 0xffull << 23;
}

static inline uint64_t frac_mask(const struct fctx *f)
{
	return f->dbl ? (1ull << 52) - 1 : (1ull << 23) - 1;
}

static inline bool is_nan(const struct fctx *f, uint64_t b)
{
	return (b & exp_mask(f)) == exp_mask(f) && (b & frac_mask(f));
}

static inline bool is_snan(const struct fctx *f, uint64_t b)
{
	return is_nan(f, b) && !(b & quiet_bit(f));
}

static inline uint64_t def_nan(const struct fctx *f)
{
	return exp_mask(f) | quiet_bit(f);
}

static inline double val(const struct fctx *f, uint64_t b)
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
static inline uint64_t bits_of(const struct fctx *f, double d)
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

static inline uint64_t vget(struct cpu *c, unsigned int n, bool dbl)
{
	uint64_t v = 0;

	memcpy(&v, a64_vreg(c, n), dbl ? 8 : 4);
	return v;
}

/* vcpu_a64_fpu.c */
uint64_t fpu_flush_in(struct fctx *f, uint64_t b);
bool fpu_nans(struct fctx *f, const uint64_t *op, unsigned int n, uint64_t *res);
/* op: 0 FMUL, 1 FDIV, 2 FADD, 3 FSUB, 4 FMAX, 5 FMIN, 6 FMAXNM, 7 FMINNM */
uint64_t fpu_arith2(struct fctx *f, unsigned int op, uint64_t a, uint64_t b);
uint64_t fpu_muladd(struct fctx *f, uint64_t a, uint64_t n, uint64_t m);
uint64_t fpu_convert(struct fctx *f, uint64_t b);
/* mode 0 nearest even, 1 +inf, 2 -inf, 3 zero, 4 nearest away */
uint64_t fpu_to_int(struct fctx *f, uint64_t b, unsigned int mode, bool uns, unsigned int bits);
/* mode as fpu_to_int or 5: FPCR.RMode; exact: FRINTX */
uint64_t fpu_round_int(struct fctx *f, uint64_t b, unsigned int mode, bool exact);
uint64_t fpu_from_int(struct fctx *f, uint64_t v, bool uns, bool sf);
unsigned int fpu_compare(struct fctx *f, uint64_t a, uint64_t b, bool signal);
uint64_t fpu_sqrt(struct fctx *f, uint64_t a);
uint64_t fpu_fmulx(struct fctx *f, uint64_t a, uint64_t b);

#endif
