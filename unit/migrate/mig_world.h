/*
 * Shared by the migration tests: two instances (source and destination
 * machines), realm shapes built the way the KVM host builds them, a record
 * queue standing for the wire, and a comparison of two realms (RTT entries,
 * RIPAS, memory, RIM and REMs). Software GPT, so the test can read realm
 * memory through the NS view to compare it.
 */
#ifndef MIG_WORLD_H
#define MIG_WORLD_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include <rmm/migrate.h>
#include "kvmhost/kvm_migrate.h"

#define MW_DRAM (96ull << 20)
#define MW_GRAN 4096ull

struct mw_rec {
	unsigned int stream;
	size_t len;
	uint8_t *b;
};

struct mw_queue {
	struct mw_rec *r;
	size_t n, cap;
};

static inline int mw_emit(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	struct mw_queue *q = ctx;

	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 256;
		q->r = realloc(q->r, q->cap * sizeof(*q->r));
	}
	q->r[q->n].stream = stream;
	q->r[q->n].len = len;
	q->r[q->n].b = malloc(len);
	memcpy(q->r[q->n].b, rec, len);
	q->n++;
	return 0;
}

static inline void mw_queue_free(struct mw_queue *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->r[i].b);
	free(q->r);
	memset(q, 0, sizeof(*q));
}

struct mw_shape {
	const char *name;
	unsigned int ipa_bits, hash, nrecs;
	int block, destroyed, unprot;
};

struct mw {
	struct rmm *src, *dst;
	struct kvm_host hs, hd;
	struct kvm_realm r;
	struct kvm_vcpu v[4];
	struct mw_shape sh;
	struct mw_queue q;
	struct km_src ks;
	struct km_dst kd;
	uint64_t U, ns_src, ns_dst;
};

/* Flags the next machines are built without (a test may drop the TLB
 * checker to exercise the vCPU's fast path instead). */
static unsigned int mw_without, mw_with;

static inline struct rmm *mw_machine_size(uint64_t size, unsigned int flags)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = size;
	cfg.flags = (RMM_CFG_GPT_SOFTWARE | RMM_CFG_MIG_AUDIT | RMM_CFG_TLB_CHECK | flags | mw_with) &
		    ~mw_without;
	assert_int_equal(rmm_create(&cfg, &r), RMM_OK);
	return r;
}

static inline struct rmm *mw_machine(unsigned int flags)
{
	return mw_machine_size(MW_DRAM, flags);
}

static inline void mw_keys(struct mw *w, uint64_t session, uint8_t tag)
{
	uint8_t kf[32], kb[32];

	for (int i = 0; i < 32; i++) {
		kf[i] = (uint8_t)(tag + i);
		kb[i] = (uint8_t)(0x80 + tag + i);
	}
	assert_int_equal(rmm_mig_key_install(w->src, session, RMM_MIG_FWD, kf), RMM_OK);
	assert_int_equal(rmm_mig_key_install(w->src, session, RMM_MIG_BWD, kb), RMM_OK);
	assert_int_equal(rmm_mig_key_install(w->dst, session, RMM_MIG_FWD, kf), RMM_OK);
	assert_int_equal(rmm_mig_key_install(w->dst, session, RMM_MIG_BWD, kb), RMM_OK);
}

/* Build the shape on the source: RIPAS RAM over [0, 4 MiB), 16 data pages
 * at 0 (two zero), a DESTROYED page, a 2 MiB block at 2 MiB, an NS page,
 * RECs with distinct PCs and GPRs; then activate. */
static inline void mw_build(struct mw *w, const struct mw_shape *sh)
{
	static uint8_t img[2u << 20];
	struct kvm_host *h = &w->hs;

	memset(w, 0, sizeof(*w));
	w->sh = *sh;
	w->src = mw_machine(0);
	w->dst = mw_machine(0);
	kh_init(h, w->src, 0x80000000ull + MW_DRAM / 2, MW_DRAM / 2);
	kh_init(&w->hd, w->dst, 0x80000000ull + MW_DRAM / 2, MW_DRAM / 2);
	h->quiet = w->hd.quiet = 0;
	/* the delegable pool is the low half: move the allocator there */
	h->base = h->next = 0x80000000ull;
	h->end = 0x80000000ull + MW_DRAM;
	w->hd.base = w->hd.next = 0x80000000ull;
	w->hd.end = 0x80000000ull + MW_DRAM;
	assert_int_equal(kh_realm_create(h, &w->r, sh->ipa_bits, sh->hash, 7), 0);
	assert_int_equal(kh_init_ripas(h, &w->r, 0, 4u << 20), 0);
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + (i >> 12) * 13 + sh->ipa_bits);
	memset(img + 5 * MW_GRAN, 0, MW_GRAN);
	memset(img + 9 * MW_GRAN, 0, MW_GRAN);
	assert_int_equal(kh_populate(h, &w->r, 0, img, 16 * MW_GRAN, 1), 0);
	if (sh->destroyed)
		assert_int_equal(kh_unmap_private(h, &w->r, 3 * MW_GRAN, MW_GRAN), 0);
	if (sh->block) {
		assert_int_equal(kh_populate(h, &w->r, 2u << 20, img, 2u << 20, 0), 0);
		assert_int_equal(kh_fold_range(h, &w->r, 2u << 20, 2u << 20), 0);
	}
	w->U = 1ull << (sh->ipa_bits - 1);
	if (sh->unprot) {
		w->ns_src = kh_alloc(h);
		assert_int_equal(kh_map_shared(h, &w->r, w->U + 0x1000, w->ns_src), 0);
	}
	for (unsigned int i = 0; i < sh->nrecs; i++) {
		struct rmi_rec_params *p;

		assert_int_equal(kh_vcpu_create(h, &w->r, &w->v[i], i, i == 0, 0x1000 * (i + 1)), 0);
		p = rmm_ns_ptr(w->src, w->v[i].params);
		(void)p;
	}
	assert_int_equal(kh_activate(h, &w->r), 0);
}

