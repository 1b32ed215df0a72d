/*
 * rmm_explain_esr(): every exception class a REC exit reports, each fault
 * status family with its likely cause, HPFAR/FAR handling, and a buffer too
 * small; rmm_timeline_save() refusing when the timeline is off.
 */
#include "../helpers/fixture.h"

struct row {
	uint64_t esr, hpfar, far;
	unsigned int have;
	const char *want;
};

static void test_explain_esr_rows(void **state)
{
	static const struct row rows[] = {
		{ 0x02000000, 0, 0, 0, "EC 0x00, an unknown reason" },
		{ (0x01u << 26) | 0x02000001, 0, 0, 0, "the realm executed WFE" },
		{ 0x02000000 | (0x01u << 26), 0, 0, 0, "the realm executed WFI" },
		{ (0x16u << 26) | 0x02000007, 0, 0, 0, "HVC #7 from the realm" },
		{ (0x17u << 26) | 0x02000000, 0, 0, 0, "SMC #0 from the realm" },
		{ (0x18u << 26) | 0x02000021, 0, 0, 0, "(read, Rt 1)" },
		{ 0x3c000000, 0, 0, 0, "not an exception a realm exit reports" },
		{ 0x92000047, 0x200, 0x8, RMM_ESR_HAVE_HPFAR | RMM_ESR_HAVE_FAR,
		  "Data abort from the realm (ESR 0x92000047): translation fault at level 3, on a "
		  "write, IPA 0x20008." },
		{ 0x9200000f, 0, 0, 0, "e.g. a write to a read-only unprotected mapping" },
		{ 0x8200000e, 0, 0, 0, "an instruction fetch from an unprotected" },
		{ 0x82000010, 0, 0, 0, "the RMM injects one into the realm for RIPAS EMPTY" },
		{ 0x82000028, 0, 0, 0, "The granule the IPA maps to is not in the PAS" },
		{ 0x82000015, 0, 0, 0, "external abort on the table walk at level 1" },
		{ 0x82000007, 0, 0, 0, "translation fault at level 3." },
		{ 0x82000009, 0, 0, 0, "(stale RTT contents)" },
		{ 0x82000001, 0x10, 0, RMM_ESR_HAVE_HPFAR, "IPA 0x1000. EC 0x20" },
		{ 0x86000000, 0, 0, 0, "address size fault at stage 1 at level 0" },
		{ 0x93c08004 | (1u << 24), 0, 0, 0, "Emulatable MMIO: a 8-byte load" },
	};
	char buf[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rmm_explain_esr(rows[i].esr, rows[i].hpfar, rows[i].far, rows[i].have, buf,
				sizeof(buf));
		if (!strstr(buf, rows[i].want))
			print_error("row %zu (ESR 0x%llx): %s\n", i, (unsigned long long)rows[i].esr, buf);
		assert_non_null(strstr(buf, rows[i].want));
	}
	/* a short buffer is cut, terminated, never overrun */
	memset(buf, 'x', sizeof(buf));
	rmm_explain_esr(0x820000a5, 0x40, 0, RMM_ESR_HAVE_HPFAR, buf, 16);
	assert_true(strlen(buf) >= 14 && strlen(buf) < 16);
	assert_int_equal(buf[16], 'x');
	rmm_explain_esr(0x820000a5, 0, 0, 0, buf, 0);
	assert_int_equal(buf[0], 'I');
}

static int discard(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static int stop(void *ctx, const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	++*(int *)ctx;
	return 7;
}

static void test_timeline_off_and_stop(void **state)
{
	struct fx *f = *state;
	struct rmm_config cfg;
	struct rmm *rmm;
	int calls = 0;

	assert_int_equal(rmm_timeline_save(f->rmm, discard, NULL), RMM_EINVAL);
	assert_int_equal(rmm_timeline_save(NULL, discard, NULL), RMM_EINVAL);
	rmm_config_init(&cfg);
	cfg.dram_size = FX_DRAM_SIZE;
	cfg.flags = RMM_CFG_TIMELINE;
	assert_int_equal(rmm_create(&cfg, &rmm), RMM_OK);
	assert_int_equal(rmm_rmi_granule_delegate(rmm, 0, FX_DRAM_BASE), RMI_SUCCESS);
	assert_int_equal(rmm_timeline_save(rmm, NULL, NULL), RMM_EINVAL);
	/* the emitter's error comes back and stops the output */
	assert_int_equal(rmm_timeline_save(rmm, stop, &calls), 7);
	assert_int_equal(calls, 1);
	assert_int_equal(rmm_timeline_save(rmm, discard, NULL), RMM_OK);
	assert_int_equal(rmm_rmi_granule_undelegate(rmm, 0, FX_DRAM_BASE), RMI_SUCCESS);
	rmm_destroy(rmm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explain_esr_rows),
		cmocka_unit_test_setup_teardown(test_timeline_off_and_stop, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
