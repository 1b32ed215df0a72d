/* The VMM's migration loop (see kvm_migrate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_migrate.h"

#define GRAN 4096ull
#define OUT_PAGES ((RMM_MIG_BATCH_MAX * RMM_MIG_PAGE_RECORD + GRAN - 1) / GRAN)

static int fail(struct kvm_host *h, uint64_t *status, const char *what, uint64_t ret)
{
	*status = ret;
	if (!h->quiet)
		fprintf(stderr, "kvm_migrate: %s failed: status 0x%x index %u: %s\n", what,
			RMI_RETURN_STATUS(ret), RMI_RETURN_INDEX(ret),
			rmm_last_reason(h->rmm, h->cpu));
	return -1;
}

/* n contiguous host pages */
static uint64_t alloc_run(struct kvm_host *h, unsigned int n)
{
	uint64_t pa = h->next;

	if (h->next + n * GRAN > h->end)
		return 0;
	h->next += n * GRAN;
	memset(rmm_ns_ptr(h->rmm, pa), 0, n * GRAN);
	return pa;
}

unsigned int km_record_type(const void *rec)
{
	return ((const uint8_t *)rec)[6];
}

size_t km_record_len(const void *rec, size_t avail)
{
	const uint8_t *p = rec;
	uint32_t body;

	if (avail < RMM_MIG_HDR_SIZE)
		return 0;
	body = (uint32_t)p[40] | (uint32_t)p[41] << 8 | (uint32_t)p[42] << 16 |
	       (uint32_t)p[43] << 24;
	if (body > RMM_MIG_MAX_RECORD || RMM_MIG_HDR_SIZE + body + RMM_MIG_TAG_SIZE > avail)
		return 0;
	return RMM_MIG_HDR_SIZE + body + RMM_MIG_TAG_SIZE;
}

/* Hand the records the RMM wrote at s->out (len bytes) to the emitter. */
static int emit_out(struct km_src *s, unsigned int stream, uint64_t len)
{
	const uint8_t *p = rmm_ns_ptr(s->h->rmm, s->out);
	uint64_t off = 0;

	while (off < len) {
		size_t n = km_record_len(p + off, len - off);

		if (!n || s->emit(s->ctx, stream, p + off, n))
			return -1;
		s->records++;
		s->bytes += n;
		off += n;
	}
	return 0;
}

int km_src_init(struct km_src *s, struct kvm_host *h, struct kvm_realm *r, km_emit_fn emit,
		void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->h = h;
	s->r = r;
	s->emit = emit;
	s->ctx = ctx;
	s->out = alloc_run(h, OUT_PAGES);
	s->list = kh_alloc(h);
	return s->out && s->list ? 0 : -1;
}

int km_export_start(struct km_src *s, uint64_t session)
{
	uint64_t len, ret = rmm_mig_export_start(s->h->rmm, s->h->cpu, s->r->rd, session, s->out, &len);

	if (ret != RMI_SUCCESS)
		return fail(s->h, &s->status, "MIG_EXPORT_START", ret);
	return emit_out(s, 0, len);
}

int km_export_layout(struct km_src *s)
{
	uint64_t ipa = 0, half = 1ull << (s->r->ipa_bits - 1), len, ret;

	while (ipa < half) {
		ret = rmm_mig_export_layout(s->h->rmm, s->h->cpu, s->r->rd, 0, ipa, s->out, &ipa, &len);
		if (ret != RMI_SUCCESS)
			return fail(s->h, &s->status, "MIG_EXPORT_LAYOUT", ret);
		if (emit_out(s, 0, len))
			return -1;
	}
	return 0;
}

/*
 * Export 'n' pages on 'stream': into s->out, each batch handed to the
 * emitter (at == 0), or written one after another from NS address 'at'
 * (*len bytes so far; the caller provides n records of room).
 */
