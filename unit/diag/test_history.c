/*
 * Granule history read while other CPUs append to their rings (what an
 * explanation during another CPU's REC_ENTER, or the SIGSEGV handler, does).
 * Every event read must be one that happened, whole: never a mix of two
 * events. Under TSan this also shows the rings are read without a data race.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "../helpers/fixture.h"

#define NG 8
#define ROUNDS 4000

static struct fx *F;
static atomic_int writers_done;

/* CPU c: delegate and undelegate its own granules, over and over. */
static void *writer(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t pa = FX_DRAM_BASE + (uint64_t)(cpu * NG + (unsigned)i % NG) * GRAN;

		if (rmm_rmi_granule_delegate(F->rmm, cpu, pa) != RMI_SUCCESS ||
		    rmm_rmi_granule_undelegate(F->rmm, cpu, pa) != RMI_SUCCESS)
			abort();
	}
	atomic_fetch_add(&writers_done, 1);
	return NULL;
}

static void test_history_while_appending(void **state)
{
	pthread_t t[2];
	struct rmm_granule_event ev[16];
	unsigned long checked = 0;
	char buf[512];

	F = *state;
	atomic_store(&writers_done, 0);
	for (uintptr_t c = 0; c < 2; c++)
		pthread_create(&t[c], NULL, writer, (void *)c);
	/* read while the writers run (however the scheduler starts them), and
	 * at least 3000 times */
	for (int i = 0; i < 3000 || atomic_load(&writers_done) < 2; i++) {
		uint64_t pa = FX_DRAM_BASE + (uint64_t)(i % (2 * NG)) * GRAN;
		unsigned int cpu = (unsigned int)(i % (2 * NG)) / NG;
		size_t n = rmm_granule_history(F->rmm, pa, ev, 16);

		for (size_t k = 0; k < n; k++) {
			bool del = ev[k].from == RMM_GRANULE_UNDELEGATED &&
				   ev[k].to == RMM_GRANULE_DELEGATED &&
				   ev[k].fid_num == (RMI_GRANULE_DELEGATE & 0xffff);
			bool undel = ev[k].from == RMM_GRANULE_DELEGATED &&
				     ev[k].to == RMM_GRANULE_UNDELEGATED &&
				     ev[k].fid_num == (RMI_GRANULE_UNDELEGATE & 0xffff);

			assert_int_equal(ev[k].pa, pa);
			assert_int_equal(ev[k].cpu, cpu);
			assert_true(del || undel);
			assert_true(k == 0 || ev[k - 1].seq > ev[k].seq);
			checked++;
		}
		rmm_explain_granule(F->rmm, pa, buf, sizeof(buf));
		(void)rmm_granule_state(F->rmm, pa);
	}
	for (int c = 0; c < 2; c++)
		pthread_join(t[c], NULL);
	assert_true(checked > 0);
	fx_invariants(F);
}

static int setup_check(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TLB_CHECK);
}

/* Checking mode keeps each granule's last PAS change beyond the rings: a
 * granule delegated on cpu1 and then buried under 3000 changes on cpu1 is
 * still explained with its delegation (only the rings without it). */
static void test_last_pas_change_outlives_rings(void **state)
{
	struct fx *f = *state;
	uint64_t old = FX_DRAM_BASE, other = FX_DRAM_BASE + GRAN;
	struct rmm_granule_event ev[4];
	char buf[512];

	assert_int_equal(rmm_rmi_granule_delegate(f->rmm, 1, old), RMI_SUCCESS);
	for (int i = 0; i < 1500; i++) {
		assert_int_equal(rmm_rmi_granule_delegate(f->rmm, 1, other), RMI_SUCCESS);
		assert_int_equal(rmm_rmi_granule_undelegate(f->rmm, 1, other), RMI_SUCCESS);
	}
	assert_int_equal(rmm_granule_history(f->rmm, old, ev, 4), 0);
	rmm_explain_granule(f->rmm, old, buf, sizeof(buf));
	assert_non_null(strstr(buf, "its last PAS change: UNDELEGATED -> DELEGATED by "
				    "GRANULE_DELEGATE on cpu1 (#1)"));
	/* while the rings hold the PAS change, it is not repeated */
	assert_int_equal(rmm_rmi_granule_undelegate(f->rmm, 0, old), RMI_SUCCESS);
	rmm_explain_granule(f->rmm, other, buf, sizeof(buf));
	assert_null(strstr(buf, "its last PAS change"));
	fx_invariants(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_while_appending, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_last_pas_change_outlives_rings, setup_check,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
