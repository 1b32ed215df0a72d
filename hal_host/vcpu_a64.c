/*
 * The AArch64 reference vCPU backend (include/rmm/vcpu_a64.h): a
 * straightforward A64 interpreter at EL1/EL0 with the EL1 stage-1 MMU.
 * Memory goes through rmm_vcpu_access(), so stage 2 and the GPT apply to
 * every fetch, load, store and stage-1 table walk exactly as for hardware,
 * and a stage-2 fault leaves the instruction unexecuted for the RMM.
 *
 * This file: the context, exceptions, the stage-1 MMU, memory access,
 * condition flags and the run loop. Decoding lives in vcpu_a64_dp.c (data
 * processing) and vcpu_a64_ctl.c (loads/stores, branches, system).
 */
#include <stdlib.h>
#include <string.h>

#include "vcpu_a64_int.h"

struct rmm_a64_ctx *rmm_a64_ctx_new(unsigned int budget)
{
	struct rmm_a64_ctx *c = calloc(1, sizeof(*c));

	if (c)
		c->budget = budget ? budget : 100000;
	return c;
}

void rmm_a64_ctx_free(struct rmm_a64_ctx *ctx)
{
	if (!ctx)
		return;
	for (unsigned int i = 0; i < A64_MON_SLOTS; i++)
		free(ctx->blk[i]);
	free(ctx);
}

void rmm_a64_ctx_reset(struct rmm_a64_ctx *ctx)
{
	for (unsigned int i = 0; i < A64_MON_SLOTS; i++) {
		atomic_store(&ctx->mon[i], 0);
		if (ctx->blk[i])
			memset(ctx->blk[i], 0, sizeof(struct a64_blk) * A64_BLKS);
		ctx->tlb_gen[i] = 0;
	}
	atomic_store(&ctx->nres, 0);
	memset(ctx->local, 0, sizeof(ctx->local));
	memset(ctx->tlb, 0, sizeof(ctx->tlb));
	for (unsigned int i = 0; i < A64_IC_PAGES; i++)
		atomic_store(&ctx->ic_page[i], 0);
	atomic_store(&ctx->ic_gen, 0);
	atomic_store(&ctx->tlbi_gen, 0);
	atomic_store(&ctx->retired, 0);
	atomic_store(&ctx->blk_fills, 0);
	atomic_store(&ctx->blk_runs, 0);
}

uint64_t rmm_a64_retired(const struct rmm_a64_ctx *ctx)
{
	return ctx->retired;
}

/* Take a synchronous exception to EL1 (the interpreter's own: SVC, BRK,
 * undefined, stage-1 faults, alignment). */
int a64_take(struct cpu *c, unsigned int ec, uint64_t iss, uint64_t far, uint64_t ret)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t off = el(c) == 0 ? 0x400 : (r->pstate & 1) ? 0x200 : 0;

	a64_mon_clear(c);
	r->esr_el1 = ((uint64_t)ec << 26) | (1ull << 25) | iss;
	r->far_el1 = far;
	r->elr_el1 = ret;
	r->spsr_el1 = r->pstate;
	r->pstate = 0x3c5;
	r->pc = r->vbar_el1 + off;
	return EXC;
}

int a64_take_irq(struct cpu *c)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t off = el(c) == 0 ? 0x480 : (r->pstate & 1) ? 0x280 : 0x80;

	a64_mon_clear(c);
	r->elr_el1 = r->pc;
	r->spsr_el1 = r->pstate;
	r->pstate = 0x3c5;
	r->pc = r->vbar_el1 + off;
	return EXC;
}

int a64_align_fault(struct cpu *c, uint64_t va, enum acc a)
{
	return a64_take(c, el(c) == 0 ? 0x24 : 0x25, 0x21 | (a == WR ? (1ull << 6) : 0), va,
			c->r->pc);
}

int a64_undef(struct cpu *c)
{
	return a64_take(c, 0x00, 0, 0, c->r->pc);
}

/* A stage-1 fault taken into the realm. */
static int s1_fault(struct cpu *c, enum acc a, uint64_t fsc, uint64_t va)
{
	bool low = el(c) == 0;
	unsigned int ec = a == FETCH ? (low ? 0x20 : 0x21) : (low ? 0x24 : 0x25);

	if (c->probe) {
		c->probe_fsc = (unsigned int)fsc;
		return EXC;
	}
	return a64_take(c, ec, fsc | (a == WR ? (1ull << 6) : 0), va, c->r->pc);
}

/* The PE's physical address size (PAMax): 48 bits, as OA_MASK. */
#define A64_PAMAX 48

/* Does stage 1 forbid access 'a' at EL 'e' to a page whose descriptor has
 * these AP[2:1] (bits 7:6), PXN (53) and UXN (54) bits? Data: AP[2] makes
 * it read-only, AP[1] clear denies EL0 (no PAN). Fetch: the AP bits do not
 * apply (EL0 may execute an EL1-only page: execute-only memory); UXN at EL0;
 * at EL1 PXN, and a page writable at EL0 (AP[2:1] = 01) is never
 * executable; SCTLR_EL1.WXN makes every writable page execute-never. */
