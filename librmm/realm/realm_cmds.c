/* RMI_REALM_CREATE, REALM_ACTIVATE, REALM_DESTROY, REC_AUX_COUNT. */
#include <string.h>

#include "core/rmi_table.h"
#include "measure/measure.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

const char *realm_state_name(unsigned int st)
{
	static const char *const n[] = { "NEW", "ACTIVE", "SYSTEM_OFF" };

	return st < 3 ? n[st] : "?";
}

bool realm_rtt_config_valid(unsigned int w, int sl, uint64_t num, bool lpa2)
{
	unsigned int l, min, max, full;

	if (sl < (lpa2 ? -1 : 0) || sl > 3)
		return false;
	l = (unsigned int)(3 - sl);
	min = 9 * l + 13;
	max = min + (sl == -1 ? 3 : 8);
	if (sl > 0 || (sl == 0 && lpa2))
		max += 4;
	if (w < min || w > max)
		return false;
	full = 9 * l + 21;  /* bits one RTT at the starting level resolves */
	return num == (w <= full ? 1ull : 1ull << (w - full));
}

/* RmiRealmParamsIsValid + RealmParamsSupported against FeatureRegister0. */
static uint64_t check_params(struct call *c, const struct rmi_realm_params *p)
{
	uint64_t f0 = c->rmm->feat0;

	if (p->flags & ~(RMI_REALM_FLAG_LPA2 | RMI_REALM_FLAG_SVE | RMI_REALM_FLAG_PMU))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_valid: reserved flags bits 0x%llx",
				 (unsigned long long)p->flags);
	if (p->hash_algo > RMI_HASH_SHA_512)
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_valid: hash_algo %u", p->hash_algo);
	if ((p->flags & RMI_REALM_FLAG_LPA2) && !(f0 & RMI_FEAT0_LPA2))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_supp: LPA2 is not supported");
	if (p->s2sz < 32 || p->s2sz > RMI_FEAT0_S2SZ(f0))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_supp: s2sz %u outside [32, %llu]",
				 p->s2sz, (unsigned long long)RMI_FEAT0_S2SZ(f0));
	if ((p->flags & RMI_REALM_FLAG_SVE) &&
	    (!(f0 & RMI_FEAT0_SVE_EN) || p->sve_vl > RMI_FEAT0_SVE_VL(f0)))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_supp: SVE is not supported");
	if (p->num_bps == 0 || p->num_bps > RMI_FEAT0_NUM_BPS(f0))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "params_supp: num_bps %u outside [1, %llu] (count - 1)", p->num_bps,
				 (unsigned long long)RMI_FEAT0_NUM_BPS(f0));
	if (p->num_wps == 0 || p->num_wps > RMI_FEAT0_NUM_WPS(f0))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "params_supp: num_wps %u outside [1, %llu] (count - 1)", p->num_wps,
				 (unsigned long long)RMI_FEAT0_NUM_WPS(f0));
	if ((p->flags & RMI_REALM_FLAG_PMU) &&
	    (!(f0 & RMI_FEAT0_PMU_EN) || p->pmu_num_ctrs > RMI_FEAT0_PMU_NUM_CTRS(f0)))
		return call_fail(c, RMI_ERROR_INPUT, 0, "params_supp: PMU is not supported");
	return RMI_SUCCESS;
}

static bool vmid_claim(struct rmm *rmm, uint16_t vmid)
{
	uint64_t bit = 1ull << (vmid % 64);

	return !(atomic_fetch_or(&rmm->vmid_map[vmid / 64], bit) & bit);
}

static void vmid_release(struct rmm *rmm, uint16_t vmid)
{
	atomic_fetch_and(&rmm->vmid_map[vmid / 64], ~(1ull << (vmid % 64)));
}

/*
 * REALM_CREATE(rd, params_ptr). Conditions, all ERROR_INPUT with no ordering:
 * params_align, params_bound, params_pas, params_valid, params_supp, alias,
 * rd_align, rd_bound, rtt_num_level, rtt_align, rtt_bound, rd_state,
 * rtt_state, vmid_valid. Locks: rd and the starting RTTs (address order).
 */
