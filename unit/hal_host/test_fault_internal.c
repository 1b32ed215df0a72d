/* hal_host internals: the guarded copy, software GPT mode. */
#include <pthread.h>
#include <sys/mman.h>

#include "hal_host/hal_host_int.h"
#include "../helpers/fixture.h"


/* Software-only GPT: no mprotect, no signals, same refusals. */
static void test_software_gpt(void **state)
{
	struct fx *f;
	struct rmm_stats st;
	uint32_t v = 1;

	assert_int_equal(fx_setup_size((void **)&f, 4 << 20, RMM_CFG_GPT_SOFTWARE), 0);
	assert_int_equal(rmm_rmi_granule_delegate(f->rmm, 0, FX_DRAM_BASE), RMI_SUCCESS);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.gpt_enforced, 0);
	assert_int_equal(st.gpt_software, 1);
	assert_int_equal(rmm_host_write(f->rmm, FX_DRAM_BASE, &v, 4), RMM_EGPF);
	assert_int_equal(rmm_host_write(f->rmm, FX_DRAM_BASE + GRAN, &v, 4), RMM_OK);
	/* a raw pointer does not fault in this mode (documented) */
	*(volatile uint32_t *)rmm_ns_ptr(f->rmm, FX_DRAM_BASE + 8) = 5;
	assert_int_equal(rmm_rmi_granule_undelegate(f->rmm, 0, FX_DRAM_BASE), RMI_SUCCESS);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.gpt_software, 0);
	fx_teardown((void **)&f);
}

/* Guarded copies from many threads at once, half of them faulting. */
struct tharg {
	struct rmm *rmm;
	int faults, oks;
};

static void *copier(void *arg)
{
	struct tharg *t = arg;
	uint8_t buf[128];

	for (int i = 0; i < 20000; i++) {
		int rc = rmm_host_read(t->rmm, FX_DRAM_BASE + (uint64_t)(i & 1) * GRAN, buf, sizeof(buf));

		if (rc == RMM_EGPF)
			t->faults++;
		else if (rc == RMM_OK)
			t->oks++;
	}
	return NULL;
}

static void test_threads_fault_independently(void **state)
{
	struct fx *f;
	struct tharg a[4];
	pthread_t t[4];

	assert_int_equal(fx_setup_size((void **)&f, 4 << 20, 0), 0);
	assert_int_equal(rmm_rmi_granule_delegate(f->rmm, 0, FX_DRAM_BASE + GRAN), RMI_SUCCESS);
	for (int i = 0; i < 4; i++) {
		a[i] = (struct tharg){ f->rmm, 0, 0 };
		pthread_create(&t[i], NULL, copier, &a[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].faults, 10000);
		assert_int_equal(a[i].oks, 10000);
	}
	fx_teardown((void **)&f);
}

static void test_guarded_copy_direct(void **state)
{
	struct fx *f;
	uint8_t buf[16];
	uint8_t *ns;

	assert_int_equal(fx_setup_size((void **)&f, 4 << 20, 0), 0);
	ns = rmm_ns_ptr(f->rmm, FX_DRAM_BASE);
	assert_int_equal(hh_guarded_copy(buf, ns, sizeof(buf)), RMM_OK);
	/* make the page inaccessible behind the GPT's back: the copy itself
	 * must catch the fault */
	assert_int_equal(mprotect(ns, GRAN, PROT_NONE), 0);
	assert_int_equal(hh_guarded_copy(buf, ns, sizeof(buf)), RMM_EGPF);
	assert_int_equal(hh_guarded_copy(ns + 8, buf, sizeof(buf)), RMM_EGPF);
	assert_int_equal(mprotect(ns, GRAN, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(hh_guarded_copy(buf, ns, sizeof(buf)), RMM_OK);
	fx_teardown((void **)&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_software_gpt),
		cmocka_unit_test(test_threads_fault_independently),
		cmocka_unit_test(test_guarded_copy_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
