/* Round trips of every realm shape the tests build: the destination's RTT
 * entries, RIPAS, memory, RIM and REMs equal the source's. */
#include "mig_world.h"

static const struct mw_shape shapes[] = {
	{ "w40 sha256 block destroyed unprot 3 RECs", 40, RMI_HASH_SHA_256, 3, 1, 1, 1 },
	{ "w40 sha512", 40, RMI_HASH_SHA_512, 1, 0, 0, 0 },
	{ "w32 (level 2 start, 4 RTTs) sha256 block", 32, RMI_HASH_SHA_256, 2, 1, 1, 1 },
	{ "w36 (level 1 start) sha512 destroyed", 36, RMI_HASH_SHA_512, 1, 0, 1, 0 },
	{ "w48 (level 0 start) sha256", 48, RMI_HASH_SHA_256, 2, 1, 0, 1 },
};

static void roundtrip(const struct mw_shape *sh)
{
	struct mw *w = calloc(1, sizeof(*w));
	unsigned int st;

	mw_build(w, sh);
	mw_export(w, 0x5e55 + sh->ipa_bits);
	assert_int_equal(rmm_mig_state(w->src, w->r.rd, &st, NULL), RMM_OK);
	assert_int_equal(st, RMM_MIG_EXPORT_DONE);
	assert_int_equal(mw_import(w, 0x5e55 + sh->ipa_bits, (size_t)-1), 0);
	assert_int_equal(rmm_mig_state(w->dst, w->kd.r.rd, &st, NULL), RMM_OK);
	assert_int_equal(st, RMM_MIG_NONE);
	assert_int_equal(w->kd.nvcpu, sh->nrecs);
	if (sh->unprot) {
		/* unprotected mappings do not travel: the host maps its own page */
		w->ns_dst = kh_alloc(&w->hd);
		assert_int_equal(kh_map_shared(&w->hd, &w->kd.r, w->U + 0x1000, w->ns_dst), 0);
	}
	mw_compare(w, 5u << 20);
	{	/* the layout and page records carried RIPAS, not only contents */
		struct rmi_rtt_entry e;

		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, 0x100000, 3, &e), 0);
		assert_int_equal(e.ripas, RMI_RAM);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, 0x1000, 3, &e), 0);
		assert_int_equal(e.state, RMI_ASSIGNED);
		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, 3 * MW_GRAN, 3, &e), 0);
		assert_int_equal(e.ripas, sh->destroyed ? RMI_DESTROYED : RMI_RAM);
		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, 0x4000000, 3, &e), 0);
		assert_int_equal(e.ripas, RMI_EMPTY);
	}
	if (sh->unprot) {
		struct rmi_rtt_entry a, b;

		assert_int_equal(rmm_rmi_rtt_read_entry(w->src, 0, w->r.rd, w->U + 0x1000, 3, &a), 0);
		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, w->U + 0x1000, 3, &b), 0);
		assert_int_equal(a.state, b.state);
		assert_int_equal(a.walk_level, b.walk_level);
	}
	mw_teardown(w);
	free(w);
}

static void test_roundtrip_shapes(void **state)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		print_message("shape: %s\n", shapes[i].name);
		roundtrip(&shapes[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
