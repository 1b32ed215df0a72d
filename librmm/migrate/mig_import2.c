/* The destination side: IMPORT_REC, IMPORT_COMMIT, IMPORT_ABORT. */
#include <string.h>

#include "core/rmi_table.h"
#include "migrate/mig.h"
#include "rec/rec.h"
#include "rtt/rtt.h"

#define GET32(p) ((uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[3] << 24)
#define PUT64(p, v) do { uint64_t _v = (v); for (int _i = 0; _i < 8; _i++) (p)[_i] = (uint8_t)(_v >> 8 * _i); } while (0)

#define REC_REC_MAX (RMM_MIG_HDR_SIZE + 4096u + RMM_MIG_TAG_SIZE)

/*
 * MIG_IMPORT_REC(rd, rec, params, in). params: RecParams (num_aux, aux[]).
 * Locks: rec, rd and aux in address order (as REC_CREATE), the stream.
 */
uint64_t rmi_mig_import_rec(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], rec_pa = a[2], in = a[4], ret, i, n;
	struct granule_req req[2 + RMI_REC_MAX_AUX];
	uint8_t buf[REC_REC_MAX], body[4096];
	struct rmi_rec_params p;
	struct mig_session *m;
	struct rec tmp, *rec;
	struct mig_hdr h;
	struct realm *r;
	unsigned int why;
	uint32_t idx;

	ret = granule_read_params(c, a[3], &p, sizeof(p));
	if (ret != RMI_SUCCESS)
		return ret;
	if ((ret = granule_check_addr(c, rec_pa, "rec")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS)
		return ret;
	if (p.num_aux != REALM_AUX_COUNT)
		return call_fail(c, RMI_ERROR_INPUT, 0, "num_aux: %llu, REC_AUX_COUNT is %u",
				 (unsigned long long)p.num_aux, REALM_AUX_COUNT);
	n = p.num_aux;
	for (i = 0; i < n; i++) {
		if ((ret = granule_check_addr(c, p.aux[i], "aux")) != RMI_SUCCESS)
			return ret;
		if (p.aux[i] == rec_pa)
			return call_fail(c, RMI_ERROR_INPUT, 0, "aux_alias: aux[%llu] is the REC",
					 (unsigned long long)i);
	}
	if (ns_read(c, in, buf, RMM_MIG_HDR_SIZE) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "in_pas: 0x%llx is not NS memory",
				 (unsigned long long)in);
	req[0] = (struct granule_req){ rec_pa, RMM_GRANULE_DELEGATED, "rec", NULL };
	req[1] = (struct granule_req){ rd, RMM_GRANULE_RD, "rd", NULL };
	for (i = 0; i < n; i++)
		req[2 + i] = (struct granule_req){ p.aux[i], RMM_GRANULE_DELEGATED, "aux", NULL };
	ret = granule_lock_set(c, req, (unsigned int)(2 + n));
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(rmm, req[1].g);
	m = &r->mig;
	if (mig_state_get(m) == RMM_MIG_IMPORT_FAILED) {
		ret = mig_fail(c, RMI_MIG_FAILED, "the import failed before: destroy the realm");
		goto out;
	}
	if (mig_state_get(m) != RMM_MIG_IMPORTING) {
		ret = mig_state_fail(c, r, "IMPORTING");
		goto out;
	}
	why = mig_hdr_unpack(buf, &h);
	if (!why && h.type != RMM_MIG_REC_REC)
		why = RMI_MIG_ORDER;
	if (why) {
		ret = mig_import_fatal(c, r, why, "REC record header");
		goto out;
	}
	if (ns_read(c, in, buf, RMM_MIG_HDR_SIZE + h.body_len + RMM_MIG_TAG_SIZE) != 0) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "in_pas: 0x%llx is not NS memory",
				(unsigned long long)in);
		goto out;
	}
	if (!mig_stream_get(m, h.stream)) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: stream %u is in use", h.stream);
		goto out;
	}
	if (m->have_end)
		ret = mig_import_fatal(c, r, RMI_MIG_ORDER, "a record after the end record");
	else if ((why = mig_check_hdr(m, &h)) != 0)
		ret = mig_import_fatal(c, r, why, "REC record header");
	else if (mig_open(rmm, c->cpu, m->key_dec, m->kid_dec, buf, &h, body) != 0)
		ret = mig_import_fatal(c, r, RMI_MIG_AUTH, "the REC record's tag");
	if (ret != RMI_SUCCESS)
		goto out_stream;
	idx = GET32(body);
	memset(&tmp, 0, sizeof(tmp));
	if (body[4] != (uint8_t)mig_rec_nfields() || body[5] != (uint8_t)(mig_rec_nfields() >> 8) ||
	    body[6] || body[7] || mig_rec_unpack(&tmp, body + 8, h.body_len - 8) != 0)
		ret = mig_import_fatal(c, r, RMI_MIG_FORMAT, "REC record body");
	else if (idx >= m->num_recs)
		ret = mig_import_fatal(c, r, RMI_MIG_RANGE, "REC index beyond the realm's RECs");
	else if (idx < r->rec_index)
		ret = mig_import_fatal(c, r, RMI_MIG_DUPLICATE, "REC index not above the last "
				       "imported REC's");
	else if (rec_mpidr_index(tmp.mpidr) != (int64_t)idx)
		ret = mig_import_fatal(c, r, RMI_MIG_RANGE, "REC MPIDR does not match its index");
	if (ret != RMI_SUCCESS)
		goto out_stream;
	/* commit */
	rec = rec_of(rmm, req[0].g);
	*rec = tmp;
	rec->owner = rd;
	rec->index = idx;
	rec->num_aux = n;
	for (i = 0; i < n; i++) {
		rec->aux[i] = p.aux[i];
		granule_set_state_locked(c, req[2 + i].g, RMM_GRANULE_REC_AUX);
	}
	/* indexes the source's destroyed RECs had stay unused, as there */
	r->rec_index = idx + 1;
	m->recs_done++;
	granule_get(req[1].g);
	atomic_store(&req[0].g->refcount, 0);
	granule_set_state_locked(c, req[0].g, RMM_GRANULE_REC);
	m->st[h.stream].seq++;