/* Run the whole migration with the host loop; the destination imports the
 * queue in order. Returns the destination's import result (0 or -1). */
static inline void mw_export(struct mw *w, uint64_t session)
{
	mw_keys(w, session, (uint8_t)session);
	assert_int_equal(km_src_init(&w->ks, &w->hs, &w->r, mw_emit, &w->q), 0);
	assert_int_equal(km_export_all(&w->ks, session, w->v, w->sh.nrecs, 2, 0, NULL), 0);
}

static inline int mw_import(struct mw *w, uint64_t session, size_t upto)
{
	if (km_import_start(&w->kd, &w->hd, w->sh.ipa_bits, 9, session, w->q.r[0].b,
			    w->q.r[0].len))
		return -1;
	for (size_t i = 1; i < w->q.n && i < upto; i++)
		if (km_import_record(&w->kd, w->q.r[i].b, w->q.r[i].len))
			return -1;
	return km_import_commit(&w->kd);
}

/* Every 4 KiB of [0, top) and the unprotected page: same entry state,
 * RIPAS and contents; the same RIM and REMs. */
static inline void mw_compare(struct mw *w, uint64_t top)
{
	uint8_t a[64], b[64];

	for (uint64_t ipa = 0; ipa < top; ipa += MW_GRAN) {
		struct rmi_rtt_entry es, ed;

		assert_int_equal(rmm_rmi_rtt_read_entry(w->src, 0, w->r.rd, ipa, 3, &es), 0);
		assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, ipa, 3, &ed), 0);
		if (es.walk_level == 3 && ed.walk_level == 3) {
			assert_int_equal(es.state, ed.state);
		} else {
			/* a level the other side lacks: same state at the shallower one */
			int64_t l = es.walk_level < ed.walk_level ? es.walk_level : ed.walk_level;
			uint64_t base = ipa & ~((1ull << (12 + 9 * (3 - l))) - 1);

			assert_int_equal(rmm_rmi_rtt_read_entry(w->src, 0, w->r.rd, base, l, &es), 0);
			assert_int_equal(rmm_rmi_rtt_read_entry(w->dst, 0, w->kd.r.rd, base, l, &ed), 0);
			if (es.state != RMI_TABLE && ed.state != RMI_TABLE)
				assert_int_equal(es.state, ed.state);
		}
		assert_int_equal(es.ripas, ed.ripas);
		if (es.state == RMI_ASSIGNED && es.walk_level == 3) {
			uint64_t ps = es.desc & 0x0000fffffffff000ull, pd = ed.desc & 0x0000fffffffff000ull;

			assert_memory_equal(rmm_ns_ptr(w->src, ps), rmm_ns_ptr(w->dst, pd), MW_GRAN);
		}
	}
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(rmm_realm_measurement(w->src, w->r.rd, i, a), RMM_OK);
		assert_int_equal(rmm_realm_measurement(w->dst, w->kd.r.rd, i, b), RMM_OK);
		assert_memory_equal(a, b, 64);
	}
}

static inline void mw_census(struct rmm *r)
{
	struct rmm_stats st;
	char why[256];

	assert_int_equal(rmm_check_invariants(r, why, sizeof(why)), RMM_OK);
	rmm_get_stats(r, &st);
	assert_int_equal(st.delegated, 0);
}

/* Tear both sides down (whatever their migration state) and check that
 * every granule is back to UNDELEGATED and no finding was made. */
static inline void mw_teardown(struct mw *w)
{
	struct rmm_finding fd[4];
	uint64_t enc, reuse;

	for (unsigned int i = 0; i < w->sh.nrecs; i++)
		assert_int_equal(kh_vcpu_destroy(&w->hs, &w->v[i]), 0);
	assert_int_equal(kh_realm_destroy(&w->hs, &w->r), 0);
	if (w->kd.r.rd) {
		for (unsigned int i = 0; i < w->kd.nvcpu; i++)
			assert_int_equal(kh_vcpu_destroy(&w->hd, &w->kd.vcpus[i]), 0);
		if (rmm_granule_state(w->dst, w->kd.r.rd) == RMM_GRANULE_RD)
			assert_int_equal(kh_realm_destroy(&w->hd, &w->kd.r), 0);
		if (w->kd.spare)
			assert_int_equal(kh_undelegate_free(&w->hd, w->kd.spare), 0);
	}
	mw_census(w->src);
	mw_census(w->dst);
	assert_int_equal(rmm_findings(w->src, fd, 4), 0);
	assert_int_equal(rmm_findings(w->dst, fd, 4), 0);
	rmm_mig_audit(w->src, &enc, &reuse);
	assert_int_equal(reuse, 0);
	rmm_mig_audit(w->dst, NULL, &reuse);
	assert_int_equal(reuse, 0);
	mw_queue_free(&w->q);
	kh_fini(&w->hs);
	kh_fini(&w->hd);
	rmm_destroy(w->src);
	rmm_destroy(w->dst);
}

#endif
