/*
 * Multi-CPU RMI throughput.
 *
 *  1. Disjoint realms: each CPU thread owns a realm and repeats
 *     DATA_CREATE_UNKNOWN + DATA_DESTROY on its own pages. 1 thread, then 2:
 *     the scaling ratio (the physical limit is the core count of this machine,
 *     printed beside it).
 *  2. One shared realm: both threads on different pages of the same realm
 *     (same level-3 RTT, so they contend on its lock).
 *  3. No deadlock in 10^6 operations: tools/rmm_stress-style random traffic
 *     is left to that tool; here the two workloads above together make
 *     10^6 RMI calls and must all finish.
 *
 * Wall-clock scaling needs two otherwise idle cores; on a shared machine it
 * also reports the CPU time per call of each thread, 1 thread vs 2 on
 * disjoint realms: equal costs mean nothing is shared between the CPUs
 * (no contended lock or cache line), i.e. linear scaling given free cores.
 *
 * Usage: bench_mcpu [pairs_per_thread]
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include "bench_util.h"
#include "kvmhost/kvm_host.h"

struct worker {
	struct rmm *rmm;
	unsigned int cpu;
	uint64_t rd, ipa_base, page;
	unsigned long pairs;
	int ok;
	double cpu_time; /* the thread's CPU seconds for its pairs */
};

static void *work(void *arg)
{
	struct worker *w = arg;

	double t0 = cpu_s();

	w->ok = 1;
	for (unsigned long i = 0; i < w->pairs; i++) {
		uint64_t ipa = w->ipa_base + (i % 64) * 4096;

		if (rmm_rmi_data_create_unknown(w->rmm, w->cpu, w->rd, w->page, ipa) != RMI_SUCCESS ||
		    rmm_rmi_data_destroy(w->rmm, w->cpu, w->rd, ipa, NULL, NULL) != RMI_SUCCESS) {
			w->ok = 0;
			break;
		}
	}
	w->cpu_time = cpu_s() - t0;
	return NULL;
}

static double run(struct worker *w, unsigned int n)
{
	pthread_t t[2];
	double t0 = now_s();

	for (unsigned int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, work, &w[i]);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	unsigned long pairs = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r[2];
	struct worker w[2];
	double t1, t2, ts, c1, c2;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = 2;
	if (rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	for (int i = 0; i < 2; i++) {
		if (kh_realm_create(&h, &r[i], 40, RMI_HASH_SHA_256, (uint16_t)(i + 1)) ||
		    kh_create_rtt_levels(&h, &r[i], 0, 1, 3))
			return 1;
		w[i] = (struct worker){ h.rmm, (unsigned int)i, r[i].rd, 0, kh_alloc_delegated(&h), pairs, 0, 0 };
	}
	t1 = run(w, 1);
	c1 = w[0].cpu_time / (2.0 * pairs);
	t2 = run(w, 2);
	c2 = (w[0].cpu_time + w[1].cpu_time) / (4.0 * pairs);
	/* shared realm: thread 1 on realm 0, another 256 KiB of the same RTT */
	w[1].rd = r[0].rd;
	w[1].ipa_base = 64 * 4096;
	ts = run(w, 2);
	if (!w[0].ok || !w[1].ok)
		return 1;
	printf("bench_mcpu: %lu DATA_CREATE_UNKNOWN+DATA_DESTROY pairs per thread\n", pairs);
	printf("%-44s %10.0f calls/s\n", "1 thread", 2.0 * pairs / t1);
	printf("%-44s %10.0f calls/s   scaling %.2f (limit: %ld cores)\n", "2 threads, disjoint realms",
	       4.0 * pairs / t2, (4.0 * pairs / t2) / (2.0 * pairs / t1), cores);
	printf("%-44s %10.0f ns 1 thread, %.0f ns 2 threads: ratio %.2f (1.00: no sharing)\n",
	       "CPU time per call, disjoint realms", c1 * 1e9, c2 * 1e9, c2 / c1);
	printf("%-44s %10.0f calls/s   scaling %.2f\n", "2 threads, one shared realm (same L3 RTT)",
	       4.0 * pairs / ts, (4.0 * pairs / ts) / (2.0 * pairs / t1));
	printf("%-44s %10lu, all completed\n", "RMI calls made without deadlock", 10 * pairs);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return 0;
}
