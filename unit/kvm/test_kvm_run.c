/*
 * The KVM run loop (issue: RECs, REC_ENTER and RSI, item 6): a 2-REC realm
 * whose scripted guest makes RSI calls, MMIO reads and writes, a host call,
 * a RIPAS change to EMPTY and back (the host answering with RTT_SET_RIPAS,
 * DATA_DESTROY and later DATA_CREATE_UNKNOWN as KVM does), CPU_ON of the
 * second REC, touches an EMPTY page (an SEA, no host exit), and SYSTEM_OFF.
 * Teardown leaves nothing behind.
 */
#include <rmm/rsi.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KiB (1ull << 10)

static void test_kvm_run_loop(void **state)
{
	struct fx *f = *state;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v[2];
	struct kvm_mmio dev;
	struct kvm_run_stats st;
	struct rmm_script_ctx *sctx = rmm_script_ctx_new(0);
	struct rmm_script s0, s1;
	struct rmm_script_result r0[20], r1[4];
	struct rmm_stats rs;
	uint8_t *img = calloc(1, 320 * KiB);
	uint64_t U = 1ull << 39, m1 = rmi_rec_mpidr(1);

	memset(&dev, 0, sizeof(dev));
	dev.ipa = U + 0x100000;
	const struct rmm_script_step g0[] = {
		S_SMC(RSI_VERSION, 0x10000),                              /* 0 */
		S_SMC(RSI_REALM_CONFIG, 0x8000),                          /* 1 */
		S_READ(0x8000, 8, 9),                                     /* 2 */
		S_SMC(RSI_MEASUREMENT_EXTEND, 1, 8, 0xabc),               /* 3 */
		S_WRITE(dev.ipa + 0x10, 4, 5, 0x1234),                    /* 4 */
		S_READ(dev.ipa + 0x10, 4, 6),                             /* 5 */
		S_WRITE(0x9000, 2, 1, 42),                                /* 6 */
		S_SMC(RSI_HOST_CALL, 0x9000),                             /* 7 */
		S_READ(0x9008, 8, 7),                                     /* 8 */
		S_SMC(RSI_IPA_STATE_SET, 0x40000, 0x42000, RSI_EMPTY, 0), /* 9 */
		S_READ(0x40000, 8, 2),                                    /* 10 */
		S_SMC(RSI_IPA_STATE_SET, 0x40000, 0x42000, RSI_RAM, 0),   /* 11 */
		S_WRITE(0x40000, 8, 3, 0x777),                            /* 12 */
		S_READ(0x40000, 8, 4),                                    /* 13 */
		S_READ(0xf0000, 8, 8),                                    /* 14 */
		S_SMC(PSCI_CPU_ON, m1, 0, 0x55),                          /* 15 */
		S_SMC(PSCI_AFFINITY_INFO, m1, 0),                         /* 16 */
		S_END
	};
	const struct rmm_script_step g1[] = {
		S_SMC(RSI_VERSION, 0x10000), S_SMC(RSI_HOST_CALL, 0xa000), S_SMC(PSCI_SYSTEM_OFF), S_END
	};

	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 3), 0);
	assert_int_equal(kh_init_ripas(&h, &r, 0, 1ull << 20), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, 320 * KiB, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v[0], 0, 1, 0), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v[1], 1, 0, 0x1000), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_script_ops(), sctx);
	s0 = (struct rmm_script){ g0, N(g0), r0 };
	s1 = (struct rmm_script){ g1, N(g1), r1 };
	assert_int_equal(rmm_script_attach(sctx, v[0].rec, &s0), RMM_OK);
	assert_int_equal(rmm_script_attach(sctx, v[1].rec, &s1), RMM_OK);

	memset(&st, 0, sizeof(st));
	assert_int_equal(kh_vcpu_run(&h, &r, v, 2, 0, &dev, &st, 40), KH_RUN_BUDGET);
	for (unsigned i = 0; i < 17; i++) {
		if (!r0[i].done)
			print_error("step %u not done\n", i);
		assert_true(r0[i].done);
	}
	assert_int_equal(r0[0].x[0], RSI_SUCCESS);
	assert_int_equal(r0[1].x[0], RSI_SUCCESS);
	assert_int_equal(r0[2].x[0], 40);
	assert_int_equal(r0[3].x[0], RSI_SUCCESS);
	assert_int_equal(dev.regs[2], 0x1234);
	assert_int_equal(r0[5].x[0], 0x1234);
	assert_int_equal(r0[7].x[0], RSI_SUCCESS);
	assert_int_equal(r0[8].x[0], 43);          /* the host's answer */
	assert_int_equal(r0[9].x[1], 0x42000);     /* all of it done */
	assert_int_equal(r0[10].exceptions, 1);    /* EMPTY: SEA in the realm */
	assert_int_equal(r0[11].x[2], RSI_ACCEPT);
	assert_int_equal(r0[13].x[0], 0x777);
	assert_int_equal(r0[14].x[0], 0);          /* faulted in, zeroed */
	assert_int_equal(r0[15].x[0], PSCI_SUCCESS);
	assert_int_equal(r0[16].x[0], PSCI_AFF_ON);
	assert_int_equal(st.mmio, 2);
	assert_int_equal(st.host_calls, 1);
	assert_int_equal(st.ripas_changes, 2);
	assert_int_equal(st.faults_in, 2);         /* 0x40000 and 0xf0000 */
	assert_int_equal(st.psci, 2);
	fx_invariants(f);

	assert_int_equal(kh_vcpu_run(&h, &r, v, 2, 1, &dev, &st, 10), KH_RUN_SYSTEM_OFF);
	assert_int_equal(r1[0].x[0], RSI_SUCCESS);
	assert_int_equal(r1[1].x[0], RSI_SUCCESS);
	assert_int_equal(kh_vcpu_run(&h, &r, v, 2, 0, &dev, &st, 10), KH_RUN_SYSTEM_OFF);

	assert_int_equal(kh_vcpu_destroy(&h, &v[0]), 0);
	assert_int_equal(kh_vcpu_destroy(&h, &v[1]), 0);
	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	rmm_get_stats(f->rmm, &rs);
	assert_int_equal(rs.delegated, 0);
	fx_invariants(f);
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_script_ctx_free(sctx);
	kh_fini(&h);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kvm_run_loop, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
