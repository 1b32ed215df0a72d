/*
 * The source side: EXPORT_START, PAGES, LAYOUT, EPOCH, PAUSE (docs/
 * migration.md section 5). REC, END, ABORT and DIRTY are in mig_export2.c.
 * Records are built and sealed in RMM memory (a page is encrypted in place
 * from its DATA granule, under that granule's lock once its write
 * protection is visible to every CPU) and written to the host's buffer
 * after every granule lock is dropped.
 */
#include <string.h>

#include "core/rmi_table.h"
#include "migrate/mig.h"
#include "migrate/mig_leaf.h"
#include "rec/rec.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

#define PUT64(p, v) do { uint64_t _v = (v); for (int _i = 0; _i < 8; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)
#define PUT32(p, v) do { uint32_t _v = (v); for (int _i = 0; _i < 4; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)

uint64_t mig_lock_rd(struct call *c, uint64_t rd, struct granule **g, struct realm **r)
{
	uint64_t ret = granule_find_lock(c, rd, RMM_GRANULE_RD, "rd", g);

	if (ret == RMI_SUCCESS)
		*r = realm_of(c->rmm, *g);
	return ret;
}

uint64_t mig_state_fail(struct call *c, const struct realm *r, const char *want)
{
	return call_fail(c, RMI_ERROR_REALM, 2, "realm_mig: the realm is %s/%s, not %s",
			 realm_state_name(realm_state_get(r)), mig_state_name(mig_state_get(&r->mig)),
			 want);
}

/* The IMMUTABLE body (section 2). */
void mig_immutable_body(struct rmm *rmm, const struct realm *r, uint32_t num_recs, uint8_t b[256])
{
	memset(b, 0, 256);
	PUT64(b + 0, r->flags);
	b[8] = r->ipa_width;
	b[9] = r->sve_vl;
	b[10] = r->num_bps;
	b[11] = r->num_wps;
	b[12] = r->pmu_num_ctrs;
	b[13] = r->hash_algo;
	b[14] = (uint8_t)r->rtt_level_start;
	b[15] = r->lpa2;
	PUT32(b + 16, r->rtt_num_start);
	PUT32(b + 20, num_recs);
	PUT32(b + 24, mig_rec_nfields());
	PUT32(b + 28, (uint32_t)mig_rec_state_size());
	memcpy(b + 32, r->rpv, 64);
	memcpy(b + 96, r->meas[0], 64);
}

/* Seal a source record on 'stream' (owned by the caller) in the current epoch. */
void mig_seal_next2(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		    const void *head, uint32_t head_len, const void *tail, uint32_t len,
		    uint8_t *rec)
{
	struct mig_session *m = &r->mig;
	struct mig_hdr h = { .type = (uint8_t)type, .dir = RMM_MIG_FWD, .stream = (uint16_t)stream,
			     .epoch = m->epoch, .session = m->session, .body_len = len };

	h.seq = ++m->st[stream].seq;
	memcpy(h.binding, m->binding, 16);
	mig_seal2(c->rmm, c->cpu, m->key_enc, m->kid_enc, &h, head, head_len, tail, rec);
}

int mig_seal_next_ns(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		     const void *head, uint32_t head_len, const void *tail, uint32_t len,
		     uint64_t pa, struct granule *const *held, unsigned int nheld)
{
	struct mig_session *m = &r->mig;
	struct mig_hdr h = { .type = (uint8_t)type, .dir = RMM_MIG_FWD, .stream = (uint16_t)stream,
			     .epoch = m->epoch, .session = m->session, .body_len = len };

	h.seq = ++m->st[stream].seq;
	memcpy(h.binding, m->binding, 16);
	return mig_seal_ns(c->rmm, c->cpu, m->key_enc, m->kid_enc, &h, head, head_len, tail, pa,
			   held, nheld);
}

void mig_seal_next(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		   const void *body, uint32_t len, uint8_t *rec)
{
	mig_seal_next2(c, r, type, stream, body, len, NULL, len, rec);
}

/*
 * MIG_EXPORT_START(rd, session, out) -> len. Locks: the RD.
 */
