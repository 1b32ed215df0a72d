/*
 * The destination refuses every altered stream with a named reason and is
 * left destroy-only with nothing leaked: every single-bit flip of one record
 * of each type, truncation at every record, a dropped record, reordering,
 * replays (same epoch, later epoch, another session), wrong keys, a second
 * destination, and authenticated records the source would never make.
 */
#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "mig_world.h"

#define SESSION 0x7a7a
static const struct mw_shape small = { "small", 40, RMI_HASH_SHA_256, 2, 0, 1, 0 };

/* Import q (with record k replaced by alt, or dropped if alt_len == 0 and
 * drop) into a fresh destination realm. Returns 0 if committed. */
static int trial(struct mw *w, struct mw_queue *q, size_t k, const uint8_t *alt, size_t alt_len,
		 uint64_t *status)
{
	int rc = 0;

	w->kd.status = 0;
	for (size_t i = 0; i < q->n && !rc; i++) {
		const uint8_t *b = i == k && alt ? alt : q->r[i].b;
		size_t len = i == k && alt ? alt_len : q->r[i].len;

		if (i == k && !alt)
			continue;   /* dropped */
		if (i == 0)
			rc = km_import_start(&w->kd, &w->hd, w->sh.ipa_bits, 9, SESSION, b, len);
		else
			rc = km_import_record(&w->kd, b, len);
	}
	if (!rc)
		rc = km_import_commit(&w->kd);
	*status = w->kd.status;
	return rc;
}

/* Destroy the destination realm (if it was created) and check nothing leaks. */
static void dst_reset(struct mw *w)
{
	struct rmm_stats st;
	char why[256];

	if (w->kd.r.rd && rmm_granule_state(w->dst, w->kd.r.rd) == RMM_GRANULE_RD) {
		unsigned int ms;

		assert_int_equal(rmm_mig_state(w->dst, w->kd.r.rd, &ms, NULL), RMM_OK);
		if (ms != RMM_MIG_NONE)
			assert_int_equal(ms, RMM_MIG_IMPORT_FAILED);
		for (unsigned int i = 0; i < w->kd.nvcpu; i++)
			assert_int_equal(kh_vcpu_destroy(&w->hd, &w->kd.vcpus[i]), 0);
		assert_int_equal(kh_realm_destroy(&w->hd, &w->kd.r), 0);
	}
	if (w->kd.spare)
		assert_int_equal(kh_undelegate_free(&w->hd, w->kd.spare), 0);
	memset(&w->kd, 0, sizeof(w->kd));
	assert_int_equal(rmm_check_invariants(w->dst, why, sizeof(why)), RMM_OK);
	rmm_get_stats(w->dst, &st);
	assert_int_equal(st.delegated, 0);
}

static uint64_t expect_refused(struct mw *w, struct mw_queue *q, size_t k, const uint8_t *alt,
			       size_t len, const char *what)
{
	uint64_t status;

	/* each trial needs the keys again: a session start consumed them */
	if (trial(w, q, k, alt, len, &status) == 0)
		fail_msg("%s: record %zu: the import was accepted", what, k);
	if (RMI_RETURN_STATUS(status) != RMI_ERROR_MIG)
		fail_msg("%s: record %zu: status 0x%llx is not a migration refusal (%s)", what, k,
			 (unsigned long long)status, rmm_last_reason(w->dst, 0));
	dst_reset(w);
	return status;
}


/* A fresh key pair on the destination for SESSION (the source's are the
 * queue's); the destination's slot for SESSION is replaced by forgetting
 * it: we use one destination instance per trial key via reinstalls. */
static void dst_keys(struct mw *w, const uint8_t kf[32], const uint8_t kb[32])
{
	/* the destination instance is recreated so SESSION's slot is free */
	rmm_destroy(w->dst);
	w->dst = mw_machine_size(16ull << 20, 0);
	kh_fini(&w->hd);
	kh_init(&w->hd, w->dst, 0x80000000ull, 16ull << 20);
	w->hd.quiet = 1;
	assert_int_equal(rmm_mig_key_install(w->dst, SESSION, RMM_MIG_FWD, kf), RMM_OK);
	assert_int_equal(rmm_mig_key_install(w->dst, SESSION, RMM_MIG_BWD, kb), RMM_OK);
}

static void keys_of(uint8_t tag, uint8_t kf[32], uint8_t kb[32])
{
	for (int i = 0; i < 32; i++) {
		kf[i] = (uint8_t)(tag + i);
		kb[i] = (uint8_t)(0x80 + tag + i);
	}
}

