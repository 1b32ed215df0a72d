/* DATA_CREATE, DATA_CREATE_UNKNOWN, DATA_DESTROY. */
#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT
#define RTT RMI_ERROR_RTT
#define M2 (1ull << 21)
#define G1 (1ull << 30)

static void test_data_create_failures(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, d, s;

	fx_world(f, &w);
	rd = w.r.rd;
	d = w.deleg;
	s = w.src;
	const struct rmi_row rows[] = {
		{ "flags", { RMI_DATA_CREATE, rd, d, 0x3000, s, 2 }, INPUT, 0, "flags" },
		{ "src_align", { RMI_DATA_CREATE, rd, d, 0x3000, s + 4, 0 }, INPUT, 0, "src_align" },
		{ "src_bound", { RMI_DATA_CREATE, rd, d, 0x3000, 0x06000000, 0 }, INPUT, 0, "src_bound" },
		{ "src_pas", { RMI_DATA_CREATE, rd, d, 0x3000, w.deleg, 0 }, INPUT, 0, "src_pas" },
		{ "src_pas DATA", { RMI_DATA_CREATE, rd, d, 0x3000, w.data, 0 }, INPUT, 0, "src_pas" },
		{ "data_align", { RMI_DATA_CREATE, rd, d + 1, 0x3000, s, 0 }, INPUT, 0, "data_align" },
		{ "data_bound", { RMI_DATA_CREATE, rd, 0x1c000000, 0x3000, s, 0 }, INPUT, 0, "data_bound" },
		{ "data_state undelegated", { RMI_DATA_CREATE, rd, w.undeleg, 0x3000, s, 0 }, INPUT, 0, "data_state" },
		{ "data_state DATA", { RMI_DATA_CREATE, rd, w.data, 0x3000, s, 0 }, INPUT, 0, "data_state" },
		{ "data_state RTT", { RMI_DATA_CREATE, rd, w.l3, 0x3000, s, 0 }, INPUT, 0, "data_state" },
		{ "data == rd", { RMI_DATA_CREATE, rd, rd, 0x3000, s, 0 }, INPUT, 0, "data_state" },
		{ "rd_align", { RMI_DATA_CREATE, rd + 1, d, 0x3000, s, 0 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_DATA_CREATE, 0x06000000, d, 0x3000, s, 0 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_DATA_CREATE, w.l2, d, 0x3000, s, 0 }, INPUT, 0, "rd_state" },
		{ "ipa_align", { RMI_DATA_CREATE, rd, d, 0x3010, s, 0 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound unprotected", { RMI_DATA_CREATE, rd, d, w.U + 0x3000, s, 0 }, INPUT, 0, "ipa_bound" },
		{ "ipa_bound beyond", { RMI_DATA_CREATE, rd, d, 1ull << 40, s, 0 }, INPUT, 0, "ipa_bound" },
		{ "realm_state", { RMI_DATA_CREATE, w.act.rd, d, 0x3000, s, 0 }, RMI_ERROR_REALM, 0, "realm_state" },
		{ "rtt_walk L2", { RMI_DATA_CREATE, rd, d, M2, s, 0 }, RTT, 2, "rtt_walk" },
		{ "rtt_walk L1", { RMI_DATA_CREATE, rd, d, 2 * G1, s, 0 }, RTT, 1, "rtt_walk" },
		{ "rtte_state", { RMI_DATA_CREATE, rd, d, 0x1000, s, 0 }, RTT, 3, "rtte_state" },
		/* ordering probes (ACS): ipa_bound before the walk; realm_state too */
		{ "unprotected and unmapped", { RMI_DATA_CREATE, rd, d, w.U + G1, s, 0 }, INPUT, 0, "ipa_bound" },
		{ "active and unmapped", { RMI_DATA_CREATE, w.act.rd, d, 2 * G1, s, 0 }, RMI_ERROR_REALM, 0, "realm_state" },
	};
	FX_ROWS(f, rows);
	const struct rmi_row urows[] = {
		{ "data_align", { RMI_DATA_CREATE_UNKNOWN, rd, d + 1, 0x3000 }, INPUT, 0, "data_align" },
		{ "data_bound", { RMI_DATA_CREATE_UNKNOWN, rd, 0, 0x3000 }, INPUT, 0, "data_bound" },
		{ "data_state", { RMI_DATA_CREATE_UNKNOWN, rd, w.undeleg, 0x3000 }, INPUT, 0, "data_state" },
		{ "rd_align", { RMI_DATA_CREATE_UNKNOWN, rd + 1, d, 0x3000 }, INPUT, 0, "rd_align" },
		{ "rd_state", { RMI_DATA_CREATE_UNKNOWN, d, d, 0x3000 }, INPUT, 0, "rd_state" },
		{ "ipa_align", { RMI_DATA_CREATE_UNKNOWN, rd, d, 0x3001 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_DATA_CREATE_UNKNOWN, rd, d, w.U }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_DATA_CREATE_UNKNOWN, rd, d, M2 }, RTT, 2, "rtt_walk" },
		{ "rtte_state", { RMI_DATA_CREATE_UNKNOWN, rd, d, 0x1000 }, RTT, 3, "rtte_state" },
		{ "unprotected and unmapped", { RMI_DATA_CREATE_UNKNOWN, rd, d, w.U + G1 }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, urows);
}

static void test_data_create_success(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct rmi_rtt_entry e;
	uint64_t data, top;

	fx_world(f, &w);
	/* DATA_CREATE_UNKNOWN works on an ACTIVE realm and keeps RIPAS */
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, w.act.rd, w.deleg, 0x5000), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, w.deleg), RMM_GRANULE_DATA);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, w.act.rd, 0x5000, 3, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_int_equal(e.ripas, RMI_EMPTY);
	assert_int_equal(e.desc, w.deleg);
	/* DATA_CREATE over RIPAS RAM (after INIT_RIPAS) and over DESTROYED */
	{
		uint64_t d1 = fx_delegated(f), d2 = fx_delegated(f);

		assert_rmi(rmm_rmi_data_create(f->rmm, 0, w.r.rd, d1, 0x2000, w.src, 0), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, w.r.rd, 0x2000, &data, &top), RMI_SUCCESS, 0);
		assert_int_equal(data, d1);
		assert_int_equal(top, 0x3000 > 0x2000 ? M2 : 0);
		assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, w.r.rd, 0x2000, 3, &e), RMI_SUCCESS, 0);
		assert_int_equal(e.ripas, RMI_DESTROYED);
		assert_rmi(rmm_rmi_data_create(f->rmm, 0, w.r.rd, d2, 0x2000, w.src, 1), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, w.r.rd, 0x2000, 3, &e), RMI_SUCCESS, 0);
		assert_int_equal(e.ripas, RMI_RAM);
		assert_int_equal(e.state, RMI_ASSIGNED);
	}
	fx_invariants(f);
}

