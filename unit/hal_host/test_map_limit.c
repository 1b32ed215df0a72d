/*
 * The kernel's map limit: delegating every other granule of 1 GiB (131072
 * delegations, far past the ~32K isolated PROT_NONE pages 65530 mappings
 * allow) must succeed, stay enforced (mprotect while the kernel allows it,
 * software for the rest, counted), and undo cleanly.
 */
#include <stdlib.h>

#include "../helpers/fixture.h"

static long max_map_count(void)
{
	FILE *fp = fopen("/proc/sys/vm/max_map_count", "r");
	long v = -1;

	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = -1;
		fclose(fp);
	}
	return v;
}

static void test_every_other_granule_of_1gib(void **state)
{
	struct fx *f = *state;
	const uint64_t n = (1ull << 30) / GRAN / 2;
	struct rmm_stats st;
	uint64_t i, pa;
	uint32_t v = 7;

	for (i = 0; i < n; i++)
		assert_int_equal(rmm_rmi_granule_delegate(f->rmm, i & 1, FX_DRAM_BASE + 2 * i * GRAN),
				 RMI_SUCCESS);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, n);
	assert_int_equal(st.gpt_enforced + st.gpt_software, n);
	if (max_map_count() > 0 && (uint64_t)max_map_count() < 2 * n)
		assert_true(st.map_limit_hits > 0 && st.gpt_software > 0);
	print_message("1 GiB, every other granule: %llu delegated, %llu by mprotect, %llu in "
		      "software (vm.max_map_count %ld)\n", (unsigned long long)st.delegated,
		      (unsigned long long)st.gpt_enforced, (unsigned long long)st.gpt_software,
		      max_map_count());

	/* every delegated granule refuses host access, however it is enforced */
	for (i = 0; i < n; i += 97) {
		pa = FX_DRAM_BASE + 2 * i * GRAN;
		assert_int_equal(rmm_host_write(f->rmm, pa, &v, sizeof(v)), RMM_EGPF);
		assert_int_equal(rmm_host_write(f->rmm, pa + GRAN, &v, sizeof(v)), RMM_OK);
	}
	/* the RMM's own NS reads refuse them too */
	assert_int_equal(rmm_rmi_realm_create(f->rmm, 0, FX_DRAM_BASE + GRAN,
					      FX_DRAM_BASE + 2 * (n - 1) * GRAN),
			 RMI_RETURN(RMI_ERROR_INPUT, 0));
	assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "params_pas"));
	fx_invariants(f);

	for (i = 0; i < n; i++)
		assert_int_equal(rmm_rmi_granule_undelegate(f->rmm, 0, FX_DRAM_BASE + 2 * i * GRAN),
				 RMI_SUCCESS);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	assert_int_equal(st.gpt_enforced, 0);
	assert_int_equal(st.gpt_software, 0);
	for (i = 0; i < 2 * n; i++)
		assert_int_equal(rmm_host_write(f->rmm, FX_DRAM_BASE + i * GRAN, &v, sizeof(v)), RMM_OK);
	fx_invariants(f);
}

static int setup_1g(void **state)
{
	return fx_setup_size(state, 1ull << 30, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_other_granule_of_1gib, setup_1g, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
