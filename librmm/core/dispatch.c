/*
 * The SMC conduit and the RMI command table.
 *
 * SMCCC rules applied here, once, for every command: bit 16 of the FID (the
 * SVE "state not live" hint) is ignored; an FID that is not an implemented
 * command returns NOT_SUPPORTED (-1); on return X1..X17 beyond the command's
 * results are zero.
 */
#include <stdio.h>
#include <string.h>

#include "core/rmi_table.h"
#include "diag/timeline.h"
#include "diag/trace.h"
#include "granule/granule.h"
#include <rmm/migrate.h>

#define CMD(fid, na, nr, nm, f) { (uint16_t)((fid) & 0xffff), na, nr, nm, f }

static const struct rmi_cmd rmi_cmds[] = {
	CMD(RMI_VERSION, 1, 2, "VERSION", rmi_version),
	CMD(RMI_GRANULE_DELEGATE, 1, 0, "GRANULE_DELEGATE", rmi_granule_delegate),
	CMD(RMI_GRANULE_UNDELEGATE, 1, 0, "GRANULE_UNDELEGATE", rmi_granule_undelegate),
	CMD(RMI_DATA_CREATE, 5, 0, "DATA_CREATE", rmi_data_create),
	CMD(RMI_DATA_CREATE_UNKNOWN, 3, 0, "DATA_CREATE_UNKNOWN", rmi_data_create_unknown),
	CMD(RMI_DATA_DESTROY, 2, 2, "DATA_DESTROY", rmi_data_destroy),
	CMD(RMI_REALM_ACTIVATE, 1, 0, "REALM_ACTIVATE", rmi_realm_activate),
	CMD(RMI_REALM_CREATE, 2, 0, "REALM_CREATE", rmi_realm_create),
	CMD(RMI_REALM_DESTROY, 1, 0, "REALM_DESTROY", rmi_realm_destroy),
	CMD(RMI_REC_CREATE, 3, 0, "REC_CREATE", rmi_rec_create),
	CMD(RMI_REC_DESTROY, 1, 0, "REC_DESTROY", rmi_rec_destroy),
	CMD(RMI_REC_ENTER, 2, 0, "REC_ENTER", rmi_rec_enter),
	CMD(RMI_RTT_CREATE, 4, 0, "RTT_CREATE", rmi_rtt_create),
	CMD(RMI_RTT_DESTROY, 3, 2, "RTT_DESTROY", rmi_rtt_destroy),
	CMD(RMI_RTT_MAP_UNPROTECTED, 4, 0, "RTT_MAP_UNPROTECTED", rmi_rtt_map_unprotected),
	CMD(RMI_RTT_READ_ENTRY, 3, 4, "RTT_READ_ENTRY", rmi_rtt_read_entry),
	CMD(RMI_RTT_UNMAP_UNPROTECTED, 3, 1, "RTT_UNMAP_UNPROTECTED", rmi_rtt_unmap_unprotected),
	CMD(RMI_PSCI_COMPLETE, 3, 0, "PSCI_COMPLETE", rmi_psci_complete),
	CMD(RMI_FEATURES, 1, 1, "FEATURES", rmi_features),
	CMD(RMI_RTT_FOLD, 3, 1, "RTT_FOLD", rmi_rtt_fold),
	CMD(RMI_REC_AUX_COUNT, 1, 1, "REC_AUX_COUNT", rmi_rec_aux_count),
	CMD(RMI_RTT_INIT_RIPAS, 3, 1, "RTT_INIT_RIPAS", rmi_rtt_init_ripas),
	CMD(RMI_RTT_SET_RIPAS, 4, 1, "RTT_SET_RIPAS", rmi_rtt_set_ripas),
	/* librmm's migration extension (docs/migration.md) */
	CMD(RMI_MIG_EXPORT_START, 3, 1, "MIG_EXPORT_START", rmi_mig_export_start),
	CMD(RMI_MIG_EXPORT_PAGES, 5, 2, "MIG_EXPORT_PAGES", rmi_mig_export_pages),
	CMD(RMI_MIG_EXPORT_LAYOUT, 4, 2, "MIG_EXPORT_LAYOUT", rmi_mig_export_layout),
	CMD(RMI_MIG_EXPORT_EPOCH, 2, 1, "MIG_EXPORT_EPOCH", rmi_mig_export_epoch),
	CMD(RMI_MIG_EXPORT_PAUSE, 1, 0, "MIG_EXPORT_PAUSE", rmi_mig_export_pause),
	CMD(RMI_MIG_EXPORT_REC, 4, 1, "MIG_EXPORT_REC", rmi_mig_export_rec),
	CMD(RMI_MIG_EXPORT_END, 2, 1, "MIG_EXPORT_END", rmi_mig_export_end),
	CMD(RMI_MIG_EXPORT_ABORT, 2, 0, "MIG_EXPORT_ABORT", rmi_mig_export_abort),
	CMD(RMI_MIG_EXPORT_DIRTY, 3, 3, "MIG_EXPORT_DIRTY", rmi_mig_export_dirty),
	CMD(RMI_MIG_IMPORT_START, 4, 0, "MIG_IMPORT_START", rmi_mig_import_start),
	CMD(RMI_MIG_IMPORT, 4, 4, "MIG_IMPORT", rmi_mig_import),
	CMD(RMI_MIG_IMPORT_REC, 4, 0, "MIG_IMPORT_REC", rmi_mig_import_rec),
	CMD(RMI_MIG_IMPORT_COMMIT, 1, 0, "MIG_IMPORT_COMMIT", rmi_mig_import_commit),
	CMD(RMI_MIG_IMPORT_ABORT, 2, 1, "MIG_IMPORT_ABORT", rmi_mig_import_abort),
};

