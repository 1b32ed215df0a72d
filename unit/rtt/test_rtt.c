/* RTT_CREATE, RTT_DESTROY, RTT_FOLD, RTT_READ_ENTRY, RTT_(UN)MAP_UNPROTECTED,
 * RTT_INIT_RIPAS: failure tables, outputs and state transitions. */
#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT
#define RTT RMI_ERROR_RTT
#define G1 (1ull << 30)
#define M2 (1ull << 21)

static struct rmi_rtt_entry read_entry(struct fx *f, uint64_t rd, uint64_t ipa, int level)
{
	struct rmi_rtt_entry e;

	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, rd, ipa, level, &e), RMI_SUCCESS, 0);
	return e;
}

static void test_rtt_create(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, t;
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	t = w.deleg;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_CREATE, rd + 1, t, 0, 3 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_CREATE, 0x06000000, t, 0, 3 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_CREATE, w.data, t, M2, 3 }, INPUT, 0, "rd_state" },
		{ "rtt_align", { RMI_RTT_CREATE, rd, t + 8, M2, 3 }, INPUT, 0, "rtt_align" },
		{ "rtt_bound", { RMI_RTT_CREATE, rd, 0x1c000000, M2, 3 }, INPUT, 0, "rtt_bound" },
		{ "rtt_state undelegated", { RMI_RTT_CREATE, rd, w.undeleg, M2, 3 }, INPUT, 0, "rtt_state" },
		{ "rtt_state RTT", { RMI_RTT_CREATE, rd, w.l3, M2, 3 }, INPUT, 0, "rtt_state" },
		{ "rtt_state DATA", { RMI_RTT_CREATE, rd, w.data, M2, 3 }, INPUT, 0, "rtt_state" },
		{ "rtt == rd", { RMI_RTT_CREATE, rd, rd, M2, 3 }, INPUT, 0, "rtt_state" },
		{ "level_bound start", { RMI_RTT_CREATE, rd, t, 0, 1 }, INPUT, 0, "level_bound" },
		{ "level_bound 0", { RMI_RTT_CREATE, rd, t, 0, 0 }, INPUT, 0, "level_bound" },
		{ "level_bound 4", { RMI_RTT_CREATE, rd, t, 0, 4 }, INPUT, 0, "level_bound" },
		{ "level_bound -1", { RMI_RTT_CREATE, rd, t, 0, (uint64_t)-1 }, INPUT, 0, "level_bound" },
		{ "ipa_align", { RMI_RTT_CREATE, rd, t, 0x1000, 3 }, INPUT, 0, "ipa_align" },
		{ "ipa_align L2", { RMI_RTT_CREATE, rd, t, M2, 2 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_RTT_CREATE, rd, t, 1ull << 40, 2 }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_RTT_CREATE, rd, t, 2 * G1, 3 }, RTT, 1, "rtt_walk" },
		{ "rtte_state L3", { RMI_RTT_CREATE, rd, t, 0, 3 }, RTT, 2, "rtte_state" },
		{ "rtte_state L2", { RMI_RTT_CREATE, rd, t, 0, 2 }, RTT, 1, "rtte_state" },
		{ "level_bound before walk", { RMI_RTT_CREATE, rd, t, 2 * G1, 4 }, INPUT, 0, "level_bound" },
		{ "ipa_bound before walk", { RMI_RTT_CREATE, rd, t, 1ull << 41, 3 }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, rows);

	/* success: L3 under an UNASSIGNED RAM parent copies RIPAS to all entries */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, M2, 2 * M2, &t), RMI_SUCCESS, 0);
	assert_int_equal(t, 2 * M2);
	e = read_entry(f, rd, M2, 2);
	assert_int_equal(e.ripas, RMI_RAM);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, w.deleg, M2, 3), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, w.deleg), RMM_GRANULE_RTT);
	e = read_entry(f, rd, M2, 2);
	assert_int_equal(e.state, RMI_TABLE);
	assert_int_equal(e.desc, w.deleg);
	for (uint64_t ipa = M2; ipa < 2 * M2; ipa += 0x1000 * 37) {
		e = read_entry(f, rd, ipa, 3);
		assert_int_equal(e.walk_level, 3);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		assert_int_equal(e.ripas, RMI_RAM);
	}
	/* unprotected side: children are UNASSIGNED_NS */
	{
		uint64_t t2 = fx_delegated(f);

		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t2, w.U + G1, 2), RMI_SUCCESS, 0);
		e = read_entry(f, rd, w.U + G1 + M2, 2);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		assert_int_equal(e.ripas, 0);
	}
	fx_invariants(f);
}

