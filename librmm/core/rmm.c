/* Instances: creation, destruction, and the library-side API around them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rmm_int.h"
#include "attest/attest.h"
#include <rmm/vcpu.h>
#include <rmm/vcpu_a64.h>
#include "diag/timeline.h"
#include "diag/trace.h"
#include "granule/granule.h"
#include "migrate/mig.h"

void rmm_config_init(struct rmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dram_base = 0x80000000ull;
	cfg->dram_size = 2ull << 30;
	cfg->secure_base = 0x06000000ull;
	cfg->secure_size = 32ull << 20;
	cfg->mmio_base = 0x1c000000ull;
	cfg->mmio_size = 64ull << 20;
	cfg->ncpus = 2;
}

static bool in_region(uint64_t pa, uint64_t base, uint64_t size)
{
	return size && pa >= base && pa - base < size;
}

/* Both regions must already be known not to wrap (base + size - 1 fits). */
static bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return s1 && s2 && b1 <= b2 + (s2 - 1) && b2 <= b1 + (s1 - 1);
}

/* A region is well formed if empty, or granule aligned and not wrapping
 * past 2^64 (its last byte is base + size - 1). */
static bool region_ok(uint64_t base, uint64_t size)
{
	if (size == 0)
		return true;
	return !((base | size) & GRANULE_MASK) && base + (size - 1) >= base;
}

/* The feature fields of a config (zero: today's defaults). */
static bool features_ok(const struct rmm_config *cfg)
{
	if (cfg->cpu_flags & ~(RMM_CPU_PMU | RMM_CPU_SVE))
		return false;
	if (cfg->pmu_num_ctrs > 31 || cfg->sve_vl > 15)
		return false;
	if ((cfg->num_bps && (cfg->num_bps < 2 || cfg->num_bps > 64)) ||
	    (cfg->num_wps && (cfg->num_wps < 2 || cfg->num_wps > 64)))
		return false;
	return true;
}

const char *rmm_region_name(const struct rmm *rmm, uint64_t pa)
{
	if (in_region(pa, rmm->dram_base, rmm->dram_size))
		return "DRAM";
	if (in_region(pa, rmm->cfg.secure_base, rmm->cfg.secure_size))
		return "secure";
	if (in_region(pa, rmm->cfg.mmio_base, rmm->cfg.mmio_size))
		return "MMIO";
	return "no memory";
}

static void core_explain(void *core, uint64_t pa, char *buf, size_t len)
{
	rmm_explain_granule(core, pa, buf, len);
}

/* RmiFeatureRegister0 of the emulated CPU; NUM_BPS/NUM_WPS are "count - 1". */
static uint64_t make_feat0(const struct rmm_config *cfg)
{
	uint64_t bps = cfg->num_bps ? cfg->num_bps : 6, wps = cfg->num_wps ? cfg->num_wps : 4;
	uint64_t v = 48ull                /* S2SZ */
		     | ((bps - 1) << 14) | ((wps - 1) << 20)
		     | RMI_FEAT0_HASH_SHA_256 | RMI_FEAT0_HASH_SHA_512
		     | (15ull << 34)      /* 16 GICv3 list registers */
		     | (10ull << 38);     /* MAX_RECS_ORDER */

	if (cfg->cpu_flags & RMM_CPU_SVE)
		v |= RMI_FEAT0_SVE_EN | ((uint64_t)cfg->sve_vl << 10);
	if (cfg->cpu_flags & RMM_CPU_PMU)
		v |= RMI_FEAT0_PMU_EN | ((uint64_t)cfg->pmu_num_ctrs << 27);
	return v;
}

