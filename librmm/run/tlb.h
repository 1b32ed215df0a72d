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
void gpt_change_begin(struct rmm *rmm);
/* Wait until no vCPU access that began before this call is in flight (what
 * TLBI + DSB, or a GPT invalidation, guarantees on hardware). */
void vcpu_sync(struct rmm *rmm);
void gpt_change_end(struct rmm *rmm);

/* The latest logged change covering (vmid, ipa) after 'since', if any. */
const struct s2_change *s2_change_find(struct rmm *rmm, uint16_t vmid, uint64_t ipa,
				       uint64_t since);

/* Record a finding (checking mode). */
void rmm_finding_add(struct rmm *rmm, int kind, unsigned int cpu, uint64_t ipa, uint64_t pa,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The PAS of pa as cpu sees it (through its GPT cache), checked. */
enum rmm_pas gpt_seen(struct rmm *rmm, unsigned int cpu, uint64_t pa, uint64_t ipa);

#endif