const struct rmi_cmd *rmi_cmd_find(uint16_t fnum)
{
	for (unsigned int i = 0; i < sizeof(rmi_cmds) / sizeof(rmi_cmds[0]); i++)
		if (rmi_cmds[i].fnum == fnum)
			return &rmi_cmds[i];
	return NULL;
}

const struct rmi_cmd *rmi_cmd_at(unsigned int i)
{
	return i < sizeof(rmi_cmds) / sizeof(rmi_cmds[0]) ? &rmi_cmds[i] : NULL;
}

void rmm_smc(struct rmm *rmm, unsigned int cpu, uint64_t x[18])
{
	uint64_t fid = x[0] & ~(1ull << 16);
	const struct rmi_cmd *cmd = NULL;
	uint64_t res[18] = { 0 }, t0 = 0, x1;
	struct call c;
	unsigned int i;

	if (!rmm || cpu >= rmm->cfg.ncpus) {
		x[0] = SMCCC_NOT_SUPPORTED;
		return;
	}
	if ((fid >> 16) == 0xC400 && (((fid & 0xffff) >= 0x150 && (fid & 0xffff) <= 0x18F) ||
				      ((fid & 0xffff) >= 0x1D0 && (fid & 0xffff) <= 0x1DF)))
		cmd = rmi_cmd_find((uint16_t)fid);
	if (!cmd) {
		snprintf(rmm->cpus[cpu].reason, RMM_REASON_LEN,
			 "SMC: FID 0x%llx is not an implemented RMI command",
			 (unsigned long long)x[0]);
		memset(x, 0, 18 * sizeof(x[0]));
		x[0] = SMCCC_NOT_SUPPORTED;
		return;
	}
	c.rmm = rmm;
	c.cpu = cpu;
	c.fnum = cmd->fnum;
	c.name = cmd->name;
	rmm->cpus[cpu].reason[0] = '\0';
	/* per-CPU counters: a shared one would bounce between CPUs on every call */
	atomic_store_explicit(&rmm->cpus[cpu].n_calls,
			      atomic_load_explicit(&rmm->cpus[cpu].n_calls, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	if (rmm->cfg.flags & RMM_CFG_TRACE)
		trace_begin(&c, x);
	x1 = x[1];
	if (tl_on(rmm))
		t0 = tl_now(rmm);
	res[0] = cmd->fn(&c, x, res);
	if (res[0] != RMI_SUCCESS)
		atomic_store_explicit(&rmm->cpus[cpu].n_fail,
				      atomic_load_explicit(&rmm->cpus[cpu].n_fail,
							   memory_order_relaxed) + 1,
				      memory_order_relaxed);
	x[0] = res[0];
	for (i = 1; i < 18; i++)
		x[i] = i <= cmd->nres ? res[i] : 0;
	if (rmm->cfg.flags & RMM_CFG_TRACE)
		trace_end(&c, x);
	if (tl_on(rmm)) {
		struct tl_event e = { .kind = TL_RMI, .fnum = c.fnum, .t0 = t0, .t1 = tl_now(rmm),
				      .b = x[0] };

		e.a = x1;
		tl_add(rmm, cpu, &e);
	}
}
