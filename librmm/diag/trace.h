/* RMI trace recording hooks (RMM_CFG_TRACE), called by the dispatcher and
 * by ns_read(); see trace.c for the stream format. */
#ifndef RMM_TRACE_H
#define RMM_TRACE_H

#include "core/rmm_int.h"

void trace_begin(struct call *c, const uint64_t *x);
void trace_end(struct call *c, const uint64_t *x);
void trace_snap(struct call *c, uint64_t pa, const void *buf, size_t len);

#endif
