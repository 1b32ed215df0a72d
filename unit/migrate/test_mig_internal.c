/*
 * Migration internals on purpose: the nonce audit catches a reused
 * (key, nonce) pair; every field of a REC travels (registers, system
 * registers, FP/SIMD, timers, vGIC, pending requests) through the field
 * table; the realm's time never goes back across a migration; REC indexes
 * with gaps keep their values.
 */
#include "mig_world.h"
#include "migrate/mig.h"
#include "rec/rec.h"
#include "granule/granule.h"

static void test_audit_catches_reuse(void **state)
{
	struct rmm *r = mw_machine(0);
	uint8_t key[32] = { 1 }, iv[12] = { 2 };
	uint64_t enc, reuse;

	mig_audit_use(r, key, iv);
	rmm_mig_audit(r, &enc, &reuse);
	assert_int_equal(enc, 1);
	assert_int_equal(reuse, 0);
	iv[11] = 1;
	mig_audit_use(r, key, iv);
	iv[11] = 0;
	mig_audit_use(r, key, iv);
	rmm_mig_audit(r, &enc, &reuse);
	assert_int_equal(enc, 3);
	assert_int_equal(reuse, 1);
	rmm_destroy(r);
}

static struct rec *rec_at(struct rmm *r, uint64_t pa)
{
	return r->hal->granule_ptr(r->hal_h, pa);
}

static struct realm *realm_at(struct rmm *r, uint64_t pa)
{
	return r->hal->granule_ptr(r->hal_h, pa);
}

static void test_rec_state_and_time(void **state)
{
	static const struct mw_shape sh = { "regs", 40, RMI_HASH_SHA_256, 2, 0, 0, 0 };
	struct mw *w = calloc(1, sizeof(*w));
	uint64_t t_end, t_dst;
	struct rec *s;

	mw_build(w, &sh);
	/* a REC in the middle of its life: every migrated byte distinct */
	s = rec_at(w->src, w->v[1].rec);
	for (size_t i = 0; i < sizeof(s->regs); i++)
		((uint8_t *)&s->regs)[i] = (uint8_t)(i * 31 + 7);
	s->runnable = 1;
	s->psci_pending = 0;
	s->host_call_pending = 1;
	s->host_call_ipa = 0x5000;
	s->last_exit = RMI_EXIT_RIPAS_CHANGE;
	s->ripas_addr = 0x10000;
	s->ripas_top = 0x20000;
	s->ripas_value = RMI_RAM;
	s->emulatable_abort = 1;
	s->mmio_srt = 7;
	s->mmio_sas = 2;
	s->abort_esr = 0x93c08007;
	s->abort_far = 0x123;
	s->gic_hcr = 0x1;
	for (int i = 0; i < RMI_GIC_NUM_LRS; i++)
		s->gic_lrs[i] = 0x4000000000000000ull | (uint64_t)(32 + i);
	s->gic_vmcr = 0xf0000001;
	mw_export(w, 0xb00);
	t_end = w->src->hal->counter(w->src->hal_h) - realm_at(w->src, w->r.rd)->cntvoff;
	assert_int_equal(mw_import(w, 0xb00, (size_t)-1), 0);
	t_dst = w->dst->hal->counter(w->dst->hal_h) - realm_at(w->dst, w->kd.r.rd)->cntvoff;
	/* the destination's realm time continues from the source's (it was
	 * frozen between END and COMMIT), never before it */
	{
		uint64_t end = realm_at(w->dst, w->kd.r.rd)->mig.end_time;

		assert_true(end <= t_end);            /* stopped at END on the source */
		assert_true(t_dst >= end);            /* and never before it here */
		assert_true(t_dst < end + 1000000000ull);
	}
	{
		struct rec *d = rec_at(w->dst, w->kd.vcpus[1].rec);

		assert_memory_equal(&s->regs, &d->regs, sizeof(s->regs));
		assert_int_equal(d->host_call_pending, 1);
		assert_int_equal(d->host_call_ipa, 0x5000);
		assert_int_equal(d->last_exit, RMI_EXIT_RIPAS_CHANGE);
		assert_int_equal(d->ripas_addr, 0x10000);
		assert_int_equal(d->ripas_top, 0x20000);
		assert_int_equal(d->emulatable_abort, 1);
		assert_int_equal(d->mmio_srt, 7);
		assert_int_equal(d->abort_esr, 0x93c08007);
		assert_memory_equal(s->gic_lrs, d->gic_lrs, sizeof(s->gic_lrs));
		assert_int_equal(d->gic_vmcr, 0xf0000001);
		assert_int_equal(d->mpidr, s->mpidr);
		assert_int_equal(d->index, 1);
	}
	mw_teardown(w);
	free(w);
}

