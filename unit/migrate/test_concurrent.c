/*
 * Export while a REC runs on another CPU and writes memory continuously
 * (run under TSan by the tsan preset): pages written after their export are
 * dirtied inside the RMM with no exit, sent again, and the destination's
 * memory equals the source's at pause. Then two streams exported and
 * imported on two CPUs at once, on disjoint pages.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <rmm/vcpu.h>

#include "mig_world.h"

static const struct mw_shape shape = { "run", 40, RMI_HASH_SHA_256, 1, 0, 0, 0 };

struct writer {
	struct mw *w;
	uint64_t base;
	unsigned int npages;
	_Atomic unsigned long enters, writes;
};

/* The guest: 64 stores per entry, each a new counter value somewhere in
 * its 16 data pages (x5 is the counter, so the REC record carries it). */
static void wr_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct writer *wr = ctx;
	struct rmm_vcpu_regs *r = rmm_vcpu_regs(v);

	for (int i = 0; i < 64; i++) {
		uint64_t val = ++r->x[5];
		uint64_t ipa = wr->base + (val % wr->npages) * MW_GRAN + (val * 8) % MW_GRAN;

		if (rmm_vcpu_access(v, ipa, &val, 8, RMM_ACCESS_WRITE, 0, x) != RMM_OK)
			return;
		atomic_fetch_add(&wr->writes, 1);
	}
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static const struct rmm_vcpu_ops wr_ops = { .version = RMM_VCPU_VERSION, .run = wr_run };

static void *rec_thread(void *arg)
{
	struct writer *wr = arg;
	struct mw *w = wr->w;

	for (;;) {
		uint64_t ret = rmm_rmi_rec_enter(w->src, 1, w->v[0].rec, w->v[0].run);

		if (ret == RMI_RETURN(RMI_ERROR_REALM, 2))
			break;   /* paused for migration */
		assert_int_equal(ret, RMI_SUCCESS);
		atomic_fetch_add(&wr->enters, 1);
	}
	return NULL;
}

static void test_export_while_rec_runs(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	struct writer wr = { .w = w, .base = 0, .npages = 16 };
	unsigned long resent = 0, sent;
	uint64_t dirty_seen = 0;
	pthread_t t;

	mw_build(w, &shape);
	rmm_set_vcpu_backend(w->src, &wr_ops, &wr);
	mw_keys(w, 0x900, 9);
	assert_int_equal(km_src_init(&w->ks, &w->hs, &w->r, mw_emit, &w->q), 0);
	assert_int_equal(km_export_start(&w->ks, 0x900), 0);
	assert_int_equal(pthread_create(&t, NULL, rec_thread, &wr), 0);
	while (atomic_load(&wr.enters) < 4)
		;
	assert_int_equal(km_export_layout(&w->ks), 0);
	for (int round = 0; round < 6; round++) {
		unsigned long w0;
		uint64_t d;

		assert_int_equal(km_export_round(&w->ks, 0, &sent), 0);
		if (round)
			resent += sent;
		assert_int_equal(km_export_epoch(&w->ks), 0);
		/* let the REC write every page again before looking */
		w0 = atomic_load(&wr.writes);
		while (atomic_load(&wr.writes) < w0 + 256)
			;
		d = km_dirty(&w->ks);
		dirty_seen = d > dirty_seen ? d : dirty_seen;
	}
	assert_int_equal(km_export_pause(&w->ks), 0);
	pthread_join(t, NULL);
	assert_int_equal(km_export_recs(&w->ks, w->v, 1), 0);
	assert_int_equal(km_export_round(&w->ks, 0, &sent), 0);
	assert_int_equal(km_export_end(&w->ks), 0);
	print_message("%lu writes by the REC on cpu1, %lu pages sent again, up to %llu dirty\n",
		      atomic_load(&wr.writes), resent + sent, (unsigned long long)dirty_seen);
	assert_true(dirty_seen > 0);
	assert_true(resent + sent > 0);
	assert_int_equal(mw_import(w, 0x900, (size_t)-1), 0);
	mw_compare(w, 1u << 20);
	mw_teardown(w);
	free(w);
}

/* The same with the TLB checker off: the vCPU's per-CPU translation cache
 * (its fast path) must not let a write past an exported page's protection. */
static void test_export_while_rec_runs_fast_path(void **state)
{
	mw_without = RMM_CFG_TLB_CHECK;
	test_export_while_rec_runs(state);
	mw_without = 0;
}

/* ---- two streams on two CPUs ---- */

struct side {
	struct mw *w;
	struct kvm_host h;
	struct km_src s;
	struct km_dst d;
	struct mw_queue q;
	uint64_t ipas[512];
	size_t n, from, to;
	int rc;
};

static void *export_side(void *arg)
{
	struct side *sd = arg;

	sd->rc = km_export_pages(&sd->s, sd->h.cpu, sd->ipas, sd->n);
	return NULL;
}

