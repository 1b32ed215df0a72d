/* Stage-2 TLB maintenance, the change log, and findings of missing invalidations. */
#include <stdio.h>
#include <string.h>

#include "core/rmi_table.h"
#include "granule/granule.h"
#include "run/run.h"
#include "run/tlb.h"
#include "diag/timeline.h"

/* The in-flight counters and the change log serve only the checker
 * (RMM_CFG_TLB_CHECK); without it a change costs just its TLBI and the
 * wait for in-flight accesses, and touches no instance-wide counter. */
void s2_change_begin(struct call *c)
{
	if (c->rmm->cfg.flags & RMM_CFG_TLB_CHECK)
		atomic_fetch_add(&c->rmm->s2_inflight, 1);
}

void s2_change_end(struct call *c, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	struct rmm *rmm = c->rmm;
	bool check = rmm->cfg.flags & RMM_CFG_TLB_CHECK;

	if (check) {
		struct rmm_cpu *pc = &rmm->cpus[c->cpu];
		uint64_t h = atomic_load_explicit(&pc->s2log_head, memory_order_relaxed);
		struct s2_change *e = &pc->s2log[h % RMM_S2LOG_PER_CPU];

		e->seq = atomic_fetch_add(&rmm->seq, 1) + 1;
		e->ipa = ipa;
		e->size = size;
		e->vmid = vmid;
		e->fnum = c->fnum;
		e->cpu = (uint8_t)c->cpu;
		atomic_store_explicit(&pc->s2log_head, h + 1, memory_order_release);
		atomic_fetch_add_explicit(&rmm->s2_gen, 1, memory_order_release);
	}
	if (rmm->hal->tlbi)
		rmm->hal->tlbi(rmm->hal_h, c->cpu, vmid, ipa, size);
	if (tl_on(rmm))
		tl_instant(rmm, c->cpu, TL_TLBI, ipa, size, vmid, atomic_load(&rmm->faults));
	vcpu_sync(rmm);
	if (check)
		atomic_fetch_sub(&rmm->s2_inflight, 1);
}

static void access_lock(struct rmm *rmm, struct rmm_cpu *pc)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&pc->access_lock, 1, memory_order_acquire))
		if (++spins % 128 == 0 && rmm->hal->relax)
			rmm->hal->relax(rmm->hal_h);
}

static void access_unlock(struct rmm_cpu *pc)
{
	atomic_store_explicit(&pc->access_lock, 0, memory_order_release);
}

void vcpu_access_begin(struct rmm *rmm, unsigned int cpu)
{
	access_lock(rmm, &rmm->cpus[cpu]);
}

void vcpu_access_end(struct rmm *rmm, unsigned int cpu)
{
	access_unlock(&rmm->cpus[cpu]);
}

void vcpu_sync(struct rmm *rmm)
{
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++) {
		access_lock(rmm, &rmm->cpus[i]);
		access_unlock(&rmm->cpus[i]);
	}
}

/* Realm memory is shared by vCPUs running concurrently: copy it with relaxed
 * atomics, so that naturally aligned accesses of up to 8 bytes are single-copy
 * atomic as the architecture requires (and well defined in C). */
