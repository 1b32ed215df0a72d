/*
 * The RMI command table: one row per command with its argument and result
 * register counts. The dispatcher, the typed wrappers' tests, the fuzzers and
 * the trace printer all read this table.
 */
#ifndef RMM_RMI_TABLE_H
#define RMM_RMI_TABLE_H

#include "core/rmm_int.h"

/* a[1..nargs] are the arguments; the handler writes res[1..nres]. Returns X0. */
typedef uint64_t (*rmi_handler_t)(struct call *c, const uint64_t *a, uint64_t *res);

struct rmi_cmd {
	uint16_t fnum;
	uint8_t nargs, nres;
	const char *name;
	rmi_handler_t fn;
};

const struct rmi_cmd *rmi_cmd_find(uint16_t fnum);
const struct rmi_cmd *rmi_cmd_at(unsigned int i); /* NULL past the end */

uint64_t rmi_version(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_features(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_granule_delegate(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_granule_undelegate(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_realm_create(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_realm_activate(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_realm_destroy(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rec_aux_count(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_create(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_destroy(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_fold(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_read_entry(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_map_unprotected(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_unmap_unprotected(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_init_ripas(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_data_create(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_data_create_unknown(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_data_destroy(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rec_create(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rec_destroy(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rec_enter(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_psci_complete(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_rtt_set_ripas(struct call *c, const uint64_t *a, uint64_t *res);
/* migration (librmm/migrate/) */
uint64_t rmi_mig_export_start(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_pages(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_layout(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_epoch(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_pause(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_rec(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_end(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_abort(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_export_dirty(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_import_start(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_import(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_import_rec(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_import_commit(struct call *c, const uint64_t *a, uint64_t *res);
uint64_t rmi_mig_import_abort(struct call *c, const uint64_t *a, uint64_t *res);

#endif
