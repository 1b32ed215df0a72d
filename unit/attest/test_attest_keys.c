/*
 * Where the attestation material comes from and the binding check at
 * rmm_create: the built-in HAL's test pair, a user's own pair through
 * rmm_config.attest, a HAL's operations, version-1 HAL tables (no material:
 * tokens fail with ERROR_UNKNOWN), and every way a pair can be refused.
 */
#define _GNU_SOURCE  /* memmem */
#include <string.h>
#include <rmm/rsi.h>
#include <rmm/sys/hal.h>

#include "../helpers/fixture.h"

static uint8_t rak[48], plat[4096], rak2[48], plat2[4096];
static size_t plat_len, plat2_len;

static void load(const char *name, uint8_t *buf, size_t max, size_t *len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", RMM_ATTEST_DATA, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	*len = fread(buf, 1, max, fp);
	fclose(fp);
}

static int setup(void **state)
{
	size_t n;

	load("rak-p384.bin", rak, sizeof(rak), &n);
	assert_int_equal(n, 48);
	load("platform-token.cbor", plat, sizeof(plat), &plat_len);
	assert_int_equal(plat_len, 1518);
	load("second-rak-p384.bin", rak2, sizeof(rak2), &n);
	assert_int_equal(n, 48);
	load("second-platform-token.cbor", plat2, sizeof(plat2), &plat2_len);
	return 0;
}

static int create(const struct rmm_hal_ops *hal, const struct rmm_attest_config *a,
		  struct rmm **out)
{
	struct rmm_config cfg;

	rmm_config_init(&cfg);
	cfg.dram_size = FX_DRAM_SIZE;
	cfg.hal = hal;
	cfg.attest = a;
	*out = NULL;
	return rmm_create(&cfg, out);
}

/* INIT and one CONTINUE on a fresh realm of instance 'rmm'. */
static void token_calls(struct rmm *rmm, uint64_t *init_x1, uint64_t *cont_x0, uint64_t *cont_x1)
{
	struct fx fx = { rmm, FX_DRAM_BASE + FX_DRAM_SIZE - GRAN, FX_DRAM_BASE,
			 FX_DRAM_BASE + FX_DRAM_SIZE / 2 };
	struct fx *f = &fx;
	struct rmm_script_result res[4];
	const struct rmm_script_step steps[] = {
		S_SMC(RSI_ATTESTATION_TOKEN_INIT, 1, 2, 3),
		S_SMC(RSI_ATTESTATION_TOKEN_CONTINUE, 0x10000, 0, 4096), S_WFI, S_END,
	};
	struct rmm_script s;
	struct run_world w;

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, 4, res);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_true(res[1].done);
	*init_x1 = res[0].x[1];
	*cont_x0 = res[1].x[0];
	*cont_x1 = res[1].x[1];
	fx_run_world_free(f, &w);
}

/* The user's own pair through the config takes precedence over the HAL:
 * the public pair read from files, and a second pair of our own (whose
 * tokens examples/attest_token's test verifies with its platform key). */
static void test_config_pair(void **state)
{
	struct rmm_attest_config a = { RMM_ATTEST_CONFIG_VERSION, rak, 48, plat, plat_len };
	struct rmm_attest_config b = { RMM_ATTEST_CONFIG_VERSION, rak2, 48, plat2, plat2_len };
	uint64_t x1, st, len;
	struct rmm *rmm;

	assert_int_equal(create(NULL, &a, &rmm), RMM_OK);
	token_calls(rmm, &x1, &st, &len);
	assert_int_equal(x1, 2124);
	assert_int_equal(st, RSI_SUCCESS);
	assert_int_equal(len, 2124);
	rmm_destroy(rmm);
	assert_int_equal(create(NULL, &b, &rmm), RMM_OK);
	token_calls(rmm, &x1, &st, &len);
	assert_int_equal(st, RSI_SUCCESS);
	assert_int_equal(len, x1);
	rmm_destroy(rmm);
}

