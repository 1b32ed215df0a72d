/* REC_CREATE and REC_DESTROY. */
#include <openssl/sha.h>

#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT

static struct rmi_rec_params *RP(struct fx *f, uint64_t pp)
{
	return rmm_ns_ptr(f->rmm, pp);
}

static void test_rec_create_failures(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct fx_rec c, bad[8];
	uint64_t pp, p[8], rd;

	fx_world(f, &w);
	rd = w.r.rd;
	pp = fx_rec_params(f, 0, true, 0x1000, &c);
	for (int i = 0; i < 8; i++)
		p[i] = fx_rec_params(f, 0, true, 0x1000, &bad[i]);
	RP(f, p[0])->num_aux = 17;
	RP(f, p[1])->aux[3] = RP(f, p[1])->aux[2];        /* duplicate */
	RP(f, p[2])->aux[5] = bad[2].rec;                  /* == rec */
	RP(f, p[3])->aux[7] = w.undeleg;                   /* aux_state */
	RP(f, p[4])->aux[0] = w.undeleg + 8;               /* aux_align */
	RP(f, p[5])->mpidr = rmi_rec_mpidr(1);             /* index 1, next is 0 */
	RP(f, p[6])->mpidr = 0x10;                         /* aff0[7:4] set */
	RP(f, p[7])->num_aux = 15;
	const struct rmi_row rows[] = {
		{ "params_align", { RMI_REC_CREATE, rd, c.rec, pp + 8 }, INPUT, 0, "params_align" },
		{ "params_bound", { RMI_REC_CREATE, rd, c.rec, 0x06000000 }, INPUT, 0, "params_bound" },
		{ "params_pas", { RMI_REC_CREATE, rd, c.rec, w.deleg }, INPUT, 0, "params_pas" },
		{ "rec_align", { RMI_REC_CREATE, rd, c.rec + 1, pp }, INPUT, 0, "rec_align" },
		{ "rec_bound", { RMI_REC_CREATE, rd, 0x1c000000, pp }, INPUT, 0, "rec_bound" },
		{ "rec_state undelegated", { RMI_REC_CREATE, rd, w.undeleg, pp }, INPUT, 0, "rec_state" },
		{ "rec_state DATA", { RMI_REC_CREATE, rd, w.data, pp }, INPUT, 0, "rec_state" },
		{ "rec_state RD", { RMI_REC_CREATE, rd, rd, pp }, INPUT, 0, "rec_state" },
		{ "rd_align", { RMI_REC_CREATE, rd + 1, c.rec, pp }, INPUT, 0, "rd_align" },
		{ "rd_bound", { RMI_REC_CREATE, 0x06000000, c.rec, pp }, INPUT, 0, "rd_bound" },
		{ "rd_state", { RMI_REC_CREATE, w.l2, c.rec, pp }, INPUT, 0, "rd_state" },
		{ "num_aux 17", { RMI_REC_CREATE, rd, bad[0].rec, p[0] }, INPUT, 0, "num_aux" },
		{ "aux_alias dup", { RMI_REC_CREATE, rd, bad[1].rec, p[1] }, INPUT, 0, "aux_alias" },
		{ "aux_alias rec", { RMI_REC_CREATE, rd, bad[2].rec, p[2] }, INPUT, 0, "aux_alias" },
		{ "aux_state", { RMI_REC_CREATE, rd, bad[3].rec, p[3] }, INPUT, 0, "aux_state" },
		{ "aux_align", { RMI_REC_CREATE, rd, bad[4].rec, p[4] }, INPUT, 0, "aux_align" },
		{ "realm_state", { RMI_REC_CREATE, w.act.rd, c.rec, pp }, RMI_ERROR_REALM, 0, "realm_state" },
		{ "mpidr_index", { RMI_REC_CREATE, rd, bad[5].rec, p[5] }, INPUT, 0, "mpidr_index" },
		{ "mpidr encoding", { RMI_REC_CREATE, rd, bad[6].rec, p[6] }, INPUT, 0, "mpidr_index" },
		{ "num_aux 15", { RMI_REC_CREATE, rd, bad[7].rec, p[7] }, INPUT, 0, "num_aux" },
	};
	FX_ROWS(f, rows);
	assert_rmi(rmm_rmi_rec_create(f->rmm, 0, rd, c.rec, pp), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, c.rec), RMM_GRANULE_REC);
	for (int i = 0; i < 16; i++)
		assert_int_equal(rmm_granule_state(f->rmm, c.aux[i]), RMM_GRANULE_REC_AUX);
	/* the next one must be index 1; a REC makes the realm live */
	assert_rmi(rmm_rmi_rec_create(f->rmm, 0, rd, bad[5].rec, p[5]), RMI_SUCCESS, 0);
	fx_invariants(f);
	assert_rmi(rmm_rmi_realm_destroy(f->rmm, 0, rd), RMI_ERROR_REALM, 0);
}

