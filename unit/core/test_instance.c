/* Instances, the SMC conduit, VERSION and FEATURES. */
#include <stdlib.h>

#include <rmm/vcpu.h>

#include "../helpers/fixture.h"

static void test_config_rejects_bad_windows(void **state)
{
	struct rmm_config cfg;
	struct rmm *r = NULL;

	rmm_config_init(&cfg);
	cfg.dram_size = 123;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.ncpus = 0;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.secure_base = cfg.dram_base + GRAN;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.ncpus = RMM_MAX_CPUS + 1;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	/* regions that wrap past 2^64 (the overlap check must not overflow) */
	rmm_config_init(&cfg);
	cfg.secure_base = 0xfffffffffff00000ull;
	cfg.secure_size = 0x200000;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.mmio_base = 0xffffffffc0000000ull;
	cfg.mmio_size = 0x80000000ull;  /* wraps onto DRAM at 0x80000000 */
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	/* MMIO equal to (or overlapping) the secure region */
	rmm_config_init(&cfg);
	cfg.mmio_base = cfg.secure_base;
	cfg.mmio_size = cfg.secure_size;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.mmio_base = cfg.secure_base + cfg.secure_size - GRAN;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	/* unaligned bases and sizes */
	rmm_config_init(&cfg);
	cfg.secure_base += 8;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.mmio_base += 0x800;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.mmio_size = 100;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.dram_base += 0x10;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	/* CPU features out of range */
	rmm_config_init(&cfg);
	cfg.cpu_flags = 1u << 5;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.cpu_flags = RMM_CPU_PMU;
	cfg.pmu_num_ctrs = 32;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.sve_vl = 16;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.num_bps = 1;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.num_wps = 65;
	assert_int_equal(rmm_create(&cfg, &r), RMM_EINVAL);
	assert_null(r);
	/* regions that touch but do not overlap are fine */
	rmm_config_init(&cfg);
	cfg.dram_size = 1 << 20;
	cfg.mmio_base = cfg.secure_base + cfg.secure_size;
	cfg.mmio_size = 1 << 20;
	assert_int_equal(rmm_create(&cfg, &r), RMM_OK);
	rmm_destroy(r);
}

static void dummy_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	(void)ctx;
	(void)v;
	memset(x, 0, sizeof(*x));
}

static void test_set_vcpu_backend_checks(void **state)
{
	struct fx *f = *state;
	const struct rmm_vcpu_ops good = { .version = RMM_VCPU_VERSION, .run = dummy_run };
	const struct rmm_vcpu_ops newer = { .version = RMM_VCPU_VERSION + 1, .run = dummy_run };
	const struct rmm_vcpu_ops norun = { .version = RMM_VCPU_VERSION };

	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &newer, NULL), RMM_EINVAL);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &norun, NULL), RMM_EINVAL);
	assert_int_equal(rmm_set_vcpu_backend(NULL, &good, NULL), RMM_EINVAL);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &good, NULL), RMM_OK);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, NULL, NULL), RMM_OK);
}

static void test_two_instances_are_two_machines(void **state)
{
	struct rmm_config cfg;
	struct rmm *a, *b;
	uint64_t pa = 0x80000000ull;

	rmm_config_init(&cfg);
	cfg.dram_size = 16 << 20;
	assert_int_equal(rmm_create(&cfg, &a), RMM_OK);
	assert_int_equal(rmm_create(&cfg, &b), RMM_OK);
	assert_int_equal(rmm_rmi_granule_delegate(a, 0, pa), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(a, pa), RMM_GRANULE_DELEGATED);
	assert_int_equal(rmm_granule_state(b, pa), RMM_GRANULE_UNDELEGATED);
	/* b's memory is its own: writable while a's same PA is Realm */
	*(volatile uint8_t *)rmm_ns_ptr(b, pa) = 0x5a;
	assert_int_equal(rmm_host_write(a, pa, "x", 1), RMM_EGPF);
	assert_int_equal(rmm_rmi_granule_delegate(b, 1, pa), RMI_SUCCESS);
	assert_int_equal(rmm_rmi_granule_undelegate(a, 0, pa), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(b, pa), RMM_GRANULE_DELEGATED);
	rmm_destroy(a);
	rmm_destroy(b);
}