static void test_rtt_destroy(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, rtt = 0, top = 0;
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_DESTROY, rd + 2, 0, 3 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_DESTROY, 0x1c000000, 0, 3 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_DESTROY, w.l3, 0, 3 }, INPUT, 0, "rd_state" },
		{ "level_bound start", { RMI_RTT_DESTROY, rd, 0, 1 }, INPUT, 0, "level_bound" },
		{ "level_bound 4", { RMI_RTT_DESTROY, rd, 0, 4 }, INPUT, 0, "level_bound" },
		{ "ipa_align", { RMI_RTT_DESTROY, rd, 0x1000, 3 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_RTT_DESTROY, rd, 1ull << 40, 3 }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_RTT_DESTROY, rd, 2 * G1, 3 }, RTT, 1, "rtt_walk" },
		{ "rtte_state", { RMI_RTT_DESTROY, rd, M2, 3 }, RTT, 2, "rtte_state" },
		{ "rtt_live L3", { RMI_RTT_DESTROY, rd, 0, 3 }, RTT, 3, "rtt_live" },
		{ "rtt_live L2", { RMI_RTT_DESTROY, rd, 0, 2 }, RTT, 2, "rtt_live" },
		{ "level_bound before walk", { RMI_RTT_DESTROY, rd, 2 * G1, 4 }, INPUT, 0, "level_bound" },
	};
	FX_ROWS(f, rows);
	/* outputs on failure: missing RTT -> top > ipa; live -> top == ipa */
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, 2 * G1, 3, &rtt, &top), RTT, 1);
	assert_int_equal(top, 512 * G1);  /* nothing live after 2 GiB in that root */
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, M2, 3, &rtt, &top), RTT, 2);
	assert_int_equal(top, G1);        /* end of the level-2 RTT at 0 */
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, 0, 3, &rtt, &top), RTT, 3);
	assert_int_equal(top, 0);
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, 0, 1, &rtt, &top), INPUT, 0);
	assert_int_equal(top, 0);

	/* the unprotected L3 holds only an ASSIGNED_NS entry: not live */
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, w.U, 3, &rtt, &top), RMI_SUCCESS, 0);
	assert_int_equal(rtt, w.l3_ns);
	assert_int_equal(top, w.U + G1);
	assert_int_equal(rmm_granule_state(f->rmm, w.l3_ns), RMM_GRANULE_DELEGATED);
	e = read_entry(f, rd, w.U, 3);
	assert_int_equal(e.walk_level, 2);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, 0);
	/* an empty protected L2 becomes UNASSIGNED + DESTROYED in its parent */
	assert_rmi(rmm_rmi_rtt_destroy(f->rmm, 0, rd, G1, 2, &rtt, &top), RMI_SUCCESS, 0);
	assert_int_equal(rtt, w.l2_1g);
	assert_int_equal(top, w.U > 2 * G1 ? 512 * G1 : top);
	e = read_entry(f, rd, G1, 2);
	assert_int_equal(e.walk_level, 1);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RMI_DESTROYED);
	fx_invariants(f);
}

/* Map 512 contiguous granules at [ipa, ipa + 2 MiB), 2 MiB-aligned PAs. */
static uint64_t fill_l3_with_data(struct fx *f, uint64_t rd, uint64_t ipa, bool unknown)
{
	uint64_t base;

	f->next_rmm = (f->next_rmm + M2 - 1) & ~(M2 - 1);
	base = f->next_rmm;
	for (int i = 0; i < 512; i++) {
		uint64_t d = fx_delegated(f);

		if (unknown)
			assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, rd, d, ipa + i * GRAN),
				   RMI_SUCCESS, 0);
		else
			assert_rmi(rmm_rmi_data_create(f->rmm, 0, rd, d, ipa + i * GRAN,
						       fx_ns_page(f), 0), RMI_SUCCESS, 0);
	}
	return base;
}

