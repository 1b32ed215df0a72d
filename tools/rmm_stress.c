/*
 * rmm_stress: N CPU threads issue random but valid-ish RMI traffic (and run
 * RECs whose scripted guests make RSI calls and memory accesses) on shared
 * realms, from a seed. Between phases all threads stop and the invariant
 * checker runs; a watchdog reports a deadlock if no thread makes progress;
 * at the end everything is torn down and the census must be empty. Every
 * status must be one the spec defines. Any failure prints the seed.
 *
 * usage: rmm_stress [-s seed] [-c cpus] [-n ops per cpu per phase] [-p phases]
 *                   [-w watchdog seconds] [-t (TLB checking mode)]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>

#define GRAN 4096ull
#define POOL 192           /* granules the threads fight over */
#define NREALM 2
#define NREC 2
#define NIPA 24
#define MAXCPU 16
#define SCRIPT_LEN 4096

struct realm_s {
	uint64_t rd, rtt[2];
	uint64_t rec[NREC], aux[NREC][16], run[MAXCPU][NREC];
	struct rmm_script script[NREC];
	struct rmm_script_step *steps[NREC];
};

static struct rmm *rmm;
static struct rmm_script_ctx *sctx;
static struct realm_s realms[NREALM];
static uint64_t pool[POOL], ns_pages[64], ipas[NIPA];
static uint64_t seed = 1, ops_per_phase = 2000;
static unsigned int ncpus = 4, phases = 5, watchdog_s = 60;
static pthread_barrier_t barrier;
static _Atomic uint64_t progress[MAXCPU];
static const char *volatile current_op[MAXCPU];
static _Atomic int stop_watchdog;
static const uint64_t U = 1ull << 39;

