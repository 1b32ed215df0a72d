/*
 * RSI 1.0 calls from a running REC (RMM 1.0 B5.3). Each handler checks its
 * inputs, writes its results into the REC's registers and either returns to
 * the realm (the SMC completes, pc advances) or builds a REC exit.
 */
#include <string.h>

#include "measure/measure.h"
#include "run/run.h"
#include "rtt/rtt.h"

#define RSI_ABI_1_0 0x10000ull

static enum run_action done(struct rmm_vcpu *v, uint64_t status)
{
	v->rec->regs.x[0] = status;
	v->rec->regs.pc += 4;
	return RUN_CONTINUE;
}

/* Protected, in the IPA space, and [base, top) non-empty and aligned. */
static bool range_ok(struct rmm_vcpu *v, uint64_t base, uint64_t top)
{
	return !(base & GRANULE_MASK) && !(top & GRANULE_MASK) && top > base &&
	       ipa_is_protected(top - 1, v->s2.ipa_width);
}

int rsi_buffer(struct rmm_vcpu *v, uint64_t ipa, size_t len, enum rmm_vcpu_access acc, void *buf)
{
	struct rmm_vcpu_exit f;
	struct s2_lookup lk;

	if (rmm_vcpu_access(v, ipa, buf, len, acc, 0, &f) == RMM_OK)
		return 0;
	s2_lookup(v, ipa & ~GRANULE_MASK, &lk);
	if (lk.e.ripas == RMI_EMPTY)
		return 1;
	run_exit_buffer_abort(v, ipa, lk.level);
	return 2;
}

static enum run_action rsi_measurement_read(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t idx = r->x[1];

	if (idx > 4)
		return done(v, RSI_ERROR_INPUT);
	granule_lock(v->rmm, v->g_rd);
	memcpy(&r->x[1], v->realm->meas[idx], 64);
	granule_unlock(v->g_rd);
	return done(v, RSI_SUCCESS);
}

static enum run_action rsi_measurement_extend(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t idx = r->x[1], size = r->x[2];
	uint8_t buf[128], *m;
	size_t hlen;

	if (idx < 1 || idx > 4 || size > 64)
		return done(v, RSI_ERROR_INPUT);
	hlen = v->realm->hash_algo == RMI_HASH_SHA_512 ? 64 : 32;
	granule_lock(v->rmm, v->g_rd);
	m = v->realm->meas[idx];
	memcpy(buf, m, hlen);
	memcpy(buf + hlen, &r->x[3], size);  /* little-endian X3..X10 */
	measure_hash(v->realm->hash_algo, buf, hlen + size, m);
	granule_unlock(v->g_rd);
	return done(v, RSI_SUCCESS);
}

static enum run_action rsi_realm_config(struct rmm_vcpu *v)
{
	uint64_t addr = v->rec->regs.x[1];
	uint8_t p[GRANULE_SIZE];
	int rc;

	if ((addr & GRANULE_MASK) || !ipa_is_protected(addr, v->s2.ipa_width))
		return done(v, RSI_ERROR_INPUT);
	memset(p, 0, GRANULE_SIZE);
	memcpy(p + RSI_REALM_CONFIG_IPA_WIDTH, &(uint64_t){ v->realm->ipa_width }, 8);
	p[RSI_REALM_CONFIG_HASH_ALGO] = v->realm->hash_algo;
	memcpy(p + RSI_REALM_CONFIG_RPV, v->realm->rpv, 64);
	rc = rsi_buffer(v, addr, GRANULE_SIZE, RMM_ACCESS_WRITE, p);
	if (rc == 1)
		return done(v, RSI_ERROR_INPUT);
	if (rc == 2)
		return RUN_EXIT;
	return done(v, RSI_SUCCESS);
}

