/*
 * The instance's attestation material: where the RAK and the platform token
 * come from (rmm_config.attest, else the HAL, as EL3 hands them to a real
 * RMM), the RAK as a libcrypto key and as a COSE_Key, and the check that the
 * platform token is bound to it (its challenge claim, key 10, is SHA-256 of
 * the COSE_Key encoding).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "attest/attest.h"
#include "attest/cbor.h"

#define RAK_PUB_SIZE 97  /* 04 || x || y */
#define MEMO_SLOTS 4

/*
 * Deriving a P-384 public key costs libcrypto 3.0 about 1.7 ms (a generic
 * scalar multiplication), and fuzzers and tests create an instance per
 * input. The derivation is a pure function of the scalar, so its last
 * results are kept process-wide, keyed by SHA-256 of the scalar: the only
 * state instances share, and it holds nothing of any instance but a public
 * key. A spinlock guards the copies in and out.
 */
static struct memo {
	bool used;
	uint8_t id[SHA256_DIGEST_LENGTH];
	uint8_t pub[RAK_PUB_SIZE];
} memo[MEMO_SLOTS];
static unsigned int memo_next;
static atomic_flag memo_lock = ATOMIC_FLAG_INIT;

static bool memo_get(const uint8_t id[SHA256_DIGEST_LENGTH], uint8_t pub[RAK_PUB_SIZE])
{
	bool hit = false;

	while (atomic_flag_test_and_set_explicit(&memo_lock, memory_order_acquire))
		;
	for (unsigned int i = 0; i < MEMO_SLOTS && !hit; i++)
		if (memo[i].used && !memcmp(memo[i].id, id, SHA256_DIGEST_LENGTH)) {
			memcpy(pub, memo[i].pub, RAK_PUB_SIZE);
			hit = true;
		}
	atomic_flag_clear_explicit(&memo_lock, memory_order_release);
	return hit;
}

static void memo_put(const uint8_t id[SHA256_DIGEST_LENGTH], const uint8_t pub[RAK_PUB_SIZE])
{
	struct memo *m;

	while (atomic_flag_test_and_set_explicit(&memo_lock, memory_order_acquire))
		;
	m = &memo[memo_next++ % MEMO_SLOTS];
	m->used = true;
	memcpy(m->id, id, SHA256_DIGEST_LENGTH);
	memcpy(m->pub, pub, RAK_PUB_SIZE);
	atomic_flag_clear_explicit(&memo_lock, memory_order_release);
}

/* The RAK from its private scalar: the key pair, and the public point
 * (computed here: libcrypto does not derive it on import). NULL if the scalar
 * is not in [1, n-1] or libcrypto fails. */
static EVP_PKEY *rak_load(const uint8_t d[RMM_ATTEST_RAK_SIZE], uint8_t pub[RAK_PUB_SIZE])
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BIGNUM *priv = BN_bin2bn(d, RMM_ATTEST_RAK_SIZE, NULL);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t id[SHA256_DIGEST_LENGTH];
	bool known;

	SHA256(d, RMM_ATTEST_RAK_SIZE, id);
	known = memo_get(id, pub);
	if (!grp || !priv || !pt || !bld || BN_is_zero(priv) ||
	    BN_cmp(priv, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	if (!known) {
		if (!EC_POINT_mul(grp, pt, priv, NULL, NULL, NULL) ||
		    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, RAK_PUB_SIZE,
				       NULL) != RAK_PUB_SIZE)
			goto out;
		memo_put(id, pub);
	}
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, RAK_PUB_SIZE) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pt);
	BN_clear_free(priv);
	EC_GROUP_free(grp);
	return pkey;
}

/* COSE_Key {1: 2 (EC2), -1: 2 (P-384), -2: x, -3: y}, as TF-RMM encodes it. */
static void cose_key(const uint8_t pub[RAK_PUB_SIZE], uint8_t out[ATTEST_COSE_KEY_SIZE])
{
	struct cbor_w w;

	cbor_w_init(&w, out, ATTEST_COSE_KEY_SIZE);
	cbor_head(&w, CBOR_MAP, 4);
	cbor_int(&w, 1);
	cbor_int(&w, 2);
	cbor_int(&w, -1);
	cbor_int(&w, 2);
	cbor_int(&w, -2);
	cbor_bstr(&w, pub + 1, 48);
	cbor_int(&w, -3);
	cbor_bstr(&w, pub + 49, 48);
}