static int export_pages(struct km_src *s, unsigned int stream, const uint64_t *ipas, size_t n,
			uint64_t at, uint64_t *total)
{
	struct kvm_host *h = s->h;
	size_t i = 0;

	while (i < n) {
		uint64_t cnt = n - i < RMM_MIG_BATCH_MAX ? n - i : RMM_MIG_BATCH_MAX, done, len, ret;

		if (rmm_host_write(h->rmm, s->list, ipas + i, cnt * 8))
			return -1;
		ret = rmm_mig_export_pages(h->rmm, h->cpu, s->r->rd, stream, s->list, cnt,
					   at ? at + *total : s->out, &done, &len);
		if (at) {
			*total += len;
			s->records += done;   /* at most: UNASSIGNED entries have no record */
			s->bytes += len;
		} else if (emit_out(s, stream, len)) {
			return -1;
		}
		s->pages += done;
		i += done;
		if (ret == RMI_SUCCESS)
			continue;
		if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT) {
			/* inside a block: unfold down to level 3 and retry */
			if (kh_create_rtt_levels(h, s->r, ipas[i], (int)RMI_RETURN_INDEX(ret), 3))
				return -1;
			continue;
		}
		if (ret == RMI_RETURN(RMI_ERROR_MIG, RMI_MIG_DUPLICATE)) {
			s->dups++;   /* written again in this epoch: the next round sends it */
			i++;
			continue;
		}
		return fail(h, &s->status, "MIG_EXPORT_PAGES", ret);
	}
	return 0;
}

int km_export_pages(struct km_src *s, unsigned int stream, const uint64_t *ipas, size_t n)
{
	return export_pages(s, stream, ipas, n, 0, NULL);
}

int km_export_pages_at(struct km_src *s, unsigned int stream, const uint64_t *ipas, size_t n,
		       uint64_t at, uint64_t *len)
{
	*len = 0;
	return at ? export_pages(s, stream, ipas, n, at, len) : -1;
}

int km_export_round(struct km_src *s, unsigned int stream, unsigned long *sent)
{
	struct kvm_host *h = s->h;
	uint64_t half = 1ull << (s->r->ipa_bits - 1), ipa = 0, n, ret;
	uint64_t ipas[GRAN / 8];
	unsigned long before = s->pages;

	while (ipa < half) {
		ret = rmm_mig_export_dirty(h->rmm, h->cpu, s->r->rd, ipa, s->list, &n, &ipa, NULL);
		if (ret != RMI_SUCCESS)
			return fail(h, &s->status, "MIG_EXPORT_DIRTY", ret);
		if (!n)
			continue;
		if (rmm_host_read(h->rmm, s->list, ipas, n * 8) || km_export_pages(s, stream, ipas, n))
			return -1;
	}
	if (sent)
		*sent = s->pages - before;
	return 0;
}

int km_export_epoch(struct km_src *s)
{
	uint64_t len, ret = rmm_mig_export_epoch(s->h->rmm, s->h->cpu, s->r->rd, s->out, &len);

	if (ret != RMI_SUCCESS)
		return fail(s->h, &s->status, "MIG_EXPORT_EPOCH", ret);
	return emit_out(s, 0, len);
}

int km_export_pause(struct km_src *s)
{
	uint64_t ret = rmm_mig_export_pause(s->h->rmm, s->h->cpu, s->r->rd);

	return ret == RMI_SUCCESS ? 0 : fail(s->h, &s->status, "MIG_EXPORT_PAUSE", ret);
}

int km_export_recs(struct km_src *s, const struct kvm_vcpu *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t len, ret;

		do /* a REC still running after the pause exits soon */
			ret = rmm_mig_export_rec(s->h->rmm, s->h->cpu, s->r->rd, v[i].rec, 0, s->out,
						 &len);
		while (ret == RMI_RETURN(RMI_ERROR_REC, 0));
		if (ret != RMI_SUCCESS)
			return fail(s->h, &s->status, "MIG_EXPORT_REC", ret);
		if (emit_out(s, 0, len))
			return -1;
	}
	return 0;
}

int km_export_end(struct km_src *s)
{
	uint64_t len, ret = rmm_mig_export_end(s->h->rmm, s->h->cpu, s->r->rd, s->out, &len);

	if (ret != RMI_SUCCESS)
		return fail(s->h, &s->status, "MIG_EXPORT_END", ret);
	return emit_out(s, 0, len);
}

uint64_t km_dirty(struct km_src *s)
{
	uint64_t dirty = 0;
	unsigned int st;

	rmm_mig_state(s->h->rmm, s->r->rd, &st, &dirty);
	return dirty;
}