static void test_rtt_fold(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, rtt, top, base, data;
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_FOLD, rd + 2, 0, 3 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_FOLD, 0x0, 0, 3 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_FOLD, w.deleg, 0, 3 }, INPUT, 0, "rd_state" },
		{ "level_bound start", { RMI_RTT_FOLD, rd, 0, 1 }, INPUT, 0, "level_bound" },
		{ "level_bound 4", { RMI_RTT_FOLD, rd, 0, 4 }, INPUT, 0, "level_bound" },
		{ "ipa_align", { RMI_RTT_FOLD, rd, 0x1000, 3 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_RTT_FOLD, rd, 1ull << 40, 3 }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_RTT_FOLD, rd, 2 * G1, 3 }, RTT, 1, "rtt_walk" },
		{ "rtte_state", { RMI_RTT_FOLD, rd, M2, 3 }, RTT, 2, "rtte_state" },
		{ "rtt_homo mixed", { RMI_RTT_FOLD, rd, 0, 3 }, RTT, 3, "rtt_homo" },
		{ "rtt_homo table", { RMI_RTT_FOLD, rd, 0, 2 }, RTT, 2, "rtt_homo" },
		{ "rtt_homo NS mixed", { RMI_RTT_FOLD, rd, w.U, 3 }, RTT, 3, "rtt_homo" },
		{ "level_bound before walk", { RMI_RTT_FOLD, rd, 2 * G1, 0 }, INPUT, 0, "level_bound" },
	};
	FX_ROWS(f, rows);

	/* (a) all UNASSIGNED with one RIPAS: an L3 under 1 GiB, folded back */
	{
		uint64_t t = fx_delegated(f);

		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t, G1 + M2, 3), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, G1 + M2, G1 + 2 * M2, &top),
			   RMI_SUCCESS, 0);
		assert_int_equal(top, G1 + 2 * M2);
		assert_rmi(rmm_rmi_rtt_fold(f->rmm, 0, rd, G1 + M2, 3, &rtt), RMI_SUCCESS, 0);
		assert_int_equal(rtt, t);
		assert_int_equal(rmm_granule_state(f->rmm, t), RMM_GRANULE_DELEGATED);
		e = read_entry(f, rd, G1 + M2, 3);
		assert_int_equal(e.walk_level, 2);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		assert_int_equal(e.ripas, RMI_RAM);
	}
	/* (c) all ASSIGNED, contiguous and aligned: a 2 MiB block, then unfold */
	{
		uint64_t t = fx_delegated(f);

		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t, 4 * M2, 3), RMI_SUCCESS, 0);
		base = fill_l3_with_data(f, rd, 4 * M2, false);
		assert_rmi(rmm_rmi_rtt_fold(f->rmm, 0, rd, 4 * M2, 3, &rtt), RMI_SUCCESS, 0);
		assert_int_equal(rtt, t);
		e = read_entry(f, rd, 4 * M2, 2);
		assert_int_equal(e.state, RMI_ASSIGNED);
		assert_int_equal(e.desc, base);
		assert_int_equal(e.ripas, RMI_RAM);
		fx_invariants(f);
		/* DATA_DESTROY inside a block: (RTT, 2) and top == ipa */
		assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 4 * M2 + GRAN, &data, &top), RTT, 2);
		assert_int_equal(top, 4 * M2 + GRAN);
		/* unfold: RTT_CREATE under the block */
		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t, 4 * M2, 3), RMI_SUCCESS, 0);
		e = read_entry(f, rd, 4 * M2 + 5 * GRAN, 3);
		assert_int_equal(e.state, RMI_ASSIGNED);
		assert_int_equal(e.desc, base + 5 * GRAN);
		fx_invariants(f);
		/* a non-contiguous RTT does not fold: swap two pages */
		assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 4 * M2, &data, &top), RMI_SUCCESS, 0);
		assert_int_equal(data, base);
		assert_int_equal(top, 4 * M2 + GRAN);
		assert_rmi(rmm_rmi_rtt_fold(f->rmm, 0, rd, 4 * M2, 3, &rtt), RTT, 3);
	}
	/* (b)/(d) unprotected: all UNASSIGNED_NS folds; contiguous ASSIGNED_NS folds */
	{
		uint64_t t = fx_delegated(f), ns, t2 = fx_delegated(f);

		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t, w.U + M2, 3), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_fold(f->rmm, 0, rd, w.U + M2, 3, &rtt), RMI_SUCCESS, 0);
		e = read_entry(f, rd, w.U + M2, 3);
		assert_int_equal(e.walk_level, 2);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		ns = 0x90000000ull; /* a 2 MiB-aligned NS range (MMIO-like host PA) */
		assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t2, w.U + 2 * M2, 3), RMI_SUCCESS, 0);
		for (int i = 0; i < 512; i++)
			assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, rd, w.U + 2 * M2 + i * GRAN, 3,
							       (ns + i * GRAN) | (3ull << 6)),
				   RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_fold(f->rmm, 0, rd, w.U + 2 * M2, 3, &rtt), RMI_SUCCESS, 0);
		assert_int_equal(rtt, t2);
		e = read_entry(f, rd, w.U + 2 * M2, 2);
		assert_int_equal(e.state, RMI_ASSIGNED);
		assert_int_equal(e.desc, ns | (3ull << 6));
		/* and it unmaps as a level-2 block */
		assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, w.U + 2 * M2, 3, &top), RTT, 2);
		assert_int_equal(top, w.U + 2 * M2);
		assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, w.U + 2 * M2, 2, &top),
			   RMI_SUCCESS, 0);
		assert_int_equal(top, w.U + G1);
	}
	fx_invariants(f);
}