static void test_data_destroy(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, data = 0, top = 0;
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_DATA_DESTROY, rd + 1, 0x1000 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_DATA_DESTROY, 0x06000000, 0x1000 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_DATA_DESTROY, w.data, 0x1000 }, INPUT, 0, "rd_state" },
		{ "ipa_align", { RMI_DATA_DESTROY, rd, 0x1800 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_DATA_DESTROY, rd, w.U + 0x1000 }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_DATA_DESTROY, rd, M2 }, RTT, 2, "rtt_walk" },
		{ "rtte_state", { RMI_DATA_DESTROY, rd, 0x2000 }, RTT, 3, "rtte_state" },
		{ "unprotected and unmapped", { RMI_DATA_DESTROY, rd, w.U + G1 }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, rows);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x1800, &data, &top), INPUT, 0);
	assert_int_equal(top, 0);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x2000, &data, &top), RTT, 3);
	assert_int_equal(top, M2);        /* no live entry after 0x2000 */
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0, &data, &top), RTT, 3);
	assert_int_equal(top, 0x1000);    /* the next live entry */
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, M2, &data, &top), RTT, 2);
	assert_int_equal(top, G1);        /* end of the L2 RTT */
	/* works on an ACTIVE realm too; RAM becomes DESTROYED */
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, rd), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x1000, &data, &top), RMI_SUCCESS, 0);
	assert_int_equal(data, w.data);
	assert_int_equal(top, M2);
	assert_int_equal(rmm_granule_state(f->rmm, w.data), RMM_GRANULE_DELEGATED);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, 0x1000, 3, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RMI_DESTROYED);
	/* EMPTY stays EMPTY */
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, rd, w.deleg, 0x5000), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x5000, &data, &top), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, 0x5000, 3, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.ripas, RMI_EMPTY);
	fx_invariants(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_data_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_create_success, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_destroy, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
