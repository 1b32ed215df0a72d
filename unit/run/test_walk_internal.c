/*
 * The lock-free stage-2 walk against RTT_DESTROY's wipe (the walker's epoch,
 * librmm/run/tlb.h). A walk that has read a level-2 entry pointing at an L3
 * RTT is held there (a test hook inside the walk) while another CPU destroys
 * that RTT, creates it again at another IPA and maps a different page
 * through it. The destroy must wait for the walk (no wipe under a walker),
 * and neither read may give the recreated table's translation for the old
 * IPA. Run under TSan, the same test shows the wipe and the walk do not race.
 */
#include <pthread.h>
#include <time.h>
#include <rmm/vcpu.h>

#include "../helpers/fixture.h"
#include "core/rmm_int.h"

#define M2 (1ull << 21)

static struct {
	struct fx *f;
	struct fx_realm r;
	uint64_t U, l3, p1, p2;
	pthread_t thr;
	_Atomic int hooked, destroy_done;
	int done_during_walk;
	int use_translate;   /* first read through rmm_vcpu_translate() */
	int rc1, rc2, rc3;
	uint64_t v1, v2, v3;
	uint64_t ret_destroy, ret_create, ret_map;
} T;

/* CPU 1: destroy the L3 RTT at U, create it again at U + 2 MiB, map p2 at
 * its entry 1. */
static void *destroyer(void *arg)
{
	struct rmm *rmm = T.f->rmm;
	uint64_t rtt, top;

	(void)arg;
	T.ret_destroy = rmm_rmi_rtt_destroy(rmm, 1, T.r.rd, T.U, 3, &rtt, &top);
	atomic_store(&T.destroy_done, 1);
	T.ret_create = rmm_rmi_rtt_create(rmm, 1, T.r.rd, T.l3, T.U + M2, 3);
	T.ret_map = rmm_rmi_rtt_map_unprotected(rmm, 1, T.r.rd, T.U + M2 + 0x1000, 3,
						T.p2 | (3ull << 6));
	return NULL;
}

/* Inside the walk of U + 0x1000, after it read the level-2 entry: start the
 * destroyer and give it ample time to finish if nothing made it wait. */
static void hook(struct rmm *rmm, uint64_t ipa, int level)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	(void)rmm;
	if (ipa != T.U + 0x1000 || level != 2 || atomic_exchange(&T.hooked, 1))
		return;
	pthread_create(&T.thr, NULL, destroyer, NULL);
	nanosleep(&ts, NULL);
	T.done_during_walk = atomic_load(&T.destroy_done);
}

static void run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct rmm_vcpu_exit f;

	(void)ctx;
	if (T.use_translate) {
		void *p;

		T.rc1 = rmm_vcpu_translate(v, T.U + 0x1000, 8, RMM_ACCESS_READ, 0, &p, &f);
		if (T.rc1 == RMM_OK)
			memcpy(&T.v1, p, 8);  /* an NS page: never wiped by the RMM */
	} else {
		T.rc1 = rmm_vcpu_access(v, T.U + 0x1000, &T.v1, 8, RMM_ACCESS_READ, 0, &f);
	}
	pthread_join(T.thr, NULL);
	T.rc2 = rmm_vcpu_access(v, T.U + 0x1000, &T.v2, 8, RMM_ACCESS_READ, 0, &f);
	T.rc3 = rmm_vcpu_access(v, T.U + M2 + 0x1000, &T.v3, 8, RMM_ACCESS_READ, 0, &f);
	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static const struct rmm_vcpu_ops ops = { .version = RMM_VCPU_VERSION, .run = run };

static void destroy_recreate_during_walk(struct fx *f, int use_translate)
{
	struct rmi_rtt_entry e;
	struct fx_rec rec;
	uint64_t one = 0x1111, two = 0x2222;

	memset(&T, 0, sizeof(T));
	T.f = f;
	T.use_translate = use_translate;
	fx_realm_create(f, &T.r, 40, 1);
	T.U = 1ull << 39;
	fx_rtt_create_to(f, &T.r, T.U, 3);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, T.r.rd, T.U, 2, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.state, RMI_TABLE);
	T.l3 = e.desc;
	T.p1 = fx_ns_page(f);
	T.p2 = fx_ns_page(f);
	assert_int_equal(rmm_host_write(f->rmm, T.p1, &one, 8), RMM_OK);
	assert_int_equal(rmm_host_write(f->rmm, T.p2, &two, 8), RMM_OK);
	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, T.r.rd, T.U + 0x1000, 3,
					       T.p1 | (3ull << 6)), RMI_SUCCESS, 0);
	fx_rec_create(f, &T.r, 0, true, 0, &rec);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, T.r.rd), RMI_SUCCESS, 0);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &ops, NULL), RMM_OK);
	f->rmm->test_walk_hook = hook;

	assert_rmi(fx_enter(f, 0, &rec, 0), RMI_SUCCESS, 0);
	f->rmm->test_walk_hook = NULL;
	assert_true(atomic_load(&T.hooked));
	/* the destroy waited for the walk that could still reach the table */
	assert_int_equal(T.done_during_walk, 0);
	assert_rmi(T.ret_destroy, RMI_SUCCESS, 0);
	assert_rmi(T.ret_create, RMI_SUCCESS, 0);
	assert_rmi(T.ret_map, RMI_SUCCESS, 0);
	/* first read: the old translation or a fault, never p2's bytes */
	if (T.rc1 == RMM_OK)
		assert_int_equal(T.v1, one);
	else
		assert_int_equal(T.rc1, RMM_EGPF);
	/* after the destroy: nothing at U + 0x1000; p2 at U + 2 MiB + 0x1000 */
	assert_int_equal(T.rc2, RMM_EGPF);
	assert_int_equal(T.rc3, RMM_OK);
	assert_int_equal(T.v3, two);
	fx_invariants(f);
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, NULL, NULL), RMM_OK);
}

/* The walk inside rmm_vcpu_access() */
static void test_access_walk(void **state)
{
	destroy_recreate_during_walk(*state, 0);
}

/* The walk inside rmm_vcpu_translate() (which returns a bare pointer) */
static void test_translate_walk(void **state)
{
	destroy_recreate_during_walk(*state, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_access_walk, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_translate_walk, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
