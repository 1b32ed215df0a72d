/*
 * A minimal CBOR (RFC 8949) writer and reader for the attestation token's
 * fixed layout: definite lengths only, shortest-form heads, no floats, no
 * heap. The writer appends into a caller's buffer; running out of room sets
 * 'overflow' and stops writing (the length keeps counting, so a NULL buffer
 * of capacity 0 measures an encoding). The reader walks a buffer and never
 * reads past its end.
 */
#ifndef RMM_ATTEST_CBOR_H
#define RMM_ATTEST_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cbor_major {
	CBOR_UINT = 0, CBOR_NINT = 1, CBOR_BSTR = 2, CBOR_TSTR = 3,
	CBOR_ARRAY = 4, CBOR_MAP = 5, CBOR_TAG = 6, CBOR_SIMPLE = 7,
};

struct cbor_w {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void cbor_w_init(struct cbor_w *w, uint8_t *buf, size_t cap);
/* A head: major type and argument, in the shortest form. */
void cbor_head(struct cbor_w *w, enum cbor_major major, uint64_t arg);
/* Raw bytes (an already-encoded item, or a byte string's content). */
void cbor_raw(struct cbor_w *w, const void *p, size_t n);
void cbor_bstr(struct cbor_w *w, const void *p, size_t n);
void cbor_tstr(struct cbor_w *w, const char *s);
/* An integer key or value: n >= 0 is a uint, n < 0 a negative integer. */
void cbor_int(struct cbor_w *w, int64_t n);
/* Size of a head with argument 'arg'. */
size_t cbor_head_size(uint64_t arg);

struct cbor_r {
	const uint8_t *p;
	size_t len, off;
};

/* Read a head; false if the data ends, the head is malformed or indefinite. */
bool cbor_get_head(struct cbor_r *r, enum cbor_major *major, uint64_t *arg);
/* Read a byte or text string of the given major type: its content. */
bool cbor_get_str(struct cbor_r *r, enum cbor_major major, const uint8_t **p, size_t *n);
/* Skip one complete item (nesting at most 16 deep). */
bool cbor_skip(struct cbor_r *r);

#endif