int rmm_create(const struct rmm_config *cfg, struct rmm **out)
{
	struct rmm_hal_platform plat;
	struct rmm *rmm;
	int rc;

	if (!cfg || !out || cfg->ncpus == 0 || cfg->ncpus > RMM_MAX_CPUS)
		return RMM_EINVAL;
	if (cfg->dram_size == 0 || !region_ok(cfg->dram_base, cfg->dram_size) ||
	    cfg->dram_base + cfg->dram_size > (1ull << 48))
		return RMM_EINVAL;
	if (!region_ok(cfg->secure_base, cfg->secure_size) ||
	    !region_ok(cfg->mmio_base, cfg->mmio_size))
		return RMM_EINVAL;
	if (overlaps(cfg->dram_base, cfg->dram_size, cfg->secure_base, cfg->secure_size) ||
	    overlaps(cfg->dram_base, cfg->dram_size, cfg->mmio_base, cfg->mmio_size) ||
	    overlaps(cfg->secure_base, cfg->secure_size, cfg->mmio_base, cfg->mmio_size))
		return RMM_EINVAL;
	if (!features_ok(cfg))
		return RMM_EINVAL;
	if (cfg->hal &&
	    (cfg->hal->version < RMM_HAL_VERSION_MIN || cfg->hal->version > RMM_HAL_VERSION))
		return RMM_EVERSION;

	rmm = calloc(1, sizeof(*rmm));
	if (!rmm)
		return RMM_ENOMEM;
	rmm->cfg = *cfg;
	rmm->hal = cfg->hal ? cfg->hal : rmm_hal_host_ops();
	rmm->dram_base = cfg->dram_base;
	rmm->dram_size = cfg->dram_size;
	rmm->ngran = cfg->dram_size >> GRANULE_SHIFT;
	rmm->feat0 = make_feat0(cfg);
	rmm->gran = calloc(rmm->ngran, sizeof(*rmm->gran));
	rmm->cpus = calloc(cfg->ncpus, sizeof(*rmm->cpus));
	if ((cfg->flags & RMM_CFG_TLB_CHECK) && rmm->ngran &&
	    !(rmm->pas_last = calloc(rmm->ngran, sizeof(*rmm->pas_last)))) {
		rc = RMM_ENOMEM;
		goto fail;
	}
	/* the default vCPU backend: the AArch64 interpreter */
	rmm->a64_default = rmm_a64_ctx_new(0);
	rmm->vcpu_ops = rmm_vcpu_a64_ops();
	rmm->vcpu_ctx = rmm->a64_default;
	if (!rmm->gran || !rmm->cpus || !rmm->a64_default) {
		rc = RMM_ENOMEM;
		goto fail;
	}
	memset(&plat, 0, sizeof(plat));
	plat.dram_base = cfg->dram_base;
	plat.dram_size = cfg->dram_size;
	plat.ncpus = cfg->ncpus;
	plat.flags = cfg->flags;
	plat.explain = core_explain;
	plat.core = rmm;
	rc = rmm->hal->open(cfg->hal_ctx, &plat, &rmm->hal_h);
	if (rc != RMM_OK)
		goto fail;
	rc = attest_init(rmm, cfg);
	if (rc == RMM_OK && (cfg->flags & RMM_CFG_TIMELINE))
		rc = tl_alloc(rmm);
	if (rc != RMM_OK) {
		attest_fini(rmm);
		rmm->hal->close(rmm->hal_h);
		goto fail;
	}
	rmm->cfg.attest = NULL;  /* copied: the caller's buffers may go */
	rc = mig_instance_init(rmm);
	if (rc != RMM_OK) {
		attest_fini(rmm);
		rmm->hal->close(rmm->hal_h);
		goto fail;
	}
	*out = rmm;
	return RMM_OK;
fail:
	if (rmm->cpus)
		tl_free(rmm);
	rmm_a64_ctx_free(rmm->a64_default);
	free(rmm->gran);
	free(rmm->pas_last);
	free(rmm->cpus);
	free(rmm);
	return rc;
}

void rmm_destroy(struct rmm *rmm)
{
	if (!rmm)
		return;
	attest_fini(rmm);
	mig_instance_fini(rmm);
	rmm->hal->close(rmm->hal_h);
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++) {
		free(rmm->cpus[i].trace.data);
		free(rmm->cpus[i].snaps.data);
	}
	tl_free(rmm);
	rmm_a64_ctx_free(rmm->a64_default);
	free(rmm->gran);
	free(rmm->pas_last);
	free(rmm->cpus);
	free(rmm);
}

uint64_t call_fail(struct call *c, unsigned int status, unsigned int index, const char *fmt, ...)
{
	char *r = c->rmm->cpus[c->cpu].reason;
	va_list ap;
	int n;

	n = snprintf(r, RMM_REASON_LEN, "%s: ", c->name);
	if (n < 0 || n >= RMM_REASON_LEN)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r + n, RMM_REASON_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	rmm_log(c->rmm, RMM_LOG_DEBUG, "cpu%u %s", c->cpu, r);
	return RMI_RETURN(status, index);
}