static void test_rtt_read_entry(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, x[18];
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_READ_ENTRY, rd + 2, 0, 3 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_READ_ENTRY, 0x06000000, 0, 3 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_READ_ENTRY, w.l2, 0, 3 }, INPUT, 0, "rd_state" },
		{ "level_bound 0", { RMI_RTT_READ_ENTRY, rd, 0, 0 }, INPUT, 0, "level_bound" },
		{ "level_bound 4", { RMI_RTT_READ_ENTRY, rd, 0, 4 }, INPUT, 0, "level_bound" },
		{ "ipa_align", { RMI_RTT_READ_ENTRY, rd, 0x800, 3 }, INPUT, 0, "ipa_align" },
		{ "ipa_align L2", { RMI_RTT_READ_ENTRY, rd, 0x1000, 2 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_RTT_READ_ENTRY, rd, 1ull << 40, 1 }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, rows);
	e = read_entry(f, rd, 0x1000, 3);
	assert_int_equal(e.walk_level, 3);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_int_equal(e.desc, w.data);
	assert_int_equal(e.ripas, RMI_RAM);
	e = read_entry(f, rd, 0x2000, 3);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.desc, 0);
	assert_int_equal(e.ripas, RMI_RAM);
	e = read_entry(f, rd, 0x3000, 3);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RMI_EMPTY);
	e = read_entry(f, rd, 0, 2);
	assert_int_equal(e.walk_level, 2);
	assert_int_equal(e.state, RMI_TABLE);
	assert_int_equal(e.desc, w.l3);
	assert_int_equal(e.ripas, 0);
	e = read_entry(f, rd, 0, 1);
	assert_int_equal(e.state, RMI_TABLE);
	assert_int_equal(e.desc, w.l2);
	e = read_entry(f, rd, 2 * G1, 3);
	assert_int_equal(e.walk_level, 1);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	e = read_entry(f, rd, w.U + 0x1000, 3);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_int_equal(e.desc, w.ns_mapped | (5ull << 2) | (3ull << 6));
	assert_int_equal(e.ripas, 0);
	e = read_entry(f, rd, w.U, 3);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.desc, 0);
	/* unused result registers are zero */
	memset(x, 0xff, sizeof(x));
	x[0] = RMI_RTT_READ_ENTRY; x[1] = rd; x[2] = 0x1000; x[3] = 3;
	for (int i = 4; i < 18; i++)
		x[i] = 0;
	rmm_smc(f->rmm, 0, x);
	for (int i = 5; i < 18; i++)
		assert_int_equal(x[i], 0);
	/* after DATA_DESTROY: UNASSIGNED, RIPAS DESTROYED */
	{
		uint64_t data, top;

		assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x1000, &data, &top), RMI_SUCCESS, 0);
		e = read_entry(f, rd, 0x1000, 3);
		assert_int_equal(e.state, RMI_UNASSIGNED);
		assert_int_equal(e.ripas, RMI_DESTROYED);
	}
}

