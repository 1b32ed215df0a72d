/*
 * Granule delegation against its physical limit.
 *
 *  1. A GRANULE_DELEGATE + GRANULE_UNDELEGATE pair, against a bare
 *     mprotect(PROT_NONE) + mprotect(PROT_READ|PROT_WRITE) pair on pages of
 *     the same kind (a shared memfd mapping), same count, same run.
 *  2. Bytes of RMM metadata per granule.
 *  3. The map limit: delegate every other granule of a DRAM window (4 GiB by
 *     default: 524288 delegations), report how many are mprotect-enforced and
 *     how many software-enforced, and the time per delegation.
 *
 * Usage: bench_delegate [pairs] [window_MiB]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include "bench_util.h"

int main(int argc, char **argv)
{
	uint64_t pairs = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000;
	uint64_t window = (argc > 2 ? strtoull(argv[2], NULL, 0) : 4096) << 20;
	struct rmm_config cfg;
	struct rmm_stats st;
	struct rmm *rmm;
	double t0, t_rmm, t_mp;
	uint64_t i, n;
	uint8_t *p;
	int fd;

	/* 1: pairs on 64 distinct pages, cycled, in both cases */
	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = 1;
	if (rmm_create(&cfg, &rmm))
		return 1;
	for (i = 0; i < 64; i++) /* touch once so both sides start with resident pages */
		rmm_rmi_granule_delegate(rmm, 0, cfg.dram_base + 2 * i * 4096),
		rmm_rmi_granule_undelegate(rmm, 0, cfg.dram_base + 2 * i * 4096);
	fd = memfd_create("bench", 0);
	if (fd < 0 || ftruncate(fd, 64 << 20))
		return 1;
	p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	for (i = 0; i < 64; i++)
		p[2 * i * 4096] = 1;
	/* interleaved rounds; each side's best round (the VM's mprotect is noisy) */
	t_rmm = t_mp = 1e18;
	for (int round = 0; round < 10; round++) {
		uint64_t per = pairs / 10 ? pairs / 10 : 1;
		double t;

		t0 = now_s();
		for (i = 0; i < per; i++) {
			uint64_t pa = cfg.dram_base + 2 * (i % 64) * 4096;

			if (rmm_rmi_granule_delegate(rmm, 0, pa) ||
			    rmm_rmi_granule_undelegate(rmm, 0, pa))
				return 1;
		}
		t = (now_s() - t0) / (double)per * 1e9;
		t_rmm = t < t_rmm ? t : t_rmm;
		t0 = now_s();
		for (i = 0; i < per; i++) {
			uint8_t *a = p + 2 * (i % 64) * 4096;

			if (mprotect(a, 4096, PROT_NONE) || mprotect(a, 4096, PROT_READ | PROT_WRITE))
				return 1;
		}
		t = (now_s() - t0) / (double)per * 1e9;
		t_mp = t < t_mp ? t : t_mp;
	}
	printf("bench_delegate: %llu pairs\n", (unsigned long long)pairs);
	figure("DELEGATE+UNDELEGATE pair", t_rmm, "mprotect NONE+RW pair", t_mp);
	rmm_get_stats(rmm, &st);
	printf("%-44s %10.1f bytes (core + HAL GPT)\n", "metadata per granule",
	       (double)st.meta_bytes / (double)st.granules);
	rmm_destroy(rmm);
	munmap(p, 64 << 20);
	close(fd);

	/* 3: every other granule of the window */
	rmm_config_init(&cfg);
	cfg.dram_size = window;
	cfg.ncpus = 1;
	if (rmm_create(&cfg, &rmm))
		return 1;
	n = window / 4096 / 2;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (rmm_rmi_granule_delegate(rmm, 0, cfg.dram_base + 2 * i * 4096) != RMI_SUCCESS) {
			fprintf(stderr, "delegate %llu failed: %s\n", (unsigned long long)i,
				rmm_last_reason(rmm, 0));
			return 1;
		}
	t_rmm = (now_s() - t0) / (double)n * 1e9;
	rmm_get_stats(rmm, &st);
	printf("%llu MiB window, every other granule: %llu delegations, %.0f ns each; "
	       "%llu enforced by mprotect, %llu in software (map-limit refusals %llu)\n",
	       (unsigned long long)(window >> 20), (unsigned long long)n, t_rmm,
	       (unsigned long long)st.gpt_enforced, (unsigned long long)st.gpt_software,
	       (unsigned long long)st.map_limit_hits);
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (rmm_rmi_granule_undelegate(rmm, 0, cfg.dram_base + 2 * i * 4096) != RMI_SUCCESS)
			return 1;
	rmm_get_stats(rmm, &st);
	printf("undelegated all in %.2f s; delegated now %llu\n", now_s() - t0,
	       (unsigned long long)st.delegated);
	rmm_destroy(rmm);
	return 0;
}
