/* RMI trace recording hooks (RMM_CFG_TRACE), called by the dispatcher and
 * by ns_read(); see trace.c for the stream format. */
#ifndef RMM_TRACE_H
#define RMM_TRACE_H

#include "core/rmm_int.h"

void trace_begin(struct call *c, const uint64_t *x);
void trace_end(struct call *c, const uint64_t *x);
void trace_snap(struct call *c, uint64_t pa, const void *buf, size_t len);
/* The trusted key install (rmm_mig_key_install), not an RMI call: a 'KEYI'
 * record appended to b (its caller serialises b), so that a trace of an
 * instance that migrates replays. It carries the key. */
void trace_key(struct rmm *rmm, struct rmm_tbuf *b, uint64_t session, unsigned int dir,
	       const uint8_t key[32], int rc);

#endif
