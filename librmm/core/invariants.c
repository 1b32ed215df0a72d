/*
 * The invariant checker: granule states vs the GPT vs RTT contents vs
 * refcounts vs realm counts. Runs only when no call is in flight; it reads
 * everything without locks and reports the first broken invariant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec/rec.h"
#include "rtt/rtt.h"

struct inv {
	struct rmm *rmm;
	uint32_t *refs;  /* references to each granule found by the walk */
	char *why;
	size_t len;
	int bad;
};

static int inv_fail(struct inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int inv_fail(struct inv *v, const char *fmt, ...)
{
	va_list ap;

	if (!v->bad) {
		va_start(ap, fmt);
		vsnprintf(v->why, v->len, fmt, ap);
		va_end(ap);
	}
	v->bad = 1;
	return -1;
}

static uint64_t gidx(struct inv *v, uint64_t pa)
{
	return (pa - v->rmm->dram_base) >> GRANULE_SHIFT;
}

static int check_rtt(struct inv *v, const struct realm *r, struct granule *g, int level,
		     uint64_t base)
{
	struct rmm *rmm = v->rmm;
	const uint64_t *tbl = granule_map(rmm, g);
	unsigned int live = 0, w = r->ipa_width;

	for (unsigned int i = 0; i < RTT_ENTRIES && !v->bad; i++) {
		uint64_t ipa = base + (uint64_t)i * level_size(level);
		struct rtte e;

		if (!ipa_in_range(ipa, w)) {
			if (tbl[i] != 0)
				return inv_fail(v, "RTT 0x%llx: entry %u beyond the IPA space is set",
						(unsigned long long)granule_pa(rmm, g), i);
			continue;
		}
		rtte_decode(tbl[i], level, &e);
		if (rtte_counts(e.st))
			live++;
		if (ipa_is_protected(ipa, w) ? (e.st == RTTE_UNASSIGNED_NS || e.st == RTTE_ASSIGNED_NS)
					     : (e.st == RTTE_UNASSIGNED || e.st == RTTE_ASSIGNED))
			return inv_fail(v, "RTT 0x%llx level %d: entry for IPA 0x%llx is %d, wrong "
					"for its protection", (unsigned long long)granule_pa(rmm, g),
					level, (unsigned long long)ipa, e.st);
		if (e.ripas > RMI_DESTROYED)
			return inv_fail(v, "IPA 0x%llx: RIPAS %u", (unsigned long long)ipa, e.ripas);
		if (e.st == RTTE_TABLE) {
			struct granule *c = granule_find(rmm, e.oa);

			if (level >= 3 || !c || c->state != RMM_GRANULE_RTT)
				return inv_fail(v, "IPA 0x%llx level %d: TABLE entry points at 0x%llx, "
						"which is not an RTT", (unsigned long long)ipa,
						level, (unsigned long long)e.oa);
			if (v->refs[gidx(v, e.oa)]++)
				return inv_fail(v, "RTT 0x%llx is referenced twice",
						(unsigned long long)e.oa);
			check_rtt(v, r, c, level + 1, ipa);
		} else if (e.st == RTTE_ASSIGNED) {
			uint64_t n = level_size(level) / GRANULE_SIZE;

			if (level < 1)
				return inv_fail(v, "ASSIGNED block at level %d", level);
			for (uint64_t k = 0; k < n; k++) {
				struct granule *d = granule_find(rmm, e.oa + k * GRANULE_SIZE);

				if (!d || d->state != RMM_GRANULE_DATA)
					return inv_fail(v, "IPA 0x%llx maps 0x%llx, which is not DATA",
							(unsigned long long)(ipa + k * GRANULE_SIZE),
							(unsigned long long)(e.oa + k * GRANULE_SIZE));
				if (v->refs[gidx(v, e.oa) + k]++)
					return inv_fail(v, "DATA 0x%llx is mapped twice",
							(unsigned long long)(e.oa + k * GRANULE_SIZE));
			}
			if (level == 3 && mig_marks_bad(r, granule_find(rmm, e.oa), tbl[i]))
				return inv_fail(v, "IPA 0x%llx: write protection or migration marks "
						"that the realm's migration state (%s) does not allow",
						(unsigned long long)ipa,
						mig_state_name(mig_state_get(&r->mig)));
		}
	}
	if (!v->bad && live != granule_refcount(g))
		return inv_fail(v, "RTT 0x%llx level %d: refcount %u but %u live entries",
				(unsigned long long)granule_pa(rmm, g), level, granule_refcount(g),
				live);
	return v->bad ? -1 : 0;
}

static void check_realm(struct inv *v, struct granule *g_rd, unsigned int *nvmid)
{
	struct rmm *rmm = v->rmm;
	const struct realm *r = realm_of(rmm, g_rd);
	uint64_t span;

	if (r->state > REALM_SYSTEM_OFF ||
	    !realm_rtt_config_valid(r->ipa_width, r->rtt_level_start, r->rtt_num_start, r->lpa2)) {
		inv_fail(v, "RD 0x%llx: corrupt realm descriptor",
			 (unsigned long long)granule_pa(rmm, g_rd));
		return;
	}
	if (!(atomic_load(&rmm->vmid_map[r->vmid / 64]) & (1ull << (r->vmid % 64)))) {
		inv_fail(v, "RD 0x%llx: VMID %u not marked in use",
			 (unsigned long long)granule_pa(rmm, g_rd), r->vmid);
		return;
	}
	(*nvmid)++;
	span = level_size(r->rtt_level_start) * RTT_ENTRIES;
	for (unsigned int i = 0; i < r->rtt_num_start && !v->bad; i++) {
		uint64_t pa = r->rtt_base + i * GRANULE_SIZE;
		struct granule *root = granule_find(rmm, pa);

		if (!root || root->state != RMM_GRANULE_RTT) {
			inv_fail(v, "RD 0x%llx: starting RTT 0x%llx is not an RTT",
				 (unsigned long long)granule_pa(rmm, g_rd), (unsigned long long)pa);
			return;
		}
		if (v->refs[gidx(v, pa)]++) {
			inv_fail(v, "starting RTT 0x%llx is shared", (unsigned long long)pa);
			return;
		}
		check_rtt(v, r, root, r->rtt_level_start, i * span);
	}
}

int rmm_check_invariants(struct rmm *rmm, char *why, size_t len)
{
	struct inv v = { rmm, NULL, why, len, 0 };
	unsigned int nvmid = 0, vmid_bits = 0;
	uint64_t i, ndeleg = 0;
	static const uint8_t zero[GRANULE_SIZE];

	if (why && len)
		why[0] = '\0';
	v.refs = calloc(rmm->ngran, sizeof(*v.refs));
	if (!v.refs)
		return RMM_ENOMEM;
	for (i = 0; i < rmm->ngran && !v.bad; i++) {
		struct granule *g = &rmm->gran[i];
		uint64_t pa = granule_pa(rmm, g);
		enum rmm_pas pas = rmm->hal->gpt_get(rmm->hal_h, pa);

		if (granule_locked(g))
			inv_fail(&v, "granule 0x%llx is locked while idle", (unsigned long long)pa);
		else if ((g->state == RMM_GRANULE_UNDELEGATED) != (pas == RMM_PAS_NS))
			inv_fail(&v, "granule 0x%llx is %s but its GPT entry is %s",
				 (unsigned long long)pa, rmm_granule_state_name(g->state),
				 pas == RMM_PAS_NS ? "NS" : "Realm");
		else if (g->state == RMM_GRANULE_DELEGATED &&
			 memcmp(granule_map(rmm, g), zero, GRANULE_SIZE) != 0)
			inv_fail(&v, "DELEGATED granule 0x%llx is not wiped", (unsigned long long)pa);
		else if (g->state >= RMM_GRANULE_NSTATES)
			inv_fail(&v, "granule 0x%llx has state %u", (unsigned long long)pa, g->state);
		if (g->state != RMM_GRANULE_UNDELEGATED)
			ndeleg++;
	}
	for (i = 0; i < rmm->ngran && !v.bad; i++)
		if (rmm->gran[i].state == RMM_GRANULE_RD)
			check_realm(&v, &rmm->gran[i], &nvmid);
	/* RECs: owned by an RD, idle, their aux granules theirs alone; refs[]
	 * of an RD counts its RECs */
	for (i = 0; i < rmm->ngran && !v.bad; i++) {
		struct granule *g = &rmm->gran[i];
		const struct rec *rec;
		struct granule *rd;

		if (g->state != RMM_GRANULE_REC)
			continue;
		rec = rec_of(rmm, g);
		rd = granule_find(rmm, rec->owner);
		if (!rd || rd->state != RMM_GRANULE_RD) {
			inv_fail(&v, "REC 0x%llx: owner 0x%llx is not an RD",
				 (unsigned long long)granule_pa(rmm, g), (unsigned long long)rec->owner);
			break;
		}
		if (granule_refcount(g) != 0)
			inv_fail(&v, "REC 0x%llx is running while idle", (unsigned long long)granule_pa(rmm, g));
		if (rec->index >= realm_of(rmm, rd)->rec_index)
			inv_fail(&v, "REC 0x%llx: index %u beyond the realm's %llu RECs",
				 (unsigned long long)granule_pa(rmm, g), rec->index,
				 (unsigned long long)realm_of(rmm, rd)->rec_index);
		v.refs[gidx(&v, rec->owner)]++;
		for (uint64_t k = 0; k < rec->num_aux && !v.bad; k++) {
			struct granule *ga = granule_find(rmm, rec->aux[k]);

			if (!ga || ga->state != RMM_GRANULE_REC_AUX || v.refs[gidx(&v, rec->aux[k])]++)
				inv_fail(&v, "REC 0x%llx: aux[%llu] 0x%llx is not its REC_AUX",
					 (unsigned long long)granule_pa(rmm, g), (unsigned long long)k,
					 (unsigned long long)rec->aux[k]);
		}
	}
	for (i = 0; i < rmm->ngran && !v.bad; i++) {
		struct granule *g = &rmm->gran[i];

		if (g->state == RMM_GRANULE_RD && v.refs[i] != granule_refcount(g))
			inv_fail(&v, "RD 0x%llx: refcount %u but %u RECs",
				 (unsigned long long)granule_pa(rmm, g), granule_refcount(g), v.refs[i]);
		if (g->state == RMM_GRANULE_REC_AUX && v.refs[i] != 1)
			inv_fail(&v, "REC_AUX 0x%llx belongs to no REC",
				 (unsigned long long)granule_pa(rmm, g));
	}
	for (i = 0; i < rmm->ngran && !v.bad; i++) {
		struct granule *g = &rmm->gran[i];

		if ((g->state == RMM_GRANULE_RTT || g->state == RMM_GRANULE_DATA) && v.refs[i] != 1)
			inv_fail(&v, "%s granule 0x%llx is not reachable from any realm",
				 rmm_granule_state_name(g->state),
				 (unsigned long long)granule_pa(rmm, g));
	}
	for (i = 0; i < 65536 / 64; i++) {
		uint64_t w = atomic_load_explicit(&rmm->vmid_map[i], memory_order_relaxed);

		for (; w; w &= w - 1)
			vmid_bits++;
	}
	if (!v.bad && vmid_bits != nvmid)
		inv_fail(&v, "%u VMIDs in use for %u realms", vmid_bits, nvmid);
	if (!v.bad && ndeleg != atomic_load(&rmm->n_delegated))
		inv_fail(&v, "delegated count %llu, census %llu",
			 (unsigned long long)atomic_load(&rmm->n_delegated),
			 (unsigned long long)ndeleg);
	free(v.refs);
	return v.bad ? RMM_EINVAL : RMM_OK;
}
