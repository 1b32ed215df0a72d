/*
 * Attestation tokens.
 *
 *  1. A token per REC_ENTER: RSI_ATTESTATION_TOKEN_INIT, one
 *     RSI_ATTESTATION_TOKEN_CONTINUE that signs and copies all 2124 bytes,
 *     then a host call exit. Physical limit beside it: libcrypto's ECDSA
 *     P-384/SHA-384 signature over 600 bytes (the realm claims' size), the
 *     work no implementation can skip.
 *  2. What attestation adds to rmm_create (loading the RAK, the binding
 *     check): instances with the built-in HAL's pair beside instances of a
 *     HAL without attestation material.
 *
 * Usage: bench_attest [tokens] [instances]
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <rmm/rsi.h>
#include <rmm/sys/hal.h>
#include <rmm/vcpu_script.h>
#include "bench_util.h"
#include "kvmhost/kvm_host.h"

static double creates(const struct rmm_hal_ops *hal, unsigned long n)
{
	struct rmm_config cfg;
	struct rmm *r;
	double t0;

	rmm_config_init(&cfg);
	cfg.dram_size = 4ull << 20;
	cfg.hal = hal;
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		if (rmm_create(&cfg, &r) != RMM_OK)
			exit(1);
		rmm_destroy(r);
	}
	return (now_s() - t0) / (double)n * 1e9;
}

static double raw_sign(unsigned long n)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");
	uint8_t msg[600] = { 1 }, sig[128];
	double t0 = now_s();

	for (unsigned long i = 0; i < n; i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		size_t len = sizeof(sig);

		if (!md || EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, k) != 1 ||
		    EVP_DigestSign(md, sig, &len, msg, sizeof(msg)) != 1)
			exit(1);
		EVP_MD_CTX_free(md);
	}
	EVP_PKEY_free(k);
	return (now_s() - t0) / (double)n * 1e9;
}

int main(int argc, char **argv)
{
	unsigned long tokens = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	unsigned long inst = argc > 2 ? strtoul(argv[2], NULL, 0) : 300;
	struct rmm_hal_ops bare = *rmm_hal_host_ops();
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmm_script s;
	struct rmm_script_step *steps = calloc(3 * tokens + 1, sizeof(*steps));
	struct rmm_script_ctx *sctx = rmm_script_ctx_new(1u << 30);
	struct rmi_rec_run *run;
	uint8_t *img = calloc(1, 64 << 10);
	double t0, t_tok, t_sign, t_with, t_without;

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = 1;
	if (!steps || !sctx || !img || rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1 << 20) ||
	    kh_populate(&h, &r, 0, img, 64 << 10, 0) || kh_vcpu_create(&h, &r, &v, 0, 1, 0) ||
	    kh_activate(&h, &r))
		return 1;
	rmm_set_vcpu_backend(h.rmm, rmm_vcpu_script_ops(), sctx);
	run = rmm_ns_ptr(h.rmm, v.run);
	for (unsigned long i = 0; i < tokens; i++) {
		steps[3 * i] = (struct rmm_script_step){ .op = RMM_STEP_SMC,
							 .arg = { RSI_ATTESTATION_TOKEN_INIT, i } };
		steps[3 * i + 1] = (struct rmm_script_step){
			.op = RMM_STEP_SMC, .arg = { RSI_ATTESTATION_TOKEN_CONTINUE, 0x2000, 0, 4096 } };
		steps[3 * i + 2] = (struct rmm_script_step){ .op = RMM_STEP_SMC,
							     .arg = { RSI_HOST_CALL, 0x1000 } };
	}
	s = (struct rmm_script){ steps, 3 * tokens + 1, NULL };
	rmm_script_attach(sctx, v.rec, &s);
	t0 = now_s();
	for (unsigned long i = 0; i < tokens; i++)
		if (rmm_rmi_rec_enter(h.rmm, 0, v.rec, v.run) != RMI_SUCCESS ||
		    run->exit.exit_reason != RMI_EXIT_HOST_CALL)
			return 1;
	t_tok = (now_s() - t0) / (double)tokens * 1e9;
	t_sign = raw_sign(tokens);
	bare.attest_key = NULL;
	t_with = creates(NULL, inst);
	t_without = creates(&bare, inst);

	printf("bench_attest: %lu tokens, %lu instances\n", tokens, inst);
	figure("token (INIT + CONTINUE of 2124 B) via REC_ENTER", t_tok, "ECDSA P-384 sign (libcrypto)",
	       t_sign);
	printf("%-44s %10.0f /s\n", "  tokens per second", 1e9 / t_tok);
	figure("rmm_create+destroy with attestation", t_with, "... without attestation", t_without);
	rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	rmm_script_ctx_free(sctx);
	free(steps);
	free(img);
	return 0;
}
