/* REALM_CREATE, REALM_ACTIVATE, REALM_DESTROY, REC_AUX_COUNT. */
#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT

/* A params page for a realm of width 40 (2 starting RTTs at level 1) whose
 * starting RTTs are two fresh delegated granules. */
static uint64_t good_params(struct fx *f, uint16_t vmid, uint64_t *roots)
{
	uint64_t pp = fx_params(f, 40, RMI_HASH_SHA_256, vmid);
	struct rmi_realm_params *p = rmm_ns_ptr(f->rmm, pp);

	while (f->next_rmm % (2 * GRAN))
		f->next_rmm += GRAN;
	*roots = fx_delegated(f);
	fx_delegated(f);
	p->rtt_base = *roots;
	return pp;
}

static struct rmi_realm_params *P(struct fx *f, uint64_t pp)
{
	return rmm_ns_ptr(f->rmm, pp);
}

static void test_realm_create_failures(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t roots, rd, pp[32];
	unsigned n = 0;

	fx_world(f, &w);
	rd = fx_delegated(f);
	/* one params page per row, each broken in one way */
	for (unsigned i = 0; i < 32; i++)
		pp[i] = good_params(f, 9, &roots);
	P(f, pp[n++])->flags = 1ull << 3;            /* 0 params_valid */
	P(f, pp[n++])->hash_algo = 2;                /* 1 params_valid */
	P(f, pp[n++])->flags = RMI_REALM_FLAG_LPA2;  /* 2 params_supp */
	P(f, pp[n++])->s2sz = 31;                    /* 3 */
	P(f, pp[n++])->s2sz = 49;                    /* 4 */
	P(f, pp[n++])->flags = RMI_REALM_FLAG_SVE;   /* 5 */
	P(f, pp[n++])->num_bps = 0;                  /* 6 */
	P(f, pp[n++])->num_bps = 6;                  /* 7 */
	P(f, pp[n++])->num_wps = 0;                  /* 8 */
	P(f, pp[n++])->num_wps = 4;                  /* 9 */
	P(f, pp[n++])->flags = RMI_REALM_FLAG_PMU;   /* 10 */
	P(f, pp[n++])->rtt_num_start = 1;            /* 11 rtt_num_level */
	P(f, pp[n++])->rtt_level_start = 0;          /* 12 */
	P(f, pp[n++])->rtt_level_start = 4;          /* 13 */
	P(f, pp[n++])->rtt_level_start = -1;         /* 14 */
	P(f, pp[n])->rtt_base += GRAN;               /* 15 rtt_align */
	P(f, pp[n++])->rtt_num_start = 2;
	P(f, pp[n++])->rtt_base = 0x06000000;        /* 16 rtt_bound (secure) */
	P(f, pp[n++])->rtt_base = w.undeleg & ~(2 * GRAN - 1); /* 17 rtt_state */
	P(f, pp[n++])->vmid = 1;                     /* 18 vmid_valid (w.r has 1) */
	P(f, pp[n])->rtt_base = w.r.rtt_base;        /* 19 rtt_state: roots are RTT */
	n++;
	P(f, pp[n++])->rtt_num_start = 0;            /* 20 rtt_num_level */
	P(f, pp[n++])->rtt_level_start = (int64_t)1 << 40; /* 21 */

	const struct rmi_row rows[] = {
		{ "params_align", { RMI_REALM_CREATE, rd, pp[0] + 8 }, INPUT, 0, "params_align" },
		{ "params_bound secure", { RMI_REALM_CREATE, rd, 0x06000000 }, INPUT, 0, "params_bound" },
		{ "params_bound MMIO", { RMI_REALM_CREATE, rd, 0x1c000000 }, INPUT, 0, "params_bound" },
		{ "params_pas", { RMI_REALM_CREATE, rd, w.deleg }, INPUT, 0, "params_pas" },
		{ "flags reserved", { RMI_REALM_CREATE, rd, pp[0] }, INPUT, 0, "params_valid" },
		{ "hash_algo 2", { RMI_REALM_CREATE, rd, pp[1] }, INPUT, 0, "params_valid" },
		{ "lpa2", { RMI_REALM_CREATE, rd, pp[2] }, INPUT, 0, "params_supp" },
		{ "s2sz 31", { RMI_REALM_CREATE, rd, pp[3] }, INPUT, 0, "params_supp" },
		{ "s2sz 49", { RMI_REALM_CREATE, rd, pp[4] }, INPUT, 0, "params_supp" },
		{ "sve", { RMI_REALM_CREATE, rd, pp[5] }, INPUT, 0, "params_supp" },
		{ "num_bps 0", { RMI_REALM_CREATE, rd, pp[6] }, INPUT, 0, "params_supp" },
		{ "num_bps 6", { RMI_REALM_CREATE, rd, pp[7] }, INPUT, 0, "params_supp" },
		{ "num_wps 0", { RMI_REALM_CREATE, rd, pp[8] }, INPUT, 0, "params_supp" },
		{ "num_wps 4", { RMI_REALM_CREATE, rd, pp[9] }, INPUT, 0, "params_supp" },
		{ "pmu", { RMI_REALM_CREATE, rd, pp[10] }, INPUT, 0, "params_supp" },
		{ "alias", { RMI_REALM_CREATE, P(f, pp[22])->rtt_base + GRAN, pp[22] }, INPUT, 0, "alias" },
		{ "rd_align", { RMI_REALM_CREATE, rd + 1, pp[22] }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_REALM_CREATE, 0x1c000000, pp[22] }, INPUT, 0, "rd_bound" },
		{ "num 1 at w40", { RMI_REALM_CREATE, rd, pp[11] }, INPUT, 0, "rtt_num_level" },
		{ "level 0 at w40 with 2", { RMI_REALM_CREATE, rd, pp[12] }, INPUT, 0, "rtt_num_level" },
		{ "level 4", { RMI_REALM_CREATE, rd, pp[13] }, INPUT, 0, "rtt_num_level" },
		{ "level -1", { RMI_REALM_CREATE, rd, pp[14] }, INPUT, 0, "rtt_num_level" },
		{ "rtt_align", { RMI_REALM_CREATE, rd, pp[15] }, INPUT, 0, "rtt_align" },
		{ "rtt_bound", { RMI_REALM_CREATE, rd, pp[16] }, INPUT, 0, "rtt_bound" },
		{ "rtt_state undelegated", { RMI_REALM_CREATE, rd, pp[17] }, INPUT, 0, "rtt_state" },
		{ "rtt_state RTT", { RMI_REALM_CREATE, rd, pp[19] }, INPUT, 0, "rtt_state" },
		{ "num 0", { RMI_REALM_CREATE, rd, pp[20] }, INPUT, 0, "rtt_num_level" },
		{ "level huge", { RMI_REALM_CREATE, rd, pp[21] }, INPUT, 0, "rtt_num_level" },
		{ "rd_state undelegated", { RMI_REALM_CREATE, w.undeleg, pp[22] }, INPUT, 0, "rd_state" },
		{ "rd_state RD", { RMI_REALM_CREATE, w.r.rd, pp[22] }, INPUT, 0, "rd_state" },
		{ "rd_state DATA", { RMI_REALM_CREATE, w.data, pp[22] }, INPUT, 0, "rd_state" },
		{ "rd_state RTT", { RMI_REALM_CREATE, w.l3, pp[22] }, INPUT, 0, "rd_state" },
		{ "vmid_valid", { RMI_REALM_CREATE, rd, pp[18] }, INPUT, 0, "vmid_valid" },
	};
	FX_ROWS(f, rows);
	/* and the unbroken one succeeds */
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, rd, pp[22]), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, rd), RMM_GRANULE_RD);
	assert_int_equal(rmm_granule_state(f->rmm, P(f, pp[22])->rtt_base), RMM_GRANULE_RTT);
	assert_int_equal(rmm_granule_state(f->rmm, P(f, pp[22])->rtt_base + GRAN), RMM_GRANULE_RTT);
	fx_invariants(f);
}

