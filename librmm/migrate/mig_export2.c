/* The source side after the pages: EXPORT_REC, END, ABORT and DIRTY. */
#include <string.h>

#include "core/rmi_table.h"
#include "migrate/mig.h"
#include "rec/rec.h"
#include "rtt/rtt.h"

#define PUT64(p, v) do { uint64_t _v = (v); for (int _i = 0; _i < 8; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)
#define PUT32(p, v) do { uint32_t _v = (v); for (int _i = 0; _i < 4; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)
#define GET64(p) ((uint64_t)(p)[0] | (uint64_t)(p)[1] << 8 | (uint64_t)(p)[2] << 16 | (uint64_t)(p)[3] << 24 | \
		  (uint64_t)(p)[4] << 32 | (uint64_t)(p)[5] << 40 | (uint64_t)(p)[6] << 48 | (uint64_t)(p)[7] << 56)

#define REC_BODY_MAX 4096u

/*
 * MIG_EXPORT_REC(rd, rec, stream, out) -> len. Locks: rd + rec (address
 * order), the stream.
 */
uint64_t rmi_mig_export_rec(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t rd = a[1], rec_pa = a[2], stream = a[3], out = a[4], ret;
	struct granule_req req[2] = { { rd, RMM_GRANULE_RD, "rd", NULL },
				      { rec_pa, RMM_GRANULE_REC, "rec", NULL } };
	uint8_t body[REC_BODY_MAX], rec_buf[RMM_MIG_HDR_SIZE + REC_BODY_MAX + RMM_MIG_TAG_SIZE];
	uint32_t len = (uint32_t)(8 + mig_rec_state_size());
	struct mig_session *m;
	struct realm *r;
	struct rec *rec;

	if ((ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rec_pa, "rec")) != RMI_SUCCESS)
		return ret;
	ret = granule_lock_set(c, req, 2);
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(c->rmm, req[0].g);
	rec = rec_of(c->rmm, req[1].g);
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_EXPORT_PAUSED)
		ret = mig_state_fail(c, r, "EXPORT_PAUSED");
	else if (stream >= RMM_MIG_STREAMS)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream: %llu >= %u",
				(unsigned long long)stream, RMM_MIG_STREAMS);
	else if (rec->owner != rd)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "rec_owner: REC belongs to realm 0x%llx",
				(unsigned long long)rec->owner);
	else if (rec_running(req[1].g))
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_state: REC 0x%llx is running",
				(unsigned long long)rec_pa);
	else if (rec->mig_exported == m->gen)
		ret = mig_fail(c, RMI_MIG_DUPLICATE, "REC %u was exported in this session",
			       rec->index);
	else if ((ret = mig_out_check(c, out, RMM_MIG_HDR_SIZE + len + RMM_MIG_TAG_SIZE, "out")) !=
		 RMI_SUCCESS)
		;
	else if (!mig_stream_get(m, (unsigned int)stream))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: stream %llu is in use",
				(unsigned long long)stream);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, 2);
		return ret;
	}
	memset(body, 0, 8);
	PUT32(body, rec->index);
	body[4] = (uint8_t)mig_rec_nfields();
	body[5] = (uint8_t)(mig_rec_nfields() >> 8);
	mig_rec_pack(rec, body + 8);
	rec->mig_exported = m->gen;
	m->recs_done++;
	mig_seal_next(c, r, RMM_MIG_REC_REC, (unsigned int)stream, body, len, rec_buf);
	mig_stream_put(m, (unsigned int)stream);
	granule_unlock_set(req, 2);
	memset(body, 0, sizeof(body));
	if (mig_ns_write(c, out, rec_buf, RMM_MIG_HDR_SIZE + len + RMM_MIG_TAG_SIZE) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
				 "during the call; abort the session");
	res[1] = RMM_MIG_HDR_SIZE + len + RMM_MIG_TAG_SIZE;
	return RMI_SUCCESS;
}

struct end_ctx {
	uint64_t bad_ipa;
	const char *why;
};