static void test_unknown_fids(void **state)
{
	struct fx *f = *state;
	static const uint64_t fids[] = { 0xC4000156, 0xC4000160, 0xC4000163, 0xC400018F,
					 0xC4000190 /* RSI from host */, 0x84000150 /* SMC32 */,
					 0xC5000150, 0, 0xFFFFFFFFFFFFFFFF };

	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		uint64_t x[18];

		for (int j = 0; j < 18; j++)
			x[j] = 0x1111 * (uint64_t)(j + 1);
		x[0] = fids[i];
		rmm_smc(f->rmm, 0, x);
		assert_int_equal(x[0], SMCCC_NOT_SUPPORTED);
		for (int j = 1; j < 18; j++)
			assert_int_equal(x[j], 0);
	}
	/* an out-of-range CPU index is refused the same way */
	{
		uint64_t x[18] = { RMI_VERSION, RMI_ABI_VERSION_1_0 };

		rmm_smc(f->rmm, 99, x);
		assert_int_equal(x[0], SMCCC_NOT_SUPPORTED);
	}
}

static void test_unused_results_are_zero(void **state)
{
	struct fx *f = *state;
	uint64_t x[18];

	for (int j = 0; j < 18; j++)
		x[j] = ~0ull;
	x[0] = RMI_VERSION;
	x[1] = RMI_ABI_VERSION_1_0;
	rmm_smc(f->rmm, 1, x);
	assert_int_equal(x[0], RMI_SUCCESS);
	assert_int_equal(x[1], RMI_ABI_VERSION_1_0);
	assert_int_equal(x[2], RMI_ABI_VERSION_1_0);
	for (int j = 3; j < 18; j++)
		assert_int_equal(x[j], 0);
	/* SVE hint bit 16 is ignored */
	memset(x, 0, sizeof(x));
	x[0] = RMI_FEATURES | (1ull << 16);
	rmm_smc(f->rmm, 0, x);
	assert_int_equal(x[0], RMI_SUCCESS);
	assert_int_not_equal(x[1], 0);
}

static void test_version(void **state)
{
	struct fx *f = *state;
	static const struct { uint64_t req, st; } rows[] = {
		{ RMI_ABI_VERSION(1, 0), RMI_SUCCESS },
		{ RMI_ABI_VERSION(1, 1), RMI_ERROR_INPUT },
		{ RMI_ABI_VERSION(0, 9), RMI_ERROR_INPUT },
		{ RMI_ABI_VERSION(2, 0), RMI_ERROR_INPUT },
		{ RMI_ABI_VERSION(1, 0) | (1ull << 31), RMI_ERROR_INPUT },
	};

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t lo = 0, hi = 0;

		assert_rmi(rmm_rmi_version(f->rmm, 0, rows[i].req, &lo, &hi), rows[i].st, 0);
		assert_int_equal(lo, RMI_ABI_VERSION_1_0);
		assert_int_equal(hi, RMI_ABI_VERSION_1_0);
	}
}

static void test_features(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_rmi(rmm_rmi_features(f->rmm, 0, 0, &v), RMI_SUCCESS, 0);
	assert_int_equal(RMI_FEAT0_S2SZ(v), 48);
	assert_false(v & RMI_FEAT0_LPA2);
	assert_true(v & RMI_FEAT0_HASH_SHA_256);
	assert_true(v & RMI_FEAT0_HASH_SHA_512);
	assert_true(RMI_FEAT0_NUM_BPS(v) >= 1);
	assert_true(RMI_FEAT0_NUM_WPS(v) >= 1);
	assert_int_equal(RMI_FEAT0_GICV3_NUM_LRS(v), 15);
	assert_int_equal(v >> 42, 0); /* reserved bits */
	for (uint64_t i = 1; i < 4; i++) {
		assert_rmi(rmm_rmi_features(f->rmm, 0, i, &v), RMI_SUCCESS, 0);
		assert_int_equal(v, 0);
	}
	assert_rmi(rmm_rmi_features(f->rmm, 0, ~0ull, &v), RMI_SUCCESS, 0);
	assert_int_equal(v, 0);
}

static void test_strerror(void **state)
{
	assert_string_equal(rmm_strerror(RMM_EGPF), "granule protection fault");
	assert_string_equal(rmm_strerror(12345), "unknown error");
	assert_string_equal(rmm_granule_state_name(RMM_GRANULE_RTT), "RTT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_rejects_bad_windows),
		cmocka_unit_test(test_two_instances_are_two_machines),
		cmocka_unit_test_setup_teardown(test_set_vcpu_backend_checks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fids, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unused_results_are_zero, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_version, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_features, fx_setup, fx_teardown),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
