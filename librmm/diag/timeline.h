/*
 * The timeline of a run (RMM_CFG_TIMELINE): per-CPU records of RMI calls,
 * REC runs, host accesses, TLB and GPT invalidations, cache maintenance and
 * findings, written out by rmm_timeline_save() as Chrome/Perfetto
 * trace-event JSON with one track per CPU.
 *
 * Each CPU's ring is written only by the thread acting as that CPU; saving
 * reads every ring and must not race with calls in flight.
 */
#ifndef RMM_DIAG_TIMELINE_H
#define RMM_DIAG_TIMELINE_H

#include "core/rmm_int.h"

enum tl_kind {
	TL_RMI = 1,     /* a: x1, b: x0 result; fnum */
	TL_REC_RUN,     /* a: REC PA, b: exit reason, c: ESR, d: HPFAR */
	TL_HOST,        /* a: PA, b: length, c: 1 write / 0 read */
	TL_TLBI,        /* a: IPA, b: size (0: whole VMID), c: VMID, d: faults */
	TL_GPT,         /* a: PA, b: new PAS, d: faults */
	TL_CMO,         /* a: PA, b: size, d: faults (clean+invalidate to PoPA) */
	TL_FINDING,     /* a: finding index */
};

struct tl_event {
	uint64_t t0, t1;    /* ns since the instance was created; t1 == t0: instant */
	uint64_t a, b, c, d;
	uint16_t fnum;
	uint8_t kind;
};

/* Non-zero if the timeline is on (cheap; callers test it first). */
static inline bool tl_on(const struct rmm *rmm)
{
	return rmm->tl_base != 0;
}
/* The time now, on the timeline's clock. */
uint64_t tl_now(struct rmm *rmm);
/* Record an event on cpu's track. */
void tl_add(struct rmm *rmm, unsigned int cpu, const struct tl_event *e);
/* Convenience: an instant event at the current time. */
void tl_instant(struct rmm *rmm, unsigned int cpu, enum tl_kind kind, uint64_t a, uint64_t b,
		uint64_t c, uint64_t d);

int tl_alloc(struct rmm *rmm);
void tl_free(struct rmm *rmm);

#endif