static void test_map_unmap_unprotected(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, U, ns, top;
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	U = w.U;
	ns = fx_ns_page(f);
	const struct rmi_row rows[] = {
		{ "attr valid bit", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2000, 3, ns | 1 }, INPUT, 0, "attr_valid" },
		{ "attr AF", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2000, 3, ns | (1 << 10) }, INPUT, 0, "attr_valid" },
		{ "attr XN", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2000, 3, ns | (1ull << 54) }, INPUT, 0, "attr_valid" },
		{ "attr MemAttr 4", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2000, 3, ns | (4 << 2) }, INPUT, 0, "attr_valid" },
		{ "rd_align", { RMI_RTT_MAP_UNPROTECTED, rd + 1, U + 0x2000, 3, ns }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_MAP_UNPROTECTED, 0x06000000, U + 0x2000, 3, ns }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_MAP_UNPROTECTED, w.deleg, U + 0x2000, 3, ns }, INPUT, 0, "rd_state" },
		{ "level_bound 0", { RMI_RTT_MAP_UNPROTECTED, rd, U, 0, ns }, INPUT, 0, "level_bound" },
		{ "level_bound 4", { RMI_RTT_MAP_UNPROTECTED, rd, U, 4, ns }, INPUT, 0, "level_bound" },
		{ "addr_align", { RMI_RTT_MAP_UNPROTECTED, rd, U + M2, 2, 0x90001000 }, INPUT, 0, "addr_align" },
		{ "addr_bound", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2000, 3, 1ull << 48 }, INPUT, 0, "addr_bound" },
		{ "ipa_align", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x2800, 3, ns }, INPUT, 0, "ipa_align" },
		{ "ipa_bound protected", { RMI_RTT_MAP_UNPROTECTED, rd, 0x5000, 3, ns }, INPUT, 0, "ipa_bound" },
		{ "ipa_bound beyond", { RMI_RTT_MAP_UNPROTECTED, rd, 1ull << 40, 3, ns }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_RTT_MAP_UNPROTECTED, rd, U + G1, 3, ns }, RTT, 1, "rtt_walk" },
		{ "rtte_state", { RMI_RTT_MAP_UNPROTECTED, rd, U + 0x1000, 3, ns }, RTT, 3, "rtte_state" },
		{ "level_bound before walk", { RMI_RTT_MAP_UNPROTECTED, rd, U + G1, 4, ns }, INPUT, 0, "level_bound" },
		{ "ipa_bound before walk", { RMI_RTT_MAP_UNPROTECTED, rd, G1 + M2, 3, ns }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, rows);
	const struct rmi_row urows[] = {
		{ "rd_align", { RMI_RTT_UNMAP_UNPROTECTED, rd + 1, U + 0x1000, 3 }, INPUT, 0, "rd_align" },
		{ "rd_state", { RMI_RTT_UNMAP_UNPROTECTED, w.l3, U + 0x1000, 3 }, INPUT, 0, "rd_state" },
		{ "level_bound", { RMI_RTT_UNMAP_UNPROTECTED, rd, U + 0x1000, 0 }, INPUT, 0, "level_bound" },
		{ "ipa_align", { RMI_RTT_UNMAP_UNPROTECTED, rd, U + 0x1004, 3 }, INPUT, 0, "ipa_align" },
		{ "ipa_bound", { RMI_RTT_UNMAP_UNPROTECTED, rd, 0x1000, 3 }, INPUT, 0, "ipa_bound" },
		{ "rtt_walk", { RMI_RTT_UNMAP_UNPROTECTED, rd, U + G1, 3 }, RTT, 1, "rtt_walk" },
		{ "rtte_state", { RMI_RTT_UNMAP_UNPROTECTED, rd, U + 0x3000, 3 }, RTT, 3, "rtte_state" },
		{ "ipa_bound before walk", { RMI_RTT_UNMAP_UNPROTECTED, rd, G1, 3 }, INPUT, 0, "ipa_bound" },
	};
	FX_ROWS(f, urows);
	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U + 0x3000, 3, &top), RTT, 3);
	assert_int_equal(top, U + M2);  /* nothing live after 0x3000 in that L3 */
	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U, 3, &top), RTT, 3);
	assert_int_equal(top, U + 0x1000); /* the next live entry */

	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, rd, U + 0x2000, 3, ns | (3ull << 6)),
		   RMI_SUCCESS, 0);
	e = read_entry(f, rd, U + 0x2000, 3);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_int_equal(e.desc, ns | (3ull << 6));
	/* a level-1 block mapping in the starting RTT */
	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, rd, U + 3 * G1, 1, 0x40000000), RMI_SUCCESS, 0);
	e = read_entry(f, rd, U + 3 * G1, 3);
	assert_int_equal(e.walk_level, 1);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U + 3 * G1, 1, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, U + 512 * G1);

	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U + 0x1000, 3, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, U + 0x2000);
	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U + 0x2000, 3, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, U + M2);
	e = read_entry(f, rd, U + 0x1000, 3);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	fx_invariants(f);
}

