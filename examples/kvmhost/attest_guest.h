/*
 * Running examples/guests/attest.S in a realm on the AArch64 interpreter:
 * the host builds the realm as KVM does, shares three pages with the guest
 * (the challenge and values to measure in, results and the token out), runs
 * it to SYSTEM_OFF and collects the token the guest obtained through RSI,
 * with the realm's measurements for checking it. Used by the attestation
 * example and its test.
 */
#ifndef ATTEST_GUEST_H
#define ATTEST_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include "kvmhost/kvm_host.h"

#define KH_ATTEST_SHARED ((1ull << 39) + 0x200000)  /* as attest.S */
#define KH_ATTEST_TOKEN_MAX 8192

struct kh_attest {
	/* in */
	const uint8_t *img;       /* attest.bin */
	size_t img_len;
	unsigned int hash_algo;   /* RMI_HASH_SHA_256 or _512 */
	uint8_t challenge[64];
	uint64_t ext0, ext3[2];   /* measured into REM 0 (8 bytes), REM 3 (16 bytes) */
	int irq;                  /* raise a host interrupt during the first CONTINUE */
	/* out: what the guest reported (RSI statuses, counts) */
	uint64_t ext_status[2], init_status, init_size, last_status, calls, interrupted,
		after_status;
	uint8_t token[KH_ATTEST_TOKEN_MAX];
	size_t len;
	/* out: the realm as the host can read it after the run */
	uint8_t rpv[64], meas[5][64];  /* RIM, REM0..3 */
	struct kvm_run_stats st;
};

/* Build, run and tear down one realm on instance 'rmm' (DRAM pool base,
 * size). 0, or -1 with a message on stderr. */
int kh_attest_run(struct rmm *rmm, uint64_t base, uint64_t size, struct kh_attest *a);
/* Write the token to 'path' and the claims a verifier must find in it to
 * 'path'.json (tools/cca_verify.py --expect). 0 or -1. */
int kh_attest_write(const struct kh_attest *a, const char *path);

#endif
