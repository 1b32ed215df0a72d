/*
 * The destination side: IMPORT_START and IMPORT (PAGE records in
 * mig_import_page.c; LAYOUT, EPOCH and END here), docs/migration.md
 * section 5. Every record is authenticated before anything it describes is
 * mapped; an error in a record's header, tag or body is fatal
 * (IMPORT_FAILED, destroy-only); a missing RTT or granule is not (the
 * record is retried).
 */
#include <string.h>

#include "core/rmi_table.h"
#include "migrate/mig.h"
#include "migrate/mig_leaf.h"
#include "rec/rec.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

#define GET32(p) ((uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[3] << 24)
#define GET64(p) ((uint64_t)GET32(p) | (uint64_t)GET32((p) + 4) << 32)
#define PUT64(p, v) do { uint64_t _v = (v); for (int _i = 0; _i < 8; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)

/* A fatal refusal: the realm becomes destroy-only. */
uint64_t mig_import_fatal(struct call *c, struct realm *r, unsigned int reason, const char *what)
{
	atomic_store_explicit(&r->mig.state, RMM_MIG_IMPORT_FAILED, memory_order_release);
	return mig_fail(c, reason, "%s; the import failed (the realm is destroy-only)", what);
}

bool mig_zero_bytes(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* IMMUTABLE body -> RealmParams; 0 or a reason. */
static unsigned int immutable_params(const uint8_t *b, struct rmi_realm_params *p)
{
	if (!mig_zero_bytes(b + 160, 96) || b[15] > 1 || (int8_t)b[14] < -1 || (int8_t)b[14] > 3)
		return RMI_MIG_FORMAT;
	if (GET32(b + 24) != mig_rec_nfields() || GET32(b + 28) != mig_rec_state_size() ||
	    GET32(b + 20) > REC_MAX_INDEX)
		return RMI_MIG_PARAMS;
	p->flags = GET64(b);
	p->s2sz = b[8];
	p->sve_vl = b[9];
	p->num_bps = b[10];
	p->num_wps = b[11];
	p->pmu_num_ctrs = b[12];
	p->hash_algo = b[13];
	p->rtt_level_start = (int8_t)b[14];
	p->rtt_num_start = GET32(b + 16);
	memcpy(p->rpv, b + 32, 64);
	return 0;
}

/*
 * MIG_IMPORT_START(rd, params, session, in). Locks: as REALM_CREATE; the
 * new RD stays locked until the session is set up.
 */
uint64_t rmi_mig_import_start(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], session = a[3], in = a[4], ret, kid_f, kid_b;
	uint8_t rec[RMM_MIG_HDR_SIZE + 256 + RMM_MIG_TAG_SIZE], body[256], key_f[32], key_b[32];
	struct rmi_realm_params host, p;
	struct mig_session *m;
	struct granule *g;
	struct mig_hdr h;
	struct realm *r;
	unsigned int why;

	ret = granule_read_params(c, a[2], &host, sizeof(host));
	if (ret != RMI_SUCCESS)
		return ret;
	if (ns_read(c, in, rec, sizeof(rec)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "in_pas: 0x%llx is not NS memory",
				 (unsigned long long)in);
	why = mig_hdr_unpack(rec, &h);
	if (!why && h.type != RMM_MIG_REC_IMMUTABLE)
		why = RMI_MIG_ORDER;
	if (!why && (h.dir != RMM_MIG_FWD || h.session != session))
		why = RMI_MIG_SESSION;
	if (!why && h.stream != 0)
		why = RMI_MIG_STREAM;
	if (!why && !mig_zero_bytes(h.binding, 16))
		why = RMI_MIG_BINDING;
	if (!why && h.epoch != 0)
		why = RMI_MIG_EPOCH;
	if (!why && h.seq != 1)
		why = RMI_MIG_SEQUENCE;
	if (why)
		return mig_fail(c, why, "the immutable record's header");
	if (mig_key_take(rmm, session, RMM_MIG_FWD, key_f, &kid_f) != 0)
		return mig_fail(c, RMI_MIG_KEY, "no FWD key installed for session 0x%llx",
				(unsigned long long)session);
	if (mig_key_take(rmm, session, RMM_MIG_BWD, key_b, &kid_b) != 0) {
		mig_key_untake(rmm, session, RMM_MIG_FWD);
		return mig_fail(c, RMI_MIG_KEY, "no BWD key installed for session 0x%llx",
				(unsigned long long)session);
	}
	if (mig_open(rmm, c->cpu, key_f, kid_f, rec, &h, body) != 0)
		why = RMI_MIG_AUTH;
	else
		why = immutable_params(body, &p);
	if (why) {
		ret = mig_fail(c, why, "the immutable record");
		goto fail;
	}
	p.vmid = host.vmid;
	p.rtt_base = host.rtt_base;
	ret = realm_create_common(c, rd, &p, &g);
	if (ret != RMI_SUCCESS)
		goto fail;
	/* commit: the realm exists, ACTIVE and importing */
	mig_key_commit(rmm, session);
	r = realm_of(rmm, g);
	m = &r->mig;
	memset(m, 0, sizeof(*m));
	memcpy(r->meas[0], body + 96, 64);
	r->state = REALM_ACTIVE;
	m->session = session;
	memcpy(m->key_enc, key_b, 32);
	memcpy(m->key_dec, key_f, 32);
	m->kid_enc = kid_b;
	m->kid_dec = kid_f;
	m->num_recs = GET32(body + 20);
	m->st[0].seq = 1;
	mig_binding(session, body, m->binding);
	atomic_store_explicit(&m->state, RMM_MIG_IMPORTING, memory_order_release);
	granule_unlock(g);
	memset(key_f, 0, 32);
	memset(key_b, 0, 32);
	return RMI_SUCCESS;
fail:
	mig_key_untake(rmm, session, RMM_MIG_FWD);
	mig_key_untake(rmm, session, RMM_MIG_BWD);
	memset(key_f, 0, 32);
	memset(key_b, 0, 32);
	return ret;
}

/* Section 2's checks of a forward record against the session: 0 or a reason. */
unsigned int mig_check_hdr(const struct mig_session *m, const struct mig_hdr *h)
{
	if (h->dir != RMM_MIG_FWD || h->session != m->session)
		return RMI_MIG_SESSION;
	if (memcmp(h->binding, m->binding, 16))
		return RMI_MIG_BINDING;
	if (h->epoch != m->epoch)
		return RMI_MIG_EPOCH;
	if (h->seq != m->st[h->stream].seq + 1)
		return RMI_MIG_SEQUENCE;
	return 0;
}

/* Apply layout entries (idempotent, so a retry after (RTT, level) is safe). */
static uint64_t import_layout(struct call *c, struct realm *r, const uint8_t *body, uint32_t len,
			      uint64_t *at)
{
	uint32_t n = GET32(body);
	struct s2_ctx s;

	realm_s2_ctx(r, &s);
	if (n != (len - 8) / 16 || GET32(body + 4) != 0)
		return mig_import_fatal(c, r, RMI_MIG_FORMAT, "layout record body");
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = body + 8 + 16 * i;
		uint64_t ipa = GET64(p);
		int level = (int8_t)p[8];
		struct rtt_walk w;
		struct rtte e;

		if (!mig_zero_bytes(p + 10, 6) || level < s.sl || level > 3 || p[9] < RMI_RAM ||
		    p[9] > RMI_DESTROYED || !ipa_level_aligned(ipa, level) ||
		    !ipa_is_protected(ipa + level_size(level) - 1, s.ipa_width))
			return mig_import_fatal(c, r, RMI_MIG_RANGE, "layout entry out of range");
		rtt_walk_lock(c, &s, ipa, level, &w, NULL);
		rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
		if (w.level < level) {
			rtt_walk_unlock(&w);
			*at = ipa;
			return call_fail(c, RMI_ERROR_RTT, (unsigned int)w.level,
					 "rtt_walk: walk for 0x%llx stopped at level %d",
					 (unsigned long long)ipa, w.level);
		}
		if (e.st != RTTE_UNASSIGNED) {
			rtt_walk_unlock(&w);
			return mig_import_fatal(c, r, RMI_MIG_LAYOUT, "a layout entry's RTT entry "
						"is not UNASSIGNED at its level");
		}
		e.ripas = p[9];
		rtt_write(w.tbl, w.idx, rtte_encode(&e, level));
		rtt_walk_unlock(&w);
	}
	atomic_fetch_add(&r->mig.layout_n, n);
	return RMI_SUCCESS;
}