static bool s1_denied(const struct cpu *c, uint64_t attr, enum acc a, unsigned int e)
{
	bool el0_ok = BIT(attr, 6), ro = BIT(attr, 7);

	if (a != FETCH)
		return (a == WR && ro) || (e == 0 && !el0_ok);
	if (!ro && BIT(c->r->sctlr_el1, 19))
		return true;
	if (e == 0)
		return BIT(attr, 54);
	return BIT(attr, 53) || (el0_ok && !ro);
}

/* VA -> IPA through the EL1 stage-1 tables (4 KiB granule). LDTR/STTR at
 * EL1 (c->unpriv) are checked as EL0 accesses. */
static int s1(struct cpu *c, uint64_t va, enum acc a, uint64_t *ipa)
{
	struct rmm_vcpu_regs *r = c->r;
	uint64_t tcr = r->tcr_el1, table, d = 0;
	bool hi = BIT(va, 55);
	unsigned int tsz, bits, level, e = c->probe ? c->probe_el : c->unpriv ? 0 : el(c);

	if (!(r->sctlr_el1 & 1)) {
		/* stage 1 off (AArch64.S1DisabledOutput): VA bits from the top
		 * (63, or 55 under TBI for data) down to the PE's PA size must
		 * be zero, else a stage-1 address size fault at level 0 */
		unsigned int top = a != FETCH && BIT(tcr, hi ? 38 : 37) ? 55 : 63;

		if (((va & (top == 63 ? ~0ull : (1ull << 56) - 1)) >> A64_PAMAX) != 0)
			return s1_fault(c, a, 0x00, va);
		*ipa = va;
		return DONE;
	}
	{
		struct s1_tlbe *t = &c->tlb[(va >> 12) % A64_S1_TLB];
		uint64_t g = atomic_load_explicit(&c->ctx->tlbi_gen, memory_order_acquire);

		if (g != c->tlbi_seen) {  /* another CPU's TLBI: drop ours too */
			c->tlbi_seen = g;
			a64_tlb_flush(c);
		}
		if (t->gen == c->tlb_gen && t->vpage == va >> 12) {
			d = t->attr;
			level = t->level;
			if (s1_denied(c, d, a, e))
				return s1_fault(c, a, 0x0c + level, va);   /* permission */
			*ipa = t->ipage | (va & 0xfff);
			return DONE;
		}
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
	if (s1_denied(c, d, a, e))
		return s1_fault(c, a, 0x0c + level, va);   /* permission */
	{
		uint64_t size = 1ull << (12 + 9 * (3 - level));

		*ipa = ((d & OA_MASK) & ~(size - 1)) | (va & (size - 1));
		if (!c->probe) {  /* cache it, as a TLB does */
			struct s1_tlbe *t = &c->tlb[(va >> 12) % A64_S1_TLB];

			t->gen = c->tlb_gen;
			t->vpage = va >> 12;
			t->ipage = *ipa & ~0xfffull;
			t->attr = d & ((1ull << 6) | (1ull << 7) | (1ull << 53) | (1ull << 54));
			t->level = level;
		}
	}
	return DONE;
}

void a64_tlb_flush(struct cpu *c)
{
	if (++c->tlb_gen == 0) {  /* wrapped: no entry may look current */
		memset(c->tlb, 0, sizeof(struct s1_tlbe) * A64_S1_TLB);
		c->tlb_gen = 1;
	}
}

bool a64_fetch_cached(struct cpu *c, uint64_t va, uint64_t *ipa)
{
	const struct s1_tlbe *t = &c->tlb[(va >> 12) % A64_S1_TLB];
	unsigned int e = el(c);
	uint64_t g;

	if (!(c->r->sctlr_el1 & 1)) {
		if (va >> A64_PAMAX)
			return false;  /* the slow path takes the address size fault */
		*ipa = va;
		return true;
	}
	g = atomic_load_explicit(&c->ctx->tlbi_gen, memory_order_acquire);
	if (g != c->tlbi_seen) {
		c->tlbi_seen = g;
		a64_tlb_flush(c);
		return false;
	}
	if (t->gen != c->tlb_gen || t->vpage != va >> 12 || s1_denied(c, t->attr, FETCH, e))
		return false;
	*ipa = t->ipage | (va & 0xfff);
	return true;
}

int a64_translate(struct cpu *c, uint64_t va, enum acc a, uint64_t *ipa)
{
	return s1(c, va, a, ipa);
}

int a64_probe(struct cpu *c, uint64_t va, enum acc a, bool el0, uint64_t *ipa)
{
	int rc;

	c->probe = true;
	c->probe_el = el0 ? 0 : 1;
	c->probe_fsc = 0;
	rc = s1(c, va, a, ipa);
	c->probe = false;
	if (rc == STOP)
		return -1;
	return rc == DONE ? 0 : (int)c->probe_fsc;
}

/* One access of up to 8 bytes at a VA; 'syn' is the ISS the RMM needs to
 * emulate it (ISV, SAS, SSE, SRT, SF), 0 when it cannot be emulated. */
int a64_mem(struct cpu *c, uint64_t va, void *buf, unsigned int size, enum acc a, uint64_t syn)
{
	unsigned int first = size;
	uint64_t ipa = 0;
	int rc;

	if ((va & 0xfff) + size > 4096) {  /* crosses a page: two accesses */
		first = 4096 - (unsigned int)(va & 0xfff);
		rc = a64_mem(c, va, buf, first, a, 0);
		if (rc != DONE)
			return rc;
		return a64_mem(c, va + first, (uint8_t *)buf + first, size - first, a, 0);
	}
	rc = s1(c, va, a, &ipa);
	if (rc != DONE)
		return rc;
	if (a == WR && atomic_load_explicit(&c->ctx->nres, memory_order_seq_cst))
		a64_mon_store(c, ipa, size);
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

bool a64_cond_holds(const struct cpu *c, unsigned int cond)
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

void a64_set_nzcv(struct cpu *c, unsigned int nzcv)
{
	c->r->pstate = (c->r->pstate & ~(0xfull << 28)) | ((uint64_t)nzcv << 28);
}

static int step(struct cpu *c)
{
	uint32_t in = 0;
	int rc;

	if (c->r->pc & 3)
		return a64_take(c, 0x22, 0, c->r->pc, c->r->pc);  /* PC alignment */
	rc = a64_mem(c, c->r->pc, &in, 4, FETCH, 0);
	if (rc != DONE) {
		if (rc == STOP && c->x->kind == RMM_VCPU_EXIT_ABORT)
			c->x->esr |= 1ull << 25;  /* instruction aborts have IL set */
		return rc;
	}
	rc = a64_group(in)(c, in);
	if (rc == DONE)
		c->r->pc += 4;
	return rc;
}

/* Does executing 'in' end a block? System instructions (MSR, SYS, barriers,
 * ISB, IC, TLBI) may change what later fetches translate to; NOP does not. */
static bool ends_block(uint32_t in)
{
	return (in & 0xffc00000u) == 0xd5000000u && in != 0xd503201fu;
}

/* Execute a decoded block from its start: DONE (left it, the PC where the
 * next block begins), or STOP. *n counts retired instructions. */
static int run_blk(struct cpu *c, const struct a64_blk *b, unsigned int *n, unsigned int budget)
{
	for (unsigned int i = 0; i < b->n && *n < budget; i++) {
		uint32_t in = b->in[i];
		int rc = a64_group(in)(c, in);

		if (rc == STOP)
			return STOP;
		++*n;
		if (rc != DONE)
			return DONE;  /* a branch or an exception set the PC */
		c->r->pc += 4;
		if (c->check_irq || ends_block(in))
			return DONE;
	}
	return DONE;
}

static void a64_run(void *vctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct rmm_a64_ctx *ctx = vctx;
	struct cpu c = { .v = v, .r = rmm_vcpu_regs(v), .x = x, .ctx = ctx };
	unsigned int n = 0, poll_at = 0;

	c.tlb = ctx->tlb[rmm_vcpu_cpu(v) % A64_MON_SLOTS];
	c.tlb_gen = ctx->tlb_gen[rmm_vcpu_cpu(v) % A64_MON_SLOTS];
	c.tlbi_seen = atomic_load(&ctx->tlbi_gen);
	a64_tlb_flush(&c);  /* stage-1 entries live for one run() */
	c.slot = rmm_vcpu_cpu(v) % A64_MON_SLOTS;
	c.lo = &ctx->local[c.slot];
	c.blks = ctx->blk[c.slot];
	if (c.lo->rec != rmm_vcpu_rec(v))
		a64_mon_clear(&c);  /* another REC ran here: its reservation is gone */
	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
	c.check_irq = true;
	while (n < ctx->budget) {
		struct a64_blk *b;

		if (c.check_irq || n >= poll_at) {
			c.check_irq = false;
			poll_at = n + 1024;
			if (a64_poll(&c) == STOP)
				break;
		}
		x->kind = RMM_VCPU_EXIT_ABORT;  /* what a refused access reports */
		if (a64_blk_get(&c, &b) == STOP)
			break;
		if (b) {
			if (run_blk(&c, b, &n, ctx->budget) == STOP)
				break;
		} else {
			if (step(&c) == STOP)
				break;
			n++;
		}
		x->kind = RMM_VCPU_EXIT_IRQ;
	}
	ctx->tlb_gen[c.slot] = c.tlb_gen;
	atomic_fetch_add(&ctx->retired, n);
	atomic_fetch_add(&ctx->blk_fills, c.blk_fills);
	atomic_fetch_add(&ctx->blk_runs, c.blk_runs);
}

static const struct rmm_vcpu_ops a64_ops = {
	.version = RMM_VCPU_VERSION,
	.run = a64_run,
};

const struct rmm_vcpu_ops *rmm_vcpu_a64_ops(void)
{
	return &a64_ops;
}
