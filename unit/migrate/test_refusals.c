/*
 * The failure conditions of every migration command, and the RMI commands
 * a migration state refuses: each refusal with its status, nothing changed.
 */
#include "mig_world.h"

static const struct mw_shape small = { "small", 40, RMI_HASH_SHA_256, 2, 0, 1, 0 };

#define ST(s, i) RMI_RETURN((s), (i))

static void test_source_refusals(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	struct rmm *r;
	uint64_t out, list, ns, ret, next, n, len, spare, sec = 0x06000000ull;
	struct km_src *s = &w->ks;
	uint64_t ipas[2] = { 0x1000, 0x1000 };

	mw_build(w, &small);
	r = w->src;
	assert_int_equal(km_src_init(s, &w->hs, &w->r, mw_emit, &w->q), 0);
	out = s->out;
	list = s->list;
	ns = kh_alloc(&w->hs);
	/* before a session */
	assert_int_equal(rmm_mig_export_start(r, 0, w->r.rd + 8, 1, out, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_start(r, 0, w->r.rd, 1, out, NULL), ST(RMI_ERROR_MIG, RMI_MIG_KEY));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 1, out, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_layout(r, 0, w->r.rd, 0, 0, out, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_epoch(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_pause(r, 0, w->r.rd), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_rec(r, 0, w->r.rd, w->v[0].rec, 0, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_abort(r, 0, w->r.rd, 0), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_dirty(r, 0, w->r.rd, 0, list, NULL, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_import_commit(r, 0, w->r.rd), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_import_abort(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_import(r, 0, w->r.rd, out, 1, list, NULL, NULL, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	mw_keys(w, 0x77, 7);
	assert_int_equal(rmm_mig_export_start(r, 0, w->r.rd, 0x77, sec, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_start(r, 0, w->r.rd, 0x77, w->v[0].rec, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(km_export_start(s, 0x77), 0);
	assert_int_equal(rmm_mig_export_start(r, 0, w->r.rd, 0x77, out, NULL), ST(RMI_ERROR_REALM, 2));
	/* LIVE: the RMI commands that would change what was exported */
	assert_int_equal(rmm_rmi_data_destroy(r, 0, w->r.rd, 0x1000, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	spare = kh_alloc_delegated(&w->hs);
	assert_int_equal(rmm_rmi_data_create_unknown(r, 0, w->r.rd, spare, 0x100000),
			 ST(RMI_ERROR_REALM, 2));
	assert_int_equal(kh_undelegate_free(&w->hs, spare), 0);
	assert_int_equal(rmm_rmi_rtt_fold(r, 0, w->r.rd, 0, 3, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_rmi_rtt_destroy(r, 0, w->r.rd, 0, 3, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_rmi_rec_destroy(r, 0, w->v[1].rec), ST(RMI_ERROR_REALM, 2));
	/* EXPORT_PAGES */
	assert_int_equal(rmm_host_write(r, list, ipas, 16), RMM_OK);
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 8, list, 1, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 0, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 65, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, sec, 1, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 1, sec, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	ret = rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 2, out, &n, &len);
	assert_int_equal(ret, ST(RMI_ERROR_MIG, RMI_MIG_DUPLICATE));
	assert_int_equal(n, 1);
	/* the first page's record was made: it goes on the wire */
	assert_int_equal(len, RMM_MIG_PAGE_RECORD);
	mw_emit(&w->q, 0, rmm_ns_ptr(r, out), len);
	ipas[0] = 0x1008;
	ipas[1] = 1ull << 39;
	assert_int_equal(rmm_host_write(r, list, ipas, 16), RMM_OK);
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list, 1, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_pages(r, 0, w->r.rd, 0, list + 8, 1, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	/* LAYOUT, DIRTY, EPOCH */
	assert_int_equal(rmm_mig_export_layout(r, 0, w->r.rd, 8, 0, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_layout(r, 0, w->r.rd, 0, 0x1000, out, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_layout(r, 0, w->r.rd, 0, 0, sec, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_dirty(r, 0, w->r.rd, 8, list, NULL, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_dirty(r, 0, w->r.rd, 0, sec, NULL, NULL, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_dirty(r, 0, w->r.rd, 0, list, &n, &next, NULL), RMI_SUCCESS);
	assert_true(n > 0);
	assert_int_equal(rmm_mig_export_epoch(r, 0, w->r.rd, sec, NULL), ST(RMI_ERROR_INPUT, 0));
	/* REC and END before the pause */
	assert_int_equal(rmm_mig_export_rec(r, 0, w->r.rd, w->v[0].rec, 0, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(km_export_pause(s), 0);
	assert_int_equal(rmm_mig_export_pause(r, 0, w->r.rd), ST(RMI_ERROR_REALM, 2));
	/* END: incomplete layout, RECs, pages; output buffer */
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, sec, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_MIG, RMI_MIG_INCOMPLETE));
	assert_int_equal(km_export_layout(s), 0);
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_MIG, RMI_MIG_INCOMPLETE));
	/* REC: stream, owner, output, twice */
	assert_int_equal(rmm_mig_export_rec(r, 0, w->r.rd, w->v[0].rec, 8, out, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_export_rec(r, 0, w->r.rd, w->v[0].rec, 0, sec, NULL), ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(km_export_recs(s, w->v, 2), 0);
	assert_int_equal(rmm_mig_export_rec(r, 0, w->r.rd, w->v[0].rec, 0, out, NULL),
			 ST(RMI_ERROR_MIG, RMI_MIG_DUPLICATE));
	assert_int_equal(rmm_mig_export_end(r, 0, w->r.rd, out, NULL), ST(RMI_ERROR_MIG, RMI_MIG_INCOMPLETE));
	/* PAUSED: PSCI_COMPLETE and REC_ENTER refused too */
	assert_int_equal(rmm_rmi_rec_enter(r, 0, w->v[0].rec, w->v[0].run), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(km_export_round(s, 0, NULL), 0);
	assert_int_equal(km_export_end(s), 0);
	assert_int_equal(rmm_mig_export_dirty(r, 0, w->r.rd, 0, list, NULL, NULL, NULL), ST(RMI_ERROR_REALM, 2));
	assert_int_equal(mw_import(w, 0x77, (size_t)-1), 0);
	kh_free(&w->hs, ns);
	mw_teardown(w);
	free(w);
}

static void test_destination_refusals(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	struct rmm *d;
	struct rmi_rec_params *p;
	uint64_t params, rec, ret;
	unsigned int st;

	mw_build(w, &small);
	mw_export(w, 0x78);
	d = w->dst;
	assert_int_equal(km_import_start(&w->kd, &w->hd, 40, 9, 0x78, w->q.r[0].b, w->q.r[0].len), 0);
	assert_int_equal(rmm_mig_import(d, 0, w->kd.r.rd, w->kd.in, 0, w->kd.grans, NULL, NULL, NULL, NULL),
			 ST(RMI_ERROR_INPUT, 0));
	assert_int_equal(rmm_mig_import(d, 0, w->kd.r.rd, 0x06000000ull, 1, w->kd.grans, NULL, NULL, NULL,
					NULL), ST(RMI_ERROR_INPUT, 0));
	/* IMPORTING: no REC_CREATE, DATA_CREATE, DATA_CREATE_UNKNOWN */
	rec = kh_alloc_delegated(&w->hd);
	assert_int_equal(rmm_rmi_data_create_unknown(d, 0, w->kd.r.rd, rec, 0x100000),
			 ST(RMI_ERROR_REALM, 2));
	/* IMPORT_REC: its params */
	params = kh_alloc(&w->hd);
	p = rmm_ns_ptr(d, params);
	p->num_aux = 3;
	assert_int_equal(rmm_mig_import_rec(d, 0, w->kd.r.rd, rec, params, w->kd.in), ST(RMI_ERROR_INPUT, 0));
	p->num_aux = 16;
	for (int i = 0; i < 16; i++)
		p->aux[i] = rec;
	assert_int_equal(rmm_mig_import_rec(d, 0, w->kd.r.rd, rec, params, w->kd.in), ST(RMI_ERROR_INPUT, 0));
	for (int i = 0; i < 16; i++)
		p->aux[i] = kh_alloc_delegated(&w->hd);
	/* a page record where a REC record belongs: fatal */
	assert_int_equal(rmm_host_write(d, w->kd.in, w->q.r[1].b, w->q.r[1].len), RMM_OK);
	ret = rmm_mig_import_rec(d, 0, w->kd.r.rd, rec, params, w->kd.in);
	assert_int_equal(RMI_RETURN_STATUS(ret), RMI_ERROR_MIG);
	assert_int_equal(rmm_mig_state(d, w->kd.r.rd, &st, NULL), RMM_OK);
	assert_int_equal(st, RMM_MIG_IMPORT_FAILED);
	assert_int_equal(rmm_mig_import_rec(d, 0, w->kd.r.rd, rec, params, w->kd.in),
			 ST(RMI_ERROR_MIG, RMI_MIG_FAILED));
	assert_int_equal(rmm_mig_import_commit(d, 0, w->kd.r.rd), ST(RMI_ERROR_MIG, RMI_MIG_FAILED));
	assert_int_equal(rmm_mig_import(d, 0, w->kd.r.rd, w->kd.in, 1, w->kd.grans, NULL, NULL, NULL, NULL),
			 ST(RMI_ERROR_MIG, RMI_MIG_FAILED));
	for (int i = 0; i < 16; i++)
		assert_int_equal(kh_undelegate_free(&w->hd, p->aux[i]), 0);
	assert_int_equal(kh_undelegate_free(&w->hd, rec), 0);
	mw_teardown(w);
	free(w);
}

static void test_library_calls(void **state)
{
	struct rmm *r = mw_machine_size(8ull << 20, 0);
	uint8_t key[32] = { 0 };
	unsigned int st;
	int i;

	assert_int_equal(rmm_mig_key_install(r, 1, 2, key), RMM_EINVAL);
	assert_int_equal(rmm_mig_key_install(NULL, 1, 0, key), RMM_EINVAL);
	assert_int_equal(rmm_mig_state(r, 0x80000000ull, &st, NULL), RMM_EINVAL);
	assert_int_equal(rmm_mig_state(r, 1, &st, NULL), RMM_EINVAL);
	for (i = 0; i < 64; i++)
		assert_int_equal(rmm_mig_key_install(r, 100 + i, 0, key), RMM_OK);
	assert_int_equal(rmm_mig_key_install(r, 1000, 0, key), RMM_ENOMEM);
	assert_string_equal(rmm_mig_reason_name(RMI_MIG_AUTH), "AUTH");
	assert_string_equal(rmm_mig_reason_name(0), "?");
	rmm_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_refusals),
		cmocka_unit_test(test_destination_refusals),
		cmocka_unit_test(test_library_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