static void guest_copy(void *mem, void *buf, size_t len, bool write)
{
	uintptr_t a = (uintptr_t)mem;
	size_t step = ((a | len) & 7) == 0 ? 8 : ((a | len) & 3) == 0 ? 4 : ((a | len) & 1) == 0 ? 2 : 1;

	/* in the widest naturally aligned units the address and length allow */
	for (size_t i = 0; i < len; i += step) {
		uint8_t *m = (uint8_t *)mem + i, *b = (uint8_t *)buf + i;

		switch (step) {
		case 1:
			if (write)
				__atomic_store_n(m, *b, __ATOMIC_RELAXED);
			else
				*b = __atomic_load_n(m, __ATOMIC_RELAXED);
			break;
		case 2: {
			uint16_t v;

			if (write) {
				memcpy(&v, b, 2);
				__atomic_store_n((uint16_t *)(void *)m, v, __ATOMIC_RELAXED);
			} else {
				v = __atomic_load_n((uint16_t *)(void *)m, __ATOMIC_RELAXED);
				memcpy(b, &v, 2);
			}
			break;
		}
		case 4: {
			uint32_t v;

			if (write) {
				memcpy(&v, b, 4);
				__atomic_store_n((uint32_t *)(void *)m, v, __ATOMIC_RELAXED);
			} else {
				v = __atomic_load_n((uint32_t *)(void *)m, __ATOMIC_RELAXED);
				memcpy(b, &v, 4);
			}
			break;
		}
		default: {
			uint64_t v;

			if (write) {
				memcpy(&v, b, 8);
				__atomic_store_n((uint64_t *)(void *)m, v, __ATOMIC_RELAXED);
			} else {
				v = __atomic_load_n((uint64_t *)(void *)m, __ATOMIC_RELAXED);
				memcpy(b, &v, 8);
			}
			break;
		}
		}
	}
}

/* The fast path of rmm_vcpu_access: off in checking mode (every access is
 * then checked against the tables) and under fault injection. */
static bool ucache_on(struct rmm *rmm)
{
	return !(rmm->cfg.flags & RMM_CFG_TLB_CHECK) && rmm->hal->tlb_gen && rmm->hal->tlb_lookup &&
	       !atomic_load_explicit(&rmm->faults, memory_order_relaxed);
}

static uint64_t ucache_gpt_gen(struct rmm *rmm)
{
	/* top bit set while a PAS change is in flight: nothing is cached then */
	return atomic_load_explicit(&rmm->gpt_gen, memory_order_acquire) |
	       (atomic_load_explicit(&rmm->gpt_busy, memory_order_acquire) ? 1ull << 63 : 0);
}

/* The generations a translation is cached under, read BEFORE the walk that
 * makes it: a TLBI or PAS change that lands during the walk moves them on
 * (the HAL bumps its TLB generation before the TLBI waits for in-flight
 * accesses), so what the walk read is never cached as current. g's top bit:
 * a PAS change is in flight, nothing may be cached. */
struct ucache_gens {
	uint64_t gpt, tlb;
};

static void ucache_gens(struct rmm_vcpu *v, struct ucache_gens *g)
{
	struct rmm *rmm = v->rmm;

	g->gpt = ucache_gpt_gen(rmm);
	g->tlb = rmm->hal->tlb_gen(rmm->hal_h, v->cpu);
}

/* Remember a translation the stage-2 service just allowed (gens from
 * ucache_gens() before it translated). */
static void ucache_fill(struct rmm_vcpu *v, struct rmm_cpu *pc, uint64_t ipa,
			enum rmm_vcpu_access acc, void *p, const struct ucache_gens *g)
{
	struct vcpu_ucache *u = &pc->uc[(ipa >> GRANULE_SHIFT) % RMM_UCACHE];
	uint64_t page = (ipa >> GRANULE_SHIFT) + 1;
	uint8_t *host = (uint8_t *)p - (ipa & GRANULE_MASK);

	if (g->gpt >> 63)
		return;
	if (u->page == page && u->vmid == v->s2.vmid && u->host == host && u->gpt_gen == g->gpt &&
	    u->tlb_gen == g->tlb) {
		u->allowed |= (uint8_t)(1u << acc);
		return;
	}
	u->page = page;
	u->vmid = v->s2.vmid;
	u->host = host;
	u->gpt_gen = g->gpt;
	u->tlb_gen = g->tlb;
	u->allowed = (uint8_t)(1u << acc);
}

int rmm_vcpu_access(struct rmm_vcpu *v, uint64_t ipa, void *buf, size_t len,
		    enum rmm_vcpu_access acc, int s1ptw, struct rmm_vcpu_exit *fault)
{
	struct rmm_cpu *pc = &v->rmm->cpus[v->cpu];
	struct ucache_gens g;
	bool cache;
	void *p;
	int rc;

