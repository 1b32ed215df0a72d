/*
 * RIM extension with libcrypto's SHA-256/SHA-512. The streaming SHA*_Init/
 * Update/Final calls with the context on the stack: OpenSSL 3's one-shot
 * SHA256() fetches the algorithm from its provider on every call, which
 * costs about as much as hashing 256 bytes; DATA_CREATE hashes twice per
 * granule. (These calls are deprecated in OpenSSL 3 in favour of EVP, whose
 * context must be allocated; they remain supported and are the fastest.)
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>
#include <openssl/sha.h>

#include "measure/measure.h"

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void measure_hash(unsigned int algo, const void *data, size_t len, uint8_t out[64])
{
	memset(out, 0, 64);
	if (algo == RMI_HASH_SHA_512) {
		SHA512_CTX c;

		SHA512_Init(&c);
		SHA512_Update(&c, data, len);
		SHA512_Final(out, &c);
	} else {
		SHA256_CTX c;

		SHA256_Init(&c);
		SHA256_Update(&c, data, len);
		SHA256_Final(out, &c);
	}
}

void measure_realm_create(const struct rmi_realm_params *p, uint8_t rim[64])
{
	uint8_t page[4096];

	memset(page, 0, sizeof(page));
	put64(page + 0x00, p->flags);
	page[0x08] = p->s2sz;
	page[0x10] = p->sve_vl;
	page[0x18] = p->num_bps;
	page[0x20] = p->num_wps;
	page[0x28] = p->pmu_num_ctrs;
	page[0x30] = p->hash_algo;
	measure_hash(p->hash_algo, page, sizeof(page), rim);
}

/* Common descriptor header: type @0x00, len @0x08, current RIM @0x10. */
static void desc_header(uint8_t d[256], unsigned int type, const uint8_t rim[64])
{
	memset(d, 0, 256);
	d[0] = (uint8_t)type;
	put64(d + 0x08, 0x100);
	memcpy(d + 0x10, rim, 64);
}

void measure_data(unsigned int algo, uint8_t rim[64], uint64_t ipa, uint64_t flags,
		  const void *content)
{
	uint8_t d[256];

	desc_header(d, MEAS_DESC_DATA, rim);
	put64(d + 0x50, ipa);
	put64(d + 0x58, flags);
	if (content)
		measure_hash(algo, content, 4096, d + 0x60);
	measure_hash(algo, d, sizeof(d), rim);
}

void measure_ripas(unsigned int algo, uint8_t rim[64], uint64_t base, uint64_t top)
{
	uint8_t d[256];

	desc_header(d, MEAS_DESC_RIPAS, rim);
	put64(d + 0x50, base);
	put64(d + 0x58, top);
	measure_hash(algo, d, sizeof(d), rim);
}

void measure_rec(unsigned int algo, uint8_t rim[64], uint64_t flags, uint64_t pc,
		 const uint64_t gprs[8])
{
	uint8_t page[4096], d[256];

	memset(page, 0, sizeof(page));
	put64(page + 0x000, flags);
	put64(page + 0x200, pc);
	for (int i = 0; i < 8; i++)
		put64(page + 0x300 + 8 * i, gprs[i]);
	desc_header(d, MEAS_DESC_REC, rim);
	measure_hash(algo, page, sizeof(page), d + 0x50);
	measure_hash(algo, d, sizeof(d), rim);
}
