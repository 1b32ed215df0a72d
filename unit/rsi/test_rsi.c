/* RSI 1.0 from a scripted realm: every input check and the buffer rules. */
#include <openssl/sha.h>
#include <rmm/rsi.h>

#include "../helpers/fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOT_SUPPORTED ((uint64_t)-1)

static void run_to_irq(struct fx *f, struct run_world *w)
{
	assert_rmi(fx_enter(f, 0, &w->rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(fx_run(f, &w->rec[0])->exit.exit_reason, RMI_EXIT_IRQ);
}

static void test_rsi_simple(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[16];
	uint8_t rim[64];
	static const struct rmm_script_step steps[] = {
		S_SMC(RSI_VERSION, 0x10000), S_SMC(RSI_VERSION, 0x10001), S_SMC(RSI_FEATURES, 0),
		S_SMC(RSI_MEASUREMENT_READ, 0), S_SMC(RSI_MEASUREMENT_READ, 5),
		S_SMC(RSI_MEASUREMENT_EXTEND, 0, 8, 1), S_SMC(RSI_MEASUREMENT_EXTEND, 5, 8, 1),
		S_SMC(RSI_MEASUREMENT_EXTEND, 1, 65, 1), S_SMC(RSI_MEASUREMENT_EXTEND, 2, 12, 0x1111, 0x2222),
		S_SMC(RSI_MEASUREMENT_READ, 2), S_SMC(RSI_ATTESTATION_TOKEN_INIT),
		S_SMC(RSI_FID(0x1af)), S_SMC(0xC2000000), S_SMC(SMCCC_VERSION), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run_to_irq(f, &w);
	assert_int_equal(res[0].x[0], RSI_SUCCESS);
	assert_int_equal(res[0].x[1], 0x10000);
	assert_int_equal(res[0].x[2], 0x10000);
	assert_int_equal(res[1].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[1].x[1], 0x10000);
	assert_int_equal(res[2].x[0], RSI_SUCCESS);
	assert_int_equal(res[2].x[1], 0);
	assert_int_equal(res[3].x[0], RSI_SUCCESS);
	assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 0, rim), RMM_OK);
	assert_memory_equal(&res[3].x[1], rim, 56);  /* x1..x7 recorded */
	assert_int_equal(res[4].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[5].x[0], RSI_ERROR_INPUT);  /* REM index 0 */
	assert_int_equal(res[6].x[0], RSI_ERROR_INPUT);  /* index 5 */
	assert_int_equal(res[7].x[0], RSI_ERROR_INPUT);  /* size 65 */
	assert_int_equal(res[8].x[0], RSI_SUCCESS);
	{
		/* REM = H(REM[0:32] || 12 bytes of X3, X4...) */
		uint8_t buf[32 + 12] = { 0 }, want[64] = { 0 };
		uint64_t a = 0x1111, b = 0x2222;

		memcpy(buf + 32, &a, 8);
		memcpy(buf + 40, &b, 4);
		SHA256(buf, sizeof(buf), want);
		assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 2, rim), RMM_OK);
		assert_memory_equal(rim, want, 64);
		assert_memory_equal(&res[9].x[1], want, 56);
	}
	assert_int_equal(res[10].x[0], RSI_SUCCESS);    /* ATTESTATION_TOKEN_INIT */
	assert_int_equal(res[10].x[1], 2124);           /* the SHA-256 token's size */
	assert_int_equal(res[11].x[0], NOT_SUPPORTED);
	assert_int_equal(res[12].x[0], NOT_SUPPORTED);
	assert_int_equal(res[13].x[0], 0x10002);
	fx_run_world_free(f, &w);
}

static void test_rsi_realm_config(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[8];
	struct rmi_rec_run *run;
	const uint8_t *cfg;
	const struct rmm_script_step steps[] = {
		S_SMC(RSI_REALM_CONFIG, 0x10008), S_SMC(RSI_REALM_CONFIG, (1ull << 39) + 0x2000),
		S_SMC(RSI_REALM_CONFIG, 0x30000), S_SMC(RSI_REALM_CONFIG, 0x21000),
		S_SMC(RSI_REALM_CONFIG, 0x10000), S_READ(0x10000, 8, 9), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	/* RIPAS RAM, not mapped: a data abort exit; the SMC is re-executed */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(run->exit.esr, ((uint64_t)RMM_EC_DABT_LOW << 26) | RMM_FSC_TRANSLATION(3));
	assert_int_equal(run->exit.hpfar, 0x21000 >> 8);
	assert_int_equal(run->exit.far, 0);
	assert_false(res[3].done);
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, w.r.rd, fx_delegated(f), 0x21000), RMI_SUCCESS, 0);
	run_to_irq(f, &w);
	assert_int_equal(res[0].x[0], RSI_ERROR_INPUT);  /* unaligned */
	assert_int_equal(res[1].x[0], RSI_ERROR_INPUT);  /* unprotected */
	assert_int_equal(res[2].x[0], RSI_ERROR_INPUT);  /* RIPAS EMPTY */
	assert_int_equal(res[3].x[0], RSI_SUCCESS);
	assert_int_equal(res[4].x[0], RSI_SUCCESS);
	assert_int_equal(res[5].x[0], 40);               /* ipa_width read back by the realm */
	cfg = rmm_ns_ptr(f->rmm, w.ns_page);
	(void)cfg;
	fx_run_world_free(f, &w);
}

