/* The emulated CPU's features: configured per instance (rmm_config), reported
 * by FEATURES, validated by REALM_CREATE, measured into the RIM and visible to
 * vCPU backends through rmm_vcpu_features(). */
#include <rmm/vcpu.h>

#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT
#define DRAM (16ull << 20)

/* An instance offering a PMU with 8 counters, SVE up to 512 bits (encoded
 * 3), 16 breakpoints and 8 watchpoints. */
static int setup_rich(void **state)
{
	struct rmm_config cfg;
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	rmm_config_init(&cfg);
	cfg.dram_size = DRAM;
	cfg.cpu_flags = RMM_CPU_PMU | RMM_CPU_SVE;
	cfg.pmu_num_ctrs = 8;
	cfg.sve_vl = 3;
	cfg.num_bps = 16;
	cfg.num_wps = 8;
	if (rmm_create(&cfg, &f->rmm) != RMM_OK) {
		free(f);
		return -1;
	}
	f->next_rmm = FX_DRAM_BASE;
	f->next_ns = FX_DRAM_BASE + DRAM - GRAN;
	f->ns_limit = FX_DRAM_BASE + DRAM / 2;
	*state = f;
	return 0;
}

static int setup_default(void **state)
{
	return fx_setup_size(state, DRAM, 0);
}

static void test_features_reported(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_rmi(rmm_rmi_features(f->rmm, 0, 0, &v), RMI_SUCCESS, 0);
	assert_true(v & RMI_FEAT0_PMU_EN);
	assert_int_equal(RMI_FEAT0_PMU_NUM_CTRS(v), 8);
	assert_true(v & RMI_FEAT0_SVE_EN);
	assert_int_equal(RMI_FEAT0_SVE_VL(v), 3);
	assert_int_equal(RMI_FEAT0_NUM_BPS(v), 15);  /* count - 1 */
	assert_int_equal(RMI_FEAT0_NUM_WPS(v), 7);
	assert_int_equal(RMI_FEAT0_S2SZ(v), 48);
}

static void test_features_default(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_rmi(rmm_rmi_features(f->rmm, 0, 0, &v), RMI_SUCCESS, 0);
	assert_false(v & RMI_FEAT0_PMU_EN);
	assert_int_equal(RMI_FEAT0_PMU_NUM_CTRS(v), 0);
	assert_false(v & RMI_FEAT0_SVE_EN);
	assert_int_equal(RMI_FEAT0_SVE_VL(v), 0);
	assert_int_equal(RMI_FEAT0_NUM_BPS(v), 5);
	assert_int_equal(RMI_FEAT0_NUM_WPS(v), 3);
}

/* A params page (width 40) asking for features, with its starting RTTs. */
static uint64_t feat_params(struct fx *f, uint16_t vmid, uint64_t flags, uint8_t ctrs,
			    uint8_t vl, uint8_t bps, uint8_t wps)
{
	uint64_t pp = fx_params(f, 40, RMI_HASH_SHA_256, vmid);
	struct rmi_realm_params *p = rmm_ns_ptr(f->rmm, pp);

	while (f->next_rmm % (2 * GRAN))
		f->next_rmm += GRAN;
	p->rtt_base = fx_delegated(f);
	fx_delegated(f);
	p->flags = flags;
	p->pmu_num_ctrs = ctrs;
	p->sve_vl = vl;
	p->num_bps = bps;
	p->num_wps = wps;
	return pp;
}

static void test_realm_create_validates(void **state)
{
	struct fx *f = *state;
	uint64_t rd = fx_delegated(f), pmu = RMI_REALM_FLAG_PMU, sve = RMI_REALM_FLAG_SVE;
	const struct rmi_row rows[] = {
		{ "pmu 9 counters", { RMI_REALM_CREATE, rd, feat_params(f, 1, pmu, 9, 0, 1, 1) }, INPUT, 0, "params_supp" },
		{ "sve vl 4", { RMI_REALM_CREATE, rd, feat_params(f, 1, sve, 0, 4, 1, 1) }, INPUT, 0, "params_supp" },
		{ "num_bps 16", { RMI_REALM_CREATE, rd, feat_params(f, 1, 0, 0, 0, 16, 1) }, INPUT, 0, "params_supp" },
		{ "num_wps 8", { RMI_REALM_CREATE, rd, feat_params(f, 1, 0, 0, 0, 1, 8) }, INPUT, 0, "params_supp" },
	};
	FX_ROWS(f, rows);
	/* the largest of everything is accepted */
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, rd,
					feat_params(f, 1, pmu | sve, 8, 3, 15, 7)),
		   RMI_SUCCESS, 0);
	fx_invariants(f);
}

