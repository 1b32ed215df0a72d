/*
 * The REC (Realm Execution Context). It lives in the REC granule. While the
 * REC is not running its fields are protected by the REC granule's lock;
 * REC_ENTER holds a reference (the REC granule's refcount is 1 while it
 * runs) and owns the fields until it drops it, so a concurrent REC_DESTROY,
 * PSCI_COMPLETE or RTT_SET_RIPAS sees it in use.
 */
#ifndef RMM_REC_H
#define RMM_REC_H

#include <rmm/vcpu.h>
#include "realm/realm.h"

#define REC_MAX_INDEX ((1u << 10) - 1)  /* 2^MAX_RECS_ORDER - 1 */

struct rec {
	uint64_t owner;            /* RD PA */
	uint64_t mpidr;
	uint32_t index;
	uint8_t runnable;
	uint8_t psci_pending;      /* CPU_ON / AFFINITY_INFO awaiting PSCI_COMPLETE */
	uint8_t host_call_pending;
	uint8_t last_exit;         /* enum rmi_exit_reason of the last exit, 0xff: none */
	uint8_t last_exit_psci;    /* the last exit was RMI_EXIT_PSCI */
	uint8_t emulatable_abort;  /* last exit: emulatable data abort */
	uint8_t unprot_abort;      /* last exit: data abort at an unprotected IPA */
	uint8_t mmio_srt, mmio_sas, mmio_sse, mmio_sf, mmio_write;
	uint8_t ripas_value, ripas_destroyed;
	uint8_t attest_state;      /* enum attest_state (rsi/attest.c); work area in aux[0] */
	uint8_t mig_exported;      /* session number (mig.gen) of its MIG_EXPORT_REC */
	uint8_t pad[4];
	uint64_t abort_esr, abort_far;  /* ESR/FAR_EL2 of the last data abort exit */
	uint64_t host_call_ipa;
	uint64_t ripas_addr, ripas_top;
	uint64_t num_aux, aux[RMI_REC_MAX_AUX];
	uint64_t gic_hcr, gic_lrs[RMI_GIC_NUM_LRS], gic_vmcr;
	uint64_t gic_ap0r, gic_ap1r;   /* active priorities of the virtual CPU interface */
	struct rmm_vcpu_regs regs;
};
_Static_assert(sizeof(struct rec) <= 4096, "REC fits its granule");

static inline struct rec *rec_of(struct rmm *rmm, struct granule *g)
{
	return granule_map(rmm, g);
}

/* The REC is running iff its granule's refcount is non-zero. */
static inline bool rec_running(struct granule *g)
{
	return granule_refcount(g) != 0;
}

/* RecIndex(mpidr), or -1 if the MPIDR is not a valid RmiRecMpidr. */
int64_t rec_mpidr_index(uint64_t mpidr);

/* Realm state, read and written atomically (REC_ENTER reads it holding only
 * the REC; writes happen under the RD lock). */
static inline uint8_t realm_state_get(const struct realm *r)
{
	return __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
}

static inline void realm_state_set(struct realm *r, uint8_t st)
{
	__atomic_store_n(&r->state, st, __ATOMIC_RELEASE);
}

#endif
