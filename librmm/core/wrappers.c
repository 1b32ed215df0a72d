/* Typed RMI wrappers: registers in, rmm_smc(), registers out. */
#include <string.h>

#include "core/rmm_int.h"

static uint64_t smc(struct rmm *r, unsigned cpu, uint64_t x[18])
{
	rmm_smc(r, cpu, x);
	return x[0];
}

#define REGS(...) uint64_t x[18] = { __VA_ARGS__ }
#define OUT(p, i) do { if (p) *(p) = x[i]; } while (0)

uint64_t rmm_rmi_version(struct rmm *r, unsigned cpu, uint64_t req, uint64_t *lower,
			 uint64_t *higher)
{
	REGS(RMI_VERSION, req);
	smc(r, cpu, x);
	OUT(lower, 1);
	OUT(higher, 2);
	return x[0];
}

uint64_t rmm_rmi_features(struct rmm *r, unsigned cpu, uint64_t index, uint64_t *value)
{
	REGS(RMI_FEATURES, index);
	smc(r, cpu, x);
	OUT(value, 1);
	return x[0];
}

uint64_t rmm_rmi_granule_delegate(struct rmm *r, unsigned cpu, uint64_t addr)
{
	REGS(RMI_GRANULE_DELEGATE, addr);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_granule_undelegate(struct rmm *r, unsigned cpu, uint64_t addr)
{
	REGS(RMI_GRANULE_UNDELEGATE, addr);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_realm_create(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t params)
{
	REGS(RMI_REALM_CREATE, rd, params);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_realm_activate(struct rmm *r, unsigned cpu, uint64_t rd)
{
	REGS(RMI_REALM_ACTIVATE, rd);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_realm_destroy(struct rmm *r, unsigned cpu, uint64_t rd)
{
	REGS(RMI_REALM_DESTROY, rd);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rec_aux_count(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t *count)
{
	REGS(RMI_REC_AUX_COUNT, rd);
	smc(r, cpu, x);
	OUT(count, 1);
	return x[0];
}

uint64_t rmm_rmi_rtt_create(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rtt,
			    uint64_t ipa, int64_t level)
{
	REGS(RMI_RTT_CREATE, rd, rtt, ipa, (uint64_t)level);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rtt_destroy(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
			     int64_t level, uint64_t *rtt, uint64_t *top)
{
	REGS(RMI_RTT_DESTROY, rd, ipa, (uint64_t)level);
	smc(r, cpu, x);
	OUT(rtt, 1);
	OUT(top, 2);
	return x[0];
}

uint64_t rmm_rmi_rtt_fold(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
			  int64_t level, uint64_t *rtt)
{
	REGS(RMI_RTT_FOLD, rd, ipa, (uint64_t)level);
	smc(r, cpu, x);
	OUT(rtt, 1);
	return x[0];
}

uint64_t rmm_rmi_rtt_read_entry(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
				int64_t level, struct rmi_rtt_entry *e)
{
	REGS(RMI_RTT_READ_ENTRY, rd, ipa, (uint64_t)level);
	smc(r, cpu, x);
	if (e) {
		e->walk_level = (int64_t)x[1];
		e->state = x[2];
		e->desc = x[3];
		e->ripas = x[4];
	}
	return x[0];
}

uint64_t rmm_rmi_rtt_map_unprotected(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
				     int64_t level, uint64_t desc)
{
	REGS(RMI_RTT_MAP_UNPROTECTED, rd, ipa, (uint64_t)level, desc);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rtt_unmap_unprotected(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
				       int64_t level, uint64_t *top)
{
	REGS(RMI_RTT_UNMAP_UNPROTECTED, rd, ipa, (uint64_t)level);
	smc(r, cpu, x);
	OUT(top, 1);
	return x[0];
}

uint64_t rmm_rmi_rtt_init_ripas(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t base,
				uint64_t top, uint64_t *out_top)
{
	REGS(RMI_RTT_INIT_RIPAS, rd, base, top);
	smc(r, cpu, x);
	OUT(out_top, 1);
	return x[0];
}

uint64_t rmm_rmi_data_create(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t data,
			     uint64_t ipa, uint64_t src, uint64_t flags)
{
	REGS(RMI_DATA_CREATE, rd, data, ipa, src, flags);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_data_create_unknown(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t data,
				     uint64_t ipa)
{
	REGS(RMI_DATA_CREATE_UNKNOWN, rd, data, ipa);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_data_destroy(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
			      uint64_t *data, uint64_t *top)
{
	REGS(RMI_DATA_DESTROY, rd, ipa);
	smc(r, cpu, x);
	OUT(data, 1);
	OUT(top, 2);
	return x[0];
}

uint64_t rmm_rmi_rec_create(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
			    uint64_t params)
{
	REGS(RMI_REC_CREATE, rd, rec, params);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rec_destroy(struct rmm *r, unsigned cpu, uint64_t rec)
{
	REGS(RMI_REC_DESTROY, rec);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rec_enter(struct rmm *r, unsigned cpu, uint64_t rec, uint64_t run)
{
	REGS(RMI_REC_ENTER, rec, run);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_psci_complete(struct rmm *r, unsigned cpu, uint64_t calling, uint64_t target,
			       uint64_t status)
{
	REGS(RMI_PSCI_COMPLETE, calling, target, status);
	return smc(r, cpu, x);
}

uint64_t rmm_rmi_rtt_set_ripas(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
			       uint64_t base, uint64_t top, uint64_t *out_top)
{
	REGS(RMI_RTT_SET_RIPAS, rd, rec, base, top);
	smc(r, cpu, x);
	OUT(out_top, 1);
	return x[0];
}
