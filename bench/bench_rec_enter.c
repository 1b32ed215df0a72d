/*
 * REC_ENTER round trips and realm memory accesses.
 *
 *  1. Round trip: REC_ENTER, one RSI call handled inside the RMM
 *     (RSI_VERSION), then RSI_HOST_CALL exits to the host; per second.
 *     Physical limit beside it: the same number of 4 KiB RecRun-sized
 *     copies in and out (what the RMM must at least move per entry).
 *  2. Scripted-guest 8-byte reads through the stage-2 service (a lock-free
 *     walk of a 3-level RTT and a GPT check each), per second, beside a
 *     plain 8-byte load loop.
 *
 * Usage: bench_rec_enter [round_trips] [accesses]
 */
#include <stdlib.h>
#include <string.h>

#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>
#include "bench_util.h"
#include "kvmhost/kvm_host.h"

int main(int argc, char **argv)
{
	unsigned long trips = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long acc = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmm_script s;
	struct rmm_script_step *steps;
	struct rmm_script_ctx *sctx = rmm_script_ctx_new(1u << 30);
	struct rmi_rec_run *run;
	uint8_t *img = calloc(1, 64 << 10);
	static uint8_t a[4096], b[4096];
	volatile uint64_t sink = 0;
	double t0, t_trip, t_copy, t_acc, t_load;

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = 1;
	if (rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1 << 20) ||
	    kh_populate(&h, &r, 0, img, 64 << 10, 0) || kh_vcpu_create(&h, &r, &v, 0, 1, 0) ||
	    kh_activate(&h, &r))
		return 1;
	rmm_set_vcpu_backend(h.rmm, rmm_vcpu_script_ops(), sctx);
	run = rmm_ns_ptr(h.rmm, v.run);

	/* 1: round trips */
	steps = calloc(2 * trips + acc + 1, sizeof(*steps));
	for (unsigned long i = 0; i < trips; i++) {
		steps[2 * i] = (struct rmm_script_step){ .op = RMM_STEP_SMC, .arg = { RSI_VERSION, 0x10000 } };
		steps[2 * i + 1] = (struct rmm_script_step){ .op = RMM_STEP_SMC, .arg = { RSI_HOST_CALL, 0x1000 } };
	}
	for (unsigned long i = 0; i < acc; i++)
		steps[2 * trips + i] = (struct rmm_script_step){ .op = RMM_STEP_READ, .size = 8, .rt = 1,
								 .addr = (i * 64) % (64 << 10) };
	s = (struct rmm_script){ steps, 2 * trips + acc + 1, NULL };
	rmm_script_attach(sctx, v.rec, &s);
	t0 = now_s();
	for (unsigned long i = 0; i < trips; i++) {
		if (rmm_rmi_rec_enter(h.rmm, 0, v.rec, v.run) != RMI_SUCCESS ||
		    run->exit.exit_reason != RMI_EXIT_HOST_CALL)
			return 1;
	}
	t_trip = (now_s() - t0) / (double)trips * 1e9;
	t0 = now_s();
	for (unsigned long i = 0; i < trips; i++) {
		memcpy(a, b, 2048);
		memcpy(b + 2048, a + 2048, 2048);
		sink += a[i & 4095];
	}
	t_copy = (now_s() - t0) / (double)trips * 1e9;

	/* 2: accesses (one REC_ENTER runs them all: the budget is huge) */
	t0 = now_s();
	if (rmm_rmi_rec_enter(h.rmm, 0, v.rec, v.run) != RMI_SUCCESS)
		return 1;
	t_acc = (now_s() - t0) / (double)acc * 1e9;
	t0 = now_s();
	for (unsigned long i = 0; i < acc; i++)
		sink += ((volatile uint64_t *)img)[(i * 8) % (8 << 10)];
	t_load = (now_s() - t0) / (double)acc * 1e9;

	printf("bench_rec_enter: %lu round trips, %lu accesses\n", trips, acc);
	figure("REC_ENTER round trip (RSI inside + host call)", t_trip, "RecRun in+out copy", t_copy);
	printf("%-44s %10.0f /s\n", "  round trips per second", 1e9 / t_trip);
	figure("scripted 8-byte read via stage-2 service", t_acc, "plain 8-byte load", t_load);
	printf("%-44s %10.2f M/s\n", "  realm accesses per second", 1e3 / t_acc);
	rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	rmm_script_ctx_free(sctx);
	free(steps);
	free(img);
	(void)sink;
	return 0;
}