/* END's completeness: every ASSIGNED page exported and clean, no block. */
static bool end_leaf(struct call *c, void *ctx, uint64_t ipa, int level, uint64_t *tbl,
		     unsigned int idx)
{
	struct end_ctx *ec = ctx;
	struct granule *g;
	struct rtte e;
	bool ok;

	rtte_decode(rtt_read(tbl, idx), level, &e);
	if (e.st != RTTE_ASSIGNED)
		return false;
	if (level < 3) {
		ec->bad_ipa = ipa;
		ec->why = "an ASSIGNED block was never exported";
		return true;
	}
	g = granule_find(c->rmm, e.oa);
	granule_lock(c->rmm, g);
	ok = (g->mig & (MIG_G_EXPORTED | MIG_G_DIRTY)) == MIG_G_EXPORTED;
	granule_unlock(g);
	if (!ok) {
		ec->bad_ipa = ipa;
		ec->why = "an ASSIGNED page was never exported";
	}
	return !ok;
}

/* MIG_EXPORT_END(rd, out) -> len. Locks: the RD, every stream, the walk. */
uint64_t rmi_mig_export_end(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint8_t body[400], rec[RMM_MIG_HDR_SIZE + 400 + RMM_MIG_TAG_SIZE];
	struct end_ctx ec = { 0, NULL };
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_EXPORT_PAUSED) {
		ret = mig_state_fail(c, r, "EXPORT_PAUSED");
		goto out;
	}
	if ((ret = mig_out_check(c, a[2], sizeof(rec), "out")) != RMI_SUCCESS)
		goto out;
	if (!mig_streams_all(m)) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: a stream is in use");
		goto out;
	}
	if (atomic_load(&m->dirty))
		ret = mig_fail(c, RMI_MIG_DIRTY, "%llu exported pages were written since",
			       (unsigned long long)atomic_load(&m->dirty));
	else if (m->layout_cursor < (1ull << (r->ipa_width - 1)))
		ret = mig_fail(c, RMI_MIG_INCOMPLETE, "the layout was sent up to 0x%llx only",
			       (unsigned long long)m->layout_cursor);
	else if (m->recs_done != m->recs_live)
		ret = mig_fail(c, RMI_MIG_INCOMPLETE, "%u of %u RECs were exported", m->recs_done,
			       m->recs_live);
	else if (mig_walk(c, r, 0, end_leaf, &ec), ec.why)
		ret = mig_fail(c, RMI_MIG_INCOMPLETE, "%s at IPA 0x%llx", ec.why,
			       (unsigned long long)ec.bad_ipa);
	if (ret != RMI_SUCCESS) {
		mig_streams_put_all(m);
		goto out;
	}
	memset(body, 0, sizeof(body));
	PUT32(body, m->epoch);
	PUT32(body + 4, m->recs_done);
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		PUT64(body + 8 + 8 * s, m->st[s].seq);
	PUT64(body + 72, mig_fresh(m));
	PUT64(body + 80, atomic_load(&m->layout_n));
	/* no REC runs or can run: the realm's time stops here */
	PUT64(body + 88, rmm->hal->counter(rmm->hal_h) - r->cntvoff);
	memcpy(body + 96, r->meas[1], 4 * 64);
	mig_seal_next(c, r, RMM_MIG_REC_END, 0, body, sizeof(body), rec);
	atomic_store_explicit(&m->state, RMM_MIG_EXPORT_DONE, memory_order_release);
	mig_streams_put_all(m);
	granule_unlock(g);
	if (mig_ns_write(c, a[2], rec, sizeof(rec)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
				 "during the call; the end record is lost");
	res[1] = sizeof(rec);
	return RMI_SUCCESS;
out:
	granule_unlock(g);
	return ret;
}