uint64_t rmi_realm_create(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmi_realm_params p;
	uint64_t ret;

	ret = granule_read_params(c, a[2], &p, sizeof(p));
	if (ret != RMI_SUCCESS)
		return ret;
	return realm_create_common(c, a[1], &p, NULL);
}

uint64_t realm_create_common(struct call *c, uint64_t rd, const struct rmi_realm_params *pp,
			     struct granule **rd_locked)
{
	struct rmm *rmm = c->rmm;
	const struct rmi_realm_params p = *pp;
	struct granule_req req[17];
	unsigned int n, i;
	struct realm *r;
	uint64_t ret;

	ret = check_params(c, &p);
	if (ret != RMI_SUCCESS)
		return ret;
	if (rd >= p.rtt_base && (rd - p.rtt_base) / GRANULE_SIZE < p.rtt_num_start)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "alias: rd 0x%llx is one of the starting RTTs",
				 (unsigned long long)rd);
	ret = granule_check_addr(c, rd, "rd");
	if (ret != RMI_SUCCESS)
		return ret;
	if (p.rtt_level_start < -1 || p.rtt_level_start > 3 ||
	    !realm_rtt_config_valid(p.s2sz, (int)p.rtt_level_start, p.rtt_num_start,
				    p.flags & RMI_REALM_FLAG_LPA2))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "rtt_num_level: s2sz %u, level %lld, %u starting RTTs is not a "
				 "valid stage-2 configuration",
				 p.s2sz, (long long)p.rtt_level_start, p.rtt_num_start);
	if (p.rtt_base % (p.rtt_num_start * GRANULE_SIZE))
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "rtt_align: rtt_base 0x%llx not aligned to %u granules",
				 (unsigned long long)p.rtt_base, p.rtt_num_start);
	n = p.rtt_num_start;
	for (i = 0; i < n; i++) {
		ret = granule_check_addr(c, p.rtt_base + i * GRANULE_SIZE, "rtt");
		if (ret != RMI_SUCCESS)
			return ret;
	}

	req[0] = (struct granule_req){ rd, RMM_GRANULE_DELEGATED, "rd", NULL };
	for (i = 0; i < n; i++)
		req[1 + i] = (struct granule_req){ p.rtt_base + i * GRANULE_SIZE,
						   RMM_GRANULE_DELEGATED, "rtt", NULL };
	ret = granule_lock_set(c, req, n + 1);
	if (ret != RMI_SUCCESS)
		return ret;
	if (!vmid_claim(rmm, p.vmid)) {
		granule_unlock_set(req, n + 1);
		return call_fail(c, RMI_ERROR_INPUT, 0, "vmid_valid: VMID %u is in use", p.vmid);
	}

	/* Commit: cannot fail from here. */
	for (i = 0; i < n; i++) {
		uint64_t span = level_size((int)p.rtt_level_start) * RTT_ENTRIES;

		rtt_init_root(granule_map(rmm, req[1 + i].g), i * span, (int)p.rtt_level_start,
			      p.s2sz);
		atomic_store(&req[1 + i].g->refcount, 0);
		granule_set_state_locked(c, req[1 + i].g, RMM_GRANULE_RTT);
	}
	r = realm_of(rmm, req[0].g);
	memset(r, 0, sizeof(*r));
	r->state = REALM_NEW;
	r->hash_algo = p.hash_algo;
	r->ipa_width = p.s2sz;
	r->rtt_level_start = (int8_t)p.rtt_level_start;
	r->rtt_num_start = p.rtt_num_start;
	r->vmid = p.vmid;
	r->lpa2 = !!(p.flags & RMI_REALM_FLAG_LPA2);
	r->rtt_base = p.rtt_base;
	r->flags = p.flags;
	r->sve_vl = p.sve_vl;
	r->num_bps = p.num_bps;
	r->num_wps = p.num_wps;
	r->pmu_num_ctrs = p.pmu_num_ctrs;
	memcpy(r->rpv, p.rpv, sizeof(r->rpv));
	r->cntvoff = rmm->hal->counter(rmm->hal_h);
	measure_realm_create(&p, r->meas[0]);
	atomic_store(&req[0].g->refcount, 0);
	granule_set_state_locked(c, req[0].g, RMM_GRANULE_RD);
	if (rd_locked) {
		*rd_locked = req[0].g;   /* the caller finishes the RD and unlocks it */
		granule_unlock_set(req + 1, n);
	} else {
		granule_unlock_set(req, n + 1);
	}
	return RMI_SUCCESS;
}

