/*
 * A host interrupt stops realm code as on hardware: spin.S (`b .`) runs
 * with a budget of 2^30 instructions per run(); another thread raises
 * rmm_host_irq() on the REC's CPU 20 ms later, and REC_ENTER returns with
 * RMI_EXIT_IRQ long before the budget is spent. The interrupt is taken by
 * that exit: the next entry runs to its budget.
 */
#include <pthread.h>
#include <time.h>
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

static void *raise_later(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	rmm_host_irq(arg, 0);
	return NULL;
}

static void test_host_irq_stops_realm(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "spin.bin", img, sizeof(img));
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(1u << 30);
	struct rmm_a64_ctx *small = rmm_a64_ctx_new(10000);
	struct rmi_rec_run *rr;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmm_stats st;
	pthread_t t;
	uint64_t ran;

	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	rr = rmm_ns_ptr(f->rmm, v.run);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64), RMM_OK);
	assert_int_equal(pthread_create(&t, NULL, raise_later, f->rmm), 0);
	memset(&rr->enter, 0, sizeof(rr->enter));
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 0, v.rec, v.run), RMI_SUCCESS);
	pthread_join(t, NULL);
	ran = rmm_a64_retired(a64);
	print_message("stopped by the host interrupt after %llu instructions\n",
		      (unsigned long long)ran);
	assert_int_equal(rr->exit.exit_reason, RMI_EXIT_IRQ);
	assert_true(ran > 0);
	assert_true(ran < (1u << 30));
	/* taken: the next entry runs its whole (small) budget */
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), small), RMM_OK);
	memset(&rr->enter, 0, sizeof(rr->enter));
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 0, v.rec, v.run), RMI_SUCCESS);
	assert_int_equal(rr->exit.exit_reason, RMI_EXIT_IRQ);
	assert_int_equal(rmm_a64_retired(small), 10000);
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	assert_int_equal(kh_vcpu_destroy(&h, &v), 0);
	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	rmm_a64_ctx_free(a64);
	rmm_a64_ctx_free(small);
	kh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_irq_stops_realm, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