uint64_t rmi_mig_export_start(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t session = a[2], out = a[3], ret, kid_e, kid_d;
	uint8_t body[256], rec[RMM_MIG_HDR_SIZE + 256 + RMM_MIG_TAG_SIZE];
	uint8_t key_e[32], key_d[32];
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint8_t gen;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (realm_state_get(r) != REALM_ACTIVE || mig_state_get(m) != RMM_MIG_NONE) {
		ret = mig_state_fail(c, r, "ACTIVE/NONE");
		goto out;
	}
	if (mig_key_take(rmm, session, RMM_MIG_FWD, key_e, &kid_e) != 0) {
		ret = mig_fail(c, RMI_MIG_KEY, "no FWD key installed for session 0x%llx",
			       (unsigned long long)session);
		goto out;
	}
	if (mig_key_take(rmm, session, RMM_MIG_BWD, key_d, &kid_d) != 0) {
		mig_key_untake(rmm, session, RMM_MIG_FWD);
		ret = mig_fail(c, RMI_MIG_KEY, "no BWD key installed for session 0x%llx",
			       (unsigned long long)session);
		goto out;
	}
	ret = mig_out_check(c, out, sizeof(rec), "out");
	if (ret != RMI_SUCCESS) {
		mig_key_untake(rmm, session, RMM_MIG_FWD);
		mig_key_untake(rmm, session, RMM_MIG_BWD);
		goto out;
	}
	/* commit */
	mig_key_commit(rmm, session);
	mig_immutable_body(rmm, r, r->rec_index, body);
	gen = (uint8_t)(m->gen + 1);
	if (!gen)
		gen = 1;
	memset(m, 0, sizeof(*m));
	m->gen = gen;
	m->session = session;
	memcpy(m->key_enc, key_e, 32);
	memcpy(m->key_dec, key_d, 32);
	m->kid_enc = kid_e;
	m->kid_dec = kid_d;
	m->num_recs = (uint32_t)r->rec_index;
	/* the RD counts its RECs; REC_CREATE needs a NEW realm and REC_DESTROY
	 * is refused while exporting, so this stays the number to export */
	m->recs_live = granule_refcount(g);
	mig_seal_next(c, r, RMM_MIG_REC_IMMUTABLE, 0, body, 256, rec);
	mig_binding(session, body, m->binding);
	atomic_store_explicit(&m->state, RMM_MIG_EXPORT_LIVE, memory_order_release);
	granule_unlock(g);
	memset(key_e, 0, 32);
	memset(key_d, 0, 32);
	if (mig_ns_write(c, out, rec, sizeof(rec)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
				 "during the call; the session has started (abort it)");
	res[1] = sizeof(rec);
	return RMI_SUCCESS;
out:
	granule_unlock(g);
	return ret;
}

static bool all_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;

	for (unsigned int i = 0; i < 512; i++)
		if (q[i])
			return false;
	return true;
}

/*
 * Export one page as a sealed PAGE record written straight to NS memory at
 * 'out' (room for one RMM_MIG_PAGE_RECORD) on 'stream' (owned by the
 * caller); *len = its body length, 0 for an entry that has no page record
 * (UNASSIGNED). The page is encrypted in place from the DATA granule, under
 * its lock after the write protection is visible to every CPU. *lost: the
 * output left the NS PAS during the seal (the page is exported all the
 * same; the record is incomplete). Locks: the level-3 RTT (l, kept by the
 * caller across the pages of that table), then DATA, then (innermost) each
 * NS granule of the output in turn.
 */
