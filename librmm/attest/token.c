/*
 * The CCA token (RMM 1.0 A7.2.3, the encoding of draft-ffm-rats-cca-token-00
 * that 1.0 verifiers expect): realm claims, the realm token as a tagged
 * COSE_Sign1 signed with ES384, and the tag-399 collection around it.
 */
#include <string.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "attest/attest.h"
#include "attest/cbor.h"

/* Claim keys */
#define CCA_REALM_CHALLENGE 10
#define CCA_REALM_PROFILE 265
#define CCA_REALM_RPV 44235
#define CCA_REALM_HASH_ALGO 44236
#define CCA_REALM_PUB_KEY 44237
#define CCA_REALM_RIM 44238
#define CCA_REALM_REM 44239
#define CCA_REALM_PUB_KEY_HASH_ALGO 44240
#define CCA_PLATFORM_TOKEN 44234
#define CCA_REALM_TOKEN 44241
#define CCA_COLLECTION_TAG 399
#define COSE_SIGN1_TAG 18
#define CCA_REALM_PROFILE_1_0 "tag:arm.com,2023:realm#1.0.0"

/* protected header {1 (alg): -35 (ES384)} */
static const uint8_t prot_es384[] = { 0xa1, 0x01, 0x38, 0x22 };

size_t attest_encode_claims(const struct attest_keys *k, const struct attest_claims *c,
			    uint8_t *out, size_t cap)
{
	size_t hlen = c->hash_algo == RMI_HASH_SHA_512 ? 64 : 32;
	struct cbor_w w;

	/* TF-RMM 1.0's order; the map is read by key, the bytes are signed */
	cbor_w_init(&w, out, cap);
	cbor_head(&w, CBOR_MAP, 8);
	cbor_int(&w, CCA_REALM_CHALLENGE);
	cbor_bstr(&w, c->challenge, 64);
	cbor_int(&w, CCA_REALM_RPV);
	cbor_bstr(&w, c->rpv, 64);
	cbor_int(&w, CCA_REALM_PUB_KEY);
	cbor_bstr(&w, k->cose_key, sizeof(k->cose_key));
	cbor_int(&w, CCA_REALM_HASH_ALGO);
	cbor_tstr(&w, hlen == 64 ? "sha-512" : "sha-256");
	cbor_int(&w, CCA_REALM_PUB_KEY_HASH_ALGO);
	cbor_tstr(&w, "sha-256");  /* the platform challenge is SHA-256(COSE_Key) */
	cbor_int(&w, CCA_REALM_PROFILE);
	cbor_tstr(&w, CCA_REALM_PROFILE_1_0);
	cbor_int(&w, CCA_REALM_RIM);
	cbor_bstr(&w, c->meas[0], hlen);
	cbor_int(&w, CCA_REALM_REM);
	cbor_head(&w, CBOR_ARRAY, 4);
	for (int i = 1; i <= 4; i++)
		cbor_bstr(&w, c->meas[i], hlen);
	return w.overflow ? 0 : w.len;
}

size_t attest_realm_token_size(size_t payload_len)
{
	/* d2 84, bstr(prot), a0, bstr(payload), bstr(96) */
	return 2 + 1 + sizeof(prot_es384) + 1 + cbor_head_size(payload_len) + payload_len + 2 +
	       ATTEST_SIG_SIZE;
}

/* ES384 over the Sig_structure ["Signature1", prot, h'', payload], as r||s. */
static int sign(const struct attest_keys *k, const uint8_t *payload, size_t len,
		uint8_t rs[ATTEST_SIG_SIZE])
{
	uint8_t tbs[ATTEST_PAYLOAD_MAX + 32], der[128];
	const uint8_t *dp = der;
	const BIGNUM *r, *s;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *sig = NULL;
	size_t derlen = sizeof(der);
	struct cbor_w w;
	int rc = -1;

	cbor_w_init(&w, tbs, sizeof(tbs));
	cbor_head(&w, CBOR_ARRAY, 4);
	cbor_tstr(&w, "Signature1");
	cbor_bstr(&w, prot_es384, sizeof(prot_es384));
	cbor_bstr(&w, NULL, 0);
	cbor_bstr(&w, payload, len);
	if (!md || w.overflow ||
	    EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, (EVP_PKEY *)k->rak) != 1 ||
	    EVP_DigestSign(md, der, &derlen, tbs, w.len) != 1 ||
	    !(sig = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)))
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, rs, 48) == 48 && BN_bn2binpad(s, rs + 48, 48) == 48)
		rc = 0;
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return rc;
}

int attest_sign_realm(const struct attest_keys *k, const uint8_t *payload, size_t len,
		      uint8_t *out, size_t cap)
{
	uint8_t rs[ATTEST_SIG_SIZE];
	struct cbor_w w;

	if (attest_realm_token_size(len) > cap || sign(k, payload, len, rs) != 0)
		return -1;
	cbor_w_init(&w, out, cap);
	cbor_head(&w, CBOR_TAG, COSE_SIGN1_TAG);
	cbor_head(&w, CBOR_ARRAY, 4);
	cbor_bstr(&w, prot_es384, sizeof(prot_es384));
	cbor_head(&w, CBOR_MAP, 0);
	cbor_bstr(&w, payload, len);
	cbor_bstr(&w, rs, sizeof(rs));
	return w.overflow ? -1 : 0;
}

/* The collection's heads: before the platform token and between the two. */
static size_t heads(const struct attest_keys *k, size_t realm_len, uint8_t pre[16],
		    size_t *pre_len, uint8_t mid[8])
{
	struct cbor_w w;

	cbor_w_init(&w, pre, 16);
	cbor_head(&w, CBOR_TAG, CCA_COLLECTION_TAG);
	cbor_head(&w, CBOR_MAP, 2);
	cbor_int(&w, CCA_PLATFORM_TOKEN);
	cbor_head(&w, CBOR_BSTR, k->plat_len);
	*pre_len = w.len;
	cbor_w_init(&w, mid, 8);
	cbor_int(&w, CCA_REALM_TOKEN);
	cbor_head(&w, CBOR_BSTR, realm_len);
	return w.len;
}

size_t attest_token_size(const struct attest_keys *k, size_t realm_len)
{
	uint8_t pre[16], mid[8];
	size_t pre_len, mid_len = heads(k, realm_len, pre, &pre_len, mid);

	return pre_len + k->plat_len + mid_len + realm_len;
}

void attest_token_read(const struct attest_keys *k, const uint8_t *realm, size_t realm_len,
		       size_t off, uint8_t *dst, size_t n)
{
	uint8_t pre[16], mid[8];
	size_t pre_len, mid_len = heads(k, realm_len, pre, &pre_len, mid);
	const struct { const uint8_t *p; size_t n; } seg[] = {
		{ pre, pre_len }, { k->plat, k->plat_len }, { mid, mid_len }, { realm, realm_len },
	};

	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]) && n; i++) {
		size_t c;

		if (off >= seg[i].n) {
			off -= seg[i].n;
			continue;
		}
		c = seg[i].n - off < n ? seg[i].n - off : n;
		memcpy(dst, seg[i].p + off, c);
		dst += c;
		n -= c;
		off = 0;
	}
}
