/*
 * The Linux KVM call sequence (digest section 9) end to end through the
 * example host: 256 MiB of RAM, INIT_RIPAS creating RTTs on (ERROR_RTT, l),
 * a 16 MiB measured image, activation, private->shared conversion, folding,
 * full teardown. The RIM is recomputed independently, and afterwards every
 * granule is undelegated again.
 */
#include <openssl/sha.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

#define MiB (1ull << 20)

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void desc_hash(uint8_t rim[64], uint8_t type, uint64_t a, uint64_t b, const uint8_t *c32)
{
	uint8_t d[256] = { 0 };

	d[0] = type;
	put64(d + 8, 0x100);
	memcpy(d + 0x10, rim, 64);
	put64(d + 0x50, a);
	put64(d + 0x58, b);
	if (c32)
		memcpy(d + 0x60, c32, 32);
	memset(rim, 0, 64);
	SHA256(d, sizeof(d), rim);
}

static void test_kvm_sequence(void **state)
{
	struct fx *f = *state;
	struct kvm_host h;
	struct kvm_realm r;
	struct rmi_rtt_entry e;
	struct rmm_stats st;
	uint64_t ram = 0x80000000ull, half = 1ull << 39;
	uint8_t *img = malloc(16 * MiB), want[64] = { 0 }, got[64], page[4096] = { 0 }, c[32];
	struct rmi_realm_params *p;

	assert_non_null(img);
	for (size_t i = 0; i < 16 * MiB; i++)
		img[i] = (uint8_t)((i >> 12) ^ (i * 31));
	kh_init(&h, f->rmm, FX_DRAM_BASE, 96 * MiB);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 4), 0);
	p = rmm_ns_ptr(f->rmm, r.params);
	page[0x08] = p->s2sz;
	page[0x18] = p->num_bps;
	page[0x20] = p->num_wps;
	SHA256(page, sizeof(page), want);

	assert_int_equal(kh_init_ripas(&h, &r, ram, 256 * MiB), 0);
	for (uint64_t ipa = ram; ipa < ram + 256 * MiB; ipa += 2 * MiB)
		desc_hash(want, 2, ipa, ipa + 2 * MiB, NULL);
	/* RTTs were created as KVM does: level 2 reached, entries RAM */
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, ram + 100 * MiB, 3, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.walk_level, 2);
	assert_int_equal(e.ripas, RMI_RAM);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, ram + 256 * MiB, 2, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.ripas, RMI_EMPTY);

	assert_int_equal(kh_populate(&h, &r, ram, img, 16 * MiB, 1), 0);
	for (uint64_t off = 0; off < 16 * MiB; off += 4096) {
		SHA256(img + off, 4096, c);
		desc_hash(want, 0, ram + off, 1, c);
	}
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, got), RMM_OK);
	assert_memory_equal(got, want, 64);
	assert_int_equal(kh_activate(&h, &r), 0);
	fx_invariants(f);

	/* conversion of 2 MiB and a fold pass: the L3 becomes one L2 entry */
	assert_int_equal(kh_unmap_private(&h, &r, ram + 4 * MiB, 2 * MiB), 0);
	assert_int_equal(kh_fold_range(&h, &r, ram + 4 * MiB, 2 * MiB), 0);
	assert_rmi(rmm_rmi_rtt_read_entry(f->rmm, 0, r.rd, ram + 4 * MiB, 3, &e), RMI_SUCCESS, 0);
	assert_int_equal(e.walk_level, 2);
	assert_int_equal(e.ripas, RMI_DESTROYED);
	for (uint64_t off = 0; off < 2 * MiB; off += 4096)
		assert_int_equal(kh_map_shared(&h, &r, half + ram + 4 * MiB + off, kh_alloc(&h)), 0);
	assert_int_equal(kh_fold_range(&h, &r, half + ram + 4 * MiB, 2 * MiB), 0);
	fx_invariants(f);

	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	assert_int_equal(h.delegated, 0);
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + FX_DRAM_SIZE; pa += 4096)
		assert_int_equal(rmm_granule_state(f->rmm, pa), RMM_GRANULE_UNDELEGATED);
	fx_invariants(f);
	kh_fini(&h);
	free(img);
}

static int setup_128m(void **state)
{
	return fx_setup_size(state, 128 * MiB, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kvm_sequence, setup_128m, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