/*
 * RECs whose indexes have gaps (a REC destroyed before the migration): the
 * others keep their indexes and MPIDRs on the destination, the missing
 * index stays unused, and the index bound is the source's (a destroyed
 * last REC included). REC records must come in index order: a lower index
 * after a higher one is DUPLICATE.
 */
static void gap(unsigned int destroyed, uint64_t session, int swap)
{
	static const struct mw_shape sh = { "gap", 40, RMI_HASH_SHA_256, 3, 0, 0, 0 };
	struct mw *w = calloc(1, sizeof(*w));
	unsigned int idx[2], k = 0;
	struct kvm_vcpu t;

	mw_build(w, &sh);
	assert_int_equal(kh_vcpu_destroy(&w->hs, &w->v[destroyed]), 0);
	for (unsigned int i = 0; i < 3; i++)
		if (i != destroyed) {
			idx[k] = i;
			w->v[k++] = w->v[i];
		}
	w->sh.nrecs = 2;
	if (swap) {
		t = w->v[0];
		w->v[0] = w->v[1];
		w->v[1] = t;
	}
	mw_export(w, session);
	if (swap) {
		assert_int_not_equal(mw_import(w, session, (size_t)-1), 0);
		assert_int_equal(w->kd.status, RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_DUPLICATE));
	} else {
		assert_int_equal(mw_import(w, session, (size_t)-1), 0);
		assert_int_equal(w->kd.nvcpu, 2);
		for (unsigned int i = 0; i < 2; i++) {
			struct rec *d = rec_at(w->dst, w->kd.vcpus[i].rec);

			assert_int_equal(d->index, idx[i]);
			assert_int_equal(d->mpidr, rec_at(w->src, w->v[i].rec)->mpidr);
		}
		assert_int_equal(realm_at(w->dst, w->kd.r.rd)->rec_index, 3);
	}
	mw_teardown(w);
	free(w);
}

static void test_rec_gaps(void **state)
{
	gap(1, 0xb01, 0);   /* a hole */
	gap(2, 0xb02, 0);   /* the last REC */
	gap(0, 0xb03, 1);   /* RECs 2 then 1 */
}

/*
 * A page record sealed into NS memory that runs into a granule the sealing
 * call holds (possible only if the host delegated and reused an output
 * granule during the call): -1 (the record is lost), no wait for itself;
 * the same range with nothing held is written whole.
 */
static void test_seal_into_held_granule(void **state)
{
	struct rmm *r = mw_machine(0);
	uint8_t key[32] = { 3 }, page[4096];
	const uint64_t pa = 0x80100000ull - 100;   /* the record ends in the next granule */
	struct mig_hdr h = { .type = RMM_MIG_REC_PAGE, .body_len = 16 + 4096 };
	struct granule *g = granule_find(r, 0x80100000ull);
	struct granule *const held[1] = { g };
	const uint8_t *ns = rmm_ns_ptr(r, pa);

	memset(page, 0x5a, sizeof(page));
	granule_lock(r, g);
	assert_int_equal(mig_seal_ns(r, 0, key, 1, &h, page, 16, page + 16, pa, held, 1), -1);
	granule_unlock(g);
	assert_int_equal(mig_seal_ns(r, 0, key, 1, &h, page, 16, page + 16, pa, NULL, 0), 0);
	assert_int_equal(ns[0] | ns[1] << 8 | ns[2] << 16 | (uint32_t)ns[3] << 24, RMM_MIG_MAGIC);
	rmm_destroy(r);
}

/*
 * The RMM's NS accesses never wait on a granule that is not NS: a granule
 * the host names as its buffer may be another walk's locked RTT, whose
 * holder waits for the RTT a migration call keeps; waiting would deadlock.
 * Here the test holds a delegated granule's lock (as that walk would): the
 * NS write, the NS map and a record sealed across it fail at once (they
 * hung before), and an UNDELEGATED granule is still written.
 */
