/*
 * rmm_reset(): after any activity the instance is indistinguishable from a
 * fresh one: states, GPT, contents, VMIDs, reasons, statistics, findings,
 * traces; and the same calls give the same results (RIMs included).
 */
#include <sys/mman.h>
#include <rmm/sys/hal.h>

#include "../helpers/fixture.h"

/* A fixed build sequence: a realm with DATA (measured), RIPAS, an NS mapping,
 * a REC; returns the RIM and the last reason of a refused call. */
static void build(struct fx *f, uint8_t rim[64], char reason[320])
{
	struct world w;

	f->next_rmm = FX_DRAM_BASE;
	f->next_ns = FX_DRAM_BASE + FX_DRAM_SIZE - GRAN;
	fx_world(f, &w);
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, w.deleg, w.src), RMI_ERROR_INPUT, 0);
	snprintf(reason, 320, "%s", rmm_last_reason(f->rmm, 0));
	assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 0, rim), RMM_OK);
}

static void assert_pristine(struct fx *f)
{
	struct rmm_stats st;
	uint8_t buf[GRAN], zero[GRAN];
	struct rmm_granule_event ev[4];

	memset(zero, 0, sizeof(zero));
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	assert_int_equal(st.gpt_enforced, 0);
	assert_int_equal(st.gpt_software, 0);
	assert_int_equal(st.rmi_calls, 0);
	assert_int_equal(st.rmi_failures, 0);
	assert_int_equal(rmm_findings(f->rmm, NULL, 0), 0);
	assert_string_equal(rmm_last_reason(f->rmm, 0), "");
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + FX_DRAM_SIZE; pa += GRAN) {
		assert_int_equal(rmm_granule_state(f->rmm, pa), RMM_GRANULE_UNDELEGATED);
		assert_int_equal(rmm_granule_history(f->rmm, pa, ev, 4), 0);
	}
	/* every page is NS again, and zero: through the host's view... */
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + (2ull << 20); pa += GRAN) {
		assert_int_equal(rmm_host_read(f->rmm, pa, buf, GRAN), RMM_OK);
		assert_memory_equal(buf, zero, GRAN);
	}
	/* ...including the host's own pages at the top */
	assert_int_equal(rmm_host_read(f->rmm, FX_DRAM_BASE + FX_DRAM_SIZE - GRAN, buf, GRAN), RMM_OK);
	assert_memory_equal(buf, zero, GRAN);
	fx_invariants(f);
}

static void test_reset_equals_fresh(void **state)
{
	struct fx *f = *state;
	uint8_t rim1[64], rim2[64];
	char why1[320], why2[320];

	build(f, rim1, why1);
	rmm_set_faults(f->rmm, RMM_FAULT_TLBI_DROP);
	assert_int_equal(rmm_reset(f->rmm), RMM_OK);
	assert_pristine(f);
	/* the same sequence again: same VMIDs free, same results, same RIM */
	build(f, rim2, why2);
	assert_memory_equal(rim1, rim2, 64);
	assert_string_equal(why1, why2);
	assert_int_equal(rmm_reset(f->rmm), RMM_OK);
	assert_pristine(f);
	assert_int_equal(rmm_reset(NULL), RMM_EINVAL);
}

/* A running realm (REC entered, scripted guest) and traces: reset clears
 * the trace and the instance replays a fresh trace as before. */
static void test_reset_after_run(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[2];
	static const struct rmm_script_step steps[] = { S_WRITE(0x10008, 8, 3, 0x77), S_END };

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, 2, res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_true(res[0].done);
	fx_run_world_free(f, &w);
	assert_int_equal(rmm_reset(f->rmm), RMM_OK);
	assert_pristine(f);
	f->next_rmm = FX_DRAM_BASE;
	f->next_ns = FX_DRAM_BASE + FX_DRAM_SIZE - GRAN;
	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, 2, res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_true(res[0].done);
	fx_run_world_free(f, &w);
}

/* A version-1 HAL table (no reset_memory, no attestation): the generic path. */
static void test_reset_v1_hal(void **state)
{
	struct rmm_hal_ops v1 = *rmm_hal_host_ops();
	struct rmm_config cfg;
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t rim1[64], rim2[64];
	char why1[320], why2[320];

	(void)state;
	v1.version = 1;
	v1.reset_memory = NULL;
	rmm_config_init(&cfg);
	cfg.dram_size = FX_DRAM_SIZE;
	cfg.hal = &v1;
	assert_non_null(f);
	assert_int_equal(rmm_create(&cfg, &f->rmm), RMM_OK);
	f->ns_limit = FX_DRAM_BASE + FX_DRAM_SIZE / 2;
	build(f, rim1, why1);
	assert_int_equal(rmm_reset(f->rmm), RMM_OK);
	assert_pristine(f);
	build(f, rim2, why2);
	assert_memory_equal(rim1, rim2, 64);
	fx_teardown((void **)&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_equals_fresh, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reset_after_run, fx_setup, fx_teardown),
		cmocka_unit_test(test_reset_v1_hal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