	do {
		access_lock(v->rmm, pc);
		cache = ucache_on(v->rmm) && !s1ptw;
		if (cache) {
			/* the generations once: what a hit is checked against,
			 * and what a miss's walk is cached under */
			struct vcpu_ucache *u = &pc->uc[(ipa >> GRANULE_SHIFT) % RMM_UCACHE];

			ucache_gens(v, &g);
			if (!(g.gpt >> 63) && u->page == (ipa >> GRANULE_SHIFT) + 1 &&
			    u->vmid == v->s2.vmid && (u->allowed & (1u << acc)) &&
			    u->gpt_gen == g.gpt && u->tlb_gen == g.tlb &&
			    (ipa & GRANULE_MASK) + len <= GRANULE_SIZE) {
				p = u->host + (ipa & GRANULE_MASK);
				guest_copy(p, buf, len, acc == RMM_ACCESS_WRITE);
				access_unlock(pc);
				return RMM_OK;
			}
		}
		rc = s2_translate_locked(v, ipa, len, acc, s1ptw, &p, fault);
		if (rc == RMM_OK && cache)
			ucache_fill(v, pc, ipa, acc, p, &g);
		if (rc == RMM_OK) {
			guest_copy(p, buf, len, acc == RMM_ACCESS_WRITE);
		}
		access_unlock(pc);
		/* a write to a page exported for migration: the RMM marks it
		 * dirty and makes it writable (no exit), then the write retries */
	} while (rc == RMM_EGPF && acc == RMM_ACCESS_WRITE && mig_write_fault(v, fault));
	return rc;
}

/* Fetch tokens are unique across every instance in the process, so a
 * backend's cache shared by several instances never confuses them. */
static _Atomic uint64_t fetch_tokens;

uint64_t rmm_vcpu_fetch_gen(struct rmm_vcpu *v)
{
	struct rmm_cpu *pc = &v->rmm->cpus[v->cpu];
	struct ucache_gens g;

	if (!ucache_on(v->rmm))
		return 0;
	g.gpt = atomic_load_explicit(&v->rmm->gpt_out_gen, memory_order_acquire);
	if (atomic_load_explicit(&v->rmm->gpt_out_busy, memory_order_acquire))
		return 0;
	g.tlb = v->rmm->hal->tlb_gen(v->rmm->hal_h, v->cpu);
	if (!pc->fetch.token || pc->fetch.gpt_gen != g.gpt || pc->fetch.tlb_gen != g.tlb ||
	    pc->fetch.vmid != v->s2.vmid) {
		pc->fetch.gpt_gen = g.gpt;
		pc->fetch.tlb_gen = g.tlb;
		pc->fetch.vmid = v->s2.vmid;
		pc->fetch.token = atomic_fetch_add_explicit(&fetch_tokens, 1, memory_order_relaxed) + 1;
	}
	return pc->fetch.token;
}

int rmm_vcpu_take_host_irq(struct rmm_vcpu *v)
{
	_Atomic uint8_t *p = &v->rmm->cpus[v->cpu].irq_pending;

	return atomic_load_explicit(p, memory_order_relaxed) &&
	       atomic_exchange_explicit(p, 0, memory_order_acquire);
}

#if defined(__x86_64__)
__attribute__((target("cx16")))
#endif
static bool cas16(void *p, const void *expected, const void *desired)
{
#if defined(__clang__) && defined(__x86_64__)
	/* clang lowers the 16-byte builtin to a libcall (__sync_val_compare_
	 * and_swap_16) that no runtime library provides: say CMPXCHG16B */
	uint64_t e[2], d[2];
	bool ok;

	memcpy(e, expected, 16);
	memcpy(d, desired, 16);
	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
			 : "=q"(ok), "+m"(*(volatile unsigned __int128 *)p), "+a"(e[0]), "+d"(e[1])
			 : "b"(d[0]), "c"(d[1])
			 : "memory", "cc");
	return ok;
#else
	unsigned __int128 e, d;

	memcpy(&e, expected, 16);
	memcpy(&d, desired, 16);
	return __sync_bool_compare_and_swap((unsigned __int128 *)p, e, d);
