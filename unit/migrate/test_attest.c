/*
 * Attestation across a migration: a realm extends two REMs and obtains a
 * token on the source machine, is migrated (export while live, import,
 * commit), and obtains another token on the destination machine, which has
 * an attestation pair of its own (rmm_config.attest: the second test pair).
 * The destination's token carries the same RIM and REMs as the source's,
 * the destination's platform token, and the new challenge; ctest verifies
 * both tokens independently, each with its own platform's key.
 */
#define _GNU_SOURCE  /* memmem */
#include <string.h>
#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>

#include "mig_world.h"

#define PC0 1024       /* REC 0 starts at pc 0x1000: step 1024 */
#define BUF 0x8000ull  /* a DATA page of the realm */
#define TOK 2124
#define NSTEPS (PC0 + 700)

static struct rmm_script_step steps[NSTEPS];
static struct rmm_script_result res_src[NSTEPS], res_dst[NSTEPS];
static size_t n;

static size_t add(struct rmm_script_step s)
{
	assert_true(n < NSTEPS - 1);
	steps[n] = s;
	return n++;
}

static size_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return add((struct rmm_script_step){ .op = RMM_STEP_SMC, .arg = { fid, a1, a2, a3, a4 } });
}

/* INIT with challenge ch[0..7] (x7, x8 loaded by MSR steps first). */
static size_t init(const uint64_t ch[8])
{
	add((struct rmm_script_step){ .op = RMM_STEP_MSR, .rt = 7, .value = ch[6],
				      .arg = { RMM_SYSREG_TPIDR_EL1 } });
	add((struct rmm_script_step){ .op = RMM_STEP_MSR, .rt = 8, .value = ch[7],
				      .arg = { RMM_SYSREG_TPIDR_EL1 } });
	return add((struct rmm_script_step){ .op = RMM_STEP_SMC,
					     .arg = { RSI_ATTESTATION_TOKEN_INIT, ch[0], ch[1],
						      ch[2], ch[3], ch[4], ch[5] } });
}

static size_t readback(void)
{
	size_t first = n;

	for (size_t i = 0; i < TOK; i += 8)
		add((struct rmm_script_step){ .op = RMM_STEP_READ, .addr = BUF + i, .size = 8,
					      .rt = 9 });
	return first;
}

/* Enter 'rec' on 'rmm' until step 'last' is done. */
static void run_until(struct rmm *rmm, uint64_t rec, uint64_t run,
		      const struct rmm_script_result *res, size_t last)
{
	for (int e = 0; e < 100 && !res[last].done; e++) {
		assert_int_equal(rmm_rmi_rec_enter(rmm, 0, rec, run), RMI_SUCCESS);
		assert_int_equal(((struct rmi_rec_run *)rmm_ns_ptr(rmm, run))->exit.exit_reason,
				 RMI_EXIT_IRQ);
	}
	assert_true(res[last].done);
}

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

static void hex(FILE *fp, const uint8_t *b, size_t len)
{
	fputc('"', fp);
	for (size_t i = 0; i < len; i++)
		fprintf(fp, "%02x", b[i]);
	fputc('"', fp);
}

/* The token the realm read back, and the claims it must carry: the
 * challenge given, and the RIM and REMs of the SOURCE realm. */
static void write_token(const char *name, const struct rmm_script_result *res, size_t rb,
			const uint64_t ch[8], struct rmm *src, uint64_t src_rd, uint8_t *tok)
{
	char path[512];
	uint8_t m[64];
	FILE *fp;

	for (size_t i = 0; i < TOK; i += 8)
		memcpy(tok + i, &res[rb + i / 8].x[0], TOK - i < 8 ? TOK - i : 8);
	snprintf(path, sizeof(path), "%s/%s.cbor", RMM_ATTEST_OUT, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(tok, 1, TOK, fp), TOK);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/%s.json", RMM_ATTEST_OUT, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "{\"hash_algo\": \"sha-256\", \"challenge\": ");
	hex(fp, (const uint8_t *)ch, 64);
	fprintf(fp, ", \"rim\": ");
	assert_int_equal(rmm_realm_measurement(src, src_rd, 0, m), RMM_OK);
	hex(fp, m, 64);
	fprintf(fp, ", \"rem\": [");
	for (unsigned int i = 1; i <= 4; i++) {
		assert_int_equal(rmm_realm_measurement(src, src_rd, i, m), RMM_OK);
		hex(fp, m, 64);
		fprintf(fp, i < 4 ? ", " : "]}\n");
	}
	fclose(fp);
}