static uint64_t export_one(struct call *c, struct realm *r, const struct s2_ctx *s,
			   struct mig_leaf *l, uint64_t ipa, unsigned int stream, uint64_t out,
			   uint32_t *len, bool *lost)
{
	uint8_t body[16];
	const uint8_t *page;
	struct mig_session *m = &r->mig;
	struct rtt_walk *w = &l->w;
	struct granule *g;
	struct rtte e;
	uint64_t d, ret = RMI_SUCCESS;

	*len = 0;
	*lost = false;
	if ((ipa & GRANULE_MASK) || !ipa_is_protected(ipa, s->ipa_width))
		return call_fail(c, RMI_ERROR_INPUT, 0, "ipa: 0x%llx is not an aligned protected IPA",
				 (unsigned long long)ipa);
	mig_leaf_walk(c, s, l, ipa);
	d = rtt_read(w->tbl, w->idx);
	rtte_decode(d, w->level, &e);
	if (e.st != RTTE_ASSIGNED)
		return RMI_SUCCESS;   /* UNASSIGNED: the layout carries it */
	if (w->level < 3)
		return call_fail(c, RMI_ERROR_RTT, (unsigned int)w->level,
				 "rtt_walk: 0x%llx is inside a level %d block; unfold it with "
				 "RTT_CREATE", (unsigned long long)ipa, w->level);
	g = granule_find(c->rmm, e.oa);
	granule_lock(c->rmm, g);
	if ((g->mig & MIG_G_EXPORTED) && g->mig_epoch == m->epoch) {
		ret = mig_fail(c, RMI_MIG_DUPLICATE, "0x%llx was exported in epoch %u already",
			       (unsigned long long)ipa, m->epoch);
		goto out;
	}
	if ((d & DESC_VALID) && (d & DESC_S2AP_W)) {
		/* write-protect, and make every CPU see it before reading */
		s2_change_begin(c);
		rtt_write(w->tbl, w->idx, d & ~DESC_S2AP_W);
		s2_change_end(c, s->vmid, ipa, GRANULE_SIZE);
	}
	if (g->mig & MIG_G_DIRTY)
		atomic_fetch_sub(&m->dirty, 1);
	if (!(g->mig & MIG_G_EXPORTED))
		m->st[stream].fresh++;
	g->mig = MIG_G_EXPORTED;
	g->mig_epoch = (uint16_t)m->epoch;
	memset(body, 0, 16);
	PUT64(body, ipa);
	body[9] = e.ripas;
	page = granule_map(c->rmm, g);
	if (all_zero(page)) {
		body[8] = RMM_MIG_PAGE_ZERO;
		*len = 16;
	} else {
		body[8] = RMM_MIG_PAGE_DATA;
		*len = 16 + GRANULE_SIZE;
	}
	{
		struct granule *const held[2] = { w->g, g };

		*lost = mig_seal_next_ns(c, r, RMM_MIG_REC_PAGE, stream, body, 16, page, *len, out,
					 held, 2) != 0;
	}
out:
	granule_unlock(g);
	return ret;
}

/*
 * MIG_EXPORT_PAGES(rd, stream, list, count, out) -> done, len.
 * Locks: the RD while checking; the stream; per page the walk and DATA.
 */
uint64_t rmi_mig_export_pages(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t stream = a[2], list = a[3], count = a[4], out = a[5], ret, ipas[RMM_MIG_BATCH_MAX];
	uint64_t off = 0, i;
	struct mig_leaf l = { .held = false };
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	struct s2_ctx s;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_EXPORT_LIVE && mig_state_get(m) != RMM_MIG_EXPORT_PAUSED)
		ret = mig_state_fail(c, r, "EXPORT_LIVE/PAUSED");
	else if (stream >= RMM_MIG_STREAMS)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream: %llu >= %u",
				(unsigned long long)stream, RMM_MIG_STREAMS);
	else if (count == 0 || count > RMM_MIG_BATCH_MAX)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "count: %llu outside [1, %u]",
				(unsigned long long)count, RMM_MIG_BATCH_MAX);
	else if (ns_read(c, list, ipas, count * 8) != 0)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "list_pas: 0x%llx is not NS memory",
				(unsigned long long)list);
	else if ((ret = mig_out_check(c, out, count * RMM_MIG_PAGE_RECORD, "out")) != RMI_SUCCESS)
		;
	else if (!mig_stream_get(m, (unsigned int)stream))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: stream %llu is in use",
				(unsigned long long)stream);
	realm_s2_ctx(r, &s);
	granule_unlock(g);
	if (ret != RMI_SUCCESS)
		return ret;
	for (i = 0; i < count; i++) {
		uint32_t len;
		bool lost;

		ret = export_one(c, r, &s, &l, ipas[i], (unsigned int)stream, out + off, &len, &lost);
		if (ret != RMI_SUCCESS)
			break;
		if (lost) {
			ret = call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
					"during the call; abort the session");
			i++;
			break;
		}
		off += len ? RMM_MIG_HDR_SIZE + len + RMM_MIG_TAG_SIZE : 0;
	}
	mig_leaf_release(&l);
	mig_stream_put(m, (unsigned int)stream);
	res[1] = i;
	res[2] = off;
	return ret;
}

struct layout_ctx {
	uint8_t *body;
	uint32_t n;
};

static bool layout_leaf(struct call *c, void *ctx, uint64_t ipa, int level, uint64_t *tbl,
			unsigned int idx)
{
	struct layout_ctx *lc = ctx;
	struct rtte e;
	uint8_t *p;

	rtte_decode(rtt_read(tbl, idx), level, &e);
	if (e.st != RTTE_UNASSIGNED || e.ripas == RMI_EMPTY)
		return false;
	if (lc->n == RMM_MIG_LAYOUT_MAX)
		return true;
	p = lc->body + 8 + 16 * lc->n++;
	memset(p, 0, 16);
	PUT64(p, ipa);
	p[8] = (uint8_t)level;
	p[9] = e.ripas;
	return false;
}

