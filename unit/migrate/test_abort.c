/*
 * Abort at every step on both sides. Before its end record the source
 * aborts on its own and runs again (REC_ENTER is accepted, write permission
 * is back, a second export round-trips); after it only with a valid abort
 * token from a destination that has not committed. A destination aborted
 * at any step is destroy-only and leaks nothing.
 */
#include "mig_world.h"

static const struct mw_shape small = { "small", 40, RMI_HASH_SHA_256, 2, 0, 1, 0 };

enum step { S_START, S_LAYOUT, S_ROUND, S_EPOCH, S_PAUSE, S_REC, S_END, S_NSTEPS };

static void run_to(struct mw *w, enum step last)
{
	struct km_src *s = &w->ks;

	assert_int_equal(km_export_start(s, 0x100), 0);
	if (last >= S_LAYOUT)
		assert_int_equal(km_export_layout(s), 0);
	if (last >= S_ROUND)
		assert_int_equal(km_export_round(s, 0, NULL), 0);
	if (last >= S_EPOCH)
		assert_int_equal(km_export_epoch(s), 0);
	if (last >= S_PAUSE)
		assert_int_equal(km_export_pause(s), 0);
	if (last >= S_REC)
		assert_int_equal(km_export_recs(s, w->v, w->sh.nrecs), 0);
	if (last >= S_END) {
		assert_int_equal(km_export_round(s, 0, NULL), 0);
		assert_int_equal(km_export_end(s), 0);
	}
}

/* The source runs again and a second session migrates it completely. */
static void second_export(struct mw *w, uint64_t session)
{
	unsigned int st;

	assert_int_equal(rmm_mig_state(w->src, w->r.rd, &st, NULL), RMM_OK);
	assert_int_equal(st, RMM_MIG_NONE);
	assert_int_equal(rmm_rmi_rec_enter(w->src, 0, w->v[0].rec, w->v[0].run), RMI_SUCCESS);
	mw_queue_free(&w->q);
	memset(&w->kd, 0, sizeof(w->kd));
	mw_export(w, session);
	assert_int_equal(mw_import(w, session, (size_t)-1), 0);
	mw_compare(w, 1u << 20);
}

static void test_source_abort_before_end(void **state)
{
	for (enum step s = S_START; s < S_END; s++) {
		struct mw *w = calloc(1, sizeof(*w));

		mw_build(w, &small);
		mw_keys(w, 0x100, 1);
		assert_int_equal(km_src_init(&w->ks, &w->hs, &w->r, mw_emit, &w->q), 0);
		run_to(w, s);
		/* paused, ended: REC_ENTER refused */
		if (s >= S_PAUSE)
			assert_int_equal(rmm_rmi_rec_enter(w->src, 0, w->v[0].rec, w->v[0].run),
					 RMI_RETURN(RMI_ERROR_REALM, 2));
		assert_int_equal(rmm_mig_export_abort(w->src, 0, w->r.rd, 0), RMI_SUCCESS);
		/* the keys of 0x100 are spent: a restart needs new ones */
		assert_int_equal(rmm_mig_export_start(w->src, 0, w->r.rd, 0x100, w->ks.out, NULL),
				 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_KEY));
		second_export(w, 0x200 + s);
		mw_teardown(w);
		free(w);
	}
}