static void die(const char *fmt, const char *a, uint64_t b)
{
	fprintf(stderr, "rmm_stress: FAILED (seed %llu): ", (unsigned long long)seed);
	fprintf(stderr, fmt, a, (unsigned long long)b);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Status must be one RMM 1.0 defines, with an index only for ERROR_RTT/REALM. */
static void check_status(const char *what, uint64_t x0)
{
	unsigned int st = RMI_RETURN_STATUS(x0), idx = RMI_RETURN_INDEX(x0);

	if ((x0 >> 16) || st > RMI_ERROR_RTT || (idx && st != RMI_ERROR_RTT && st != RMI_ERROR_REALM) ||
	    idx > 3)
		die("%s returned 0x%llx", what, x0);
}

static uint64_t smc(unsigned int cpu, const char *name, uint64_t fid, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4)
{
	uint64_t x[18] = { fid, a1, a2, a3, a4 };

	current_op[cpu] = name;
	rmm_smc(rmm, cpu, x);
	check_status(name, x[0]);
	atomic_fetch_add(&progress[cpu], 1);
	return x[0];
}

static void one_op(unsigned int cpu, uint64_t *s)
{
	struct realm_s *r = &realms[rnd(s) % NREALM];
	uint64_t g = pool[rnd(s) % POOL], ipa = ipas[rnd(s) % NIPA];
	int64_t level = 2 + (int64_t)(rnd(s) % 2);
	unsigned int k = (unsigned int)(rnd(s) % NREC);

	switch (rnd(s) % 12) {
	case 0:
		smc(cpu, "GRANULE_DELEGATE", RMI_GRANULE_DELEGATE, g, 0, 0, 0);
		break;
	case 1:
		smc(cpu, "GRANULE_UNDELEGATE", RMI_GRANULE_UNDELEGATE, g, 0, 0, 0);
		break;
	case 2:
		smc(cpu, "RTT_CREATE", RMI_RTT_CREATE, r->rd, g, ipa & ~((1ull << (12 + 9 * (4 - level))) - 1),
		    (uint64_t)level);
		break;
	case 3:
		smc(cpu, "RTT_DESTROY", RMI_RTT_DESTROY, r->rd,
		    ipa & ~((1ull << (12 + 9 * (4 - level))) - 1), (uint64_t)level, 0);
		break;
	case 4:
		smc(cpu, "RTT_FOLD", RMI_RTT_FOLD, r->rd, ipa & ~((1ull << (12 + 9 * (4 - level))) - 1),
		    (uint64_t)level, 0);
		break;
	case 5:
		smc(cpu, "DATA_CREATE_UNKNOWN", RMI_DATA_CREATE_UNKNOWN, r->rd, g, ipa, 0);
		break;
	case 6:
		smc(cpu, "DATA_DESTROY", RMI_DATA_DESTROY, r->rd, ipa, 0, 0);
		break;
	case 7:
		smc(cpu, "RTT_MAP_UNPROTECTED", RMI_RTT_MAP_UNPROTECTED, r->rd, U + (ipa & 0x3fffff), 3,
		    ns_pages[rnd(s) % 64] | (3ull << 6));
		break;
	case 8:
		smc(cpu, "RTT_UNMAP_UNPROTECTED", RMI_RTT_UNMAP_UNPROTECTED, r->rd, U + (ipa & 0x3fffff), 3, 0);
		break;
	case 9:
		smc(cpu, "RTT_READ_ENTRY", RMI_RTT_READ_ENTRY, r->rd, ipa, 3, 0);
		break;
	case 10:
	case 11:
		smc(cpu, "REC_ENTER", RMI_REC_ENTER, r->rec[k], r->run[cpu][k], 0, 0);
		break;
	}
}

static void *cpu_thread(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + cpu + 1;

	for (unsigned int p = 0; p < phases; p++) {
		for (uint64_t i = 0; i < ops_per_phase; i++)
			one_op(cpu, &s);
		current_op[cpu] = "(phase barrier)";
		pthread_barrier_wait(&barrier);
		if (cpu == 0) {
			char why[512];

			if (rmm_check_invariants(rmm, why, sizeof(why)) != RMM_OK)
				die("invariant broken after phase: %s%llu", why, p);
		}
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void *watchdog(void *arg)
{
	uint64_t last = 0;
	unsigned int idle = 0;

	while (!atomic_load(&stop_watchdog)) {
		uint64_t sum = 0;

		for (unsigned int i = 0; i < ncpus; i++)
			sum += atomic_load(&progress[i]);
		idle = sum == last ? idle + 1 : 0;
		last = sum;
		if (idle >= watchdog_s * 10) {
			fprintf(stderr, "rmm_stress: FAILED (seed %llu): no progress for %u s: deadlock?\n",
				(unsigned long long)seed, watchdog_s);
			for (unsigned int i = 0; i < ncpus; i++)
				fprintf(stderr, "  cpu%u: in %s\n", i, current_op[i] ? current_op[i] : "-");
			_exit(1);
		}
		usleep(100000);
	}
	return arg;
}

static uint64_t next_pa = 0x80000000ull;

static uint64_t take(void)
{
	return (next_pa += GRAN) - GRAN;
}

static uint64_t deleg(void)
{
	uint64_t pa = take();

	if (rmm_rmi_granule_delegate(rmm, 0, pa) != RMI_SUCCESS)
		die("setup delegate%s %llu", "", pa);
	return pa;
}

static void setup(void)
{
	uint64_t s = seed;

	for (unsigned int i = 0; i < NIPA; i++)   /* IPAs in [0, 4 MiB) and at 1 GiB */
		ipas[i] = (i < NIPA - 2) ? (rnd(&s) % 1024) * GRAN : (1ull << 30) + i * GRAN;
	for (unsigned int i = 0; i < 64; i++)
		ns_pages[i] = 0x80000000ull + (48ull << 20) + i * GRAN;
	for (unsigned int n = 0; n < NREALM; n++) {
		struct realm_s *r = &realms[n];
		uint64_t pp = take();
		struct rmi_realm_params *p = rmm_ns_ptr(rmm, pp);

		r->rd = deleg();
		if (next_pa % (2 * GRAN))
			take();
		r->rtt[0] = deleg();
		r->rtt[1] = deleg();
		memset(p, 0, sizeof(*p));
		p->s2sz = 40;
		p->num_bps = p->num_wps = 1;
		p->vmid = (uint16_t)(n + 1);
		p->rtt_base = r->rtt[0];
		p->rtt_level_start = 1;
		p->rtt_num_start = 2;
		if (rmm_rmi_realm_create(rmm, 0, r->rd, pp) != RMI_SUCCESS)
			die("REALM_CREATE: %s%llu", rmm_last_reason(rmm, 0), 0);
		for (unsigned int k = 0; k < NREC; k++) {
			uint64_t rp = take();
			struct rmi_rec_params *q = rmm_ns_ptr(rmm, rp);

			memset(q, 0, sizeof(*q));
			q->flags = RMI_REC_FLAG_RUNNABLE;
			q->mpidr = rmi_rec_mpidr(k);
			q->num_aux = 16;
			for (int a = 0; a < 16; a++)
				q->aux[a] = r->aux[k][a] = deleg();
			r->rec[k] = deleg();
			for (unsigned int c = 0; c < ncpus; c++)
				r->run[c][k] = take();
			if (rmm_rmi_rec_create(rmm, 0, r->rd, r->rec[k], rp) != RMI_SUCCESS)
				die("REC_CREATE: %s%llu", rmm_last_reason(rmm, 0), 0);
			/* a guest that touches the same IPAs and makes RSI calls */
			r->steps[k] = calloc(SCRIPT_LEN, sizeof(struct rmm_script_step));
			for (unsigned int i = 0; i + 1 < SCRIPT_LEN; i++) {
				struct rmm_script_step *st = &r->steps[k][i];
				uint64_t a = ipas[rnd(&s) % NIPA] + (rnd(&s) % 512) * 8;

				switch (rnd(&s) % 6) {
				case 0: *st = (struct rmm_script_step){ .op = RMM_STEP_WRITE, .addr = a, .size = 8, .rt = 3, .value = i }; break;
				case 1: *st = (struct rmm_script_step){ .op = RMM_STEP_READ, .addr = a, .size = 8, .rt = 4 }; break;
				case 2: *st = (struct rmm_script_step){ .op = RMM_STEP_READ, .addr = U + (a & 0x3fffff), .size = 4, .rt = 5 }; break;
				case 3: *st = (struct rmm_script_step){ .op = RMM_STEP_SMC, .arg = { RSI_IPA_STATE_GET, a & ~0xfffull, (a & ~0xfffull) + GRAN } }; break;
				case 4: *st = (struct rmm_script_step){ .op = RMM_STEP_SMC, .arg = { RSI_MEASUREMENT_EXTEND, 1, 8, i } }; break;
				default: *st = (struct rmm_script_step){ .op = RMM_STEP_WFI }; break;
				}
			}
			r->script[k] = (struct rmm_script){ r->steps[k], SCRIPT_LEN, NULL };
			rmm_script_attach(sctx, r->rec[k], &r->script[k]);
		}
		if (rmm_rmi_realm_activate(rmm, 0, r->rd) != RMI_SUCCESS)
			die("ACTIVATE%s %llu", "", 0);
	}
	for (unsigned int i = 0; i < POOL; i++)
		pool[i] = take();
}

/* Destroy everything; the census must come back empty. */
static void teardown(void)
{
	struct rmm_stats st;
	char why[512];

	for (unsigned int n = 0; n < NREALM; n++) {
		struct realm_s *r = &realms[n];

		for (unsigned int k = 0; k < NREC; k++) {
			if (rmm_rmi_rec_destroy(rmm, 0, r->rec[k]) != RMI_SUCCESS)
				die("REC_DESTROY: %s%llu", rmm_last_reason(rmm, 0), k);
			free(r->steps[k]);
		}
		for (uint64_t ipa = 0; ipa < (1ull << 30) + (1 << 22); ipa += GRAN) {
			uint64_t x[18] = { RMI_DATA_DESTROY, r->rd, ipa };

			if (ipa == (4ull << 20))
				ipa = 1ull << 30;
			rmm_smc(rmm, 0, x);
			if (x[0] == RMI_SUCCESS)
				rmm_rmi_granule_undelegate(rmm, 0, x[1]);
		}
		for (int64_t level = 3; level >= 2; level--)
			for (uint64_t ipa = 0; ipa < (2ull << 30); ipa += 1ull << (12 + 9 * (4 - level))) {
				uint64_t x[18] = { RMI_RTT_DESTROY, r->rd, ipa, (uint64_t)level };

				rmm_smc(rmm, 0, x);
				if (x[0] == RMI_SUCCESS)
					rmm_rmi_granule_undelegate(rmm, 0, x[1]);
				x[0] = RMI_RTT_DESTROY; x[1] = r->rd; x[2] = U + ipa; x[3] = (uint64_t)level;
				rmm_smc(rmm, 0, x);
				if (x[0] == RMI_SUCCESS)
					rmm_rmi_granule_undelegate(rmm, 0, x[1]);
			}
		if (rmm_rmi_realm_destroy(rmm, 0, r->rd) != RMI_SUCCESS)
			die("REALM_DESTROY: %s%llu", rmm_last_reason(rmm, 0), n);
	}
	for (uint64_t pa = 0x80000000ull; pa < next_pa; pa += GRAN)
		rmm_rmi_granule_undelegate(rmm, 0, pa);
	rmm_get_stats(rmm, &st);
	if (st.delegated != 0)
		die("census: %s%llu granules still delegated", "", st.delegated);
	if (rmm_check_invariants(rmm, why, sizeof(why)) != RMM_OK)
		die("final invariants: %s%llu", why, 0);
}

int main(int argc, char **argv)
{
	struct rmm_config cfg;
	struct rmm_finding fd[4];
	pthread_t th[MAXCPU], wd;
	int tlb_check = 0, opt;
	size_t nf;

	while ((opt = getopt(argc, argv, "s:c:n:p:w:t")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'c': ncpus = (unsigned int)atoi(optarg); break;
		case 'n': ops_per_phase = strtoull(optarg, NULL, 0); break;
		case 'p': phases = (unsigned int)atoi(optarg); break;
		case 'w': watchdog_s = (unsigned int)atoi(optarg); break;
		case 't': tlb_check = 1; break;
		default: fprintf(stderr, "usage: see the header of tools/rmm_stress.c\n"); return 2;
		}
	}
	if (ncpus < 1 || ncpus > MAXCPU || !seed)
		return 2;
	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = ncpus;
	cfg.flags = tlb_check ? RMM_CFG_TLB_CHECK : 0;
	if (rmm_create(&cfg, &rmm) != RMM_OK || !(sctx = rmm_script_ctx_new(32)))
		return 1;
	rmm_set_vcpu_backend(rmm, rmm_vcpu_script_ops(), sctx);
	setup();
	pthread_barrier_init(&barrier, NULL, ncpus);
	pthread_create(&wd, NULL, watchdog, NULL);
	for (unsigned int i = 0; i < ncpus; i++)
		pthread_create(&th[i], NULL, cpu_thread, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < ncpus; i++)
		pthread_join(th[i], NULL);
	atomic_store(&stop_watchdog, 1);
	pthread_join(wd, NULL);
	nf = rmm_findings(rmm, fd, 4);
	if (nf)
		die("missing-invalidation finding: %s (%llu in all)", fd[0].text, nf);
	teardown();
	{
		struct rmm_stats st;

		rmm_get_stats(rmm, &st);
		printf("rmm_stress: seed %llu, %u CPUs, %u phases x %llu ops: %llu RMI calls "
		       "(%llu refused), invariants held, census empty: ok\n",
		       (unsigned long long)seed, ncpus, phases, (unsigned long long)ops_per_phase,
		       (unsigned long long)st.rmi_calls, (unsigned long long)st.rmi_failures);
	}
	rmm_set_vcpu_backend(rmm, NULL, NULL);
	rmm_script_ctx_free(sctx);
	rmm_destroy(rmm);
	return 0;
}
