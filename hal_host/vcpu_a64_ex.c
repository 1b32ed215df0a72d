/*
 * The AArch64 interpreter: load/store exclusive (LDXR/STXR, LDAXR/STLXR,
 * LDXP/STXP, LDAXP/STLXP), load-acquire/store-release (LDAR/STLR, LDAPR) and
 * the global exclusive monitor.
 *
 * The monitor: each host CPU owns one slot of the context's table holding the
 * IPA granule (A64_ERG bytes) it reserved. Every store by another CPU to a
 * reserved granule clears that slot before its bytes land (a64_mon_store), so
 * the owner's store-exclusive fails. A store-exclusive marks its own slot
 * BUSY while it commits (other CPUs' stores to the granule wait for it), then
 * writes with a compare-and-swap against the value its load-exclusive read:
 * a store that cleared the slot too late to be seen, but landed between the
 * load and the store-exclusive, still makes it fail. Barrier semantics
 * (acquire/release) hold because every access is sequentially consistent.
 */
#include <sched.h>
#include <string.h>

#include "vcpu_a64_int.h"

static void mon_put(struct cpu *c, uint64_t v)
{
	uint64_t old = atomic_exchange(&c->ctx->mon[c->slot], v);

	if ((old & MON_VALID) && !(v & MON_VALID))
		atomic_fetch_sub(&c->ctx->nres, 1);
	else if (!(old & MON_VALID) && (v & MON_VALID))
		atomic_fetch_add(&c->ctx->nres, 1);
}

void a64_mon_clear(struct cpu *c)
{
	c->lo->size = 0;
	if (atomic_load_explicit(&c->ctx->mon[c->slot], memory_order_relaxed))
		mon_put(c, 0);
}

/* A store by this CPU of size bytes at ipa: clear every other CPU's
 * reservation of a granule it touches. A plain store waits out another
 * CPU's commit in progress; a store-exclusive (excl) does not (two commits
 * are ordered by their compare-and-swap, and waiting could deadlock). */
static void mon_store(struct cpu *c, uint64_t ipa, unsigned int size, bool excl)
{
	struct rmm_a64_ctx *ctx = c->ctx;

	for (unsigned int i = 0; i < A64_MON_SLOTS; i++) {
		uint64_t s, g;

		if (i == c->slot)
			continue;
		for (;;) {
			s = atomic_load(&ctx->mon[i]);
			g = s & ~(uint64_t)(A64_ERG - 1);
			if (!(s & MON_VALID) || ipa >= g + A64_ERG || ipa + size <= g)
				break;
			if (s & MON_BUSY) {
				if (excl)
					break;
				sched_yield();
				continue;
			}
			if (atomic_compare_exchange_strong(&ctx->mon[i], &s, 0)) {
				atomic_fetch_sub(&ctx->nres, 1);
				break;
			}
		}
	}
}

void a64_mon_store(struct cpu *c, uint64_t ipa, unsigned int size)
{
	mon_store(c, ipa, size, false);
}

/* Bytes at a translated address: a refused access stops with its syndrome. */
static int phys(struct cpu *c, uint64_t va, uint64_t ipa, void *buf, unsigned int n, enum acc a)
{
	if (rmm_vcpu_access(c->v, ipa, buf, n, a == WR ? RMM_ACCESS_WRITE : RMM_ACCESS_READ, 0,
			    c->x) != RMM_OK) {
		c->x->far = va;
		return STOP;
	}
	return DONE;
}

static int load_excl(struct cpu *c, uint64_t va, unsigned int size, bool pair, unsigned int rt,
		     unsigned int rt2)
{
	unsigned int n = 1u << size, total = pair ? 2 * n : n;
	uint8_t buf[16] = { 0 };
	uint64_t ipa, v0 = 0, v1 = 0;
	int rc;

	if (va & (total - 1))
		return a64_align_fault(c, va, RD);
	rc = a64_translate(c, va, RD, &ipa);
	if (rc != DONE)
		return rc;
	/* reserve first: a store that misses the slot lands before the read
	 * or changes the bytes the store-exclusive compares */
	mon_put(c, (ipa & ~(uint64_t)(A64_ERG - 1)) | MON_VALID);
	rc = phys(c, va, ipa, buf, total, RD);
	if (rc != DONE) {
		a64_mon_clear(c);
		return rc;
	}
	memcpy(&v0, buf, n);
	if (pair)
		memcpy(&v1, buf + n, n);
	c->lo->rec = rmm_vcpu_rec(c->v);
	c->lo->ipa = ipa;
	c->lo->size = n;
	c->lo->pair = pair;
	memcpy(c->lo->val, buf, sizeof(c->lo->val));
	setx(c, rt, v0, true);
	if (pair)
		setx(c, rt2, v1, true);
	return DONE;
}

