/*
 * A realm asks for an attestation token: examples/guests/attest.S runs on the
 * AArch64 interpreter, measures two values into its REMs, calls
 * RSI_ATTESTATION_TOKEN_INIT with the challenge given here and
 * RSI_ATTESTATION_TOKEN_CONTINUE until the token is complete, and hands it
 * to the host through shared memory. The token is written to OUT (for any
 * CCA verifier) and the claims it must carry to OUT.json (for
 * tools/cca_verify.py --expect).
 *
 * Usage: attest_token attest.bin OUT [CHALLENGE] [--sha512] [--irq]
 *                     [--rak FILE --platform-token FILE]
 *   CHALLENGE: 128 hex digits (default: bytes 0..63)
 *   --sha512:  a SHA-512 realm (default SHA-256)
 *   --irq:     a host interrupt is pending when the guest first asks
 *   --rak, --platform-token: your own attestation key (a 48-byte P-384
 *              scalar) and the platform token bound to it (rmm_config.attest);
 *              default: what the HAL supplies (the public test pair)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmhost/attest_guest.h"

static int parse_hex(const char *s, uint8_t out[64])
{
	if (strlen(s) != 128)
		return -1;
	for (int i = 0; i < 64; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static size_t slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t rak[64], plat[RMM_ATTEST_PLAT_TOKEN_MAX + 1];
	struct rmm_attest_config own = { RMM_ATTEST_CONFIG_VERSION, rak, 0, plat, 0 };
	int rc;
	static uint8_t img[64 << 10];
	static struct kh_attest a;
	struct rmm_config cfg;
	struct rmm *rmm;
	FILE *f;

	if (argc < 3 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: attest_token attest.bin OUT [CHALLENGE] [--sha512] [--irq]\n");
		return 2;
	}
	a.img = img;
	a.img_len = fread(img, 1, sizeof(img), f);
	fclose(f);
	a.hash_algo = RMI_HASH_SHA_256;
	for (int i = 0; i < 64; i++)
		a.challenge[i] = (uint8_t)i;
	a.ext0 = 0x1122334455667788ull;
	a.ext3[0] = 0x0123456789abcdefull;
	a.ext3[1] = 0xfedcba9876543210ull;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--sha512"))
			a.hash_algo = RMI_HASH_SHA_512;
		else if (!strcmp(argv[i], "--irq"))
			a.irq = 1;
		else if (!strcmp(argv[i], "--rak") && i + 1 < argc)
			own.rak_len = slurp(argv[++i], rak, sizeof(rak));
		else if (!strcmp(argv[i], "--platform-token") && i + 1 < argc)
			own.platform_token_len = slurp(argv[++i], plat, sizeof(plat));
		else if (parse_hex(argv[i], a.challenge)) {
			fprintf(stderr, "attest_token: the challenge is 128 hex digits\n");
			return 2;
		}
	}
	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	if (own.rak_len || own.platform_token_len)
		cfg.attest = &own;
	rc = rmm_create(&cfg, &rmm);
	if (rc != RMM_OK) {
		fprintf(stderr, "attest_token: rmm_create: %s\n", rmm_strerror(rc));
		return 1;
	}
	if (kh_attest_run(rmm, cfg.dram_base, cfg.dram_size, &a) || kh_attest_write(&a, argv[2])) {
		rmm_destroy(rmm);
		return 1;
	}
	printf("the guest: INIT status %llu, size %llu; %llu CONTINUE calls (%llu interrupted), "
	       "last status %llu; %zu bytes; one more CONTINUE: status %llu\n",
	       (unsigned long long)a.init_status, (unsigned long long)a.init_size,
	       (unsigned long long)a.calls, (unsigned long long)a.interrupted,
	       (unsigned long long)a.last_status, a.len, (unsigned long long)a.after_status);
	printf("host: %lu REC entries, %lu IRQ exits, %lu pages faulted in; token written to %s\n",
	       a.st.entries, a.st.irq, a.st.faults_in, argv[2]);
	rmm_destroy(rmm);
	return a.init_status || a.last_status || a.len != a.init_size || a.after_status != 2;
}
