/*
 * Stage-2 TLB maintenance by the RMM, and the checks of cached translations
 * (RMM_CFG_TLB_CHECK). Every RTT change that can invalidate a translation a
 * CPU may have cached is bracketed:
 *
 *	s2_change_begin(c);
 *	... rtt_write()s ...
 *	s2_change_end(c, vmid, ipa, size);   // TLBI (broadcast), logged
 *
 * and PAS changes are bracketed by gpt_change_begin/end around hal->gpt_set.
 */
#ifndef RMM_TLB_H
#define RMM_TLB_H

#include "core/rmm_int.h"

void s2_change_begin(struct call *c);
void s2_change_end(struct call *c, uint16_t vmid, uint64_t ipa, uint64_t size);
/* out: the change takes a granule out of Realm PAS (undelegate). */
void gpt_change_begin(struct rmm *rmm, bool out);
/* Wait until no vCPU access that began before this call is in flight (what
 * TLBI + DSB, or a GPT invalidation, guarantees on hardware). */
void vcpu_sync(struct rmm *rmm);
void gpt_change_end(struct rmm *rmm, bool out);

/*
 * A vCPU's in-flight access: every lock-free stage-2 walk, and the access
 * that uses its result, runs between these on the vCPU's CPU (the per-CPU
 * access lock, innermost: nothing else may be taken while it is held, except
 * the HAL's cache locks). vcpu_sync() waits for each CPU's current one, so
 * the RMM may wipe or reuse a granule (an unlinked RTT, an unmapped DATA)
 * once its TLBI is done: no walk that could still reach it is in flight,
 * and every later walk sees it unlinked. This is the walker's epoch.
 */
void vcpu_access_begin(struct rmm *rmm, unsigned int cpu);
void vcpu_access_end(struct rmm *rmm, unsigned int cpu);

/* The latest logged change covering (vmid, ipa) after 'since', if any. */
const struct s2_change *s2_change_find(struct rmm *rmm, uint16_t vmid, uint64_t ipa,
				       uint64_t since);

/* Record a finding (checking mode). */
void rmm_finding_add(struct rmm *rmm, int kind, unsigned int cpu, uint64_t ipa, uint64_t pa,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The HAL models PAS-tagged data caches (version 4 ops present). */
static inline bool dc_modelled(const struct rmm *rmm)
{
	return rmm->hal->version >= 4 && rmm->hal->dc_access && rmm->hal->dc_cipapa;
}
/* DC CIPAPA of the granule at pa on cpu after its PAS changed (timeline). */
void dc_after_pas_change(struct rmm *rmm, unsigned int cpu, uint64_t pa);
/* The level-'level' RTT read by cpu's stage-2 walker for ipa, at pa, came
 * back with 'bytes' bytes a stale write-back put there: a finding naming
 * the granule, the PAS change whose maintenance missed cpu, and cpu. */
void dc_stale_finding(struct rmm *rmm, unsigned int cpu, uint64_t pa, uint64_t ipa, int level,
		      uint64_t desc, size_t bytes);

/* The PAS of pa as cpu sees it (through its GPT cache), checked. */
enum rmm_pas gpt_seen(struct rmm *rmm, unsigned int cpu, uint64_t pa, uint64_t ipa);

#endif
