/* PSCI from the realm, RMI_PSCI_COMPLETE, and SYSTEM_OFF. */
#include <rmm/rsi.h>

#include "../helpers/fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define INPUT RMI_ERROR_INPUT

static void test_psci(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s0, s1;
	struct rmm_script_result r0[20], r1[4];
	struct rmi_rec_run *run;
	struct rmi_rec_exit want;
	struct fx_realm other;
	struct fx_rec orec;
	uint64_t m1 = rmi_rec_mpidr(1), m5 = rmi_rec_mpidr(5), c0, c1, c2;
	const struct rmm_script_step steps0[] = {
		S_SMC(PSCI_VERSION), S_SMC(PSCI_FEATURES, PSCI_CPU_ON), S_SMC(PSCI_FEATURES, PSCI_VERSION),
		S_SMC(PSCI_FEATURES, SMCCC_VERSION), S_SMC(PSCI_CPU_ON, m1, 1ull << 39, 0),
		S_SMC(PSCI_CPU_ON, m5, 0x1000, 0), S_SMC(PSCI_CPU_ON, 0, 0x1000, 0),
		S_SMC(PSCI_AFFINITY_INFO, 0, 0), S_SMC(PSCI_AFFINITY_INFO, m1, 1),
		S_SMC(PSCI_CPU_ON, m1, 4 /* step 1 of REC1's script */, 0x77),          /* 9 */
		S_SMC(PSCI_AFFINITY_INFO, m1, 0), S_SMC(PSCI_CPU_ON, m1, 0x1000, 0),  /* 10, 11 */
		S_SMC(PSCI_CPU_SUSPEND, 1, 2, 3), S_SMC(0x8400001f),                   /* 12, 13 */
		S_SMC(PSCI_SYSTEM_OFF), S_END
	};
	const struct rmm_script_step steps1[] = {
		S_END, S_SMC(PSCI_CPU_OFF), S_END
	};

	fx_run_world(f, &w);
	c0 = w.rec[0].rec;
	c1 = w.rec[1].rec;
	c2 = w.rec[2].rec;
	fx_script(&w, &w.rec[0], &s0, steps0, N(steps0), r0);
	fx_script(&w, &w.rec[1], &s1, steps1, N(steps1), r1);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	memset(&want, 0, sizeof(want));
	want.exit_reason = RMI_EXIT_PSCI;
	want.gprs[0] = PSCI_CPU_ON;
	want.gprs[1] = m1;
	fx_assert_exit(&run->exit, &want);
	assert_int_equal(r0[0].x[0], 0x10001);
	assert_int_equal(r0[1].x[0], PSCI_SUCCESS);
	assert_int_equal(r0[2].x[0], PSCI_NOT_SUPPORTED);
	assert_int_equal(r0[3].x[0], PSCI_SUCCESS);
	assert_int_equal(r0[4].x[0], PSCI_INVALID_ADDRESS);
	assert_int_equal(r0[5].x[0], PSCI_INVALID_PARAMETERS);
	assert_int_equal(r0[6].x[0], PSCI_ALREADY_ON);
	assert_int_equal(r0[7].x[0], PSCI_AFF_ON);
	assert_int_equal(r0[8].x[0], PSCI_INVALID_PARAMETERS);

	/* pending: the caller cannot run until PSCI_COMPLETE */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_ERROR_REC, 0);
	assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "rec_psci"));
	fx_realm_create(f, &other, 40, 8);
	fx_rec_create(f, &other, 0, true, 0, &orec);
	const struct rmi_row rows[] = {
		{ "alias", { RMI_PSCI_COMPLETE, c0, c0, 0 }, INPUT, 0, "alias" },
		{ "calling_align", { RMI_PSCI_COMPLETE, c0 + 1, c1, 0 }, INPUT, 0, "calling_align" },
		{ "target_bound", { RMI_PSCI_COMPLETE, c0, 0x06000000, 0 }, INPUT, 0, "target_bound" },
		{ "calling_state", { RMI_PSCI_COMPLETE, w.r.rd, c1, 0 }, INPUT, 0, "calling_state" },
		{ "target_state", { RMI_PSCI_COMPLETE, c0, w.rec[1].aux[0], 0 }, INPUT, 0, "target_state" },
		{ "pending", { RMI_PSCI_COMPLETE, c1, c0, 0 }, INPUT, 0, "pending" },
		{ "owner", { RMI_PSCI_COMPLETE, c0, orec.rec, 0 }, INPUT, 0, "owner" },
		{ "target", { RMI_PSCI_COMPLETE, c0, c2, 0 }, INPUT, 0, "target" },
		{ "status", { RMI_PSCI_COMPLETE, c0, c1, PSCI_INVALID_PARAMETERS }, INPUT, 0, "status" },
	};
	FX_ROWS(f, rows);
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 1, c0, c1, PSCI_SUCCESS), RMI_SUCCESS, 0);
	/* REC1 is runnable at the entry point with x0 = context id */
	assert_rmi(fx_enter(f, 1, &w.rec[1], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_PSCI;
	want.gprs[0] = PSCI_CPU_OFF;
	want.gprs[1] = 0;
	fx_assert_exit(&fx_run(f, &w.rec[1])->exit, &want);
	assert_rmi(fx_enter(f, 1, &w.rec[1], 0), RMI_ERROR_REC, 0);  /* off now */

	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);   /* AFFINITY_INFO exit */
	assert_int_equal(r0[9].x[0], PSCI_SUCCESS);
	assert_int_equal(run->exit.gprs[0], PSCI_AFFINITY_INFO);
	/* DENIED is only for CPU_ON */
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 0, c0, c1, PSCI_DENIED), INPUT, 0);
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 0, c0, c1, PSCI_SUCCESS), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);   /* CPU_ON exit */
	assert_int_equal(r0[10].x[0], PSCI_AFF_OFF);
	/* REC1 is off again: DENIED is permitted; then SUCCESS would start it */
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 0, c0, c1, PSCI_DENIED), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);   /* CPU_SUSPEND exit */
	assert_int_equal(r0[11].x[0], PSCI_DENIED);
	assert_int_equal(run->exit.gprs[0], PSCI_CPU_SUSPEND);
	assert_int_equal(run->exit.gprs[1], 0);  /* arguments are not passed */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);   /* SYSTEM_OFF exit */
	assert_int_equal(r0[12].x[0], PSCI_SUCCESS);
	assert_int_equal(r0[13].x[0], PSCI_NOT_SUPPORTED);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_PSCI);
	assert_int_equal(run->exit.gprs[0], PSCI_SYSTEM_OFF);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_ERROR_REALM, 1);
	assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "system_off"));
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