/* EPOCH and END: every stream's count so far (stream 0's before this record). */
static bool counts_match(const struct mig_session *m, const uint8_t *counts)
{
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		if (GET64(counts + 8 * s) != m->st[s].seq)
			return false;
	return true;
}

static uint64_t import_epoch(struct call *c, struct realm *r, const uint8_t *body)
{
	struct mig_session *m = &r->mig;

	if (GET32(body + 4) != 0)
		return mig_import_fatal(c, r, RMI_MIG_FORMAT, "epoch record body");
	if (GET32(body) != m->epoch + 1)
		return mig_import_fatal(c, r, RMI_MIG_EPOCH, "the epoch record skips an epoch");
	if (!counts_match(m, body + 8))
		return mig_import_fatal(c, r, RMI_MIG_COUNT, "records of the closing epoch are "
					"missing or extra");
	m->epoch++;
	return RMI_SUCCESS;
}

static uint64_t import_end(struct call *c, struct realm *r, const uint8_t *body)
{
	struct mig_session *m = &r->mig;

	if (!mig_zero_bytes(body + 352, 48))
		return mig_import_fatal(c, r, RMI_MIG_FORMAT, "end record body");
	if (GET32(body) != m->epoch)
		return mig_import_fatal(c, r, RMI_MIG_EPOCH, "the end record's final epoch");
	if (!counts_match(m, body + 8))
		return mig_import_fatal(c, r, RMI_MIG_COUNT, "records are missing or extra");
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		m->end_counts[s] = GET64(body + 8 + 8 * s);
	m->end_epoch = GET32(body);
	m->end_recs = GET32(body + 4);
	m->end_fresh = GET64(body + 72);
	m->end_layout = GET64(body + 80);
	m->end_time = GET64(body + 88);
	memcpy(m->end_rems, body + 96, sizeof(m->end_rems));
	m->have_end = 1;
	return RMI_SUCCESS;
}