static void test_tokens_across_migration(void **state)
{
	static const struct mw_shape sh = { "w40 sha256, 1 REC", 40, RMI_HASH_SHA_256, 1, 0, 0, 0 };
	static const uint64_t ch_src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint64_t ch_dst[8] = { 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 };
	static uint8_t rak2[48], plat2[4096], plat1[4096], tok_src[TOK + 8], tok_dst[TOK + 8];
	struct rmm_attest_config own = { RMM_ATTEST_CONFIG_VERSION, rak2, 0, plat2, 0 };
	struct rmm_script s_src, s_dst;
	struct rmm_script_ctx *c_src, *c_dst;
	struct rmm_config cfg;
	struct mw *w = calloc(1, sizeof(*w));
	size_t i_src, c_src_i, rb_src, wfi, i_dst, c_dst_i, rb_dst, plat1_len;

	load("second-rak-p384.bin", rak2, sizeof(rak2), &own.rak_len);
	load("second-platform-token.cbor", plat2, sizeof(plat2), &own.platform_token_len);
	load("platform-token.cbor", plat1, sizeof(plat1), &plat1_len);

	/* the realm's program: REMs and a token on the source, a WFI (the
	 * host migrates it there), a token on the destination */
	n = PC0;
	smc(RSI_MEASUREMENT_EXTEND, 1, 8, 0x1122334455667788ull, 0);
	smc(RSI_MEASUREMENT_EXTEND, 4, 16, 0x0123456789abcdefull, 0xfedcba9876543210ull);
	i_src = init(ch_src);
	c_src_i = smc(RSI_ATTESTATION_TOKEN_CONTINUE, BUF, 0, 4096, 0);
	rb_src = readback();
	wfi = add((struct rmm_script_step){ .op = RMM_STEP_WFI });
	i_dst = init(ch_dst);
	c_dst_i = smc(RSI_ATTESTATION_TOKEN_CONTINUE, BUF, 0, 4096, 0);
	rb_dst = readback();
	add((struct rmm_script_step){ .op = RMM_STEP_WFI });
	add((struct rmm_script_step){ .op = RMM_STEP_END });

	/* the source (default HAL: the public pair); the destination has its own */
	mw_build(w, &sh);
	kh_fini(&w->hd);
	rmm_destroy(w->dst);
	rmm_config_init(&cfg);
	cfg.dram_size = MW_DRAM;
	cfg.flags = RMM_CFG_GPT_SOFTWARE | RMM_CFG_MIG_AUDIT | RMM_CFG_TLB_CHECK;
	cfg.attest = &own;
	assert_int_equal(rmm_create(&cfg, &w->dst), RMM_OK);
	kh_init(&w->hd, w->dst, 0x80000000ull, MW_DRAM);

	c_src = rmm_script_ctx_new(64);
	s_src = (struct rmm_script){ steps, n, res_src };
	assert_int_equal(rmm_script_attach(c_src, w->v[0].rec, &s_src), RMM_OK);
	assert_int_equal(rmm_set_vcpu_backend(w->src, rmm_vcpu_script_ops(), c_src), RMM_OK);
	/* up to the WFI (a step's result is recorded when the next one starts) */
	run_until(w->src, w->v[0].rec, w->v[0].run, res_src, wfi - 1);
	assert_false(res_src[i_dst].done);
	assert_int_equal(res_src[i_src].x[0], RSI_SUCCESS);
	assert_int_equal(res_src[i_src].x[1], TOK);
	assert_int_equal(res_src[c_src_i].x[0], RSI_SUCCESS);
	assert_int_equal(res_src[c_src_i].x[1], TOK);

	mw_export(w, 0xa77e57);
	assert_int_equal(mw_import(w, 0xa77e57, (size_t)-1), 0);
	mw_compare(w, 1u << 20);

	c_dst = rmm_script_ctx_new(64);
	s_dst = (struct rmm_script){ steps, n, res_dst };
	assert_int_equal(rmm_script_attach(c_dst, w->kd.vcpus[0].rec, &s_dst), RMM_OK);
	assert_int_equal(rmm_set_vcpu_backend(w->dst, rmm_vcpu_script_ops(), c_dst), RMM_OK);
	run_until(w->dst, w->kd.vcpus[0].rec, w->kd.vcpus[0].run, res_dst, n - 2);
	assert_false(res_dst[i_src].done);  /* it resumed after the WFI */
	assert_int_equal(res_dst[i_dst].x[0], RSI_SUCCESS);
	assert_int_equal(res_dst[i_dst].x[1], TOK);
	assert_int_equal(res_dst[c_dst_i].x[0], RSI_SUCCESS);
	assert_int_equal(res_dst[c_dst_i].x[1], TOK);

	write_token("migrate_src", res_src, rb_src, ch_src, w->src, w->r.rd, tok_src);
	write_token("migrate_dst", res_dst, rb_dst, ch_dst, w->src, w->r.rd, tok_dst);
	/* each machine's own platform token */
	assert_non_null(memmem(tok_src, TOK, plat1, plat1_len));
	assert_non_null(memmem(tok_dst, TOK, plat2, own.platform_token_len));
	assert_null(memmem(tok_dst, TOK, plat1 + 100, 200));

	rmm_set_vcpu_backend(w->src, NULL, NULL);
	rmm_set_vcpu_backend(w->dst, NULL, NULL);
	rmm_script_ctx_free(c_src);
	rmm_script_ctx_free(c_dst);
	mw_teardown(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_across_migration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