int km_export_all(struct km_src *s, uint64_t session, const struct kvm_vcpu *v, unsigned int n,
		  unsigned int max_rounds, uint64_t threshold, unsigned int *rounds)
{
	unsigned int round = 0;

	if (km_export_start(s, session) || km_export_layout(s))
		return -1;
	do {
		if (km_export_round(s, 0, NULL) || km_export_epoch(s))
			return -1;
		round++;
	} while (round < max_rounds && km_dirty(s) > threshold);
	if (km_export_pause(s) || km_export_recs(s, v, n) || km_export_round(s, 0, NULL) ||
	    km_export_end(s))
		return -1;
	if (rounds)
		*rounds = round;
	return 0;
}

/* ---- destination ---- */

int km_import_start(struct km_dst *d, struct kvm_host *h, unsigned int ipa_bits, uint16_t vmid,
		    uint64_t session, const void *rec, size_t len)
{
	struct kvm_realm *r = &d->r;
	struct rmi_realm_params *p;
	unsigned int bits;
	uint64_t ret;

	memset(d, 0, sizeof(*d));
	d->h = h;
	r->ipa_bits = ipa_bits;
	r->sl = 4 - (int)((ipa_bits - 8) / 9);
	bits = (unsigned int)(4 - r->sl) * 9 + 12;
	r->num_start = bits >= ipa_bits ? 1 : 1u << (ipa_bits - bits);
	r->aux_count = 16;
	d->in = alloc_run(h, 3);
	d->grans = kh_alloc(h);
	r->rd = kh_alloc_delegated(h);
	while (h->next % (r->num_start * GRAN))
		kh_free(h, (h->next += GRAN) - GRAN);
	r->rtt_base = h->next;
	h->next += r->num_start * GRAN;
	if (!d->in || !d->grans || !r->rd || h->next > h->end || len > 3 * GRAN)
		return -1;
	for (unsigned int i = 0; i < r->num_start; i++) {
		ret = rmm_rmi_granule_delegate(h->rmm, h->cpu, r->rtt_base + i * GRAN);
		if (ret != RMI_SUCCESS)
			return fail(h, &d->status, "GRANULE_DELEGATE(rtt)", ret);
		h->delegated++;
	}
	r->params = kh_alloc(h);
	p = rmm_ns_ptr(h->rmm, r->params);
	p->vmid = vmid;
	p->rtt_base = r->rtt_base;
	if (rmm_host_write(h->rmm, d->in, rec, len))
		return -1;
	ret = rmm_mig_import_start(h->rmm, h->cpu, r->rd, r->params, session, d->in);
	if (ret != RMI_SUCCESS) {
		/* nothing was created: give the granules back */
		kh_undelegate_free(h, r->rd);
		for (unsigned int i = 0; i < r->num_start; i++)
			kh_undelegate_free(h, r->rtt_base + i * GRAN);
		return fail(h, &d->status, "MIG_IMPORT_START", ret);
	}
	return 0;
}

static int import_rec(struct km_dst *d, uint64_t in)
{
	struct kvm_host *h = d->h;
	struct kvm_vcpu *v = &d->vcpus[d->nvcpu];
	struct rmi_rec_params *p;
	uint64_t ret;

	if (d->nvcpu == KM_MAX_VCPUS)
		return -1;
	memset(v, 0, sizeof(*v));
	v->idx = d->nvcpu;
	v->params = kh_alloc(h);
	v->run = kh_alloc(h);
	v->rec = kh_alloc_delegated(h);
	if (!v->params || !v->run || !v->rec)
		return -1;
	p = rmm_ns_ptr(h->rmm, v->params);
	p->num_aux = d->r.aux_count;
	for (unsigned int i = 0; i < d->r.aux_count; i++)
		if (!(p->aux[i] = v->aux[i] = kh_alloc_delegated(h)))
			return -1;
	ret = rmm_mig_import_rec(h->rmm, h->cpu, d->r.rd, v->rec, v->params, in);
	if (ret != RMI_SUCCESS) {
		/* the reason first: the undelegations are RMI calls of their own */
		int rc = fail(h, &d->status, "MIG_IMPORT_REC", ret);

		kh_undelegate_free(h, v->rec);
		for (unsigned int i = 0; i < d->r.aux_count; i++)
			kh_undelegate_free(h, v->aux[i]);
		return rc;
	}
	d->nvcpu++;
	return 0;
}

