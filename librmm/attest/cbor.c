/* The CBOR writer and reader for attestation tokens (see cbor.h). */
#include <string.h>

#include "attest/cbor.h"

#define CBOR_MAX_DEPTH 16

void cbor_w_init(struct cbor_w *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->overflow = false;
}

void cbor_raw(struct cbor_w *w, const void *p, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
	} else if (n) {
		memcpy(w->buf + w->len, p, n);
	}
	w->len += n;
}

size_t cbor_head_size(uint64_t arg)
{
	if (arg < 24)
		return 1;
	if (arg <= 0xff)
		return 2;
	if (arg <= 0xffff)
		return 3;
	if (arg <= 0xffffffffull)
		return 5;
	return 9;
}

void cbor_head(struct cbor_w *w, enum cbor_major major, uint64_t arg)
{
	uint8_t h[9];
	size_t n = cbor_head_size(arg);
	unsigned int info[] = { 0, 0, 24, 25, 0, 26, 0, 0, 0, 27 };

	h[0] = (uint8_t)(major << 5) | (uint8_t)(n == 1 ? arg : info[n]);
	for (size_t i = 1; i < n; i++)
		h[i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
	cbor_raw(w, h, n);
}

void cbor_bstr(struct cbor_w *w, const void *p, size_t n)
{
	cbor_head(w, CBOR_BSTR, n);
	cbor_raw(w, p, n);
}

void cbor_tstr(struct cbor_w *w, const char *s)
{
	size_t n = strlen(s);

	cbor_head(w, CBOR_TSTR, n);
	cbor_raw(w, s, n);
}

void cbor_int(struct cbor_w *w, int64_t n)
{
	if (n >= 0)
		cbor_head(w, CBOR_UINT, (uint64_t)n);
	else
		cbor_head(w, CBOR_NINT, (uint64_t)(-1 - n));
}

bool cbor_get_head(struct cbor_r *r, enum cbor_major *major, uint64_t *arg)
{
	unsigned int ai, n;
	uint64_t v = 0;

	if (r->off >= r->len)
		return false;
	*major = (enum cbor_major)(r->p[r->off] >> 5);
	ai = r->p[r->off] & 0x1f;
	r->off++;
	if (ai < 24) {
		*arg = ai;
		return true;
	}
	if (ai > 27)
		return false;  /* reserved or indefinite length */
	n = 1u << (ai - 24);
	if (n > r->len - r->off)
		return false;
	for (unsigned int i = 0; i < n; i++)
		v = (v << 8) | r->p[r->off + i];
	r->off += n;
	*arg = v;
	return true;
}

bool cbor_get_str(struct cbor_r *r, enum cbor_major major, const uint8_t **p, size_t *n)
{
	enum cbor_major m;
	uint64_t len;

	if (!cbor_get_head(r, &m, &len) || m != major || len > r->len - r->off)
		return false;
	*p = r->p + r->off;
	*n = (size_t)len;
	r->off += (size_t)len;
	return true;
}

static bool skip(struct cbor_r *r, unsigned int depth)
{
	enum cbor_major m;
	uint64_t arg;

	if (depth > CBOR_MAX_DEPTH || !cbor_get_head(r, &m, &arg))
		return false;
	switch (m) {
	case CBOR_BSTR:
	case CBOR_TSTR:
		if (arg > r->len - r->off)
			return false;
		r->off += (size_t)arg;
		return true;
	case CBOR_ARRAY:
	case CBOR_MAP:
		if (arg > r->len - r->off)  /* each item takes at least a byte */
			return false;
		for (uint64_t i = 0; i < (m == CBOR_MAP ? 2 * arg : arg); i++)
			if (!skip(r, depth + 1))
				return false;
		return true;
	case CBOR_TAG:
		return skip(r, depth + 1);
	default:
		return true;
	}
}

bool cbor_skip(struct cbor_r *r)
{
	return skip(r, 0);
}