static void test_ns_access_never_waits_on_non_ns(void **state)
{
	struct rmm *r = mw_machine(0);
	const uint64_t pa = 0x80200000ull;
	uint8_t key[32] = { 4 }, page[4096] = { 0 }, word[8] = { 1 };
	struct mig_hdr h = { .type = RMM_MIG_REC_PAGE, .body_len = 16 + 4096 };
	struct granule *g = granule_find(r, pa), *got = NULL;

	(void)state;
	assert_int_equal(rmm_rmi_granule_delegate(r, 0, pa), RMI_SUCCESS);
	granule_lock(r, g);
	assert_int_equal(ns_write(r, pa, word, sizeof(word)), -1);
	assert_null(ns_map_lock(r, pa, &got));
	assert_null(got);
	assert_int_equal(mig_seal_ns(r, 0, key, 1, &h, page, 16, page + 16, pa - 100, NULL, 0), -1);
	granule_unlock(g);
	assert_int_equal(rmm_rmi_granule_undelegate(r, 0, pa), RMI_SUCCESS);
	assert_int_equal(ns_write(r, pa, word, sizeof(word)), 0);
	assert_non_null(ns_map_lock(r, pa, &got));
	assert_ptr_equal(got, g);
	granule_unlock(got);
	rmm_destroy(r);
}

struct membuf {
	uint8_t *p;
	size_t len;
};

static int emit(void *ctx, const void *buf, size_t len)
{
	struct membuf *m = ctx;

	m->p = realloc(m->p, m->len + len);
	assert_non_null(m->p);
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Replay instance r's trace on a fresh instance of the same configuration. */
static void replays(struct rmm *r)
{
	struct membuf m = { 0 };
	struct rmm *fresh;
	char why[512];
	int rc, keyi = 0;

	assert_int_equal(rmm_trace_save(r, emit, &m), RMM_OK);
	for (size_t i = 0; i + 4 <= m.len; i += 4)
		keyi += !memcmp(m.p + i, "KEYI", 4);
	assert_int_equal(keyi, 2);   /* FWD and BWD */
	fresh = mw_machine(0);
	rc = rmm_trace_replay(fresh, m.p, m.len, why, sizeof(why));
	if (rc != RMM_OK)
		print_error("%s\n", why);
	assert_int_equal(rc, RMM_OK);
	/* without its key installs the first migration call diverges */
	for (size_t i = 0; i + 4 <= m.len; i += 4)
		if (!memcmp(m.p + i, "KEYI", 4))
			memcpy(m.p + i + 24 + 8, "\xff\xff", 2);   /* another session */
	rmm_destroy(fresh);
	fresh = mw_machine(0);
	assert_int_equal(rmm_trace_replay(fresh, m.p, m.len, why, sizeof(why)), RMM_EINVAL);
	print_message("without the keys: %s\n", why);
	assert_non_null(strstr(why, "MIG_"));
	rmm_destroy(fresh);
	free(m.p);
}

/*
 * The trusted key install is in RMM_CFG_TRACE traces (a 'KEYI' record), so
 * a migration's traces replay on fresh instances: the source's (build,
 * keys, export) and the destination's (keys, import, commit).
 */
static void test_trace_replays_migration(void **state)
{
	static const struct mw_shape sh = { "trace", 40, RMI_HASH_SHA_256, 1, 0, 0, 0 };
	struct mw *w = calloc(1, sizeof(*w));

	mw_with = RMM_CFG_TRACE;
	mw_build(w, &sh);
	mw_with = 0;
	mw_export(w, 0xb10);
	assert_int_equal(mw_import(w, 0xb10, (size_t)-1), 0);
	replays(w->src);
	replays(w->dst);
	mw_teardown(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_catches_reuse),
		cmocka_unit_test(test_rec_state_and_time),
		cmocka_unit_test(test_rec_gaps),
		cmocka_unit_test(test_trace_replays_migration),
		cmocka_unit_test(test_seal_into_held_granule),
		cmocka_unit_test(test_ns_access_never_waits_on_non_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