out_stream:
	mig_stream_put(m, h.stream);
out:
	memset(body, 0, sizeof(body));
	granule_unlock_set(req, (unsigned int)(2 + n));
	return ret;
}

/*
 * MIG_IMPORT_COMMIT(rd): every count of END, then the realm runs.
 * Locks: the RD, every stream, the walk.
 */
uint64_t rmi_mig_import_commit(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) == RMM_MIG_IMPORT_FAILED) {
		ret = mig_fail(c, RMI_MIG_FAILED, "the import failed before: destroy the realm");
		goto out;
	}
	if (mig_state_get(m) != RMM_MIG_IMPORTING) {
		ret = mig_state_fail(c, r, "IMPORTING");
		goto out;
	}
	if (!mig_streams_all(m)) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "stream_busy: a stream is in use");
		goto out;
	}
	if (!m->have_end)
		ret = mig_import_fatal(c, r, RMI_MIG_COUNT, "no end record was imported");
	else if (m->end_epoch != m->epoch || m->end_fresh != mig_fresh(m) ||
		 m->end_layout != atomic_load(&m->layout_n) || m->end_recs != m->recs_done)
		ret = mig_import_fatal(c, r, RMI_MIG_COUNT, "pages, layout entries or RECs differ "
				       "from the end record");
	for (unsigned int s = 0; s < RMM_MIG_STREAMS && ret == RMI_SUCCESS; s++)
		if (m->st[s].seq != m->end_counts[s] + (s == 0))
			ret = mig_import_fatal(c, r, RMI_MIG_COUNT, "a stream's record count "
					       "differs from the end record");
	if (ret == RMI_SUCCESS) {
		memcpy(r->meas[1], m->end_rems, sizeof(m->end_rems));
		/* the source's index bound (trailing destroyed RECs included) */
		r->rec_index = m->num_recs;
		/* the realm's time continues from where the source stopped it */
		r->cntvoff = rmm->hal->counter(rmm->hal_h) - m->end_time;
		mig_unmark_all(c, r);
		memset(m->key_enc, 0, sizeof(m->key_enc));
		memset(m->key_dec, 0, sizeof(m->key_dec));
		atomic_store_explicit(&m->state, RMM_MIG_NONE, memory_order_release);
	}
	mig_streams_put_all(m);
out:
	granule_unlock(g);
	return ret;
}

/*
 * MIG_IMPORT_ABORT(rd, out) -> len: the abort token for the source; the
 * realm is destroy-only. Locks: the RD.
 */
uint64_t rmi_mig_import_abort(struct call *c, const uint64_t *a, uint64_t *res)
{
	uint8_t body[24], rec[RMM_MIG_HDR_SIZE + 24 + RMM_MIG_TAG_SIZE];
	struct mig_hdr h = { .type = RMM_MIG_REC_ABORT, .dir = RMM_MIG_BWD, .seq = 1,
			     .body_len = 24 };
	struct mig_session *m;
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = mig_lock_rd(c, a[1], &g, &r);
	if (ret != RMI_SUCCESS)
		return ret;
	m = &r->mig;
	if (mig_state_get(m) != RMM_MIG_IMPORTING && mig_state_get(m) != RMM_MIG_IMPORT_FAILED)
		ret = mig_state_fail(c, r, "IMPORTING/IMPORT_FAILED");
	else
		ret = mig_out_check(c, a[2], sizeof(rec), "out");
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	h.session = m->session;
	memcpy(h.binding, m->binding, 16);
	memset(body, 0, sizeof(body));
	PUT64(body, m->session);
	PUT64(body + 8, 0x4d4f434eull);
	mig_seal(c->rmm, c->cpu, m->key_enc, m->kid_enc, &h, body, rec);
	atomic_store_explicit(&m->state, RMM_MIG_IMPORT_FAILED, memory_order_release);
	granule_unlock(g);
	if (mig_ns_write(c, a[2], rec, sizeof(rec)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "out_pas: the buffer left the NS PAS");
	res[1] = sizeof(rec);
	return RMI_SUCCESS;
}