void rmm_log(struct rmm *rmm, enum rmm_log_level lvl, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!rmm->hal->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rmm->hal->log(rmm->hal_h, lvl, buf);
}

void rmm_panic(struct rmm *rmm, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rmm->hal->panic(rmm->hal_h, buf);
}

const char *rmm_last_reason(const struct rmm *rmm, unsigned int cpu)
{
	if (!rmm || cpu >= rmm->cfg.ncpus)
		return "";
	return rmm->cpus[cpu].reason;
}

/*
 * Copy through the RMM's view, as a snapshot: the host may write the same NS
 * bytes at the same time (its own race, harmless to the RMM, which uses only
 * the copy), so this copy is not instrumented by ThreadSanitizer.
 */
#if defined(__SANITIZE_THREAD__)
#define RMM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RMM_TSAN 1
#endif
#endif

__attribute__((no_sanitize("thread"))) void ns_snapshot(void *dst, const void *src, size_t len)
{
#ifdef RMM_TSAN
	/* byte by byte, so ThreadSanitizer sees no access (its memcpy would) */
	volatile uint8_t *d = dst;
	const volatile uint8_t *sp = src;
	size_t i = 0;

	if ((((uintptr_t)dst | (uintptr_t)src) & 7) == 0)
		for (; i + 8 <= len; i += 8)
			*(volatile uint64_t *)(d + i) = *(const volatile uint64_t *)(sp + i);
	for (; i < len; i++)
		d[i] = sp[i];
#else
	/* each destination byte is a value the source byte had at some time
	 * during the copy, whatever the host writes meanwhile: a snapshot */
	memcpy(dst, src, len);
#endif
}

/*
 * The RMM's own accesses to NS memory (RealmParams, RecParams, RecRun, a
 * DATA_CREATE source, migration buffers), one granule at a time: the NS
 * granule is locked and must be UNDELEGATED (so no delegation can move it
 * to Realm PAS during the copy: DELEGATE needs that lock), and the bytes move
 * through the RMM's view, which never faults. No signal handler, no syscall.
 * The NS granule's lock is innermost: its holders (DELEGATE, UNDELEGATE and
 * these copies) wait for no other granule lock while they hold it, so any
 * command may take it last, whatever it holds.
 * 0, or -1 if a granule of the range is outside DRAM or not in the NS PAS.
 */
/*
 * Lock g for an RMM access to NS memory, never waiting on a granule that is
 * not UNDELEGATED: a caller may hold RTTs or DATA (a migration call keeps
 * its level-3 RTT across pages) while the host names any granule as its
 * buffer, and waiting on one that is another walk's parent would deadlock
 * (that walk waits for the RTT the caller holds). An UNDELEGATED granule's
 * lock is held only by DELEGATE and these copies, which wait for no granule
 * lock, so the wait ends. false (nothing locked): g is not UNDELEGATED.
 */
static bool ns_lock(struct rmm *rmm, struct granule *g)
{
	for (unsigned int spins = 0;; spins++) {
		if (granule_state_peek(g) != RMM_GRANULE_UNDELEGATED)
			return false;
		if (granule_trylock(g)) {
			if (g->state == RMM_GRANULE_UNDELEGATED)
				return true;
			granule_unlock(g);
			return false;
		}
		if (spins % 128 == 127 && rmm->hal->relax)
			rmm->hal->relax(rmm->hal_h);
	}
}

static int ns_copy(struct rmm *rmm, uint64_t pa, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;

	if (pa < rmm->dram_base || len > rmm->dram_size || pa - rmm->dram_base > rmm->dram_size - len)
		return -1;
	while (len) {
		struct granule *g = granule_find(rmm, pa & ~GRANULE_MASK);
		size_t n = GRANULE_SIZE - (pa & GRANULE_MASK);
		uint8_t *p;
		int ok;

		if (n > len)
			n = len;
		ok = ns_lock(rmm, g);
		if (ok) {
			p = (uint8_t *)granule_map(rmm, g) + (pa & GRANULE_MASK);
			if (write)
				ns_snapshot(p, b, n);
			else
				ns_snapshot(b, p, n);
			granule_unlock(g);
		}
		if (!ok)
			return -1;
		pa += n;
		b += n;
		len -= n;
	}
	return 0;
}