/* A realm whose tables start at level 2 (33-bit IPA, 8 starting RTTs): no
 * command may name a level above its starting level, and the unprotected
 * mapping commands (RttLevelIsBlockOrPage(rd, level)) accept 2 and 3 only. */
static void test_levels_above_start(void **state)
{
	struct fx *f = *state;
	struct fx_realm r;
	uint64_t rd, t, U = 1ull << 32, ns, top;
	struct rmi_rtt_entry e;

	fx_realm_create(f, &r, 33, 9);
	assert_int_equal(r.sl, 2);
	rd = r.rd;
	t = fx_delegated(f);
	ns = fx_ns_page(f);
	const struct rmi_row rows[] = {
		{ "CREATE level 1", { RMI_RTT_CREATE, rd, t, 0, 1 }, INPUT, 0, "level_bound" },
		{ "CREATE level 2 (start)", { RMI_RTT_CREATE, rd, t, 0, 2 }, INPUT, 0, "level_bound" },
		{ "DESTROY level 1", { RMI_RTT_DESTROY, rd, 0, 1 }, INPUT, 0, "level_bound" },
		{ "DESTROY level 2", { RMI_RTT_DESTROY, rd, 0, 2 }, INPUT, 0, "level_bound" },
		{ "FOLD level 2", { RMI_RTT_FOLD, rd, 0, 2 }, INPUT, 0, "level_bound" },
		{ "READ_ENTRY level 1", { RMI_RTT_READ_ENTRY, rd, 0, 1 }, INPUT, 0, "level_bound" },
		{ "READ_ENTRY level 0", { RMI_RTT_READ_ENTRY, rd, 0, 0 }, INPUT, 0, "level_bound" },
		{ "MAP level 1", { RMI_RTT_MAP_UNPROTECTED, rd, U, 1, 0x40000000 }, INPUT, 0, "level_bound" },
		{ "MAP level 0", { RMI_RTT_MAP_UNPROTECTED, rd, U, 0, 0 }, INPUT, 0, "level_bound" },
		{ "UNMAP level 1", { RMI_RTT_UNMAP_UNPROTECTED, rd, U, 1 }, INPUT, 0, "level_bound" },
		{ "UNMAP level 0", { RMI_RTT_UNMAP_UNPROTECTED, rd, U, 0 }, INPUT, 0, "level_bound" },
		{ "UNMAP level 2, nothing mapped", { RMI_RTT_UNMAP_UNPROTECTED, rd, U, 2 }, RTT, 2, "rtte_state" },
		{ "MAP level 3, no RTT", { RMI_RTT_MAP_UNPROTECTED, rd, U, 3, ns }, RTT, 2, "rtt_walk" },
	};
	FX_ROWS(f, rows);
	/* level 2 is a block level of this realm: a 2 MiB block in a starting RTT */
	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, rd, U, 2, 0x40000000), RMI_SUCCESS, 0);
	e = read_entry(f, rd, U, 2);
	assert_int_equal(e.walk_level, 2);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, rd, U, 2, &top), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, rd, t, 0, 3), RMI_SUCCESS, 0);
	fx_invariants(f);
}

