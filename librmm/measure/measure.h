/*
 * Realm measurements (RMM 1.0 A7.1, C1.11-13): the RIM and REMs are 64-byte
 * fields holding a SHA-256 (zero-extended) or SHA-512 digest. The descriptors
 * hashed here are built byte by byte from their documented offsets.
 */
#ifndef RMM_MEASURE_H
#define RMM_MEASURE_H

#include <stdint.h>
#include <rmm/rmi.h>

#define MEAS_DESC_DATA 0
#define MEAS_DESC_REC 1
#define MEAS_DESC_RIPAS 2

/* H(data) zero-extended to 64 bytes. */
void measure_hash(unsigned int algo, const void *data, size_t len, uint8_t out[64]);
/* RIM = H(4 KiB page holding the measured RmiRealmParams fields). */
void measure_realm_create(const struct rmi_realm_params *p, uint8_t rim[64]);
/* RIM = H(DATA descriptor); 'content' NULL for an unmeasured granule. */
void measure_data(unsigned int algo, uint8_t rim[64], uint64_t ipa, uint64_t flags,
		  const void *content);
/* RIM = H(RIPAS descriptor) for one entry [base, top). */
void measure_ripas(unsigned int algo, uint8_t rim[64], uint64_t base, uint64_t top);
/* RIM = H(REC descriptor) with c = H(page of flags, pc, gprs[0..7]). */
void measure_rec(unsigned int algo, uint8_t rim[64], uint64_t flags, uint64_t pc,
		 const uint64_t gprs[8]);

#endif
