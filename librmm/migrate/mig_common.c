/* Migration helpers shared by export and import, and the gates other RMI
 * commands call. */
#include <stdio.h>
#include <string.h>

#include "migrate/mig.h"
#include "realm/realm.h"

static const char *const reason_names[RMI_MIG_NREASONS] = {
	[RMI_MIG_KEY] = "KEY", [RMI_MIG_FORMAT] = "FORMAT", [RMI_MIG_AUTH] = "AUTH",
	[RMI_MIG_SESSION] = "SESSION", [RMI_MIG_BINDING] = "BINDING",
	[RMI_MIG_STREAM] = "STREAM", [RMI_MIG_SEQUENCE] = "SEQUENCE", [RMI_MIG_EPOCH] = "EPOCH",
	[RMI_MIG_ORDER] = "ORDER", [RMI_MIG_DUPLICATE] = "DUPLICATE", [RMI_MIG_RANGE] = "RANGE",
	[RMI_MIG_COUNT] = "COUNT", [RMI_MIG_LAYOUT] = "LAYOUT", [RMI_MIG_DIRTY] = "DIRTY",
	[RMI_MIG_INCOMPLETE] = "INCOMPLETE", [RMI_MIG_PARAMS] = "PARAMS",
	[RMI_MIG_FAILED] = "FAILED", [RMI_MIG_TOKEN] = "TOKEN",
};

const char *rmm_mig_reason_name(unsigned int reason)
{
	return reason > 0 && reason < RMI_MIG_NREASONS ? reason_names[reason] : "?";
}

uint64_t mig_fail(struct call *c, unsigned int reason, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return call_fail(c, RMI_ERROR_MIG, reason, "%s: %s", rmm_mig_reason_name(reason), buf);
}

int mig_ns_write(struct call *c, uint64_t pa, const void *src, size_t len)
{
	const uint8_t *p = src;

	while (len) {
		size_t n = GRANULE_SIZE - (pa & GRANULE_MASK);

		if (n > len)
			n = len;
		if (ns_write(c->rmm, pa, p, n) != 0)
			return -1;
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

bool mig_stream_get(struct mig_session *m, unsigned int s)
{
	return !atomic_exchange_explicit(&m->st[s].busy, 1, memory_order_acquire);
}

void mig_stream_put(struct mig_session *m, unsigned int s)
{
	atomic_store_explicit(&m->st[s].busy, 0, memory_order_release);
}

bool mig_streams_all(struct mig_session *m)
{
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++) {
		if (!mig_stream_get(m, s)) {
			while (s--)
				mig_stream_put(m, s);
			return false;
		}
	}
	return true;
}

void mig_streams_put_all(struct mig_session *m)
{
	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		mig_stream_put(m, s);
}

static const char *const state_names[] = { "NONE", "EXPORT_LIVE", "EXPORT_PAUSED",
					    "EXPORT_DONE", "IMPORTING", "IMPORT_FAILED" };

const char *mig_state_name(unsigned int st)
{
	return st < 6 ? state_names[st] : "?";
}

uint64_t mig_gate(struct call *c, const struct realm *r, enum mig_op op)
{
	unsigned int st = mig_state_get(&r->mig);
	bool refuse;

	if (op == MIG_OP_PSCI)
		refuse = st == RMM_MIG_EXPORT_PAUSED || st == RMM_MIG_IMPORTING;
	else
		refuse = st == RMM_MIG_EXPORT_LIVE || st == RMM_MIG_EXPORT_PAUSED ||
			 st == RMM_MIG_IMPORTING;
	if (!refuse)
		return RMI_SUCCESS;
	return call_fail(c, RMI_ERROR_REALM, 2,
			 "realm_mig: the realm is %s (docs/migration.md section 3)",
			 mig_state_name(st));
}

bool mig_may_run(const struct realm *r)
{
	unsigned int st = mig_state_get(&r->mig);

	return st == RMM_MIG_NONE || st == RMM_MIG_EXPORT_LIVE;
}

int rmm_mig_state(struct rmm *rmm, uint64_t rd, unsigned int *state, uint64_t *dirty)
{
	struct granule *g = granule_find(rmm, rd);
	const struct realm *r;

	if (!g)
		return RMM_EINVAL;
	granule_lock(rmm, g);
	if (g->state != RMM_GRANULE_RD) {
		granule_unlock(g);
		return RMM_EINVAL;
	}
	r = realm_of(rmm, g);
	if (state)
		*state = mig_state_get(&r->mig);
	if (dirty)
		*dirty = atomic_load(&((struct realm *)r)->mig.dirty);
	granule_unlock(g);
	return RMM_OK;
}

uint64_t mig_out_check(struct call *c, uint64_t pa, uint64_t len, const char *what)
{
	struct rmm *rmm = c->rmm;

	if (pa < rmm->dram_base || len > rmm->dram_size || pa - rmm->dram_base > rmm->dram_size - len)
		return call_fail(c, RMI_ERROR_INPUT, 0, "%s_bound: [0x%llx, +0x%llx) is not in DRAM",
				 what, (unsigned long long)pa, (unsigned long long)len);
	for (uint64_t g = pa & ~GRANULE_MASK; g < pa + len; g += GRANULE_SIZE)
		if (rmm->hal->gpt_get(rmm->hal_h, g) != RMM_PAS_NS)
			return call_fail(c, RMI_ERROR_INPUT, 0,
					 "%s_pas: granule 0x%llx is not in the NS PAS", what,
					 (unsigned long long)g);
	return RMI_SUCCESS;
}