static void test_init_ripas(void **state)
{
	struct fx *f = *state;
	struct world w;
	uint64_t rd, top;
	uint8_t rim0[64], rim1[64];
	struct rmi_rtt_entry e;

	fx_world(f, &w);
	rd = w.r.rd;
	const struct rmi_row rows[] = {
		{ "rd_align", { RMI_RTT_INIT_RIPAS, rd + 1, 0x3000, 0x4000 }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_RTT_INIT_RIPAS, 0x1c000000, 0x3000, 0x4000 }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_RTT_INIT_RIPAS, w.l3, 0x3000, 0x4000 }, INPUT, 0, "rd_state" },
		{ "size_valid equal", { RMI_RTT_INIT_RIPAS, rd, 0x3000, 0x3000 }, INPUT, 0, "size_valid" },
		{ "size_valid below", { RMI_RTT_INIT_RIPAS, rd, 0x4000, 0x3000 }, INPUT, 0, "size_valid" },
		{ "top_bound", { RMI_RTT_INIT_RIPAS, rd, 0x3000, w.U + 0x1000 }, INPUT, 0, "top_bound" },
		{ "realm_state", { RMI_RTT_INIT_RIPAS, w.act.rd, 0x3000, 0x4000 }, RMI_ERROR_REALM, 0, "realm_state" },
		{ "base_align", { RMI_RTT_INIT_RIPAS, rd, M2 + 0x1000, M2 + 0x2000 }, RTT, 2, "base_align" },
		{ "base_align unaligned", { RMI_RTT_INIT_RIPAS, rd, 0x3008, 0x5000 }, RTT, 3, "base_align" },
		{ "rtte_state ASSIGNED", { RMI_RTT_INIT_RIPAS, rd, 0x1000, 0x2000 }, RTT, 3, "rtte_state" },
		{ "top_gran_align", { RMI_RTT_INIT_RIPAS, rd, 0x3000, 0x3800 }, INPUT, 0, "top_gran_align" },
		{ "no_progress", { RMI_RTT_INIT_RIPAS, rd, M2, M2 + 0x1000 }, RTT, 2, "no_progress" },
		{ "top_gran_align before no_progress", { RMI_RTT_INIT_RIPAS, rd, M2, M2 + 0x800 }, INPUT, 0, "top_gran_align" },
		{ "realm_state before walk", { RMI_RTT_INIT_RIPAS, w.act.rd, 5 * G1, 6 * G1 }, RMI_ERROR_REALM, 0, "realm_state" },
	};
	FX_ROWS(f, rows);

	assert_int_equal(rmm_realm_measurement(f->rmm, rd, 0, rim0), RMM_OK);
	/* stops at the ASSIGNED entry? no: starts after it, runs to the RTT's end */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, 0x3000, G1, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, M2);
	/* an already-RAM entry is processed (and measured) again */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, 0x2000, 0x3000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x3000);
	assert_int_equal(rmm_realm_measurement(f->rmm, rd, 0, rim1), RMM_OK);
	assert_memory_not_equal(rim0, rim1, 64);
	/* at level 2: 2 MiB entries up to the end of the L2 RTT */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, M2, 5 * G1, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, G1);
	e = read_entry(f, rd, 7 * M2, 2);
	assert_int_equal(e.ripas, RMI_RAM);
	/* at level 1 (no L2 at 2 GiB): 1 GiB entries, stops before top */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, 2 * G1, 4 * G1 + M2, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 4 * G1);
	/* a DESTROYED entry stops it */
	{
		uint64_t data, t2;

		assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, rd, 0x1000, &data, &t2), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, 0x1000, 0x2000, &top), RTT, 3);
		assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, rd, 0, 0x3000, &top), RMI_SUCCESS, 0);
		assert_int_equal(top, 0x1000);
	}
	fx_invariants(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtt_create, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_fold, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_read_entry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_map_unmap_unprotected, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_init_ripas, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_levels_above_start, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