/*
 * MIG_IMPORT(rd, in, count, grans) -> done, used, len, rtt_ipa (the IPA whose
 * walk stopped short, with (ERROR_RTT, level)). Locks: the RD while
 * checking the state; per record its stream (all streams for EPOCH/END).
 */
uint64_t rmi_mig_import(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint8_t rec[RMM_MIG_MAX_RECORD], body[RMM_MIG_MAX_RECORD];
	uint64_t in = a[2], count = a[3], grans = a[4], ret, off = 0, used = 0, i, done = 0;
	struct mig_leaf l = { .held = false };
	struct mig_session *m;
	struct granule *g;
	struct realm *r;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) == RMM_MIG_IMPORT_FAILED)
		ret = mig_fail(c, RMI_MIG_FAILED, "the import failed before: destroy the realm");
	else if (mig_state_get(m) != RMM_MIG_IMPORTING)
		ret = mig_state_fail(c, r, "IMPORTING");
	else if (count == 0 || count > RMM_MIG_BATCH_MAX)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "count: %llu outside [1, %u]",
				(unsigned long long)count, RMM_MIG_BATCH_MAX);
	granule_unlock(g);
	if (ret != RMI_SUCCESS)
		return ret;
	for (i = 0; i < count && ret == RMI_SUCCESS; i++) {
		struct mig_hdr h;
		unsigned int why;
		size_t total;
		bool all;

		/* the held table may not be read as NS memory (it would wait for itself) */
		mig_leaf_release_for(&l, in + off, RMM_MIG_MAX_RECORD);
		if (ns_read(c, in + off, rec, RMM_MIG_HDR_SIZE) != 0) {
			ret = call_fail(c, RMI_ERROR_INPUT, 0, "in_pas: 0x%llx is not NS memory",
					(unsigned long long)(in + off));
			break;
		}
		why = mig_hdr_unpack(rec, &h);
		if (!why && h.type != RMM_MIG_REC_PAGE && h.type != RMM_MIG_REC_LAYOUT &&
		    h.type != RMM_MIG_REC_EPOCH && h.type != RMM_MIG_REC_END)
			why = RMI_MIG_ORDER;
		if (why) {
			ret = mig_import_fatal(c, r, why, "record header");
			break;
		}
		total = RMM_MIG_HDR_SIZE + h.body_len + RMM_MIG_TAG_SIZE;
		if (ns_read(c, in + off + RMM_MIG_HDR_SIZE, rec + RMM_MIG_HDR_SIZE,
			    total - RMM_MIG_HDR_SIZE) != 0) {
			ret = call_fail(c, RMI_ERROR_INPUT, 0, "in_pas: record at 0x%llx is not NS "
					"memory", (unsigned long long)(in + off));
			break;
		}
		all = h.type == RMM_MIG_REC_EPOCH || h.type == RMM_MIG_REC_END;
		if (all ? !mig_streams_all(m) : !mig_stream_get(m, h.stream)) {
			ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: stream %u is in use",
					h.stream);
			break;
		}
		if (mig_state_get(m) != RMM_MIG_IMPORTING)
			ret = mig_fail(c, RMI_MIG_FAILED, "the import failed on another stream");
		else if (m->have_end)
			ret = mig_import_fatal(c, r, RMI_MIG_ORDER, "a record after the end record");
		else if (all && h.stream != 0)
			ret = mig_import_fatal(c, r, RMI_MIG_STREAM, "epoch/end record off stream 0");
		else if ((why = mig_check_hdr(m, &h)) != 0)
			ret = mig_import_fatal(c, r, why, "record header");
		else if (h.type == RMM_MIG_REC_PAGE && h.body_len == 16 + GRANULE_SIZE &&
			 (mig_open_begin(c->rmm, c->cpu, m->key_dec, m->kid_dec, rec, &h, body, 16),
			  (ret = mig_import_direct(c, r, &h, rec, body, grans, &used, &l)) !=
				  MIG_FALLBACK))
			;   /* imported (or refused) in place */
		else if (ret = RMI_SUCCESS, mig_leaf_release(&l),
			 mig_open(c->rmm, c->cpu, m->key_dec, m->kid_dec, rec, &h, body) != 0)
			ret = mig_import_fatal(c, r, RMI_MIG_AUTH, "the record's tag");
		else if (h.type == RMM_MIG_REC_PAGE)
			ret = mig_import_page(c, r, h.stream, body, h.body_len, grans, &used, &res[4]);
		else if (h.type == RMM_MIG_REC_LAYOUT)
			ret = import_layout(c, r, body, h.body_len, &res[4]);
		else if (h.type == RMM_MIG_REC_EPOCH)
			ret = import_epoch(c, r, body);
		else
			ret = import_end(c, r, body);
		if (ret == RMI_SUCCESS) {
			m->st[h.stream].seq++;
			off += total;
			done++;
		}
		if (all)
			mig_streams_put_all(m);
		else
			mig_stream_put(m, h.stream);
	}
	mig_leaf_release(&l);
	memset(body, 0, sizeof(body));
	res[1] = done;
	res[2] = used;
	res[3] = off;
	return ret;
}