static int store_excl(struct cpu *c, uint64_t va, unsigned int size, bool pair, unsigned int rs,
		      unsigned int rt, unsigned int rt2)
{
	struct rmm_a64_ctx *ctx = c->ctx;
	unsigned int n = 1u << size, total = pair ? 2 * n : n;
	uint8_t buf[16] = { 0 };
	uint64_t ipa, v0 = xr(c, rt), v1 = pair ? xr(c, rt2) : 0, s;
	int rc, swapped = 0;

	if (va & (total - 1))
		return a64_align_fault(c, va, WR);
	rc = a64_translate(c, va, WR, &ipa);
	if (rc != DONE)
		return rc;
	s = (ipa & ~(uint64_t)(A64_ERG - 1)) | MON_VALID;
	if (c->lo->size != n || c->lo->pair != pair || c->lo->ipa != ipa ||
	    !atomic_compare_exchange_strong(&ctx->mon[c->slot], &s, s | MON_BUSY)) {
		a64_mon_clear(c);
		setx(c, rs, 1, false);
		return DONE;
	}
	memcpy(buf, &v0, n);
	memcpy(buf + n, &v1, n);
	mon_store(c, ipa, total, true);
	rc = rmm_vcpu_cmpxchg(c->v, ipa, total, c->lo->val, buf, &swapped, c->x);
	a64_mon_clear(c);
	if (rc != RMM_OK) {
		c->x->far = va;
		return STOP;
	}
	setx(c, rs, swapped ? 0 : 1, false);
	return DONE;
}

/* LDAR/STLR/LDAPR: ordinary single accesses that must be aligned; the
 * syndrome lets the host emulate them on MMIO. */
static int acq_rel(struct cpu *c, uint64_t va, unsigned int size, bool load, unsigned int rt)
{
	unsigned int n = 1u << size;
	uint64_t v = load ? 0 : xr(c, rt);
	uint64_t syn = RMM_ISS_ISV | ((uint64_t)size << RMM_ISS_SAS_SHIFT) |
		       ((uint64_t)rt << RMM_ISS_SRT_SHIFT) | (size == 3 ? RMM_ISS_SF : 0) |
		       (1ull << 14) /* AR */;
	int rc;

	if (va & (n - 1))
		return a64_align_fault(c, va, load ? RD : WR);
	rc = a64_mem(c, va, &v, n, load ? RD : WR, syn);
	if (rc == DONE && load)
		setx(c, rt, v, true);
	return rc;
}

int a64_ldst_excl(struct cpu *c, uint32_t in)
{
	unsigned int size = BITS(in, 31, 30), rs = BITS(in, 20, 16), rt2 = BITS(in, 14, 10);
	unsigned int rn = BITS(in, 9, 5), rt = in & 31;
	bool o2 = BIT(in, 23), load = BIT(in, 22), o1 = BIT(in, 21), o0 = BIT(in, 15);
	uint64_t va = xsp(c, rn);

	if ((in & 0x3ffffc00) == 0x38bfc000)  /* LDAPR (FEAT_LRCPC) */
		return acq_rel(c, va, size, true, rt);
	if (!o2 && !o1)                       /* LD(A)XR, ST(L)XR */
		return load ? load_excl(c, va, size, false, rt, 31)
			    : store_excl(c, va, size, false, rs, rt, 31);
	if (!o2 && o1 && size >= 2)           /* LD(A)XP, ST(L)XP */
		return load ? load_excl(c, va, size, true, rt, rt2)
			    : store_excl(c, va, size, true, rs, rt, rt2);
	if (o2 && !o1 && o0)                  /* LDAR, STLR */
		return acq_rel(c, va, size, load, rt);
	return a64_undef(c);  /* CAS(P): no LSE, LDLAR/STLLR: no LOR in the profile */
}