static struct mw *setup_world(void)
{
	struct mw *w = calloc(1, sizeof(*w));

	mw_build(w, &small);
	mw_export(w, SESSION);
	w->hd.quiet = 1;
	return w;
}

static void done_world(struct mw *w)
{
	uint8_t kf[32], kb[32];

	keys_of((uint8_t)SESSION, kf, kb);
	dst_keys(w, kf, kb);
	mw_teardown(w);
	free(w);
}

static void test_flip_every_byte(void **state)
{
	struct mw *w = setup_world();
	uint8_t kf[32], kb[32], *buf = malloc(RMM_MIG_MAX_RECORD);
	bool seen[8] = { false };
	unsigned long trials = 0;
	uint64_t status;

	keys_of((uint8_t)SESSION, kf, kb);
	for (size_t k = 0; k < w->q.n; k++) {
		unsigned int type = km_record_type(w->q.r[k].b);
		size_t len = w->q.r[k].len;
		bool zero = type == RMM_MIG_REC_PAGE && len == 96;

		/* one record of each type, a DATA and a ZERO page */
		if (type >= 8 || (seen[type] && !(zero && !seen[0])))
			continue;
		if (zero)
			seen[0] = true;
		else
			seen[type] = true;
		for (size_t b = 0; b < len; b++) {
			memcpy(buf, w->q.r[k].b, len);
			buf[b] ^= 0x01;
			dst_keys(w, kf, kb);
			status = expect_refused(w, &w->q, k, buf, len, "flip");
			/* a DATA page's contents (decrypted in place into the claimed
			 * granule) or tag: AUTH, and dst_reset found the granule still
			 * DELEGATED and nothing leaked */
			if (type == RMM_MIG_REC_PAGE && !zero && b >= RMM_MIG_HDR_SIZE + 16 &&
			    status != RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH))
				fail_msg("flip of DATA page byte %zu: status 0x%llx, not AUTH", b,
					 (unsigned long long)status);
			trials++;
		}
	}
	/* the last DATA page, whose RTT exists by then: it is decrypted in place
	 * into the claimed granule, and a flip of its contents or tag is AUTH */
	for (size_t k = w->q.n; k-- > 0;) {
		size_t len = w->q.r[k].len;

		if (km_record_type(w->q.r[k].b) != RMM_MIG_REC_PAGE || len == 96)
			continue;
		for (size_t b = RMM_MIG_HDR_SIZE + 16; b < len; b += 61) {
			memcpy(buf, w->q.r[k].b, len);
			buf[b] ^= 0x80;
			dst_keys(w, kf, kb);
			status = expect_refused(w, &w->q, k, buf, len, "flip (in place)");
			if (status != RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH))
				fail_msg("flip of the last DATA page's byte %zu: status 0x%llx, "
					 "not AUTH", b, (unsigned long long)status);
			trials++;
		}
		break;
	}
	for (unsigned int t = RMM_MIG_REC_IMMUTABLE; t <= RMM_MIG_REC_END; t++)
		assert_true(seen[t]);
	assert_true(seen[0]);
	print_message("%lu single-bit flips refused\n", trials);
	free(buf);
	done_world(w);
}