/*
 * MIG_EXPORT_LAYOUT(rd, stream, ipa, out) -> next, len. Locks: the RD for
 * the whole walk (RTTs root to leaf under it), the stream.
 */
uint64_t rmi_mig_export_layout(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint64_t stream = a[2], ipa = a[3], out = a[4], ret, next;
	uint8_t body[8 + 16 * RMM_MIG_LAYOUT_MAX];
	uint8_t rec[RMM_MIG_HDR_SIZE + sizeof(body) + RMM_MIG_TAG_SIZE];
	struct layout_ctx lc = { body, 0 };
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint32_t len;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_EXPORT_LIVE && mig_state_get(m) != RMM_MIG_EXPORT_PAUSED)
		ret = mig_state_fail(c, r, "EXPORT_LIVE/PAUSED");
	else if (stream >= RMM_MIG_STREAMS)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream: %llu >= %u",
				(unsigned long long)stream, RMM_MIG_STREAMS);
	else if (ipa != m->layout_cursor)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "ipa: 0x%llx, the layout continues at 0x%llx",
				(unsigned long long)ipa, (unsigned long long)m->layout_cursor);
	else if ((ret = mig_out_check(c, out, sizeof(rec), "out")) != RMI_SUCCESS)
		;
	else if (!mig_stream_get(m, (unsigned int)stream))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: stream %llu is in use",
				(unsigned long long)stream);
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	next = mig_walk(c, r, ipa, layout_leaf, &lc);
	m->layout_cursor = next;
	atomic_fetch_add(&m->layout_n, lc.n);
	granule_unlock(g);
	len = 8 + 16 * lc.n;
	res[1] = next;
	res[2] = 0;
	if (lc.n) {
		memset(body, 0, 8);
		PUT32(body, lc.n);
		mig_seal_next(c, r, RMM_MIG_REC_LAYOUT, (unsigned int)stream, body, len, rec);
		res[2] = RMM_MIG_HDR_SIZE + len + RMM_MIG_TAG_SIZE;
	}
	mig_stream_put(m, (unsigned int)stream);
	if (lc.n && mig_ns_write(c, out, rec, (size_t)res[2]) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
				 "during the call; abort the session");
	return RMI_SUCCESS;
}

/* MIG_EXPORT_EPOCH(rd, out) -> len. Locks: the RD, every stream. */
uint64_t rmi_mig_export_epoch(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint8_t body[8 + 8 * RMM_MIG_STREAMS], rec[RMM_MIG_HDR_SIZE + sizeof(body) + RMM_MIG_TAG_SIZE];
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_EXPORT_LIVE && mig_state_get(m) != RMM_MIG_EXPORT_PAUSED)
		ret = mig_state_fail(c, r, "EXPORT_LIVE/PAUSED");
	else if ((ret = mig_out_check(c, a[2], sizeof(rec), "out")) != RMI_SUCCESS)
		;
	else if (m->epoch >= 0xffff)
		ret = mig_fail(c, RMI_MIG_RANGE, "epoch: %u is the last", m->epoch);
	else if (!mig_streams_all(m))
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: a stream is in use");
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	memset(body, 0, sizeof(body));
	PUT32(body, m->epoch + 1);
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		PUT64(body + 8 + 8 * s, m->st[s].seq);
	mig_seal_next(c, r, RMM_MIG_REC_EPOCH, 0, body, sizeof(body), rec);
	m->epoch++;
	mig_streams_put_all(m);
	granule_unlock(g);
	if (mig_ns_write(c, a[2], rec, sizeof(rec)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS "
				 "during the call; abort the session");
	res[1] = sizeof(rec);
	return RMI_SUCCESS;
}

/* MIG_EXPORT_PAUSE(rd): REC_ENTER refused from now on. Locks: the RD. */
uint64_t rmi_mig_export_pause(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	if (mig_state_get(&r->mig) != RMM_MIG_EXPORT_LIVE)
		ret = mig_state_fail(c, r, "EXPORT_LIVE");
	else
		atomic_store_explicit(&r->mig.state, RMM_MIG_EXPORT_PAUSED, memory_order_release);
	granule_unlock(g);
	return ret;
}
