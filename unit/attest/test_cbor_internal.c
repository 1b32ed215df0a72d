/*
 * The attestation CBOR writer and reader (librmm/attest/cbor.c): shortest
 * heads at every size boundary, negative integers, overflow accounting, and
 * a reader that refuses truncated, reserved, indefinite and too-deep input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "attest/cbor.h"

static void head_is(uint64_t arg, const uint8_t *want, size_t n)
{
	uint8_t buf[16];
	struct cbor_w w;

	cbor_w_init(&w, buf, sizeof(buf));
	cbor_head(&w, CBOR_BSTR, arg);
	assert_false(w.overflow);
	assert_int_equal(w.len, n);
	assert_int_equal(cbor_head_size(arg), n);
	assert_memory_equal(buf, want, n);
}

static void test_heads(void **state)
{
	head_is(0, (const uint8_t[]){ 0x40 }, 1);
	head_is(23, (const uint8_t[]){ 0x57 }, 1);
	head_is(24, (const uint8_t[]){ 0x58, 24 }, 2);
	head_is(255, (const uint8_t[]){ 0x58, 0xff }, 2);
	head_is(256, (const uint8_t[]){ 0x59, 0x01, 0x00 }, 3);
	head_is(65535, (const uint8_t[]){ 0x59, 0xff, 0xff }, 3);
	head_is(65536, (const uint8_t[]){ 0x5a, 0, 1, 0, 0 }, 5);
	head_is(0xffffffffull, (const uint8_t[]){ 0x5a, 0xff, 0xff, 0xff, 0xff }, 5);
	head_is(1ull << 32, (const uint8_t[]){ 0x5b, 0, 0, 0, 1, 0, 0, 0, 0 }, 9);
}

static void test_ints_and_overflow(void **state)
{
	uint8_t buf[8];
	struct cbor_w w;

	cbor_w_init(&w, buf, sizeof(buf));
	cbor_int(&w, -1);
	cbor_int(&w, -35);      /* ES384 */
	cbor_int(&w, 44241);
	assert_int_equal(w.len, 6);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x20, 0x38, 0x22, 0x19, 0xac, 0xd1 }), 6);
	/* out of room: nothing more is written, the length keeps counting */
	cbor_tstr(&w, "sha-256");
	assert_true(w.overflow);
	assert_int_equal(w.len, 14);
	cbor_int(&w, 1);
	assert_int_equal(w.len, 15);
	/* no buffer: measures */
	cbor_w_init(&w, NULL, 100);
	cbor_bstr(&w, buf, 5);
	assert_true(w.overflow);
	assert_int_equal(w.len, 6);
}

static bool skips(const uint8_t *p, size_t n)
{
	struct cbor_r r = { p, n, 0 };

	return cbor_skip(&r) && r.off == n;
}

static void test_reader(void **state)
{
	/* {10: h'0102', 265: "ab", -1: [1, 18(h'')]} */
	static const uint8_t ok[] = { 0xa3, 0x0a, 0x42, 1, 2, 0x19, 0x01, 0x09, 0x62, 'a', 'b',
				      0x20, 0x82, 0x01, 0xd2, 0x40 };
	struct cbor_r r = { ok, sizeof(ok), 0 };
	enum cbor_major m;
	const uint8_t *p;
	uint64_t arg;
	size_t n;
	uint8_t deep[40];

	assert_true(skips(ok, sizeof(ok)));
	assert_true(cbor_get_head(&r, &m, &arg));
	assert_int_equal(m, CBOR_MAP);
	assert_int_equal(arg, 3);
	assert_true(cbor_get_head(&r, &m, &arg));
	assert_int_equal(arg, 10);
	assert_false(cbor_get_str(&r, CBOR_TSTR, &p, &n));  /* a bstr, not a tstr */
	r.off = 2;
	assert_true(cbor_get_str(&r, CBOR_BSTR, &p, &n));
	assert_int_equal(n, 2);
	assert_int_equal(p[1], 2);
	for (size_t cut = 0; cut < sizeof(ok); cut++)
		assert_false(skips(ok, cut));               /* every truncation */
	assert_false(skips((const uint8_t[]){ 0x19, 0x01 }, 2));       /* short argument */
	assert_false(skips((const uint8_t[]){ 0x1c }, 1));             /* reserved */
	assert_false(skips((const uint8_t[]){ 0x5f, 0x40, 0xff }, 3)); /* indefinite */
	assert_false(skips((const uint8_t[]){ 0x9f, 0xff }, 2));
	assert_false(skips((const uint8_t[]){ 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff }, 9));                /* length past the end */
	assert_false(skips((const uint8_t[]){ 0x9a, 0xff, 0xff, 0xff, 0xff }, 5));
	assert_true(skips((const uint8_t[]){ 0xf6 }, 1));               /* null */
	memset(deep, 0x81, sizeof(deep));                              /* [[[[...]]]] */
	deep[16] = 0x00;
	assert_true(skips(deep, 17));
	deep[16] = 0x81;
	deep[sizeof(deep) - 1] = 0x00;
	assert_false(skips(deep, sizeof(deep)));                       /* too deep */
	memset(deep, 0xd2, sizeof(deep));                              /* tags nest too */
	assert_false(skips(deep, sizeof(deep)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_ints_and_overflow),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