static void test_truncate_drop_reorder(void **state)
{
	struct mw *w = setup_world();
	uint8_t kf[32], kb[32], *buf = malloc(RMM_MIG_MAX_RECORD);
	struct mw_queue q = { 0 };
	uint64_t status;

	keys_of((uint8_t)SESSION, kf, kb);
	for (size_t n = 1; n < w->q.n; n++) {
		/* truncation before record n: commit finds counts missing */
		q = w->q;
		q.n = n;
		dst_keys(w, kf, kb);
		expect_refused(w, &q, (size_t)-1, NULL, 0, "truncate");
	}
	for (size_t k = 1; k < w->q.n; k++) {
		dst_keys(w, kf, kb);
		assert_int_not_equal(trial(w, &w->q, k, NULL, 0, &status), 0);
		assert_int_equal(RMI_RETURN_STATUS(status), RMI_ERROR_MIG);
		dst_reset(w);
	}
	for (size_t k = 1; k + 1 < w->q.n; k++) {
		struct mw_rec t;

		q.r = malloc(w->q.n * sizeof(*q.r));
		q.n = w->q.n;
		memcpy(q.r, w->q.r, q.n * sizeof(*q.r));
		t = q.r[k];
		q.r[k] = q.r[k + 1];
		q.r[k + 1] = t;
		dst_keys(w, kf, kb);
		expect_refused(w, &q, (size_t)-1, NULL, 0, "reorder");
		free(q.r);
	}
	/* a page record twice in one epoch, and again after the epoch record */
	for (size_t k = 1; k < w->q.n; k++) {
		if (km_record_type(w->q.r[k].b) != RMM_MIG_REC_PAGE)
			continue;
		q.r = malloc((w->q.n + 1) * sizeof(*q.r));
		memcpy(q.r, w->q.r, (k + 1) * sizeof(*q.r));
		q.r[k + 1] = w->q.r[k];
		memcpy(q.r + k + 2, w->q.r + k + 1, (w->q.n - k - 1) * sizeof(*q.r));
		q.n = w->q.n + 1;
		dst_keys(w, kf, kb);
		expect_refused(w, &q, (size_t)-1, NULL, 0, "page twice");
		free(q.r);
		for (size_t e = k + 1; e < w->q.n; e++) {
			if (km_record_type(w->q.r[e].b) != RMM_MIG_REC_EPOCH)
				continue;
			q.r = malloc((w->q.n + 1) * sizeof(*q.r));
			memcpy(q.r, w->q.r, (e + 1) * sizeof(*q.r));
			q.r[e + 1] = w->q.r[k];
			memcpy(q.r + e + 2, w->q.r + e + 1, (w->q.n - e - 1) * sizeof(*q.r));
			q.n = w->q.n + 1;
			dst_keys(w, kf, kb);
			expect_refused(w, &q, (size_t)-1, NULL, 0, "page in a later epoch");
			free(q.r);
			break;
		}
		break;
	}
	free(buf);
	done_world(w);
}

static void test_keys_and_sessions(void **state)
{
	struct mw *w = setup_world();
	uint8_t kf[32], kb[32], other[32];
	uint64_t status;

	keys_of((uint8_t)SESSION, kf, kb);
	memset(other, 0x33, sizeof(other));
	/* the wrong key, the other direction's key */
	dst_keys(w, other, kb);
	assert_int_not_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
	assert_int_equal(status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH));
	dst_reset(w);
	dst_keys(w, kb, kf);
	assert_int_not_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
	assert_int_equal(status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH));
	dst_reset(w);
	/* a second destination that was given no key */
	rmm_destroy(w->dst);
	w->dst = mw_machine(0);
	kh_fini(&w->hd);
	kh_init(&w->hd, w->dst, 0x80000000ull, MW_DRAM);
	w->hd.quiet = 1;
	assert_int_not_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
	assert_int_equal(status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_KEY));
	dst_reset(w);
	/* a key installs once per (session, direction) and is consumed */
	assert_int_equal(rmm_mig_key_install(w->dst, SESSION, RMM_MIG_FWD, kf), RMM_OK);
	assert_int_equal(rmm_mig_key_install(w->dst, SESSION, RMM_MIG_FWD, kf), RMM_EINVAL);
	assert_int_equal(rmm_mig_key_install(w->dst, SESSION, RMM_MIG_BWD, kb), RMM_OK);
	assert_int_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
	{	/* committed: importing the same stream again finds no key */
		struct km_dst keep = w->kd;

		memset(&w->kd, 0, sizeof(w->kd));
		assert_int_not_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
		assert_int_equal(status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_KEY));
		w->kd = keep;
		/* a committed destination makes no abort token */
		assert_int_equal(rmm_mig_import_abort(w->dst, 0, w->kd.r.rd, w->kd.in, NULL),
				 RMI_RETURN(RMI_ERROR_REALM, 2));
		dst_reset(w);
	}
	done_world(w);
}

/*
 * A newer version of a DATA page (sent again after an epoch) is decrypted
 * in place over the page imported before: as sent it commits with the
 * source's contents; with a flipped content or tag byte it is AUTH, and the
 * destination is destroy-only with nothing leaked.
 */
