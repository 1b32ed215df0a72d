/* Typed wrappers for the migration commands: registers in, rmm_smc(), X0 out. */
#include "core/rmm_int.h"
#include <rmm/migrate.h>

#define REGS(...) uint64_t x[18] = { __VA_ARGS__ }
#define OUT(p, i) do { if (p) *(p) = x[i]; } while (0)

uint64_t rmm_mig_export_start(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t session,
			      uint64_t out, uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_START, rd, session, out);
	rmm_smc(r, cpu, x);
	OUT(len, 1);
	return x[0];
}

uint64_t rmm_mig_export_pages(struct rmm *r, unsigned cpu, uint64_t rd, unsigned stream,
			      uint64_t list, uint64_t count, uint64_t out, uint64_t *done,
			      uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_PAGES, rd, stream, list, count, out);
	rmm_smc(r, cpu, x);
	OUT(done, 1);
	OUT(len, 2);
	return x[0];
}

uint64_t rmm_mig_export_layout(struct rmm *r, unsigned cpu, uint64_t rd, unsigned stream,
			       uint64_t ipa, uint64_t out, uint64_t *next, uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_LAYOUT, rd, stream, ipa, out);
	rmm_smc(r, cpu, x);
	OUT(next, 1);
	OUT(len, 2);
	return x[0];
}

uint64_t rmm_mig_export_epoch(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
			      uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_EPOCH, rd, out);
	rmm_smc(r, cpu, x);
	OUT(len, 1);
	return x[0];
}

uint64_t rmm_mig_export_pause(struct rmm *r, unsigned cpu, uint64_t rd)
{
	REGS(RMI_MIG_EXPORT_PAUSE, rd);
	rmm_smc(r, cpu, x);
	return x[0];
}

uint64_t rmm_mig_export_rec(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
			    unsigned stream, uint64_t out, uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_REC, rd, rec, stream, out);
	rmm_smc(r, cpu, x);
	OUT(len, 1);
	return x[0];
}

uint64_t rmm_mig_export_end(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
			    uint64_t *len)
{
	REGS(RMI_MIG_EXPORT_END, rd, out);
	rmm_smc(r, cpu, x);
	OUT(len, 1);
	return x[0];
}

uint64_t rmm_mig_export_abort(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t token)
{
	REGS(RMI_MIG_EXPORT_ABORT, rd, token);
	rmm_smc(r, cpu, x);
	return x[0];
}

uint64_t rmm_mig_export_dirty(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
			      uint64_t list, uint64_t *n, uint64_t *next, uint64_t *dirty)
{
	REGS(RMI_MIG_EXPORT_DIRTY, rd, ipa, list);
	rmm_smc(r, cpu, x);
	OUT(n, 1);
	OUT(next, 2);
	OUT(dirty, 3);
	return x[0];
}

uint64_t rmm_mig_import_start(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t params,
			      uint64_t session, uint64_t in)
{
	REGS(RMI_MIG_IMPORT_START, rd, params, session, in);
	rmm_smc(r, cpu, x);
	return x[0];
}

uint64_t rmm_mig_import(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t in, uint64_t count,
			uint64_t grans, uint64_t *done, uint64_t *used, uint64_t *len,
			uint64_t *rtt_ipa)
{
	REGS(RMI_MIG_IMPORT, rd, in, count, grans);
	rmm_smc(r, cpu, x);
	OUT(done, 1);
	OUT(used, 2);
	OUT(len, 3);
	OUT(rtt_ipa, 4);
	return x[0];
}

uint64_t rmm_mig_import_rec(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
			    uint64_t params, uint64_t in)
{
	REGS(RMI_MIG_IMPORT_REC, rd, rec, params, in);
	rmm_smc(r, cpu, x);
	return x[0];
}

uint64_t rmm_mig_import_commit(struct rmm *r, unsigned cpu, uint64_t rd)
{
	REGS(RMI_MIG_IMPORT_COMMIT, rd);
	rmm_smc(r, cpu, x);
	return x[0];
}

uint64_t rmm_mig_import_abort(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
			      uint64_t *len)
{
	REGS(RMI_MIG_IMPORT_ABORT, rd, out);
	rmm_smc(r, cpu, x);
	OUT(len, 1);
	return x[0];
}
