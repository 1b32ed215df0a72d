/*
 * Attestation from real guest code: examples/guests/attest.S (assembled by
 * clang) on the AArch64 interpreter extends two REMs, requests a token with
 * RSI_ATTESTATION_TOKEN_INIT/CONTINUE into RAM the host maps on demand, and
 * hands it over through shared pages. Checked here: every status the guest
 * saw, the size INIT announced, an interrupted CONTINUE resumed after the
 * IRQ exit, and the REMs against values computed here from what the test
 * put in; the tokens go to RMM_ATTEST_OUT, where ctest runs the independent
 * verifier on them (structure, signatures, binding, every claim).
 */
#include <openssl/evp.h>
#include <rmm/rsi.h>

#include "../helpers/fixture.h"
#include "kvmhost/attest_guest.h"

static size_t load(uint8_t *img, size_t max)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/attest.bin", RMM_GUEST_DIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(img, 1, max, f);
	fclose(f);
	return n;
}

/* REM = H(REM || value): from zero, one extension of 'len' bytes. */
static void rem_after(unsigned int algo, const void *val, size_t len, uint8_t out[64])
{
	uint8_t buf[128] = { 0 };
	size_t h = algo == RMI_HASH_SHA_512 ? 64 : 32;
	unsigned int olen;

	memcpy(buf + h, val, len);
	memset(out, 0, 64);
	EVP_Digest(buf, h + len, out, &olen, h == 64 ? EVP_sha512() : EVP_sha256(), NULL);
}

static void run(struct fx *f, unsigned int algo, int irq, const char *name, size_t want_len)
{
	static uint8_t img[64 << 10];
	static struct kh_attest a;
	uint8_t rem0[64], rem3[64], zero[64] = { 0 };
	char path[512];

	memset(&a, 0, sizeof(a));
	a.img = img;
	a.img_len = load(img, sizeof(img));
	a.hash_algo = algo;
	for (int i = 0; i < 64; i++)
		a.challenge[i] = (uint8_t)(0x40 + 3 * i);
	a.ext0 = 0x1122334455667788ull;
	a.ext3[0] = 0x0123456789abcdefull;
	a.ext3[1] = 0xfedcba9876543210ull;
	a.irq = irq;
	assert_int_equal(kh_attest_run(f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE, &a), 0);
	fx_invariants(f);

	assert_int_equal(a.ext_status[0], RSI_SUCCESS);
	assert_int_equal(a.ext_status[1], RSI_SUCCESS);
	assert_int_equal(a.init_status, RSI_SUCCESS);
	assert_int_equal(a.init_size, want_len);
	assert_int_equal(a.last_status, RSI_SUCCESS);
	assert_int_equal(a.len, want_len);
	assert_int_equal(a.after_status, RSI_ERROR_STATE);
	/* one CONTINUE when nothing stops it; with an interrupt pending, the
	 * first returns RSI_INCOMPLETE with nothing written and the REC exits */
	assert_int_equal(a.interrupted, irq ? 1 : 0);
	assert_int_equal(a.calls, irq ? 2 : 1);
	assert_int_equal(a.st.irq, irq ? 1 : 0);
	assert_int_equal(a.st.faults_in, 1);  /* the token buffer, mapped on demand */

	rem_after(algo, &a.ext0, 8, rem0);
	rem_after(algo, a.ext3, 16, rem3);
	assert_memory_equal(a.meas[1], rem0, 64);
	assert_memory_equal(a.meas[2], zero, 64);
	assert_memory_equal(a.meas[3], zero, 64);
	assert_memory_equal(a.meas[4], rem3, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(a.rpv[i], 0xa0 + i);  /* what kh_realm_create puts in */
	snprintf(path, sizeof(path), "%s/%s.cbor", RMM_ATTEST_OUT, name);
	assert_int_equal(kh_attest_write(&a, path), 0);
}

static void test_sha256_interrupted(void **state)
{
	run(*state, RMI_HASH_SHA_256, 1, "a64_sha256_irq", 2124);
}

static void test_sha512(void **state)
{
	run(*state, RMI_HASH_SHA_512, 0, "a64_sha512", 2284);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sha256_interrupted, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sha512, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