static void test_set_ripas_failures(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[4];
	struct fx_realm other;
	uint64_t rd, rec, top;
	static const struct rmm_script_step steps[] = {
		S_SMC(RSI_IPA_STATE_SET, 0x20000, 0x400000, RSI_EMPTY, 0), S_END
	};

	fx_run_world(f, &w);
	rd = w.r.rd;
	rec = w.rec[0].rec;
	fx_realm_create(f, &other, 40, 9);
	/* no request yet: base_bound / top_bound */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, rd, rec, 0, 0x1000, &top), INPUT, 0);
	assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "top_bound"));
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.exit_reason, RMI_EXIT_RIPAS_CHANGE);
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_SET_RIPAS, rd + 1, rec, 0x20000, 0x30000 }, INPUT, 0, "rd_align" },
		{ "rd_state", { RMI_RTT_SET_RIPAS, rec, rec, 0x20000, 0x30000 }, INPUT, 0, "rd_state" },
		{ "rec_align", { RMI_RTT_SET_RIPAS, rd, rec + 1, 0x20000, 0x30000 }, INPUT, 0, "rec_align" },
		{ "rec_bound", { RMI_RTT_SET_RIPAS, rd, 0x06000000, 0x20000, 0x30000 }, INPUT, 0, "rec_bound" },
		{ "rec_gran_state", { RMI_RTT_SET_RIPAS, rd, rd, 0x20000, 0x30000 }, INPUT, 0, "rec_state" },
		{ "rec_owner", { RMI_RTT_SET_RIPAS, other.rd, rec, 0x20000, 0x30000 }, RMI_ERROR_REC, 0, "rec_owner" },
		{ "size_valid", { RMI_RTT_SET_RIPAS, rd, rec, 0x20000, 0x20000 }, INPUT, 0, "size_valid" },
		{ "base_bound", { RMI_RTT_SET_RIPAS, rd, rec, 0x21000, 0x30000 }, INPUT, 0, "base_bound" },
		{ "top_bound", { RMI_RTT_SET_RIPAS, rd, rec, 0x20000, 0x401000 }, INPUT, 0, "top_bound" },
		{ "top_gran_align", { RMI_RTT_SET_RIPAS, rd, rec, 0x20000, 0x30800 }, INPUT, 0, "top_gran_align" },
		{ "base_bound before base_align", { RMI_RTT_SET_RIPAS, rd, rec, 0x21000, 0x300000 }, INPUT, 0, "base_bound" },
	};
	FX_ROWS(f, rows);
	/* the L3 RTT covers [0, 2 MiB): progress stops at its end */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, rd, rec, 0x20000, 0x400000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x200000);
	/* beyond it: a 2 MiB level-2 entry of RIPAS EMPTY already: progress */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, rd, rec, 0x200000, 0x400000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x400000);
	{
		struct rmi_rtt_entry e;

		assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, 0x20000, 3, &e), RMI_SUCCESS, 0);
		assert_int_equal(e.ripas, RMI_EMPTY);
		assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, 0x10000, 3, &e), RMI_SUCCESS, 0);
		assert_int_equal(e.ripas, RMI_RAM);   /* before base: untouched */
	}
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_RIPAS_RESPONSE), RMI_SUCCESS, 0);
	assert_int_equal(res[0].x[0], RSI_SUCCESS);
	assert_int_equal(res[0].x[1], 0x400000);
	assert_int_equal(res[0].x[2], RSI_ACCEPT);   /* EMPTY cannot be rejected */
	/* after a non-RIPAS exit, the request is gone */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, rd, rec, 0x400000, 0x401000, &top), INPUT, 0);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

