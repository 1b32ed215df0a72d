/*
 * Shared by the fuzz harnesses: an input reader and pools of interesting
 * argument values, so that short inputs reach deep states. Each harness
 * keeps one instance (4 MiB of DRAM) for the process and rmm_reset()s it
 * before every input, which keeps runs independent and reproducible at a
 * fraction of an rmm_create/rmm_destroy.
 *
 * Environment: FUZZ_DEEP=1 checks the invariants after every call (default:
 * once per input, at its end) and replays every input's trace (default: a
 * sample of one input in 8, chosen by the input's hash, so a finding
 * reproduces with the same input).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>

#define FZ_DRAM 0x80000000ull
#define FZ_DRAM_SIZE (4ull << 20)
#define FZ_G 4096ull
#define FZ_HOT 64                                   /* granules 0..63 */
#define FZ_HOT_PA(i) (FZ_DRAM + (uint64_t)(i) * FZ_G)
#define FZ_NS(i) (FZ_DRAM + (2ull << 20) + (uint64_t)(i) * FZ_G)  /* host pages */
#define FZ_NPARAMS 8
#define FZ_NRECPARAMS 3
#define FZ_RUN FZ_NS(16)
#define FZ_SRC FZ_NS(17)
#define FZ_U (1ull << 39)

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)fz_u8(in) << (8 * i);
	return v;
}

/* A physical address: mostly hot granules, sometimes every kind of bad. */
static inline uint64_t fz_pa(struct fz_in *in)
{
	uint8_t s = fz_u8(in);

	if (s < FZ_HOT)
		return FZ_HOT_PA(s);
	switch (s % 16) {
	case 0: return 0x06000000ull;                 /* secure */
	case 1: return 0x1c000000ull;                 /* MMIO */
	case 2: return 0;
	case 3: return FZ_DRAM + FZ_DRAM_SIZE;        /* just past DRAM */
	case 4: return FZ_DRAM + FZ_DRAM_SIZE - FZ_G; /* the last granule */
	case 5: return FZ_HOT_PA(s % FZ_HOT) + 8;     /* unaligned */
	case 6: return FZ_NS(s % FZ_NPARAMS);         /* a params page */
	case 7: return FZ_RUN;
	case 8: return FZ_SRC;
	case 9: return ~0ull;
	case 10: return fz_u64(in);
	default: return FZ_HOT_PA(s % 8);
	}
}

static const uint64_t fz_ipas[] = {
	0, 0x1000, 0x2000, 0x3000, 0x200000, 0x201000, 0x40000000, 0x40001000,
	FZ_U, FZ_U + 0x1000, FZ_U + 0x200000, FZ_U + 0x40000000, 1ull << 40, (1ull << 39) - 0x1000,
	0x800, 1ull << 33,
};

static inline uint64_t fz_ipa(struct fz_in *in)
{
	uint8_t s = fz_u8(in);

	if (s < 0xf0)
		return fz_ipas[s % (sizeof(fz_ipas) / sizeof(fz_ipas[0]))];
	return fz_u64(in);
}

static inline uint64_t fz_level(struct fz_in *in)
{
	uint8_t s = fz_u8(in);

	if (s == 0xff)
		return fz_u64(in);
	return (uint64_t)(int64_t)((int)(s % 7) - 1);  /* -1 .. 5 */
}

/* RmiRealmParams variants, written to host pages FZ_NS(0..7). */
static inline void fz_params_variant(int i, struct rmi_realm_params *p)
{
	static const struct { uint8_t w, hash; int8_t sl; uint32_t num; unsigned base; uint16_t vmid; } v[FZ_NPARAMS] = {
		{ 40, 0, 1, 2, 2, 1 }, { 40, 1, 1, 2, 6, 2 }, { 33, 0, 2, 8, 8, 3 }, { 48, 0, 0, 1, 16, 4 },
		{ 40, 0, 1, 2, 2, 1 }, { 60, 0, 1, 2, 2, 6 }, { 40, 0, 1, 1, 2, 7 }, { 32, 0, 2, 4, 20, 5 },
	};

	memset(p, 0, sizeof(*p));
	p->s2sz = v[i].w;
	p->hash_algo = v[i].hash;
	p->num_bps = p->num_wps = 1;
	p->vmid = v[i].vmid;
	p->rtt_base = FZ_HOT_PA(v[i].base);
	p->rtt_level_start = v[i].sl;
	p->rtt_num_start = v[i].num;
}

