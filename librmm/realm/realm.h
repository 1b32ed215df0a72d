/*
 * The realm descriptor. It lives in the RD granule itself (Realm PAS, so the
 * host cannot touch it) and is protected by the RD granule's lock. The
 * number of RECs is the RD granule's refcount.
 */
#ifndef RMM_REALM_H
#define RMM_REALM_H

#include "granule/granule.h"
#include "migrate/mig.h"

enum realm_state { REALM_NEW = 0, REALM_ACTIVE = 1, REALM_SYSTEM_OFF = 2 };

#define REALM_MEAS_COUNT 5  /* 0 = RIM, 1..4 = REMs */
#define REALM_AUX_COUNT 16

struct realm {
	uint8_t state;            /* enum realm_state */
	uint8_t hash_algo;        /* RMI_HASH_* */
	uint8_t ipa_width;
	int8_t rtt_level_start;
	uint32_t rtt_num_start;
	uint16_t vmid;
	uint8_t lpa2;
	uint8_t pad;
	uint32_t pad2;
	uint64_t rtt_base;
	uint64_t rec_index;       /* MPIDR index the next REC must have */
	uint64_t flags;           /* RmiRealmFlags as created */
	uint8_t sve_vl, num_bps, num_wps, pmu_num_ctrs;
	uint8_t rpv[64];
	uint8_t meas[REALM_MEAS_COUNT][64];
	/* The realm's counter offset (CNTVOFF, and CNTPOFF as with FEAT_ECV):
	 * the realm reads both counters as hal->counter() - cntvoff, in ticks
	 * of RMM_CNTFRQ_HZ. REALM_CREATE sets it so the realm's time starts at
	 * 0; a migration import sets it so the realm's time never goes back.
	 * Written only while no REC of the realm runs. */
	uint64_t cntvoff;
	/* Live migration session (librmm/migrate/, docs/migration.md). */
	struct mig_session mig;
	/* The last SEA loop a REC_ENTER of this realm cut short (run_loop):
	 * written by the REC that looped, read by the explainer; each field
	 * atomic, loop_count written last (0: none). */
	_Atomic uint64_t loop_ipa, loop_vbar, loop_pc;
	_Atomic uint32_t loop_rec, loop_ripas;
	_Atomic uint64_t loop_count;
};
_Static_assert(sizeof(struct realm) <= 4096, "realm fits its RD granule");

/* What a stage-2 walk needs from the realm (immutable after REALM_CREATE). */
struct s2_ctx {
	uint64_t rtt_base;
	int sl;                  /* starting level */
	unsigned int num_start;  /* concatenated starting RTTs */
	unsigned int ipa_width;
	uint16_t vmid;
};

static inline struct realm *realm_of(struct rmm *rmm, struct granule *g_rd)
{
	return granule_map(rmm, g_rd);
}

static inline void realm_s2_ctx(const struct realm *r, struct s2_ctx *s)
{
	s->rtt_base = r->rtt_base;
	s->sl = r->rtt_level_start;
	s->num_start = r->rtt_num_start;
	s->ipa_width = r->ipa_width;
	s->vmid = r->vmid;
}

static inline bool ipa_is_protected(uint64_t ipa, unsigned int w)
{
	return ipa < (1ull << (w - 1));
}

static inline bool ipa_in_range(uint64_t ipa, unsigned int w)
{
	return ipa < (1ull << w);
}

const char *realm_state_name(unsigned int st);

/* REALM_CREATE after its parameters were read: every check, then the
 * commit. With rd_locked, success returns with the new RD still locked. */
struct rmi_realm_params;
uint64_t realm_create_common(struct call *c, uint64_t rd, const struct rmi_realm_params *p,
			     struct granule **rd_locked);

/* RttConfigIsValid(ipa_width, level_start, num_start). */
bool realm_rtt_config_valid(unsigned int w, int sl, uint64_t num, bool lpa2);

#endif
