/*
 * The KVM run loop: a 2-vCPU realm runs a scripted guest that talks to the
 * RMM (RSI), to a device (MMIO), to the host (host call), changes RIPAS to
 * EMPTY and back, starts its second vCPU (PSCI CPU_ON), touches EMPTY memory
 * (an SEA it handles itself) and turns the system off. Every exit is handled
 * by examples/kvmhost as Linux KVM handles it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>
#include "kvmhost/kvm_host.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STEP_SMC(...) { .op = RMM_STEP_SMC, .arg = { __VA_ARGS__ } }

int main(void)
{
	uint64_t U = 1ull << 39, dev_ipa = U + 0x100000, m1 = rmi_rec_mpidr(1);
	const struct rmm_script_step g0[] = {
		STEP_SMC(RSI_VERSION, 0x10000),
		STEP_SMC(RSI_REALM_CONFIG, 0x8000),
		{ .op = RMM_STEP_WRITE, .addr = dev_ipa + 0x10, .size = 4, .rt = 5, .value = 0x1234 },
		{ .op = RMM_STEP_READ, .addr = dev_ipa + 0x10, .size = 4, .rt = 6 },
		{ .op = RMM_STEP_WRITE, .addr = 0x9000, .size = 2, .rt = 1, .value = 41 },
		STEP_SMC(RSI_HOST_CALL, 0x9000),
		STEP_SMC(RSI_IPA_STATE_SET, 0x40000, 0x42000, RSI_EMPTY, 0),
		{ .op = RMM_STEP_READ, .addr = 0x40000, .size = 8, .rt = 2 },
		STEP_SMC(RSI_IPA_STATE_SET, 0x40000, 0x42000, RSI_RAM, 0),
		{ .op = RMM_STEP_WRITE, .addr = 0x40000, .size = 8, .rt = 3, .value = 0x777 },
		STEP_SMC(PSCI_CPU_ON, m1, 0, 0),
		{ .op = RMM_STEP_END },
	};
	const struct rmm_script_step g1[] = {
		STEP_SMC(RSI_VERSION, 0x10000), STEP_SMC(PSCI_SYSTEM_OFF), { .op = RMM_STEP_END },
	};
	struct rmm_script_result r0[N(g0)], r1[N(g1)];
	struct rmm_script s0 = { g0, N(g0), r0 }, s1 = { g1, N(g1), r1 };
	struct rmm_script_ctx *sctx = rmm_script_ctx_new(0);
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v[2];
	struct kvm_mmio dev = { .ipa = dev_ipa };
	struct kvm_run_stats st = { 0 };
	struct rmm_stats rs;
	uint8_t *img = calloc(1, 320 << 10);
	int rc0, rc1, rc2;

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	if (!sctx || !img || rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1 << 20) ||
	    kh_populate(&h, &r, 0, img, 320 << 10, 1) || kh_vcpu_create(&h, &r, &v[0], 0, 1, 0) ||
	    kh_vcpu_create(&h, &r, &v[1], 1, 0, 0) || kh_activate(&h, &r))
		return 1;
	rmm_set_vcpu_backend(h.rmm, rmm_vcpu_script_ops(), sctx);
	rmm_script_attach(sctx, v[0].rec, &s0);
	rmm_script_attach(sctx, v[1].rec, &s1);

	rc0 = kh_vcpu_run(&h, &r, v, 2, 0, &dev, &st, 20);
	printf("vCPU0: %lu entries: %lu MMIO, %lu host calls, %lu RIPAS changes, %lu pages faulted in, "
	       "%lu PSCI; device reg = 0x%llx, read back 0x%llx; host call status %llu; "
	       "SEA taken on EMPTY memory: %u\n",
	       st.entries, st.mmio, st.host_calls, st.ripas_changes, st.faults_in, st.psci,
	       (unsigned long long)dev.regs[2], (unsigned long long)r0[3].x[0],
	       (unsigned long long)r0[5].x[0], r0[7].exceptions);
	rc1 = kh_vcpu_run(&h, &r, v, 2, 1, &dev, &st, 20);
	rc2 = kh_vcpu_run(&h, &r, v, 2, 0, &dev, &st, 20);
	printf("vCPU1 started by CPU_ON, turned the system off (%d); vCPU0 then sees REALM_SYSTEM_OFF (%d): %s\n",
	       rc1, rc2, rmm_last_reason(h.rmm, 0));
	if (rc0 != KH_RUN_BUDGET || rc1 != KH_RUN_SYSTEM_OFF || rc2 != KH_RUN_SYSTEM_OFF ||
	    r0[5].x[0] != 0 || r0[7].exceptions != 1 || dev.regs[2] != 0x1234)
		return 1;
	rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	if (kh_vcpu_destroy(&h, &v[0]) || kh_vcpu_destroy(&h, &v[1]) || kh_realm_destroy(&h, &r))
		return 1;
	rmm_get_stats(h.rmm, &rs);
	printf("teardown: %llu granules delegated\nok\n", (unsigned long long)rs.delegated);
	rmm_script_ctx_free(sctx);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	free(img);
	return rs.delegated != 0;
}