static void *import_side(void *arg)
{
	struct side *sd = arg;

	sd->rc = 0;
	for (size_t i = sd->from; i < sd->to && !sd->rc; i++)
		sd->rc = km_import_record(&sd->d, sd->q.r[i].b, sd->q.r[i].len);
	return NULL;
}

static void test_two_streams(void **state)
{
	struct mw *w = calloc(1, sizeof(*w));
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint64_t top = 0x80000000ull + MW_DRAM, ipa = 0, n;
	pthread_t ta, tb;
	size_t mark;

	mw_build(w, &(struct mw_shape){ "streams", 40, RMI_HASH_SHA_256, 1, 0, 0, 0 });
	mw_keys(w, 0xa00, 10);
	/* the source's host on cpu0 keeps its pool; cpu1's host gets the top quarter */
	w->hs.end = w->hd.end = top - MW_DRAM / 4;
	a->w = b->w = w;
	a->h = w->hs;
	kh_init(&b->h, w->src, top - MW_DRAM / 4, MW_DRAM / 4);
	b->h.cpu = 1;
	assert_int_equal(km_src_init(&a->s, &w->hs, &w->r, mw_emit, &a->q), 0);
	assert_int_equal(km_src_init(&b->s, &b->h, &w->r, mw_emit, &b->q), 0);
	assert_int_equal(km_export_start(&a->s, 0xa00), 0);
	assert_int_equal(km_export_layout(&a->s), 0);
	/* the pages to send, split in two disjoint halves */
	while (ipa < (1ull << 39)) {
		uint64_t list[512];

		assert_int_equal(rmm_mig_export_dirty(w->src, 0, w->r.rd, ipa, a->s.list, &n, &ipa,
						      NULL), RMI_SUCCESS);
		assert_int_equal(rmm_host_read(w->src, a->s.list, list, n * 8), RMM_OK);
		for (uint64_t i = 0; i < n; i++) {
			struct side *sd = i % 2 ? b : a;

			sd->ipas[sd->n++] = list[i];
		}
	}
	assert_true(a->n > 4 && b->n > 4);
	a->h.cpu = 0;
	assert_int_equal(pthread_create(&ta, NULL, export_side, a), 0);
	assert_int_equal(pthread_create(&tb, NULL, export_side, b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a->rc, 0);
	assert_int_equal(b->rc, 0);
	mark = a->q.n;
	assert_int_equal(km_export_epoch(&a->s), 0);
	assert_int_equal(km_export_pause(&a->s), 0);
	assert_int_equal(km_export_recs(&a->s, w->v, 1), 0);
	assert_int_equal(km_export_round(&a->s, 0, NULL), 0);
	assert_int_equal(km_export_end(&a->s), 0);

	/* destination: stream 0 up to the epoch on cpu0, stream 1 on cpu1 at once */
	assert_int_equal(km_import_start(&a->d, &w->hd, 40, 9, 0xa00, a->q.r[0].b, a->q.r[0].len), 0);
	b->d = a->d;
	kh_init(&b->h, w->dst, top - MW_DRAM / 4, MW_DRAM / 4);
	b->h.cpu = 1;
	b->d.h = &b->h;
	b->d.in = kh_alloc(&b->h);
	assert_int_equal(rmm_host_write(w->dst, b->d.in, "", 1), RMM_OK);
	{	/* km_import_record needs 3 contiguous pages for a record */
		uint64_t p1 = kh_alloc(&b->h), p2 = kh_alloc(&b->h);

		assert_true(p1 == b->d.in + MW_GRAN && p2 == p1 + MW_GRAN);
	}
	b->d.grans = kh_alloc(&b->h);
	b->d.spare = 0;
	a->from = 1;
	a->to = mark;
	b->from = 0;
	b->to = b->q.n;
	assert_int_equal(pthread_create(&ta, NULL, import_side, a), 0);
	assert_int_equal(pthread_create(&tb, NULL, import_side, b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a->rc, 0);
	assert_int_equal(b->rc, 0);
	for (size_t i = mark; i < a->q.n; i++)
		assert_int_equal(km_import_record(&a->d, a->q.r[i].b, a->q.r[i].len), 0);
	assert_int_equal(km_import_commit(&a->d), 0);
	if (b->d.spare)
		assert_int_equal(kh_undelegate_free(&b->h, b->d.spare), 0);
	w->kd = a->d;
	mw_compare(w, 1u << 20);
	mw_queue_free(&a->q);
	mw_queue_free(&b->q);
	mw_teardown(w);
	kh_fini(&b->h);
	free(a);
	free(b);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_while_rec_runs),
		cmocka_unit_test(test_export_while_rec_runs_fast_path),
		cmocka_unit_test(test_two_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
