/*
 * rmm_reset() resets the default backend too: a reservation made by a REC
 * before the reset does not let a new REC at the same PA afterwards pass a
 * store-exclusive it never reserved for (examples/guests/excl_reset.S).
 */
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

/* Build the realm with its REC at pc and enter it until a trapped WFx:
 * returns the ESR's TI bit (0 WFI, 1 WFE) and the REC's PA. */
static unsigned int run_at(struct fx *f, struct kvm_host *h, struct kvm_realm *r,
			   struct kvm_vcpu *v, uint64_t pc)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, "excl_reset.bin", img, sizeof(img));
	const struct rmi_rec_exit *x;

	kh_init(h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(h, r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(h, r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(h, r, v, 0, 1, pc), 0);
	assert_int_equal(kh_activate(h, r), 0);
	x = fx_enter_until(f, 0, v->rec, v->run, RMI_ENTER_TRAP_WFI | RMI_ENTER_TRAP_WFE);
	assert_int_equal(x->exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(RMM_ESR_EC(x->esr), RMM_EC_WFX);
	return (unsigned int)(x->esr & 1);
}

static void test_reset_drops_reservations(void **state)
{
	struct fx *f = *state;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmm_stats st;
	uint64_t rec;

	assert_int_equal(run_at(f, &h, &r, &v, 0), 0);        /* LDXR, then WFI */
	rec = v.rec;
	kh_fini(&h);
	assert_int_equal(rmm_reset(f->rmm), RMM_OK);
	assert_int_equal(run_at(f, &h, &r, &v, 0x100), 0);    /* STXR failed: WFI */
	assert_int_equal(v.rec, rec);   /* the same REC PA: the reset, not the PA, decided */
	assert_int_equal(kh_vcpu_destroy(&h, &v), 0);
	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	kh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_drops_reservations, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