static void test_rec_destroy(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct fx_rec c;

	fx_world(f, &w);
	fx_rec_create(f, &w.r, 0, true, 0, &c);
	const struct rmi_row rows[] = {
		{ "rec_align", { RMI_REC_DESTROY, c.rec + 1 }, INPUT, 0, "rec_align" },
		{ "rec_bound", { RMI_REC_DESTROY, 0x06000000 }, INPUT, 0, "rec_bound" },
		{ "rec_gran_state aux", { RMI_REC_DESTROY, c.aux[0] }, INPUT, 0, "rec_state" },
		{ "rec_gran_state RD", { RMI_REC_DESTROY, w.r.rd }, INPUT, 0, "rec_state" },
	};
	FX_ROWS(f, rows);
	assert_rmi(rmm_rmi_rec_destroy(f->rmm, 0, c.rec), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, c.rec), RMM_GRANULE_DELEGATED);
	for (int i = 0; i < 16; i++)
		assert_int_equal(rmm_granule_state(f->rmm, c.aux[i]), RMM_GRANULE_DELEGATED);
	fx_invariants(f);
	/* the MPIDR index keeps counting: a new REC must be index 1 */
	{
		struct fx_rec c2;
		uint64_t pp = fx_rec_params(f, 0, true, 0, &c2);

		assert_rmi(rmm_rmi_rec_create(f->rmm, 0, w.r.rd, c2.rec, pp), INPUT, 0);
		RP(f, pp)->mpidr = rmi_rec_mpidr(1);
		assert_rmi(rmm_rmi_rec_create(f->rmm, 0, w.r.rd, c2.rec, pp), RMI_SUCCESS, 0);
	}
}

/* The 1024th REC: num_recs (2^MAX_RECS_ORDER - 1 RECs at most). */
static void test_rec_num_recs(void **state)
{
	struct fx *f = *state;
	struct fx_realm r;
	struct fx_rec c;
	uint64_t feat;
	unsigned int max;

	rmm_rmi_features(f->rmm, 0, 0, &feat);
	max = (1u << RMI_FEAT0_MAX_RECS_ORDER(feat)) - 1;
	uint64_t pp;

	fx_realm_create(f, &r, 40, 9);
	pp = fx_rec_params(f, 0, false, 0, &c);
	for (unsigned int i = 0; i < max; i++) {
		/* the same granules each time: destroying keeps the index moving */
		RP(f, pp)->mpidr = rmi_rec_mpidr(i);
		assert_rmi(rmm_rmi_rec_create(f->rmm, 0, r.rd, c.rec, pp), RMI_SUCCESS, 0);
		if (i + 1 < max)
			assert_rmi(rmm_rmi_rec_destroy(f->rmm, 0, c.rec), RMI_SUCCESS, 0);
	}
	{
		struct fx_rec c2;
		uint64_t pp2 = fx_rec_params(f, max, false, 0, &c2);

		assert_rmi(rmm_rmi_rec_create(f->rmm, 0, r.rd, c2.rec, pp2), RMI_ERROR_REALM, 0);
		assert_non_null(strstr(rmm_last_reason(f->rmm, 0), "num_recs"));
	}
	fx_invariants(f);
}

static void test_rec_rim(void **state)
{
	struct fx *f = *state;
	struct fx_realm r;
	struct fx_rec c;
	uint8_t before[64], after[64], page[4096] = { 0 }, d[256] = { 0 }, want[64] = { 0 };
	uint64_t pp, v;

	fx_realm_create(f, &r, 40, 3);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, before), RMM_OK);
	fx_rec_create(f, &r, 0, false, 0x8000, &c);   /* not runnable: not measured */
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, after), RMM_OK);
	assert_memory_equal(before, after, 64);
	pp = fx_rec_params(f, 1, true, 0x8000, &c);
	RP(f, pp)->flags = 0xf01;  /* reserved bits are measured raw */
	assert_rmi(rmm_rmi_rec_create(f->rmm, 0, r.rd, c.rec, pp), RMI_SUCCESS, 0);
	v = 0xf01;
	memcpy(page, &v, 8);
	v = 0x8000;
	memcpy(page + 0x200, &v, 8);
	for (int i = 0; i < 8; i++) {
		v = 0x100 + (uint64_t)i;
		memcpy(page + 0x300 + 8 * i, &v, 8);
	}
	d[0] = 1;
	v = 0x100;
	memcpy(d + 8, &v, 8);
	memcpy(d + 0x10, before, 64);
	SHA256(page, sizeof(page), d + 0x50);
	SHA256(d, sizeof(d), want);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, after), RMM_OK);
	assert_memory_equal(want, after, 64);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rec_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rec_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rec_num_recs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rec_rim, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