/* REALM_ACTIVATE(rd): rd_align, rd_bound, rd_state -> INPUT; realm_state
 * (not NEW) -> ERROR_REALM. [rd_bound, rd_state] < [realm_state]. */
uint64_t rmi_realm_activate(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct granule *g;
	struct realm *r;
	uint64_t ret;

	ret = granule_find_lock(c, a[1], RMM_GRANULE_RD, "rd", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(c->rmm, g);
	if (r->state != REALM_NEW) {
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_state: realm is %s, not NEW",
				realm_state_name(r->state));
	} else {
		r->state = REALM_ACTIVE;
		ret = RMI_SUCCESS;
	}
	granule_unlock(g);
	return ret;
}

/*
 * REALM_DESTROY(rd): rd_* -> INPUT; realm_live -> ERROR_REALM (a REC exists,
 * or a starting RTT has a live entry). Locks: rd, then the starting RTTs
 * (lock order rule 3: granules the RD owns).
 */
uint64_t rmi_realm_destroy(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	struct granule *g, *roots[16];
	unsigned int i, n;
	struct realm *r;
	uint64_t ret;

	ret = granule_find_lock(c, a[1], RMM_GRANULE_RD, "rd", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	r = realm_of(rmm, g);
	n = r->rtt_num_start;
	if (granule_refcount(g) != 0) {
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_live: realm has %u RECs",
				granule_refcount(g));
		granule_unlock(g);
		return ret;
	}
	for (i = 0; i < n; i++) {
		roots[i] = granule_find(rmm, r->rtt_base + i * GRANULE_SIZE);
		granule_lock(rmm, roots[i]);
		RMM_ASSERT(rmm, roots[i]->state == RMM_GRANULE_RTT);
		if (granule_refcount(roots[i]) != 0) {
			ret = call_fail(c, RMI_ERROR_REALM, 0,
					"realm_live: starting RTT 0x%llx has %u live entries",
					(unsigned long long)granule_pa(rmm, roots[i]),
					granule_refcount(roots[i]));
			for (unsigned int j = 0; j <= i; j++)
				granule_unlock(roots[j]);
			granule_unlock(g);
			return ret;
		}
	}
	/* the VMID will be reused: no CPU may keep its translations */
	s2_change_begin(c);
	s2_change_end(c, r->vmid, 0, 0);
	vmid_release(rmm, r->vmid);
	for (i = 0; i < n; i++) {
		granule_wipe(rmm, roots[i]);
		granule_set_state_locked(c, roots[i], RMM_GRANULE_DELEGATED);
		granule_unlock(roots[i]);
	}
	granule_wipe(rmm, g);
	granule_set_state_locked(c, g, RMM_GRANULE_DELEGATED);
	granule_unlock(g);
	return RMI_SUCCESS;
}

/* REC_AUX_COUNT(rd) -> aux_count: rd_align, rd_bound, rd_state -> INPUT. */
uint64_t rmi_rec_aux_count(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct granule *g;
	uint64_t ret;

	ret = granule_find_lock(c, a[1], RMM_GRANULE_RD, "rd", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	granule_unlock(g);
	res[1] = REALM_AUX_COUNT;
	return RMI_SUCCESS;
}

int rmm_realm_measurement(struct rmm *rmm, uint64_t rd, unsigned int index, uint8_t out[64])
{
	struct granule *g = granule_find(rmm, rd);

	if (!g || index >= REALM_MEAS_COUNT)
		return RMM_EINVAL;
	granule_lock(rmm, g);
	if (g->state != RMM_GRANULE_RD) {
		granule_unlock(g);
		return RMM_EINVAL;
	}
	memcpy(out, realm_of(rmm, g)->meas[index], 64);
	granule_unlock(g);
	return RMM_OK;
}