static void test_source_after_end_needs_token(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	uint8_t old_token[256], tok[256];
	uint64_t len, tok_pa;
	size_t n;

	mw_build(w, &small);
	mw_export(w, 0x300);
	/* no token, a page of zeros, a flipped token: refused */
	tok_pa = kh_alloc(&w->hs);
	assert_int_equal(rmm_mig_export_abort(w->src, 0, w->r.rd, tok_pa),
			 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_TOKEN));
	/* the destination imports half, then aborts: its token */
	n = w->q.n / 2;
	assert_int_equal(km_import_start(&w->kd, &w->hd, 40, 9, 0x300, w->q.r[0].b, w->q.r[0].len), 0);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
	assert_int_equal(rmm_mig_import_abort(w->dst, 0, w->kd.r.rd, w->kd.in, &len), RMI_SUCCESS);
	assert_int_equal(len, RMM_MIG_HDR_SIZE + 24 + RMM_MIG_TAG_SIZE);
	assert_int_equal(rmm_host_read(w->dst, w->kd.in, tok, len), RMM_OK);
	/* the destination is destroy-only now */
	assert_int_equal(km_import_record(&w->kd, w->q.r[n].b, w->q.r[n].len), -1);
	assert_int_equal(w->kd.status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_FAILED));
	assert_int_equal(rmm_mig_import_commit(w->dst, 0, w->kd.r.rd),
			 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_FAILED));
	for (size_t b = 0; b < len; b++) {
		tok[b] ^= 1;
		assert_int_equal(rmm_host_write(w->src, tok_pa, tok, len), RMM_OK);
		assert_int_equal(rmm_mig_export_abort(w->src, 0, w->r.rd, tok_pa),
				 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_TOKEN));
		tok[b] ^= 1;
	}
	assert_int_equal(rmm_rmi_rec_enter(w->src, 0, w->v[0].rec, w->v[0].run),
			 RMI_RETURN(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_host_write(w->src, tok_pa, tok, len), RMM_OK);
	assert_int_equal(rmm_mig_export_abort(w->src, 0, w->r.rd, tok_pa), RMI_SUCCESS);
	memcpy(old_token, tok, len);
	/* the failed destination goes; the source exports again to the end */
	for (unsigned int i = 0; i < w->kd.nvcpu; i++)
		assert_int_equal(kh_vcpu_destroy(&w->hd, &w->kd.vcpus[i]), 0);
	assert_int_equal(kh_realm_destroy(&w->hd, &w->kd.r), 0);
	if (w->kd.spare)
		assert_int_equal(kh_undelegate_free(&w->hd, w->kd.spare), 0);
	mw_census(w->dst);
	mw_queue_free(&w->q);
	memset(&w->kd, 0, sizeof(w->kd));
	mw_export(w, 0x301);
	/* the old session's token does not end the new session */
	assert_int_equal(rmm_host_write(w->src, tok_pa, old_token, len), RMM_OK);
	assert_int_equal(rmm_mig_export_abort(w->src, 0, w->r.rd, tok_pa),
			 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_TOKEN));
	assert_int_equal(mw_import(w, 0x301, (size_t)-1), 0);
	mw_compare(w, 1u << 20);
	/* committed: no token can be made; the source stays destroy-only */
	assert_int_equal(rmm_mig_import_abort(w->dst, 0, w->kd.r.rd, w->kd.in, NULL),
			 RMI_RETURN(RMI_ERROR_REALM, 2));
	assert_int_equal(rmm_rmi_rec_enter(w->src, 0, w->v[0].rec, w->v[0].run),
			 RMI_RETURN(RMI_ERROR_REALM, 2));
	kh_free(&w->hs, tok_pa);
	mw_teardown(w);
	free(w);
}

static void test_destination_abort_every_step(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	size_t total;

	mw_build(w, &small);
	mw_export(w, 0x400);
	total = w->q.n;
	for (size_t k = 1; k <= total; k++) {
		uint8_t kf[32], kb[32];
		unsigned int st;

		if (k > 1) {
			/* a fresh destination machine per attempt (keys are one-shot) */
			rmm_destroy(w->dst);
			w->dst = mw_machine(0);
			kh_fini(&w->hd);
			kh_init(&w->hd, w->dst, 0x80000000ull, MW_DRAM);
			for (int i = 0; i < 32; i++) {
				kf[i] = (uint8_t)(0x00 + i);
				kb[i] = (uint8_t)(0x80 + i);
			}
			assert_int_equal(rmm_mig_key_install(w->dst, 0x400, RMM_MIG_FWD, kf), RMM_OK);
			assert_int_equal(rmm_mig_key_install(w->dst, 0x400, RMM_MIG_BWD, kb), RMM_OK);
		}
		memset(&w->kd, 0, sizeof(w->kd));
		assert_int_equal(km_import_start(&w->kd, &w->hd, 40, 9, 0x400, w->q.r[0].b,
						 w->q.r[0].len), 0);
		for (size_t i = 1; i < k && i < total; i++)
			assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
		assert_int_equal(rmm_mig_import_abort(w->dst, 0, w->kd.r.rd, w->kd.in, NULL),
				 RMI_SUCCESS);
		assert_int_equal(rmm_mig_state(w->dst, w->kd.r.rd, &st, NULL), RMM_OK);
		assert_int_equal(st, RMM_MIG_IMPORT_FAILED);
		assert_int_equal(rmm_rmi_rec_enter(w->dst, 0, w->kd.nvcpu ? w->kd.vcpus[0].rec : 0,
						   w->kd.in), w->kd.nvcpu ?
				 RMI_RETURN(RMI_ERROR_REALM, 2) : RMI_RETURN(RMI_ERROR_INPUT, 0));
		for (unsigned int i = 0; i < w->kd.nvcpu; i++)
			assert_int_equal(kh_vcpu_destroy(&w->hd, &w->kd.vcpus[i]), 0);
		assert_int_equal(kh_realm_destroy(&w->hd, &w->kd.r), 0);
		if (w->kd.spare)
			assert_int_equal(kh_undelegate_free(&w->hd, w->kd.spare), 0);
		mw_census(w->dst);
	}
	memset(&w->kd, 0, sizeof(w->kd));
	mw_teardown(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_abort_before_end),
		cmocka_unit_test(test_source_after_end_needs_token),
		cmocka_unit_test(test_destination_abort_every_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