static void test_rsi_ipa_state(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[12];
	struct rmi_rec_run *run;
	struct rmi_rec_exit want;
	uint64_t top;
	const struct rmm_script_step steps[] = {
		S_SMC(RSI_IPA_STATE_GET, 0x10000, 0x40000), S_SMC(RSI_IPA_STATE_GET, 0x20000, 0x40000),
		S_SMC(RSI_IPA_STATE_GET, 0x1000, 0x1000), S_SMC(RSI_IPA_STATE_GET, 0x1800, 0x3000),
		S_SMC(RSI_IPA_STATE_SET, 0x30000, 0x20000, RSI_RAM),
		S_SMC(RSI_IPA_STATE_SET, 0x30000, 0x34000, 2),
		S_SMC(RSI_IPA_STATE_SET, 0x30000, (1ull << 39) + 0x1000, RSI_RAM),
		S_SMC(RSI_IPA_STATE_SET, 0x30000, 0x34000, RSI_RAM),
		S_SMC(RSI_IPA_STATE_GET, 0x30000, 0x40000), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	memset(&want, 0, sizeof(want));
	want.exit_reason = RMI_EXIT_RIPAS_CHANGE;
	want.ripas_base = 0x30000;
	want.ripas_top = 0x34000;
	want.ripas_value = RMI_RAM;
	fx_assert_exit(&run->exit, &want);
	assert_int_equal(res[0].x[0], RSI_SUCCESS);
	assert_int_equal(res[0].x[1], 0x12000);   /* DATA at 0x10000, 0x11000 are RAM */
	assert_int_equal(res[0].x[2], RSI_RAM);
	assert_int_equal(res[1].x[1], 0x30000);
	assert_int_equal(res[1].x[2], RSI_RAM);
	assert_int_equal(res[2].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[3].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[4].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[5].x[0], RSI_ERROR_INPUT);
	assert_int_equal(res[6].x[0], RSI_ERROR_INPUT);
	/* the host applies part of it, in two steps, as KVM does */
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, w.r.rd, w.rec[0].rec, 0x30000, 0x32000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x32000);
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, w.r.rd, w.rec[0].rec, 0x30000, 0x34000, &top), RMI_ERROR_INPUT, 0);
	assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "base_bound"));
	assert_rmi(rmm_rmi_rtt_set_ripas(f->rmm, 0, w.r.rd, w.rec[0].rec, 0x32000, 0x34000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x34000);
	run_to_irq(f, &w);
	assert_int_equal(res[7].x[0], RSI_SUCCESS);
	assert_int_equal(res[7].x[1], 0x34000);  /* new base: all done */
	assert_int_equal(res[7].x[2], RSI_ACCEPT);
	assert_int_equal(res[8].x[1], 0x34000);
	assert_int_equal(res[8].x[2], RSI_RAM);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

static void test_rsi_host_call(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[8];
	struct rmi_rec_run *run;
	struct rsi_host_call *hc;
	struct rmi_rec_exit want;
	const struct rmm_script_step steps[] = {
		S_WRITE(0x10100, 2, 1, 0x77), S_WRITE(0x10108, 8, 2, 0xaaa), S_WRITE(0x10110, 8, 3, 0xbbb),
		S_SMC(RSI_HOST_CALL, 0x10100), S_READ(0x10108, 8, 4), S_SMC(RSI_HOST_CALL, 0x10180),
		S_SMC(RSI_HOST_CALL, 0x30000), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	memset(&want, 0, sizeof(want));
	want.exit_reason = RMI_EXIT_HOST_CALL;
	want.imm = 0x77;
	want.gprs[0] = 0xaaa;
	want.gprs[1] = 0xbbb;
	fx_assert_exit(&run->exit, &want);
	for (int i = 0; i < 31; i++)
		run->enter.gprs[i] = 0x5000 + (uint64_t)i;
	run_to_irq(f, &w);
	assert_int_equal(res[3].x[0], RSI_SUCCESS);
	assert_int_equal(res[4].x[0], 0x5000);     /* the host's answer is in the buffer */
	assert_int_equal(res[5].x[0], RSI_ERROR_INPUT); /* not 256-byte aligned */
	assert_int_equal(res[6].x[0], RSI_ERROR_INPUT); /* RIPAS EMPTY */
	(void)hc;
	fx_run_world_free(f, &w);
}

/* Host call whose buffer is unmapped when the host answers: a data abort
 * exit, the realm not entered, the answer delivered after the host maps it. */
static void test_host_call_writeback_unmapped(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[4];
	struct rmi_rec_run *run;
	uint64_t data, top;
	const struct rmm_script_step steps[] = {
		S_SMC(RSI_HOST_CALL, 0x11000), S_READ(0x11008, 8, 4), S_END
	};

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_HOST_CALL);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, w.r.rd, 0x11000, &data, &top), RMI_SUCCESS, 0);
	run->enter.gprs[0] = 0x99;
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(run->exit.hpfar, 0x11000 >> 8);
	assert_false(res[0].done);
	/* DESTROYED: the host may only map it after the realm asks... it maps
	 * a new page with DATA_CREATE_UNKNOWN (RIPAS stays DESTROYED): still
	 * unmapped for the realm; a RAM page elsewhere is what KVM would use.
	 * Here: the realm never progresses, as the spec says. */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	fx_run_world_free(f, &w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsi_simple, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_realm_config, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_ipa_state, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rsi_host_call, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_host_call_writeback_unmapped, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