#endif
}

static bool cas_n(void *p, size_t len, const void *expected, const void *desired)
{
	switch (len) {
	case 1: {
		uint8_t e, d;

		memcpy(&e, expected, 1);
		memcpy(&d, desired, 1);
		return __atomic_compare_exchange_n((uint8_t *)p, &e, d, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
	case 2: {
		uint16_t e, d;

		memcpy(&e, expected, 2);
		memcpy(&d, desired, 2);
		return __atomic_compare_exchange_n((uint16_t *)p, &e, d, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
	case 4: {
		uint32_t e, d;

		memcpy(&e, expected, 4);
		memcpy(&d, desired, 4);
		return __atomic_compare_exchange_n((uint32_t *)p, &e, d, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
	case 8: {
		uint64_t e, d;

		memcpy(&e, expected, 8);
		memcpy(&d, desired, 8);
		return __atomic_compare_exchange_n((uint64_t *)p, &e, d, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
	default:
		return cas16(p, expected, desired);
	}
}

int rmm_vcpu_cmpxchg(struct rmm_vcpu *v, uint64_t ipa, size_t len, const void *expected,
		     const void *desired, int *swapped, struct rmm_vcpu_exit *fault)
{
	struct rmm_cpu *pc = &v->rmm->cpus[v->cpu];
	void *p;
	int rc;

	if ((len != 1 && len != 2 && len != 4 && len != 8 && len != 16) || (ipa & (len - 1)))
		return RMM_EINVAL;
	do {
		access_lock(v->rmm, pc);
		rc = s2_translate_locked(v, ipa, len, RMM_ACCESS_WRITE, 0, &p, fault);
		if (rc == RMM_OK)
			*swapped = cas_n(p, len, expected, desired);
		access_unlock(pc);
		/* a page exported for migration: marked dirty, made writable */
	} while (rc == RMM_EGPF && mig_write_fault(v, fault));
	return rc;
}

void gpt_change_begin(struct rmm *rmm, bool out)
{
	if (out) {
		atomic_fetch_add(&rmm->gpt_out_busy, 1);
		atomic_fetch_add(&rmm->gpt_out_gen, 1);
	}
	atomic_fetch_add(&rmm->gpt_busy, 1);
	atomic_fetch_add(&rmm->gpt_gen, 1);
	if (rmm->cfg.flags & RMM_CFG_TLB_CHECK)
		atomic_fetch_add(&rmm->gpt_inflight, 1);
}

void gpt_change_end(struct rmm *rmm, bool out)
{
	if (rmm->cfg.flags & RMM_CFG_TLB_CHECK)
		atomic_fetch_sub(&rmm->gpt_inflight, 1);
	atomic_fetch_add(&rmm->gpt_gen, 1);
	atomic_fetch_sub(&rmm->gpt_busy, 1);
	if (out) {
		atomic_fetch_add(&rmm->gpt_out_gen, 1);
		atomic_fetch_sub(&rmm->gpt_out_busy, 1);
	}
}

void rmm_finding_add(struct rmm *rmm, int kind, unsigned int cpu, uint64_t ipa, uint64_t pa,
		     const char *fmt, ...)
{
	uint64_t n = atomic_fetch_add(&rmm->nfindings, 1);
	struct rmm_finding *f;
	va_list ap;

	if (n >= RMM_MAX_FINDINGS)
		return;
	f = &rmm->findings[n];
	tl_instant(rmm, cpu, TL_FINDING, n, 0, 0, 0);
	f->kind = kind;
	f->cpu = cpu;
	f->ipa = ipa;
	f->pa = pa;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	rmm_log(rmm, RMM_LOG_ERROR, "missing invalidation: %s", f->text);
}

size_t rmm_findings(struct rmm *rmm, struct rmm_finding *out, size_t max)
{
	uint64_t n = atomic_load(&rmm->nfindings);

	for (uint64_t i = 0; i < n && i < max && i < RMM_MAX_FINDINGS; i++)
		out[i] = rmm->findings[i];
	return (size_t)n;
}

void rmm_set_faults(struct rmm *rmm, unsigned int faults)
{
	atomic_store(&rmm->faults, faults);
	if (rmm->hal->set_faults)
		rmm->hal->set_faults(rmm->hal_h, faults);
}

const struct s2_change *s2_change_find(struct rmm *rmm, uint16_t vmid, uint64_t ipa,
				       uint64_t since)
{
	const struct s2_change *best = NULL;

	for (unsigned int cpu = 0; cpu < rmm->cfg.ncpus; cpu++) {
		struct rmm_cpu *pc = &rmm->cpus[cpu];
		uint64_t head = atomic_load_explicit(&pc->s2log_head, memory_order_acquire);
		uint64_t first = head > RMM_S2LOG_PER_CPU ? head - RMM_S2LOG_PER_CPU : 0;

		for (uint64_t i = first; i < head; i++) {
			const struct s2_change *e = &pc->s2log[i % RMM_S2LOG_PER_CPU];

			if (e->vmid != vmid || e->seq <= since)
				continue;
			if (e->size && (ipa < e->ipa || ipa - e->ipa >= e->size))
				continue;
			if (!best || e->seq > best->seq)
				best = e;
		}
	}
	return best;
}

enum rmm_pas gpt_seen(struct rmm *rmm, unsigned int cpu, uint64_t pa, uint64_t ipa)
{
	enum rmm_pas seen, truth;

	if (!rmm->hal->gpt_lookup)
		return rmm->hal->gpt_get(rmm->hal_h, pa);
	seen = rmm->hal->gpt_lookup(rmm->hal_h, cpu, pa);
	if (!(rmm->cfg.flags & RMM_CFG_TLB_CHECK))
		return seen;
	truth = rmm->hal->gpt_get(rmm->hal_h, pa);
	/* stale means the cache still disagrees after we read the GPT (an
	 * invalidation arriving in between refills it with the truth) */
	if (seen != truth && atomic_load(&rmm->gpt_inflight) == 0 &&
	    rmm->hal->gpt_lookup(rmm->hal_h, cpu, pa) == seen) {
		struct rmm_granule_event hist[16], ev;
		const struct rmi_cmd *cmd = NULL;
		size_t n = rmm_granule_history(rmm, pa, hist, 16);

		/* the latest event that moved the granule between PASs */
		for (size_t i = 0; i < n && !cmd; i++) {
			if (hist[i].from == RMM_GRANULE_UNDELEGATED ||
			    hist[i].to == RMM_GRANULE_UNDELEGATED) {
				ev = hist[i];
				cmd = rmi_cmd_find(ev.fid_num);
			}
		}
		/* older than the rings keep: the granule's own record of it */
		if (!cmd && granule_last_pas_change(rmm, pa, &ev))
			cmd = rmi_cmd_find(ev.fid_num);
		if (cmd)
			rmm_finding_add(rmm, RMM_FINDING_GPT, cpu, ipa, pa,
					"cpu%u's GPT cache says %s for PA 0x%llx (IPA 0x%llx) but the "
					"GPT says %s since %s on cpu%u (#%llu): that GPT invalidation "
					"did not reach cpu%u",
					cpu, seen == RMM_PAS_NS ? "NS" : "Realm", (unsigned long long)pa,
					(unsigned long long)ipa, truth == RMM_PAS_NS ? "NS" : "Realm",
					cmd->name, ev.cpu, (unsigned long long)ev.seq, cpu);
		else
			rmm_finding_add(rmm, RMM_FINDING_GPT, cpu, ipa, pa,
					"cpu%u's GPT cache says %s for PA 0x%llx (IPA 0x%llx) but the "
					"GPT says %s (the change that made it so is older than the "
					"granule history keeps, %u changes per CPU): that GPT "
					"invalidation did not reach cpu%u",
					cpu, seen == RMM_PAS_NS ? "NS" : "Realm", (unsigned long long)pa,
					(unsigned long long)ipa, truth == RMM_PAS_NS ? "NS" : "Realm",
					RMM_HIST_PER_CPU, cpu);
	}
	return seen;
}

void dc_after_pas_change(struct rmm *rmm, unsigned int cpu, uint64_t pa)
{
	if (!dc_modelled(rmm))
		return;
	rmm->hal->dc_cipapa(rmm->hal_h, cpu, pa);
	if (tl_on(rmm))
		tl_instant(rmm, cpu, TL_CMO, pa, GRANULE_SIZE, 0, atomic_load(&rmm->faults));
}

void dc_stale_finding(struct rmm *rmm, unsigned int cpu, uint64_t pa, uint64_t ipa, int level,
		      uint64_t desc, size_t bytes)
{
	struct rmm_granule_event hist[16], ev;
	const struct rmi_cmd *cmd = NULL;
	uint64_t gran = pa & ~GRANULE_MASK;
	size_t n = rmm_granule_history(rmm, gran, hist, 16);
	enum rmm_pas now = rmm->hal->gpt_get(rmm->hal_h, gran);

	/* the latest event that moved the granule between PASs */
	for (size_t i = 0; i < n && !cmd; i++) {
		if (hist[i].from == RMM_GRANULE_UNDELEGATED || hist[i].to == RMM_GRANULE_UNDELEGATED) {
			ev = hist[i];
			cmd = rmi_cmd_find(ev.fid_num);
		}
	}
	rmm_finding_add(rmm, RMM_FINDING_CACHE, cpu, ipa, gran,
			"cpu%u's stage-2 walker read stale bytes of granule 0x%llx (level %d RTT, "
			"IPA 0x%llx, entry 0x%llx, %zu bytes): a dirty %s line cpu%u held from "
			"before %s on cpu%u (#%llu) was written back over it when the walk evicted "
			"it; that PAS change's clean+invalidate to PoPA did not reach cpu%u",
			cpu, (unsigned long long)gran, level, (unsigned long long)ipa,
			(unsigned long long)desc, bytes, now == RMM_PAS_REALM ? "NS" : "Realm", cpu,
			cmd ? cmd->name : "?", cmd ? ev.cpu : 0,
			cmd ? (unsigned long long)ev.seq : 0ull, cpu);
}

/* A host access on cpu: through (and filling) its GPT cache, and its data
 * cache when the HAL models one. */
static int host_access_on(struct rmm *rmm, unsigned int cpu, uint64_t pa, void *buf, size_t len,
			  int write)
{
	uint64_t t0 = tl_on(rmm) ? tl_now(rmm) : 0;
	int rc;

	for (uint64_t g = pa & ~GRANULE_MASK; len && g < pa + len; g += GRANULE_SIZE)
		if (granule_find(rmm, g))
			gpt_seen(rmm, cpu, g, 0);
	rc = rmm->hal->host_access(rmm->hal_h, pa, buf, len, write);
	if (rc == RMM_OK && dc_modelled(rmm))
		rmm->hal->dc_access(rmm->hal_h, cpu, pa, len, RMM_PAS_NS, write);
	if (tl_on(rmm)) {
		struct tl_event e = { .kind = TL_HOST, .t0 = t0, .t1 = tl_now(rmm), .a = pa,
				      .b = len, .c = (uint64_t)write };

		tl_add(rmm, cpu, &e);
	}
	return rc;
}

int rmm_host_read_on(struct rmm *rmm, unsigned int cpu, uint64_t pa, void *buf, size_t len)
{
	if (cpu >= rmm->cfg.ncpus)
		return RMM_EINVAL;
	return host_access_on(rmm, cpu, pa, buf, len, 0);
}

int rmm_host_write_on(struct rmm *rmm, unsigned int cpu, uint64_t pa, const void *buf, size_t len)
{
	if (cpu >= rmm->cfg.ncpus)
		return RMM_EINVAL;
	return host_access_on(rmm, cpu, pa, (void *)buf, len, 1);
}