/* Every (s2sz, level, num) the spec's rule accepts works; a few it rejects. */
static void test_realm_create_geometries(void **state)
{
	struct fx *f = *state;
	static const struct { unsigned w; int sl; unsigned num; bool ok; } g[] = {
		{ 32, 1, 1, true }, { 32, 2, 4, true }, { 33, 2, 8, true }, { 34, 2, 16, true },
		{ 35, 1, 1, true }, { 39, 1, 1, true }, { 40, 1, 2, true }, { 43, 1, 16, true },
		{ 40, 0, 1, true }, { 44, 0, 1, true }, { 48, 0, 1, true },
		{ 35, 2, 32, false }, { 44, 1, 32, false }, { 48, 1, 1, false }, { 32, 3, 1, false },
		{ 39, 0, 1, false }, { 40, 1, 1, false }, { 33, 2, 4, false },
	};

	for (unsigned i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		uint64_t pp = fx_params(f, g[i].w, RMI_HASH_SHA_512, (uint16_t)(100 + i));
		struct rmi_realm_params *p = P(f, pp);
		uint64_t rd = fx_delegated(f), ret;

		while (f->next_rmm % (16 * GRAN))
			f->next_rmm += GRAN;
		p->rtt_base = f->next_rmm;
		p->rtt_level_start = g[i].sl;
		p->rtt_num_start = g[i].num;
		for (unsigned j = 0; j < 16; j++)
			fx_delegated(f);
		ret = rmm_rmi_realm_create(f->rmm, 0, rd, pp);
		if (g[i].ok) {
			struct rmi_rtt_entry e;
			uint64_t top_ipa = (1ull << g[i].w) - GRAN;

			assert_rmi(ret, RMI_SUCCESS, 0);
			/* the last protected and unprotected IPAs are reachable */
			assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, top_ipa & ~((1ull << (12 + 9 * (3 - g[i].sl))) - 1),
							  g[i].sl, &e), RMI_SUCCESS, 0);
			assert_int_equal(e.walk_level, g[i].sl);
			assert_int_equal(e.state, RMI_UNASSIGNED);
			assert_int_equal(e.ripas, RMI_EMPTY);
			assert_rmi(rmm_rmi_realm_destroy(f->rmm, 0, rd), RMI_SUCCESS, 0);
		} else {
			assert_rmi(ret, RMI_ERROR_INPUT, 0);
			assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "rtt_num_level"));
		}
	}
	fx_invariants(f);
}