/* RAM -> EMPTY on a mapped page removes the realm's access; back to RAM
 * restores it (an ASSIGNED entry keeps its data granule throughout). */
static void test_set_ripas_assigned(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[8];
	uint64_t top;
	static const struct rmm_script_step steps[] = {
		S_WRITE(0x10000, 8, 1, 0x5a5a), S_SMC(RSI_IPA_STATE_SET, 0x10000, 0x11000, RSI_EMPTY, 0),
		S_READ(0x10000, 8, 2), S_SMC(RSI_IPA_STATE_SET, 0x10000, 0x11000, RSI_RAM, 0),
		S_READ(0x10000, 8, 3), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, w.r.rd, w.rec[0].rec, 0x10000, 0x11000, &top), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(res[2].exceptions, 1);        /* EMPTY: SEA */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, w.r.rd, w.rec[0].rec, 0x10000, 0x11000, &top), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(res[4].exceptions, 0);
	assert_int_equal(res[4].x[0], 0x5a5a);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

/* base_align and no_progress: a request whose base sits inside a 2 MiB
 * level-2 entry (no level-3 RTT below it). */
static void test_set_ripas_walk_conditions(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[4];
	uint64_t rd, rec, top;
	static const struct rmm_script_step steps[] = {
		S_SMC(RSI_IPA_STATE_SET, 0x201000, 0x400000, RSI_RAM, 0),
		S_SMC(RSI_IPA_STATE_SET, 0x200000, 0x201000, RSI_RAM, 0), S_END
	};

	fx_run_world(f, &w);
	rd = w.r.rd;
	rec = w.rec[0].rec;
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.exit_reason, RMI_EXIT_RIPAS_CHANGE);
	const struct rmi_row rows[] = {
		{ "base_align", { RMI_RTT_SET_RIPAS, rd, rec, 0x201000, 0x400000 }, RMI_ERROR_RTT, 2, "base_align" },
	};
	FX_ROWS(f, rows);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);   /* the second request */
	const struct rmi_row rows2[] = {
		{ "no_progress", { RMI_RTT_SET_RIPAS, rd, rec, 0x200000, 0x201000 }, RMI_ERROR_RTT, 2, "no_progress" },
		{ "top_gran_align before no_progress", { RMI_RTT_SET_RIPAS, rd, rec, 0x200000, 0x200800 }, RMI_ERROR_INPUT, 0, "top_gran_align" },
	};
	FX_ROWS(f, rows2);
	/* the host creates the level-3 RTT, as KVM does on (ERROR_RTT, 2) */
	fx_rtt_create_to(f, &w.r, 0x200000, 3);
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, rd, rec, 0x200000, 0x201000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x201000);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

/* The SMC32 forms of CPU_ON and AFFINITY_INFO take 32-bit arguments. */
static void test_psci_smc32(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[4];
	const struct rmm_script_step steps[] = {
		S_SMC(0x84000003, 0xffffffff00000000ull | rmi_rec_mpidr(1), 0xffffffff00001000ull, 0x1234),
		S_SMC(0x84000004, 0xffffffff00000000ull | rmi_rec_mpidr(1), 0), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.gprs[0], 0x84000003);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.gprs[1], rmi_rec_mpidr(1));
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 0, w.rec[0].rec, w.rec[1].rec, 0), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(res[0].x[0], PSCI_SUCCESS);
	assert_rmi(rmm_rmi_psci_complete(f->rmm, 0, w.rec[0].rec, w.rec[1].rec, 0), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(res[1].x[0], PSCI_AFF_ON);
	fx_run_world_free(f, &w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_psci, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_ripas_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_ripas_assigned, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_ripas_walk_conditions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_psci_smc32, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