void *ns_map_lock(struct rmm *rmm, uint64_t pa, struct granule **out)
{
	struct granule *g = granule_find(rmm, pa & ~GRANULE_MASK);

	*out = NULL;
	if (!g || !ns_lock(rmm, g))
		return NULL;
	*out = g;
	return (uint8_t *)granule_map(rmm, g) + (pa & GRANULE_MASK);
}

int ns_read(struct call *c, uint64_t pa, void *dst, size_t len)
{
	if (ns_copy(c->rmm, pa, dst, len, false) != 0)
		return -1;
	if (c->rmm->cfg.flags & RMM_CFG_TRACE)
		trace_snap(c, pa, dst, len);
	return 0;
}

int ns_write(struct rmm *rmm, uint64_t pa, const void *src, size_t len)
{
	if ((pa & GRANULE_MASK) + len > GRANULE_SIZE)
		return -1;
	return ns_copy(rmm, pa, (void *)src, len, true);
}

int rmm_set_vcpu_backend(struct rmm *rmm, const struct rmm_vcpu_ops *ops, void *ctx)
{
	if (!rmm || (ops && (ops->version != RMM_VCPU_VERSION || !ops->run)))
		return RMM_EINVAL;
	rmm->vcpu_ops = ops ? ops : rmm_vcpu_a64_ops();
	rmm->vcpu_ctx = ops ? ctx : rmm->a64_default;
	return RMM_OK;
}

void rmm_host_irq(struct rmm *rmm, unsigned int cpu)
{
	if (rmm && cpu < rmm->cfg.ncpus)
		atomic_store(&rmm->cpus[cpu].irq_pending, 1);
}

void *rmm_ns_ptr(struct rmm *rmm, uint64_t pa)
{
	return rmm->hal->ns_ptr(rmm->hal_h, pa);
}

int rmm_host_read(struct rmm *rmm, uint64_t pa, void *buf, size_t len)
{
	return rmm->hal->host_access(rmm->hal_h, pa, buf, len, 0);
}

int rmm_host_write(struct rmm *rmm, uint64_t pa, const void *buf, size_t len)
{
	return rmm->hal->host_access(rmm->hal_h, pa, (void *)buf, len, 1);
}

const char *rmm_granule_state_name(int state)
{
	static const char *const names[] = { "UNDELEGATED", "DELEGATED", "RD", "REC",
					     "REC_AUX", "DATA", "RTT" };

	return state >= 0 && state < RMM_GRANULE_NSTATES ? names[state] : "?";
}

int rmm_granule_state(struct rmm *rmm, uint64_t pa)
{
	struct granule *g = granule_find(rmm, pa & ~GRANULE_MASK);

	return g ? (int)granule_state_peek(g) : RMM_ERANGE;
}

void rmm_get_stats(struct rmm *rmm, struct rmm_stats *st)
{
	struct rmm_hal_stats hs;

	memset(st, 0, sizeof(*st));
	memset(&hs, 0, sizeof(hs));
	if (rmm->hal->stats)
		rmm->hal->stats(rmm->hal_h, &hs);
	st->granules = rmm->ngran;
	st->meta_bytes = rmm->ngran * (sizeof(struct granule) + hs.meta_bytes);
	st->delegated = atomic_load(&rmm->n_delegated);
	st->gpt_enforced = hs.gpt_enforced;
	st->gpt_software = hs.gpt_software;
	st->map_limit_hits = hs.map_limit_hits;
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++) {
		st->rmi_calls += atomic_load_explicit(&rmm->cpus[i].n_calls, memory_order_relaxed);
		st->rmi_failures += atomic_load_explicit(&rmm->cpus[i].n_fail, memory_order_relaxed);
	}
}

const char *rmm_strerror(int err)
{
	switch (err) {
	case RMM_OK: return "success";
	case RMM_EINVAL: return "invalid argument";
	case RMM_ENOMEM: return "out of memory";
	case RMM_EOS: return "the host OS refused a request";
	case RMM_EGPF: return "granule protection fault";
	case RMM_ERANGE: return "address outside the instance's memory";
	case RMM_EVERSION: return "unsupported HAL version";
	case RMM_EATTEST:
		return "the attestation key and platform token are malformed or not bound to each other";
	default: return "unknown error";
	}
}