static void test_newer_version(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	uint8_t kf[32], kb[32], *buf = malloc(RMM_MIG_MAX_RECORD);
	const uint64_t ipa = 4 * MW_GRAN;
	size_t k = 0, epoch = 0, len;
	uint64_t status;

	mw_build(w, &small);
	mw_keys(w, SESSION, (uint8_t)SESSION);
	assert_int_equal(km_src_init(&w->ks, &w->hs, &w->r, mw_emit, &w->q), 0);
	assert_int_equal(km_export_start(&w->ks, SESSION), 0);
	assert_int_equal(km_export_layout(&w->ks), 0);
	assert_int_equal(km_export_round(&w->ks, 0, NULL), 0);
	assert_int_equal(km_export_epoch(&w->ks), 0);
	assert_int_equal(km_export_pages(&w->ks, 1, &ipa, 1), 0);
	assert_int_equal(km_export_pause(&w->ks), 0);
	assert_int_equal(km_export_recs(&w->ks, w->v, w->sh.nrecs), 0);
	assert_int_equal(km_export_end(&w->ks), 0);
	w->hd.quiet = 1;
	/* the newer version: the DATA page record after the epoch record */
	for (size_t i = 0; i < w->q.n; i++) {
		if (km_record_type(w->q.r[i].b) == RMM_MIG_REC_EPOCH)
			epoch = i;
		if (epoch && km_record_type(w->q.r[i].b) == RMM_MIG_REC_PAGE)
			k = i;
	}
	assert_true(epoch > 0 && k > epoch);
	len = w->q.r[k].len;
	assert_int_equal(len, RMM_MIG_PAGE_RECORD);
	keys_of((uint8_t)SESSION, kf, kb);
	dst_keys(w, kf, kb);
	assert_int_equal(trial(w, &w->q, (size_t)-1, NULL, 0, &status), 0);
	mw_compare(w, 16 * MW_GRAN);
	dst_reset(w);
	for (size_t b = RMM_MIG_HDR_SIZE + 16; b < len; b += 1361) {
		memcpy(buf, w->q.r[k].b, len);
		buf[b] ^= 0x04;
		dst_keys(w, kf, kb);
		status = expect_refused(w, &w->q, k, buf, len, "newer version flip");
		if (status != RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH))
			fail_msg("flip of the newer version's byte %zu: status 0x%llx, not AUTH", b,
				 (unsigned long long)status);
	}
	memcpy(buf, w->q.r[k].b, len);
	buf[len - 1] ^= 0x10;
	dst_keys(w, kf, kb);
	assert_int_equal(expect_refused(w, &w->q, k, buf, len, "newer version tag"),
			 RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_AUTH));
	free(buf);
	done_world(w);
}

/*
 * The host names, as the granule for a fresh page, the level-3 RTT that the
 * same IMPORT call holds from the page before (kept across pages): no hang,
 * the record is refused with INPUT (not fatal), the page before it stays
 * imported; the same for the granule list itself in that table; and the
 * import goes on with a proper granule.
 */
static void test_claim_names_the_held_rtt(void **state)
{
	struct mw *w = setup_world();
	uint8_t kf[32], kb[32];
	struct rmi_rtt_entry e;
	uint64_t ret, done, used, len, at, *grans;
	size_t k = 0, n;
	uint8_t *in;

	keys_of((uint8_t)SESSION, kf, kb);
	dst_keys(w, kf, kb);
	/* three DATA page records in a row: import up to the first (its RTT is
	 * created on the way), then the other two in one call */
	for (size_t i = 1; i + 2 < w->q.n && !k; i++)
		if (w->q.r[i].len == RMM_MIG_PAGE_RECORD && w->q.r[i + 1].len == RMM_MIG_PAGE_RECORD &&
		    w->q.r[i + 2].len == RMM_MIG_PAGE_RECORD)
			k = i;
	assert_true(k > 0);
	assert_int_equal(km_import_start(&w->kd, &w->hd, w->sh.ipa_bits, 9, SESSION, w->q.r[0].b,
					 w->q.r[0].len), 0);
	for (size_t i = 1; i <= k; i++)
		assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
	assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, 0, 2, &e), 0);
	assert_int_equal(e.state, RMI_TABLE);
	in = rmm_ns_ptr(w->dst, w->kd.in);
	n = w->q.r[k + 1].len;
	memcpy(in, w->q.r[k + 1].b, n);
	memcpy(in + n, w->q.r[k + 2].b, w->q.r[k + 2].len);
	grans = rmm_ns_ptr(w->dst, w->kd.grans);
	grans[0] = w->kd.spare ? w->kd.spare : kh_alloc_delegated(&w->hd);
	w->kd.spare = 0;
	grans[1] = e.desc;   /* the level-3 RTT */
	ret = rmm_mig_import(w->dst, 0, w->kd.r.rd, w->kd.in, 2, w->kd.grans, &done, &used, &len,
			     &at);
	assert_int_equal(RMI_RETURN_STATUS(ret), RMI_ERROR_INPUT);
	assert_int_equal(done, 1);
	assert_int_equal(used, 1);
	assert_int_equal(len, n);
	/* the list itself in the held table: INPUT too (grans_pas) */
	memcpy(in, w->q.r[k + 2].b, w->q.r[k + 2].len);
	ret = rmm_mig_import(w->dst, 0, w->kd.r.rd, w->kd.in, 1, e.desc, &done, &used, &len, &at);
	assert_int_equal(ret, RMI_RETURN(RMI_ERROR_INPUT, 0));
	assert_non_null(strstr(rmm_last_reason(w->dst, 0), "grans_pas"));
	assert_int_equal(done, 0);
	/* not fatal: the same record with a proper granule, and the rest */
	for (size_t i = k + 2; i < w->q.n; i++)
		assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
	assert_int_equal(km_import_commit(&w->kd), 0);
	mw_compare(w, 16 * MW_GRAN);
	dst_reset(w);
	done_world(w);
}

