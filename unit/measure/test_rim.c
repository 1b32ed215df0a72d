/*
 * The RIM, computed here independently from the descriptor layouts of
 * RMM 1.0 C1.11-13 and A7.1 with libcrypto, compared with the library's.
 */
#include <openssl/sha.h>

#include "../helpers/fixture.h"

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8); /* little-endian host */
}

static void H(int algo, const void *d, size_t n, uint8_t out[64])
{
	memset(out, 0, 64);
	if (algo == RMI_HASH_SHA_512)
		SHA512(d, n, out);
	else
		SHA256(d, n, out);
}

static void expect_create(const struct rmi_realm_params *p, uint8_t rim[64])
{
	uint8_t page[4096] = { 0 };

	put64(page, p->flags);
	page[0x08] = p->s2sz;
	page[0x10] = p->sve_vl;
	page[0x18] = p->num_bps;
	page[0x20] = p->num_wps;
	page[0x28] = p->pmu_num_ctrs;
	page[0x30] = p->hash_algo;
	H(p->hash_algo, page, sizeof(page), rim);
}

static void expect_data(int algo, uint8_t rim[64], uint64_t ipa, uint64_t flags, const uint8_t *c)
{
	uint8_t d[256] = { 0 };

	d[0] = 0;
	put64(d + 8, 0x100);
	memcpy(d + 0x10, rim, 64);
	put64(d + 0x50, ipa);
	put64(d + 0x58, flags);
	if (flags)
		H(algo, c, 4096, d + 0x60);
	H(algo, d, sizeof(d), rim);
}

static void expect_ripas(int algo, uint8_t rim[64], uint64_t base, uint64_t top)
{
	uint8_t d[256] = { 0 };

	d[0] = 2;
	put64(d + 8, 0x100);
	memcpy(d + 0x10, rim, 64);
	put64(d + 0x50, base);
	put64(d + 0x58, top);
	H(algo, d, sizeof(d), rim);
}

static void run(struct fx *f, int algo)
{
	struct fx_realm r;
	uint64_t pp, top, src = fx_ns_page(f);
	struct rmi_realm_params *p;
	uint8_t want[64], got[64], content[4096];

	pp = fx_params(f, 40, (uint8_t)algo, (uint16_t)(10 + algo));
	p = rmm_ns_ptr(f->rmm, pp);
	/* odd but valid values so every field matters */
	p->num_bps = 3;
	p->num_wps = 2;
	p->sve_vl = 7;         /* measured even though SVE is off */
	p->pmu_num_ctrs = 4;   /* likewise */
	r.rd = fx_delegated(f);
	while (f->next_rmm % (2 * GRAN))
		f->next_rmm += GRAN;
	p->rtt_base = fx_delegated(f);
	fx_delegated(f);
	expect_create(p, want);
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, r.rd, pp), RMI_SUCCESS, 0);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, got), RMM_OK);
	assert_memory_equal(want, got, 64);
	if (algo == RMI_HASH_SHA_256) {
		static const uint8_t zero[32];

		assert_memory_equal(got + 32, zero, 32);
	}

	r.rtt_base = p->rtt_base;
	r.sl = 1;
	r.num_start = 2;
	r.ipa_width = 40;
	fx_rtt_create_to(f, &r, 0, 3);
	/* INIT_RIPAS at level 3 for 3 pages: one descriptor per entry */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, r.rd, 0x10000, 0x13000, &top), RMI_SUCCESS, 0);
	for (uint64_t a = 0x10000; a < 0x13000; a += GRAN)
		expect_ripas(algo, want, a, a + GRAN);
	/* INIT_RIPAS at level 2: 2 MiB entries */
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, r.rd, 1ull << 21, 3ull << 21, &top), RMI_SUCCESS, 0);
	expect_ripas(algo, want, 1ull << 21, 2ull << 21);
	expect_ripas(algo, want, 2ull << 21, 3ull << 21);
	/* measured and unmeasured DATA */
	for (int i = 0; i < 4096; i++)
		content[i] = (uint8_t)(i * 7 + algo);
	memcpy(rmm_ns_ptr(f->rmm, src), content, 4096);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, r.rd, fx_delegated(f), 0x10000, src, 1), RMI_SUCCESS, 0);
	expect_data(algo, want, 0x10000, 1, content);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, r.rd, fx_delegated(f), 0x11000, src, 0), RMI_SUCCESS, 0);
	expect_data(algo, want, 0x11000, 0, content);
	/* DATA_CREATE_UNKNOWN, RTT ops and failures do not touch it */
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, r.rd, fx_delegated(f), 0x20000), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, r.rd, fx_delegated(f), 0x10000, src, 1), RMI_ERROR_RTT, 3);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, got), RMM_OK);
	assert_memory_equal(want, got, 64);
	/* REMs start at zero */
	{
		static const uint8_t zero[64];

		for (unsigned i = 1; i <= 4; i++) {
			assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, i, got), RMM_OK);
			assert_memory_equal(got, zero, 64);
		}
		assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 5, got), RMM_EINVAL);
	}
	/* frozen after ACTIVATE */
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, r.rd), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, r.rd, 0x13000, 0x14000, &top), RMI_ERROR_REALM, 0);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, got), RMM_OK);
	assert_memory_equal(want, got, 64);
}

static void test_rim_sha256(void **state)
{
	run(*state, RMI_HASH_SHA_256);
}

static void test_rim_sha512(void **state)
{
	run(*state, RMI_HASH_SHA_512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rim_sha256, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rim_sha512, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