static void test_realm_create_state(void **state)
{
	struct fx *f = *state;
	struct fx_realm r;
	struct rmi_rtt_entry e;
	uint64_t half;

	fx_realm_create(f, &r, 40, 5);
	half = 1ull << 39;
	/* protected entries UNASSIGNED/EMPTY, unprotected UNASSIGNED (NS) */
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, 0, 1, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.walk_level, 1);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.desc, 0);
	assert_int_equal(e.ripas, RMI_EMPTY);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, half, 1, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RMI_EMPTY);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, half - (1ull << 30), 1, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	fx_invariants(f);
}

static void test_activate_destroy(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t aux;

	fx_world(f, &w);
	const struct rmi_row act_rows[] = {
		{ "rd_align", { RMI_REALM_ACTIVATE, w.r.rd + 0x10 }, RMI_ERROR_INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_REALM_ACTIVATE, 0x06000000 }, RMI_ERROR_INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_REALM_ACTIVATE, w.deleg }, RMI_ERROR_INPUT, 0, "rd_state" },
		{ "rd_state RTT", { RMI_REALM_ACTIVATE, w.l2 }, RMI_ERROR_INPUT, 0, "rd_state" },
		{ "realm_state", { RMI_REALM_ACTIVATE, w.act.rd }, RMI_ERROR_REALM, 0, "realm_state" },
	};
	FX_ROWS(f, act_rows);
	const struct rmi_row destroy_rows[] = {
		{ "rd_align", { RMI_REALM_DESTROY, w.r.rd + 0x10 }, RMI_ERROR_INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_REALM_DESTROY, 1ull << 50 }, RMI_ERROR_INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_REALM_DESTROY, w.undeleg }, RMI_ERROR_INPUT, 0, "rd_state" },
		{ "realm_live NEW", { RMI_REALM_DESTROY, w.r.rd }, RMI_ERROR_REALM, 0, "realm_live" },
		{ "realm_live ACTIVE", { RMI_REALM_DESTROY, w.act.rd }, RMI_ERROR_REALM, 0, "realm_live" },
	};
	FX_ROWS(f, destroy_rows);
	const struct rmi_row aux_rows[] = {
		{ "rd_align", { RMI_REC_AUX_COUNT, w.r.rd + 1 }, RMI_ERROR_INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_REC_AUX_COUNT, 0x1c000000 }, RMI_ERROR_INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_REC_AUX_COUNT, w.data }, RMI_ERROR_INPUT, 0, "rd_state" },
	};
	FX_ROWS(f, aux_rows);
	assert_rmi(rmm_rmi_rec_aux_count(f->rmm, 0, w.r.rd, &aux), RMI_SUCCESS, 0);
	assert_true(aux >= 1 && aux <= 16);

	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, w.r.rd), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, w.r.rd), RMI_ERROR_REALM, 0);
	/* a realm with no live starting RTT can be destroyed: VMID reusable */
	{
		struct fx_realm r2, r3;

		fx_realm_create(f, &r2, 40, 77);
		assert_rmi(rmm_rmi_realm_destroy(f->rmm, 0, r2.rd), RMI_SUCCESS, 0);
		assert_int_equal(rmm_granule_state(f->rmm, r2.rd), RMM_GRANULE_DELEGATED);
		assert_int_equal(rmm_granule_state(f->rmm, r2.rtt_base), RMM_GRANULE_DELEGATED);
		fx_realm_create(f, &r3, 40, 77);
	}
	fx_realm_teardown(f, &w.r);
	fx_realm_teardown(f, &w.act);
	fx_invariants(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_realm_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_create_geometries, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_create_state, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_activate_destroy, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