/*
 * The host lays the next record of an IMPORT call over the level-3 RTT the
 * call holds from the record before (its input buffer runs into that
 * table): no hang, INPUT (in_pas, not fatal) after the first record.
 */
static void test_input_runs_into_the_held_rtt(void **state)
{
	struct mw *w = setup_world();
	uint8_t kf[32], kb[32];
	uint64_t ret, done, used, len, at, p0, t, *grans;
	struct kvm_host *h = &w->hd;
	size_t k = 0;

	keys_of((uint8_t)SESSION, kf, kb);
	dst_keys(w, kf, kb);
	for (size_t i = 1; i + 1 < w->q.n && !k; i++)
		if (w->q.r[i].len == RMM_MIG_PAGE_RECORD && w->q.r[i + 1].len == RMM_MIG_PAGE_RECORD)
			k = i;
	assert_true(k > 0);
	assert_int_equal(km_import_start(&w->kd, h, w->sh.ipa_bits, 9, SESSION, w->q.r[0].b,
					 w->q.r[0].len), 0);
	/* two NS pages, then the level-3 RTT for [0, 2 MiB) right after them */
	assert_int_equal(kh_create_rtt_levels(h, &w->kd.r, 0, w->kd.r.sl, 2), 0);
	p0 = h->next;
	h->next += 3 * MW_GRAN;
	t = p0 + 2 * MW_GRAN;
	assert_int_equal(rmm_rmi_granule_delegate(w->dst, 0, t), 0);
	assert_int_equal(rmm_rmi_rtt_create(w->dst, 0, w->kd.r.rd, t, 0, 3), 0);
	for (size_t i = 1; i < k; i++)
		assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
	memcpy((uint8_t *)rmm_ns_ptr(w->dst, t) - RMM_MIG_PAGE_RECORD, w->q.r[k].b,
	       RMM_MIG_PAGE_RECORD);
	grans = rmm_ns_ptr(w->dst, w->kd.grans);
	grans[0] = w->kd.spare ? w->kd.spare : kh_alloc_delegated(h);
	grans[1] = kh_alloc_delegated(h);
	ret = rmm_mig_import(w->dst, 0, w->kd.r.rd, t - RMM_MIG_PAGE_RECORD, 2, w->kd.grans, &done,
			     &used, &len, &at);
	assert_int_equal(ret, RMI_RETURN(RMI_ERROR_INPUT, 0));
	assert_non_null(strstr(rmm_last_reason(w->dst, 0), "in_pas"));
	assert_int_equal(done, 1);
	assert_int_equal(used, 1);
	w->kd.spare = grans[1];
	for (size_t i = k + 1; i < w->q.n; i++)
		assert_int_equal(km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len), 0);
	assert_int_equal(km_import_commit(&w->kd), 0);
	mw_compare(w, 16 * MW_GRAN);
	dst_reset(w);
	done_world(w);
}

#ifdef MIG_FLIP_ONLY
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip_every_byte),
	};
	(void)test_keys_and_sessions;
	(void)test_truncate_drop_reorder;
	(void)test_newer_version;
	(void)test_claim_names_the_held_rtt;
	(void)test_input_runs_into_the_held_rtt;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_sessions),
		cmocka_unit_test(test_truncate_drop_reorder),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_claim_names_the_held_rtt),
		cmocka_unit_test(test_input_runs_into_the_held_rtt),
	};
	(void)test_flip_every_byte;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