int km_import_reserve(struct km_dst *d, size_t n)
{
	uint64_t *p = realloc(d->pool, (d->npool + n) * sizeof(*p));

	if (!p)
		return -1;
	d->pool = p;
	while (n--)
		if (!(d->pool[d->npool++] = kh_alloc_delegated(d->h)))
			return -1;
	return 0;
}

int km_import_record(struct km_dst *d, const void *rec, size_t len)
{
	struct kvm_host *h = d->h;
	uint64_t ret, done, used, at = 0;

	if (len > 3 * GRAN)
		return -1;
	/* the host's own NS pages: a plain copy */
	memcpy(rmm_ns_ptr(h->rmm, d->in), rec, len);
	d->records++;
	if (km_record_type(rec) == RMM_MIG_REC_REC)
		return import_rec(d, d->in);
	for (;;) {
		if (!d->spare && d->npool)
			d->spare = d->pool[--d->npool];
		if (!d->spare && !(d->spare = kh_alloc_delegated(h)))
			return -1;
		memcpy(rmm_ns_ptr(h->rmm, d->grans), &d->spare, 8);
		ret = rmm_mig_import(h->rmm, h->cpu, d->r.rd, d->in, 1, d->grans, &done, &used, NULL,
				     &at);
		if (used)
			d->spare = 0;
		if (ret == RMI_SUCCESS)
			return 0;
		if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT)
			return fail(h, &d->status, "MIG_IMPORT", ret);
		/* as for DATA_CREATE: create the missing RTT and retry */
		if (kh_create_rtt_levels(h, &d->r, at, (int)RMI_RETURN_INDEX(ret),
					 (int)RMI_RETURN_INDEX(ret) + 1) < 0)
			return -1;
		d->rtts++;
	}
}

int km_import_batch(struct km_dst *d, uint64_t pa, size_t len)
{
	struct kvm_host *h = d->h;
	const uint8_t *p = rmm_ns_ptr(h->rmm, pa);
	uint64_t *list = rmm_ns_ptr(h->rmm, d->grans);
	size_t off = 0;

	while (off < len) {
		uint64_t ret, done, used, in_len = 0, at = 0;
		unsigned int k = 0;
		size_t o = off, n;

		if (km_record_type(p + off) == RMM_MIG_REC_REC) {
			n = km_record_len(p + off, len - off);
			if (!n || import_rec(d, pa + off))
				return -1;
			d->records++;
			off += n;
			continue;
		}
		/* up to 64 records, none of them a REC record */
		while (k < RMM_MIG_BATCH_MAX && o < len && km_record_type(p + o) != RMM_MIG_REC_REC) {
			n = km_record_len(p + o, len - o);
			if (!n)
				return -1;
			o += n;
			k++;
		}
		/* as many granules as the batch may need, from the pool's top */
		if (d->npool < k && km_import_reserve(d, k - d->npool + RMM_MIG_BATCH_MAX))
			return -1;
		for (unsigned int j = 0; j < k; j++)
			list[j] = d->pool[d->npool - 1 - j];
		ret = rmm_mig_import(h->rmm, h->cpu, d->r.rd, pa + off, k, d->grans, &done, &used,
				     &in_len, &at);
		d->npool -= used;
		d->records += done;
		off += in_len;
		if (ret == RMI_SUCCESS)
			continue;
		if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT)
			return fail(h, &d->status, "MIG_IMPORT", ret);
		if (kh_create_rtt_levels(h, &d->r, at, (int)RMI_RETURN_INDEX(ret),
					 (int)RMI_RETURN_INDEX(ret) + 1) < 0)
			return -1;
		d->rtts++;
	}
	return 0;
}

int km_import_commit(struct km_dst *d)
{
	uint64_t ret = rmm_mig_import_commit(d->h->rmm, d->h->cpu, d->r.rd);

	if (d->spare && !kh_undelegate_free(d->h, d->spare))
		d->spare = 0;
	while (d->npool && !kh_undelegate_free(d->h, d->pool[d->npool - 1]))
		d->npool--;
	free(d->pool);
	d->pool = NULL;
	return ret == RMI_SUCCESS ? 0 : fail(d->h, &d->status, "MIG_IMPORT_COMMIT", ret);
}
