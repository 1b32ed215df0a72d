/*
 * The invariant checker must be able to fail: break the state in one way at
 * a time (behind the RMM's back, through internals) and expect each breakage
 * to be named.
 */
#include "../helpers/fixture.h"
#include "core/rmm_int.h"
#include "granule/granule.h"
#include "rec/rec.h"
#include "rtt/rtt.h"


static void expect_broken(struct fx *f, const char *needle)
{
	char why[512];

	int rc = rmm_check_invariants(f->rmm, why, sizeof(why));

	if (rc != RMM_EINVAL)
		print_error("checker passed; expected %s\n", needle);
	assert_int_equal(rc, RMM_EINVAL);
	if (!strstr(why, needle))
		print_error("expected '%s' in '%s'\n", needle, why);
	assert_non_null(strstr(why, needle));
}

static struct granule *G(struct fx *f, uint64_t pa)
{
	return granule_find((struct rmm *)f->rmm, pa);
}

static void test_checker_catches(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct granule *g;
	uint8_t st;
	uint32_t rc;

	fx_run_world(f, &w);
	fx_invariants(f);

	/* a DELEGATED granule that is not wiped */
	g = G(f, fx_delegated(f));
	((uint8_t *)granule_map((struct rmm *)f->rmm, g))[100] = 1;
	expect_broken(f, "not wiped");
	((uint8_t *)granule_map((struct rmm *)f->rmm, g))[100] = 0;
	fx_invariants(f);

	/* a granule whose state disagrees with the GPT */
	g = G(f, fx_page(f));
	g->state = RMM_GRANULE_DELEGATED;
	expect_broken(f, "GPT entry is NS");
	g->state = RMM_GRANULE_UNDELEGATED;

	/* an RTT refcount that does not match its live entries */
	g = G(f, w.r.rtt_base);
	rc = granule_refcount(g);
	atomic_store(&g->refcount, rc + 1);
	expect_broken(f, "refcount");
	atomic_store(&g->refcount, rc);

	/* a DATA granule no RTT maps */
	g = G(f, fx_delegated(f));
	st = g->state;
	g->state = RMM_GRANULE_DATA;
	expect_broken(f, "not reachable");
	g->state = st;

	/* a REC whose owner is not an RD */
	{
		struct rec *rec = rec_of((struct rmm *)f->rmm, G(f, w.rec[0].rec));
		uint64_t owner = rec->owner;

		rec->owner = w.data0;
		expect_broken(f, "is not an RD");
		rec->owner = owner;
	}
	/* the RD's REC count */
	g = G(f, w.r.rd);
	rc = granule_refcount(g);
	atomic_store(&g->refcount, rc - 1);
	expect_broken(f, "RECs");
	atomic_store(&g->refcount, rc);

	/* a VMID that is not marked in use */
	{
		struct rmm *rmm = (struct rmm *)f->rmm;
		uint64_t saved = atomic_load(&rmm->vmid_map[0]);

		atomic_store(&rmm->vmid_map[0], saved & ~(1ull << w.r.vmid));
		expect_broken(f, "VMID");
		atomic_store(&rmm->vmid_map[0], saved);
	}
	/* an entry of the wrong kind for its half of the IPA space */
	{
		/* the second starting RTT maps the unprotected half */
		uint64_t *tbl = granule_map((struct rmm *)f->rmm, G(f, w.r.rtt_base + GRAN));
		uint64_t d = tbl[300];

		tbl[300] = 0;  /* UNASSIGNED (protected) at an unprotected IPA */
		expect_broken(f, "wrong for its protection");
		tbl[300] = d;
	}
	/* a lock left held */
	g = G(f, w.r.rd);
	atomic_store(&g->lock, 1);
	expect_broken(f, "locked while idle");
	atomic_store(&g->lock, 0);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checker_catches, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
