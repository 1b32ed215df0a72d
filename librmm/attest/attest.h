/*
 * Realm attestation (RMM 1.0 A7.2): the instance's attestation material and
 * the CCA token built from it.
 *
 * The token is a tag-399 collection {44234: platform token, 44241: realm
 * token}; the realm token is a tagged COSE_Sign1 (protected {1: -35}, ES384)
 * over the eight realm claims, signed with the RAK. Claims are encoded at
 * RSI_ATTESTATION_TOKEN_INIT (so the token reflects the realm then), signed
 * on the first RSI_ATTESTATION_TOKEN_CONTINUE, and the collection is never
 * materialised: it is read as the concatenation of fixed heads, the
 * instance's platform token and the REC's realm token.
 */
#ifndef RMM_ATTEST_H
#define RMM_ATTEST_H

#include <stddef.h>
#include <stdint.h>
#include "core/rmm_int.h"

#define ATTEST_COSE_KEY_SIZE 107     /* {1:2, -1:2, -2:x(48), -3:y(48)} */
#define ATTEST_PAYLOAD_MAX 1024      /* claims: 641 bytes with SHA-512 */
#define ATTEST_REALM_TOKEN_MAX 1280  /* COSE_Sign1: payload + 112 */
#define ATTEST_SIG_SIZE 96           /* ES384 r || s */

/* The instance's attestation material (immutable after rmm_create). */
struct attest_keys {
	void *rak;                              /* EVP_PKEY of the RAK */
	uint8_t cose_key[ATTEST_COSE_KEY_SIZE]; /* RAK public key as a COSE_Key */
	size_t plat_len;
	uint8_t plat[RMM_ATTEST_PLAT_TOKEN_MAX];
};

/*
 * Load the material (rmm_config.attest, else the HAL's operations) and check
 * that the platform token's challenge is SHA-256 of the RAK's COSE_Key.
 * Called by rmm_create with the HAL open. RMM_OK (rmm->attest is NULL when
 * there is no material at all), RMM_EINVAL (malformed config), RMM_EATTEST
 * (bad key, malformed token, or binding mismatch: logged with the reason),
 * RMM_ENOMEM.
 */
int attest_init(struct rmm *rmm, const struct rmm_config *cfg);
void attest_fini(struct rmm *rmm);

/* The claims as INIT snapshots them. */
struct attest_claims {
	uint8_t challenge[64];
	uint8_t rpv[64];
	uint8_t meas[5][64];   /* RIM, REM[0..3] */
	unsigned int hash_algo;  /* RMI_HASH_* */
};

/* Encode the realm claims map; returns its length, 0 if cap is too small. */
size_t attest_encode_claims(const struct attest_keys *k, const struct attest_claims *c,
			    uint8_t *out, size_t cap);
/* Length of the realm token for a payload of 'len' bytes. */
size_t attest_realm_token_size(size_t payload_len);
/* Sign the payload into a realm token (tagged COSE_Sign1, ES384 r||s) of
 * attest_realm_token_size(len) bytes. 0, or -1 if libcrypto fails. */
int attest_sign_realm(const struct attest_keys *k, const uint8_t *payload, size_t len,
		      uint8_t *out, size_t cap);
/* Length of the CCA token around a realm token of 'realm_len' bytes. */
size_t attest_token_size(const struct attest_keys *k, size_t realm_len);
/* Read bytes [off, off+n) of the CCA token (within attest_token_size). */
void attest_token_read(const struct attest_keys *k, const uint8_t *realm, size_t realm_len,
		       size_t off, uint8_t *dst, size_t n);

#endif
