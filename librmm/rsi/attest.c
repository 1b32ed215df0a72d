/*
 * RSI_ATTESTATION_TOKEN_INIT and RSI_ATTESTATION_TOKEN_CONTINUE (RMM 1.0
 * B5.3.1-2, A7.2.2). Attestation state is per REC (rec->attest_state); its
 * work area (the claims encoded at INIT, the signed realm token) is the REC's
 * first auxiliary granule, which the REC owns. Both handlers run while
 * REC_ENTER holds the REC (nothing else touches these); the RD lock is taken
 * only to snapshot the measurements.
 */
#include <string.h>

#include "attest/attest.h"
#include "run/run.h"

enum attest_state {
	ATTEST_NONE = 0,  /* NO_ATTEST_IN_PROGRESS */
	ATTEST_SIGN,      /* IN_PROGRESS: claims encoded, realm token not signed yet */
	ATTEST_COPY,      /* IN_PROGRESS: signed, the token is being copied out */
};

struct attest_work {
	uint32_t payload_len;  /* 0: no attestation material */
	uint32_t realm_len;    /* the realm token, once signed */
	uint32_t total;        /* the CCA token's length, once signed */
	uint32_t copied;       /* bytes of it given to the realm */
	uint8_t payload[ATTEST_PAYLOAD_MAX];
	uint8_t realm[ATTEST_REALM_TOKEN_MAX];
};
_Static_assert(sizeof(struct attest_work) <= GRANULE_SIZE, "work area fits an aux granule");

static struct attest_work *work(struct rmm_vcpu *v)
{
	return granule_map(v->rmm, granule_find(v->rmm, v->rec->aux[0]));
}

static enum run_action ret(struct rmm_vcpu *v, uint64_t status, uint64_t x1)
{
	v->rec->regs.x[0] = status;
	v->rec->regs.x[1] = x1;
	v->rec->regs.pc += 4;
	return RUN_CONTINUE;
}

/*
 * INIT(challenge X1..X8): no failure conditions. Aborts any token in
 * progress, snapshots the challenge (X1..X8 little-endian, as TF-RMM), the
 * RPV, the RIM and REMs and the hash algorithm, and encodes the claims.
 * X1 = the token's size (exact: every field has a fixed size), 0 when the
 * instance has no attestation material (CONTINUE then fails with UNKNOWN).
 */
enum run_action rsi_attest_init(struct rmm_vcpu *v)
{
	const struct attest_keys *k = v->rmm->attest;
	struct attest_work *w = work(v);
	struct attest_claims c;
	uint64_t size = 0;

	memcpy(c.challenge, &v->rec->regs.x[1], sizeof(c.challenge));
	memcpy(c.rpv, v->realm->rpv, sizeof(c.rpv));
	c.hash_algo = v->realm->hash_algo;
	granule_lock(v->rmm, v->g_rd);
	memcpy(c.meas, v->realm->meas, sizeof(c.meas));
	granule_unlock(v->g_rd);

	memset(w, 0, offsetof(struct attest_work, payload));
	if (k) {
		w->payload_len = (uint32_t)attest_encode_claims(k, &c, w->payload, sizeof(w->payload));
		size = attest_token_size(k, attest_realm_token_size(w->payload_len));
	}
	v->rec->attest_state = ATTEST_SIGN;
	return ret(v, RSI_SUCCESS, size);
}

/* Sign the realm token. A pending host interrupt is taken before the
 * (long) signing step: false, with an IRQ exit built. */
static bool sign_step(struct rmm_vcpu *v, struct attest_work *w, uint64_t *status)
{
	const struct attest_keys *k = v->rmm->attest;

	if (atomic_exchange(&v->rmm->cpus[v->cpu].irq_pending, 0)) {
		ret(v, RSI_INCOMPLETE, 0);
		v->exit->exit_reason = RMI_EXIT_IRQ;
		return false;
	}
	if (!k || !w->payload_len ||
	    attest_sign_realm(k, w->payload, w->payload_len, w->realm, sizeof(w->realm)) != 0) {
		v->rec->attest_state = ATTEST_NONE;
		*status = RSI_ERROR_UNKNOWN;  /* unknown: no key, or libcrypto failed */
		return true;
	}
	w->realm_len = (uint32_t)attest_realm_token_size(w->payload_len);
	w->total = (uint32_t)attest_token_size(k, w->realm_len);
	w->copied = 0;
	v->rec->attest_state = ATTEST_COPY;
	*status = RSI_SUCCESS;
	return true;
}

/*
 * CONTINUE(addr X1, offset X2, size X3). Failure conditions in the spec's
 * order: addr_align, addr_bound, offset_bound, size_overflow, size_bound ->
 * ERROR_INPUT; state (no token in progress) -> ERROR_STATE; unknown (signing
 * failed) -> ERROR_UNKNOWN. Then the next min(size, remaining) bytes of the
 * token go to addr + offset: X1 = bytes written, RSI_INCOMPLETE until the
 * last one, RSI_SUCCESS (and no token in progress) after it. As in TF-RMM:
 * a buffer with RIPAS EMPTY -> ERROR_INPUT; an unmapped one -> a data abort
 * exit and the SMC is re-executed; size 0 -> RSI_INCOMPLETE, nothing copied.
 */
enum run_action rsi_attest_continue(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t addr = r->x[1], off = r->x[2], size = r->x[3], status, len;
	uint8_t buf[GRANULE_SIZE];
	struct attest_work *w;
	int rc;

	if ((addr & GRANULE_MASK) || !ipa_is_protected(addr, v->s2.ipa_width) ||
	    off >= GRANULE_SIZE || off + size < off || off + size > GRANULE_SIZE)
		return ret(v, RSI_ERROR_INPUT, 0);
	if (v->rec->attest_state == ATTEST_NONE)
		return ret(v, RSI_ERROR_STATE, 0);
	w = work(v);
	if (v->rec->attest_state == ATTEST_SIGN) {
		if (!sign_step(v, w, &status))
			return RUN_EXIT;
		if (status != RSI_SUCCESS)
			return ret(v, status, 0);
	}
	if (size == 0)
		return ret(v, RSI_INCOMPLETE, 0);
	len = w->total - w->copied < size ? w->total - w->copied : size;
	attest_token_read(v->rmm->attest, w->realm, w->realm_len, w->copied, buf, len);
	rc = rsi_buffer(v, addr + off, len, RMM_ACCESS_WRITE, buf);
	if (rc == 1)
		return ret(v, RSI_ERROR_INPUT, 0);
	if (rc == 2)
		return RUN_EXIT;
	w->copied += (uint32_t)len;
	if (w->copied < w->total)
		return ret(v, RSI_INCOMPLETE, len);
	v->rec->attest_state = ATTEST_NONE;
	return ret(v, RSI_SUCCESS, len);
}