static void test_default_refuses(void **state)
{
	struct fx *f = *state;
	uint64_t rd = fx_delegated(f);
	const struct rmi_row rows[] = {
		{ "pmu", { RMI_REALM_CREATE, rd, feat_params(f, 1, RMI_REALM_FLAG_PMU, 0, 0, 1, 1) }, INPUT, 0, "params_supp" },
		{ "sve", { RMI_REALM_CREATE, rd, feat_params(f, 1, RMI_REALM_FLAG_SVE, 0, 0, 1, 1) }, INPUT, 0, "params_supp" },
		{ "num_bps 6", { RMI_REALM_CREATE, rd, feat_params(f, 1, 0, 0, 0, 6, 1) }, INPUT, 0, "params_supp" },
	};
	FX_ROWS(f, rows);
}

/* The measured parameters reach the RIM: realms that differ only in a
 * feature have different RIMs (and equal ones for equal requests). */
static void test_features_measured(void **state)
{
	struct fx *f = *state;
	static const struct { uint64_t flags; uint8_t ctrs, vl, bps, wps; } v[] = {
		{ RMI_REALM_FLAG_PMU, 8, 0, 1, 1 }, { RMI_REALM_FLAG_PMU, 7, 0, 1, 1 },
		{ RMI_REALM_FLAG_SVE, 0, 3, 1, 1 }, { RMI_REALM_FLAG_SVE, 0, 2, 1, 1 },
		{ 0, 0, 0, 15, 1 }, { 0, 0, 0, 1, 7 }, { RMI_REALM_FLAG_PMU, 8, 0, 1, 1 },
	};
	uint8_t rim[7][64];

	for (unsigned int i = 0; i < 7; i++) {
		uint64_t rd = fx_delegated(f);

		assert_rmi(rmm_rmi_realm_create(f->rmm, 0, rd,
						feat_params(f, (uint16_t)(10 + i), v[i].flags,
							    v[i].ctrs, v[i].vl, v[i].bps, v[i].wps)),
			   RMI_SUCCESS, 0);
		assert_int_equal(rmm_realm_measurement(f->rmm, rd, 0, rim[i]), RMM_OK);
	}
	for (unsigned int i = 0; i < 6; i++)
		for (unsigned int j = i + 1; j < 6; j++)
			assert_memory_not_equal(rim[i], rim[j], 64);
	assert_memory_equal(rim[0], rim[6], 64);
}

/* A backend sees the realm's configured features while it runs. */
static struct rmm_vcpu_features seen;
static unsigned int runs;

static void probe_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	(void)ctx;
	rmm_vcpu_features(v, &seen);
	runs++;
	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static const struct rmm_vcpu_ops probe = { .version = RMM_VCPU_VERSION, .run = probe_run };

static void test_backend_sees_features(void **state)
{
	struct fx *f = *state;
	struct fx_realm r = { 0 };
	struct fx_rec rec;

	r.rd = fx_delegated(f);
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, r.rd,
					feat_params(f, 3, RMI_REALM_FLAG_PMU | RMI_REALM_FLAG_SVE,
						    5, 2, 9, 3)),
		   RMI_SUCCESS, 0);
	fx_rec_create(f, &r, 0, true, 0, &rec);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, r.rd), RMI_SUCCESS, 0);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &probe, NULL), RMM_OK);
	assert_rmi(fx_enter(f, 0, &rec, 0), RMI_SUCCESS, 0);
	assert_int_equal(runs, 1);
	assert_int_equal(seen.pmu, 1);
	assert_int_equal(seen.pmu_num_ctrs, 5);
	assert_int_equal(seen.sve, 1);
	assert_int_equal(seen.sve_vl, 2);
	assert_int_equal(seen.num_bps, 10);
	assert_int_equal(seen.num_wps, 4);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, NULL, NULL), RMM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_features_reported, setup_rich, fx_teardown),
		cmocka_unit_test_setup_teardown(test_features_default, setup_default, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_create_validates, setup_rich, fx_teardown),
		cmocka_unit_test_setup_teardown(test_default_refuses, setup_default, fx_teardown),
		cmocka_unit_test_setup_teardown(test_features_measured, setup_rich, fx_teardown),
		cmocka_unit_test_setup_teardown(test_backend_sees_features, setup_rich, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