static enum run_action rsi_ipa_state_set(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t base = r->x[1], top = r->x[2], ripas = r->x[3] & 0xff, flags = r->x[4];
	struct rec *rec = v->rec;

	if (!range_ok(v, base, top) || (ripas != RSI_EMPTY && ripas != RSI_RAM))
		return done(v, RSI_ERROR_INPUT);
	rec->ripas_addr = base;
	rec->ripas_top = top;
	rec->ripas_value = (uint8_t)ripas;
	rec->ripas_destroyed = flags & RSI_CHANGE_DESTROYED;
	v->exit->exit_reason = RMI_EXIT_RIPAS_CHANGE;
	v->exit->ripas_base = base;
	v->exit->ripas_top = top;
	v->exit->ripas_value = (uint8_t)ripas;
	r->pc += 4;  /* results arrive on the next entry */
	return RUN_EXIT;
}

static enum run_action rsi_ipa_state_get(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t base = r->x[1], top = r->x[2], ipa;
	struct s2_lookup lk, nx;

	if (!range_ok(v, base, top))
		return done(v, RSI_ERROR_INPUT);
	s2_lookup(v, base, &lk);
	/* the run of entries with the same RIPAS, up to top */
	ipa = (base & ~(level_size(lk.level) - 1)) + level_size(lk.level);
	while (ipa < top) {
		s2_lookup(v, ipa, &nx);
		if (nx.e.ripas != lk.e.ripas)
			break;
		ipa = (ipa & ~(level_size(nx.level) - 1)) + level_size(nx.level);
	}
	r->x[1] = ipa < top ? ipa : top;
	r->x[2] = lk.e.ripas;
	return done(v, RSI_SUCCESS);
}

static enum run_action rsi_host_call(struct rmm_vcpu *v)
{
	uint64_t addr = v->rec->regs.x[1];
	struct rsi_host_call hc;
	int rc;

	if ((addr & 0xff) || !ipa_is_protected(addr, v->s2.ipa_width))
		return done(v, RSI_ERROR_INPUT);
	rc = rsi_buffer(v, addr, sizeof(hc), RMM_ACCESS_READ, &hc);
	if (rc == 1)
		return done(v, RSI_ERROR_INPUT);
	if (rc == 2)
		return RUN_EXIT;
	v->exit->exit_reason = RMI_EXIT_HOST_CALL;
	v->exit->imm = hc.imm;
	memcpy(v->exit->gprs, hc.gprs, sizeof(v->exit->gprs));
	v->rec->host_call_pending = 1;
	v->rec->host_call_ipa = addr;
	v->rec->regs.pc += 4;  /* completes on the next entry */
	return RUN_EXIT;
}

enum run_action rsi_handle(struct rmm_vcpu *v, uint64_t fid)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;

	switch (fid) {
	case RSI_VERSION: {
		uint64_t req = r->x[1];

		r->x[1] = RSI_ABI_1_0;
		r->x[2] = RSI_ABI_1_0;
		return done(v, req == RSI_ABI_1_0 ? RSI_SUCCESS : RSI_ERROR_INPUT);
	}
	case RSI_FEATURES:
		r->x[1] = 0;
		return done(v, RSI_SUCCESS);
	case RSI_MEASUREMENT_READ:
		return rsi_measurement_read(v);
	case RSI_MEASUREMENT_EXTEND:
		return rsi_measurement_extend(v);
	case RSI_REALM_CONFIG:
		return rsi_realm_config(v);
	case RSI_IPA_STATE_SET:
		return rsi_ipa_state_set(v);
	case RSI_IPA_STATE_GET:
		return rsi_ipa_state_get(v);
	case RSI_HOST_CALL:
		return rsi_host_call(v);
	case RSI_ATTESTATION_TOKEN_INIT:
		return rsi_attest_init(v);
	case RSI_ATTESTATION_TOKEN_CONTINUE:
		return rsi_attest_continue(v);
	default:
		/* unused RSI FIDs */
		return done(v, (uint64_t)-1);
	}
}