/* Every malformed or unbound pair is refused with a library error. */
static void test_config_refused(void **state)
{
	struct rmm_attest_config a = { RMM_ATTEST_CONFIG_VERSION, rak, 48, plat, plat_len };
	uint8_t other[48], bad[4096];
	struct rmm *rmm;

	/* two valid pairs crossed: each token belongs to the other key */
	a.rak = rak2;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	a.rak = rak;
	a.platform_token = plat2;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	a.platform_token = plat;
	/* another valid key: the platform token belongs to the test RAK */
	memset(other, 0x11, sizeof(other));
	a.rak = other;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	assert_null(rmm);
	assert_non_null(strstr(rmm_strerror(RMM_EATTEST), "not bound"));
	/* not a P-384 private scalar: 0 and >= the group order */
	memset(other, 0, sizeof(other));
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	memset(other, 0xff, sizeof(other));
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	a.rak = rak;
	/* the platform token: truncated, its challenge changed, its tag changed,
	 * trailing bytes, not CBOR at all */
	memcpy(bad, plat, plat_len);
	a.platform_token = bad;
	a.platform_token_len = 1000;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	a.platform_token_len = plat_len;
	{
		static const uint8_t ch[] = { 0x0d, 0x22, 0xe0, 0x8a };
		uint8_t *at = memmem(bad, plat_len, ch, sizeof(ch));

		assert_non_null(at);
		at[5] ^= 1;
		assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
		at[5] ^= 1;
	}
	assert_int_equal(create(NULL, &a, &rmm), RMM_OK);  /* the pair itself is fine */
	rmm_destroy(rmm);
	bad[0] = 0xd3;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	bad[0] = plat[0];
	a.platform_token_len = plat_len + 1;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	memset(bad, 0xff, sizeof(bad));
	a.platform_token_len = plat_len;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EATTEST);
	/* malformed config: sizes and version */
	a.platform_token = plat;
	a.rak_len = 47;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EINVAL);
	a.rak_len = 48;
	a.platform_token_len = 0;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EINVAL);
	a.platform_token_len = RMM_ATTEST_PLAT_TOKEN_MAX + 1;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EINVAL);
	a.platform_token_len = plat_len;
	a.version = RMM_ATTEST_CONFIG_VERSION + 1;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EINVAL);
	a.version = RMM_ATTEST_CONFIG_VERSION;
	a.rak = NULL;
	assert_int_equal(create(NULL, &a, &rmm), RMM_EINVAL);
}

static int other_key(void *hal, uint8_t k[48])
{
	memset(k, 0x22, 48);
	return 0;
}

static int no_key(void *hal, uint8_t k[48])
{
	return -1;
}

static int no_token(void *hal, const uint8_t *ch, size_t chlen, uint8_t *buf, size_t cap,
		    size_t *len)
{
	return -1;
}

static int long_token(void *hal, const uint8_t *ch, size_t chlen, uint8_t *buf, size_t cap,
		      size_t *len)
{
	*len = cap + 1;
	return 0;
}

/* A HAL's own material: the built-in HAL's pair is bound; a HAL handing out
 * another key, no key, no token or a token too long is refused; a HAL
 * table of version 1 (from before attestation) or with no attestation
 * operations still creates, and its realms' tokens fail with UNKNOWN. */
static void test_hal_material(void **state)
{
	struct rmm_hal_ops ops = *rmm_hal_host_ops();
	uint64_t x1, st, len;
	struct rmm *rmm;

	assert_int_equal(create(&ops, NULL, &rmm), RMM_OK);
	token_calls(rmm, &x1, &st, &len);
	assert_int_equal(st, RSI_SUCCESS);
	rmm_destroy(rmm);

	ops.attest_key = other_key;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EATTEST);
	ops.attest_key = no_key;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EATTEST);
	ops = *rmm_hal_host_ops();
	ops.platform_token = no_token;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EATTEST);
	ops.platform_token = long_token;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EATTEST);

	ops = *rmm_hal_host_ops();
	ops.version = RMM_HAL_VERSION + 1;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EVERSION);
	ops.version = 0;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_EVERSION);

	ops.version = 1;  /* the fields after set_faults are not read */
	ops.attest_key = other_key;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_OK);
	token_calls(rmm, &x1, &st, &len);
	assert_int_equal(x1, 0);
	assert_int_equal(st, RSI_ERROR_UNKNOWN);
	assert_int_equal(len, 0);
	rmm_destroy(rmm);

	ops = *rmm_hal_host_ops();
	ops.attest_key = NULL;
	assert_int_equal(create(&ops, NULL, &rmm), RMM_OK);
	token_calls(rmm, &x1, &st, &len);
	assert_int_equal(st, RSI_ERROR_UNKNOWN);
	rmm_destroy(rmm);

	/* a version-1 HAL with the user's pair in the config: tokens work */
	{
		struct rmm_attest_config a = { RMM_ATTEST_CONFIG_VERSION, rak, 48, plat, plat_len };

		ops.version = 1;
		assert_int_equal(create(&ops, &a, &rmm), RMM_OK);
		token_calls(rmm, &x1, &st, &len);
		assert_int_equal(st, RSI_SUCCESS);
		assert_int_equal(len, 2124);
		rmm_destroy(rmm);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_pair),
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_hal_material),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