static inline void fz_fill_params(struct rmm *r)
{
	for (int i = 0; i < FZ_NPARAMS; i++)
		fz_params_variant(i, rmm_ns_ptr(r, FZ_NS(i)));
	/* REC params: index 0 (runnable), index 1, and a wrong aux count */
	for (int k = 0; k < FZ_NRECPARAMS; k++) {
		struct rmi_rec_params *q = rmm_ns_ptr(r, FZ_NS(8 + k));

		memset(q, 0, sizeof(*q));
		q->flags = k == 0 ? RMI_REC_FLAG_RUNNABLE : 0;
		q->mpidr = rmi_rec_mpidr(k == 1 ? 1 : 0);
		q->num_aux = k == 2 ? 15 : 16;
		for (int a = 0; a < 16; a++)
			q->aux[a] = FZ_HOT_PA(32 + (k == 1 ? 16 : 0) + a);
	}
}

/* The architectural result must be one RMM 1.0 can give, unused result
 * registers zero. */
static inline void fz_check_result(const uint64_t *x, unsigned int nres, const char *what)
{
	unsigned int st = RMI_RETURN_STATUS(x[0]), idx = RMI_RETURN_INDEX(x[0]);

	if ((x[0] >> 16) || st > RMI_ERROR_RTT || idx > 3 ||
	    (idx && st != RMI_ERROR_RTT && st != RMI_ERROR_REALM)) {
		fprintf(stderr, "finding: %s returned X0 0x%llx\n", what, (unsigned long long)x[0]);
		abort();
	}
	for (unsigned int i = nres + 1; i < 18; i++)
		if (x[i]) {
			fprintf(stderr, "finding: %s left X%u = 0x%llx\n", what, i, (unsigned long long)x[i]);
			abort();
		}
}

/*
 * FUZZ_TIMING=1: the CPU time spent inside rmm_smc() (every RMI call the
 * harness or its host code makes; the harness binaries link with
 * --wrap=rmm_smc), printed at exit as "fuzz_timing: <calls> RMI calls,
 * <seconds> s". bench/fuzz_rate.sh turns it into the rate the RMI calls
 * alone would allow, beside the harness's own rate.
 */
#include <time.h>

void __real_rmm_smc(struct rmm *rmm, unsigned int cpu, uint64_t x[18]);
void __wrap_rmm_smc(struct rmm *rmm, unsigned int cpu, uint64_t x[18]);

static uint64_t fz_rmi_ns, fz_rmi_calls;

static uint64_t fz_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fz_timing_report(void)
{
	fprintf(stderr, "fuzz_timing: %llu RMI calls, %.6f s\n", (unsigned long long)fz_rmi_calls,
		(double)fz_rmi_ns / 1e9);
}

void __wrap_rmm_smc(struct rmm *rmm, unsigned int cpu, uint64_t x[18])
{
	static int timing = -1;
	uint64_t t0;

	if (timing < 0) {
		const char *e = getenv("FUZZ_TIMING");

		timing = e && *e && *e != '0';
		if (timing)
			atexit(fz_timing_report);
	}
	if (!timing) {
		__real_rmm_smc(rmm, cpu, x);
		return;
	}
	t0 = fz_cpu_ns();
	__real_rmm_smc(rmm, cpu, x);
	fz_rmi_ns += fz_cpu_ns() - t0;
	fz_rmi_calls++;
}

/* FUZZ_DEEP=1 in the environment (read once). */
static inline int fz_deep(void)
{
	static int deep = -1;

	if (deep < 0) {
		const char *e = getenv("FUZZ_DEEP");

		deep = e && *e && *e != '0';
	}
	return deep;
}

/* FNV-1a of the input: deterministic sampling. */
static inline uint64_t fz_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The harness's instance: created on the first input, reset before each;
 * one input in 64 (by its hash 'h') gets a new instance instead, so that
 * creation and destruction stay exercised (a reset instance and a new one
 * behave the same: unit/core/test_reset.c). */
static inline struct rmm *fz_instance(struct rmm **slot, unsigned int flags, uint64_t h)
{
	if (*slot && (h >> 58) == 0) {
		rmm_destroy(*slot);
		*slot = NULL;
	}
	if (!*slot) {
		struct rmm_config cfg;

		rmm_config_init(&cfg);
		cfg.dram_size = FZ_DRAM_SIZE;
		cfg.flags = flags;
		if (rmm_create(&cfg, slot) != RMM_OK)
			abort();
	} else if (rmm_reset(*slot) != RMM_OK) {
		abort();
	}
	return *slot;
}

static inline void fz_check_invariants(struct rmm *r, const char *after)
{
	char why[512];

	if (rmm_check_invariants(r, why, sizeof(why)) != RMM_OK) {
		fprintf(stderr, "finding: invariant broken after %s: %s\n", after, why);
		abort();
	}
}

#endif
