/* Private to the AArch64 interpreter (vcpu_a64*.c). */
#ifndef HAL_HOST_VCPU_A64_INT_H
#define HAL_HOST_VCPU_A64_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <rmm/vcpu_a64.h>

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
static inline int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static inline unsigned int el(const struct cpu *c)
{
	return (unsigned int)BITS(c->r->pstate, 3, 2);
}

static inline uint64_t *sp(struct cpu *c)
{
	return (el(c) == 0 || !(c->r->pstate & 1)) ? &c->r->sp_el0 : &c->r->sp_el1;
}

static inline uint64_t xr(struct cpu *c, unsigned int n)
{
	return n == 31 ? 0 : c->r->x[n];
}

static inline uint64_t xsp(struct cpu *c, unsigned int n)
{
	return n == 31 ? *sp(c) : c->r->x[n];
}

static inline void setx(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (n != 31)
		c->r->x[n] = sf ? v : (uint32_t)v;
}

static inline void setxsp(struct cpu *c, unsigned int n, uint64_t v, bool sf)
{
	if (!sf)
		v = (uint32_t)v;
	if (n == 31)
		*sp(c) = v;
	else
		c->r->x[n] = v;
}

enum acc { RD = 0, WR = 1, FETCH = 2 };

/* vcpu_a64.c */
int a64_take(struct cpu *c, unsigned int ec, uint64_t iss, uint64_t far, uint64_t ret);
int a64_undef(struct cpu *c);
int a64_mem(struct cpu *c, uint64_t va, void *buf, unsigned int size, enum acc a, uint64_t syn);
bool a64_cond_holds(const struct cpu *c, unsigned int cond);
void a64_set_nzcv(struct cpu *c, unsigned int nzcv);
/* vcpu_a64_dp.c: data processing */
uint64_t a64_add_flags(struct cpu *c, uint64_t x, uint64_t y, unsigned int carry, bool sf, bool set);
uint64_t a64_extend(uint64_t v, unsigned int option, unsigned int shift);
uint64_t a64_ones(unsigned int n);
int a64_dp_imm(struct cpu *c, uint32_t in);
int a64_dp_reg(struct cpu *c, uint32_t in);
/* vcpu_a64_ctl.c: loads and stores, branches, exceptions, system */
int a64_ldst(struct cpu *c, uint32_t in);
int a64_branch(struct cpu *c, uint32_t in);

#endif