/* An abort token from the destination of this session (section 2). */
static uint64_t check_token(struct call *c, struct realm *r, uint64_t pa)
{
	struct mig_session *m = &r->mig;
	uint8_t rec[RMM_MIG_HDR_SIZE + 24 + RMM_MIG_TAG_SIZE], body[24];
	struct mig_hdr h;
	unsigned int why;

	if (ns_read(c, pa, rec, sizeof(rec)) != 0)
		return mig_fail(c, RMI_MIG_TOKEN, "token_pas: 0x%llx is not NS memory",
				(unsigned long long)pa);
	why = mig_hdr_unpack(rec, &h);
	if (!why && (h.type != RMM_MIG_REC_ABORT || h.stream != 0 || h.seq != 1 || h.epoch != 0))
		why = RMI_MIG_FORMAT;
	if (!why && (h.dir != RMM_MIG_BWD || h.session != m->session))
		why = RMI_MIG_SESSION;
	if (!why && memcmp(h.binding, m->binding, 16))
		why = RMI_MIG_BINDING;
	if (!why && mig_open(c->rmm, c->cpu, m->key_dec, m->kid_dec, rec, &h, body) != 0)
		why = RMI_MIG_AUTH;
	if (!why && (GET64(body) != m->session || GET64(body + 8) != 0x4d4f434eull ||
		     GET64(body + 16) != 0))
		why = RMI_MIG_FORMAT;
	if (why)
		return mig_fail(c, RMI_MIG_TOKEN, "the abort token fails: %s",
				rmm_mig_reason_name(why));
	return RMI_SUCCESS;
}

/*
 * MIG_EXPORT_ABORT(rd, token): back to NONE, write permission restored.
 * Locks: the RD, every stream, the walk.
 */
uint64_t rmi_mig_export_abort(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	unsigned int st;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	st = mig_state_get(m);
	if (st != RMM_MIG_EXPORT_LIVE && st != RMM_MIG_EXPORT_PAUSED && st != RMM_MIG_EXPORT_DONE) {
		ret = mig_state_fail(c, r, "EXPORT_LIVE/PAUSED/DONE");
	} else if (!mig_streams_all(m)) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: a stream is in use");
	} else {
		if (st == RMM_MIG_EXPORT_DONE)
			ret = check_token(c, r, a[2]);
		if (ret == RMI_SUCCESS) {
			mig_unmark_all(c, r);
			memset(m->key_enc, 0, sizeof(m->key_enc));
			memset(m->key_dec, 0, sizeof(m->key_dec));
			atomic_store(&m->dirty, 0);
			atomic_store_explicit(&m->state, RMM_MIG_NONE, memory_order_release);
		}
		mig_streams_put_all(m);
	}
	granule_unlock(g);
	return ret;
}

struct dirty_ctx {
	uint64_t *list;
	unsigned int n;
};

static bool dirty_leaf(struct call *c, void *ctx, uint64_t ipa, int level, uint64_t *tbl,
		       unsigned int idx)
{
	struct dirty_ctx *dc = ctx;
	struct granule *g;
	struct rtte e;
	bool send = true;

	rtte_decode(rtt_read(tbl, idx), level, &e);
	if (e.st != RTTE_ASSIGNED)
		return false;
	if (level == 3) {
		g = granule_find(c->rmm, e.oa);
		granule_lock(c->rmm, g);
		send = (g->mig & (MIG_G_EXPORTED | MIG_G_DIRTY)) != MIG_G_EXPORTED;
		granule_unlock(g);
	}
	if (!send)
		return false;
	if (dc->n == GRANULE_SIZE / 8)
		return true;
	dc->list[dc->n++] = ipa;
	return false;
}

/*
 * MIG_EXPORT_DIRTY(rd, ipa, list) -> n, next, dirty: the pages still to
 * send from ipa (never exported, or dirty; a block's base for a block).
 * Locks: the RD, the walk.
 */
uint64_t rmi_mig_export_dirty(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t list[GRANULE_SIZE / 8], ret;
	struct dirty_ctx dc = { list, 0 };
	struct granule *g;
	struct realm *r;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	if (mig_state_get(&r->mig) != RMM_MIG_EXPORT_LIVE &&
	    mig_state_get(&r->mig) != RMM_MIG_EXPORT_PAUSED)
		ret = mig_state_fail(c, r, "EXPORT_LIVE/PAUSED");
	else if (a[2] & GRANULE_MASK)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "ipa_align: 0x%llx",
				(unsigned long long)a[2]);
	else
		ret = mig_out_check(c, a[3], GRANULE_SIZE, "list");
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	res[2] = mig_walk(c, r, a[2], dirty_leaf, &dc);
	res[3] = atomic_load(&r->mig.dirty);
	granule_unlock(g);
	res[1] = dc.n;
	if (dc.n && mig_ns_write(c, a[3], list, dc.n * 8) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "list_pas: the buffer left the NS PAS");
	return RMI_SUCCESS;
}