/* The challenge claim (key 10) of a tagged COSE_Sign1 platform token. */
static bool plat_challenge(const uint8_t *tok, size_t len, const uint8_t **ch, size_t *chlen)
{
	struct cbor_r r = { tok, len, 0 }, pl;
	const uint8_t *p;
	enum cbor_major m;
	uint64_t arg, n;
	size_t plen;
	bool found = false;

	if (!cbor_get_head(&r, &m, &arg) || m != CBOR_TAG || arg != 18 ||
	    !cbor_get_head(&r, &m, &arg) || m != CBOR_ARRAY || arg != 4 ||
	    !cbor_get_str(&r, CBOR_BSTR, &p, &plen) ||
	    r.off >= r.len || (r.p[r.off] >> 5) != CBOR_MAP || !cbor_skip(&r) ||
	    !cbor_get_str(&r, CBOR_BSTR, &p, &plen) ||
	    r.off >= r.len || (r.p[r.off] >> 5) != CBOR_BSTR || !cbor_skip(&r) || r.off != r.len)
		return false;
	pl = (struct cbor_r){ p, plen, 0 };
	if (!cbor_get_head(&pl, &m, &n) || m != CBOR_MAP)
		return false;
	for (uint64_t i = 0; i < n; i++) {
		size_t at = pl.off;

		if (!cbor_get_head(&pl, &m, &arg))
			return false;
		if (m == CBOR_UINT && arg == 10) {
			if (found || !cbor_get_str(&pl, CBOR_BSTR, ch, chlen))
				return false;
			found = true;
			continue;
		}
		pl.off = at;
		if (!cbor_skip(&pl) || !cbor_skip(&pl))
			return false;
	}
	return found && pl.off == pl.len;
}

static int fail(struct rmm *rmm, struct attest_keys *k, int rc, const char *why)
{
	rmm_log(rmm, RMM_LOG_ERROR, "attestation: %s", why);
	if (k)
		EVP_PKEY_free(k->rak);
	free(k);
	return rc;
}

int attest_init(struct rmm *rmm, const struct rmm_config *cfg)
{
	const struct rmm_attest_config *a = cfg->attest;
	const struct rmm_hal_ops *hal = rmm->hal;
	uint8_t d[RMM_ATTEST_RAK_SIZE], pub[RAK_PUB_SIZE], hash[SHA256_DIGEST_LENGTH];
	const uint8_t *ch;
	struct attest_keys *k;
	size_t chlen;
	int rc;

	rmm->attest = NULL;
	if (a && (a->version != RMM_ATTEST_CONFIG_VERSION || !a->rak ||
		  a->rak_len != RMM_ATTEST_RAK_SIZE || !a->platform_token || !a->platform_token_len ||
		  a->platform_token_len > RMM_ATTEST_PLAT_TOKEN_MAX))
		return fail(rmm, NULL, RMM_EINVAL, "rmm_config.attest: bad version or sizes");
	if (!a && (hal->version < 2 || !hal->attest_key || !hal->platform_token))
		return RMM_OK;  /* no material: tokens fail with RSI_ERROR_UNKNOWN */
	k = calloc(1, sizeof(*k));
	if (!k)
		return RMM_ENOMEM;
	if (a)
		memcpy(d, a->rak, sizeof(d));
	else if (hal->attest_key(rmm->hal_h, d) != 0)
		return fail(rmm, k, RMM_EATTEST, "the HAL supplied no Realm Attestation Key");
	k->rak = rak_load(d, pub);
	OPENSSL_cleanse(d, sizeof(d));
	if (!k->rak)
		return fail(rmm, k, RMM_EATTEST, "the RAK is not a P-384 private key");
	cose_key(pub, k->cose_key);
	SHA256(k->cose_key, sizeof(k->cose_key), hash);
	if (a) {
		memcpy(k->plat, a->platform_token, a->platform_token_len);
		k->plat_len = a->platform_token_len;
	} else {
		rc = hal->platform_token(rmm->hal_h, hash, sizeof(hash), k->plat, sizeof(k->plat),
					 &k->plat_len);
		if (rc != 0 || !k->plat_len || k->plat_len > sizeof(k->plat))
			return fail(rmm, k, RMM_EATTEST, "the HAL supplied no platform token");
	}
	if (!plat_challenge(k->plat, k->plat_len, &ch, &chlen))
		return fail(rmm, k, RMM_EATTEST,
			    "the platform token is not a tagged COSE_Sign1 with a challenge claim");
	if (chlen != sizeof(hash) || memcmp(ch, hash, sizeof(hash)) != 0)
		return fail(rmm, k, RMM_EATTEST,
			    "the platform token's challenge is not SHA-256 of the RAK's public key "
			    "(COSE_Key): the token belongs to another key");
	rmm->attest = k;
	return RMM_OK;
}

void attest_fini(struct rmm *rmm)
{
	if (!rmm->attest)
		return;
	EVP_PKEY_free(rmm->attest->rak);
	free(rmm->attest);
	rmm->attest = NULL;
}
