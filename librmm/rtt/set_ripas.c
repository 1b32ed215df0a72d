/* RMI_RTT_SET_RIPAS: the host completing a realm's RSI_IPA_STATE_SET. */
#include "core/rmi_table.h"
#include "rec/rec.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

/*
 * RTT_SET_RIPAS(rd, rec, base, top) -> out_top.
 * rd_align, rd_bound, rd_state, rec_align, rec_bound, rec_gran_state ->
 * INPUT; rec_state (running), rec_owner -> ERROR_REC; size_valid, base_bound
 * (base != rec.ripas_addr), top_bound (top > rec.ripas_top) -> INPUT;
 * base_align -> (RTT, walk.level); top_gran_align -> INPUT; no_progress ->
 * (RTT, walk.level).
 * From base, entries of the RTT reached get the requested RIPAS until a
 * TABLE entry, a DESTROYED entry (unless the realm asked to change those),
 * an entry that would cross top, or the end of the RTT. An entry that
 * already holds the requested RIPAS counts as progress.
 * Locks: rd + rec (address order), then the walk.
 */
uint64_t rmi_rtt_set_ripas(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rd = a[1], rec_pa = a[2], base = a[3], top = a[4], ret, out = base;
	struct granule_req req[2] = { { rd, RMM_GRANULE_RD, "rd", NULL },
				      { rec_pa, RMM_GRANULE_REC, "rec", NULL } };
	struct rtt_walk w;
	struct s2_ctx s;
	struct rec *rec;
	struct rtte e;
	unsigned int i;

	if ((ret = granule_check_addr(c, rd, "rd")) != RMI_SUCCESS ||
	    (ret = granule_check_addr(c, rec_pa, "rec")) != RMI_SUCCESS)
		return ret;
	ret = granule_lock_set(c, req, 2);
	if (ret != RMI_SUCCESS)
		return ret;
	rec = rec_of(rmm, req[1].g);
	realm_s2_ctx(realm_of(rmm, req[0].g), &s);
	if (rec_running(req[1].g))
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_state: REC 0x%llx is running",
				(unsigned long long)rec_pa);
	else if (rec->owner != rd)
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_owner: REC belongs to realm 0x%llx",
				(unsigned long long)rec->owner);
	else if (top <= base)
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "size_valid: top 0x%llx <= base 0x%llx",
				(unsigned long long)top, (unsigned long long)base);
	else if (base != rec->ripas_addr)
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"base_bound: base 0x%llx, the REC's pending request is at 0x%llx",
				(unsigned long long)base, (unsigned long long)rec->ripas_addr);
	else if (top > rec->ripas_top)
		ret = call_fail(c, RMI_ERROR_INPUT, 0,
				"top_bound: top 0x%llx beyond the request's top 0x%llx",
				(unsigned long long)top, (unsigned long long)rec->ripas_top);
	else
		ret = mig_gate(c, realm_of(rmm, req[0].g), MIG_OP_CHANGE);
	if (ret != RMI_SUCCESS) {
		granule_unlock_set(req, 2);
		return ret;
	}
	rtt_walk_lock(c, &s, base, 3, &w, req[0].g);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (!ipa_level_aligned(base, w.level) && e.ripas != rec->ripas_value) {
		ret = call_fail(c, RMI_ERROR_RTT, (unsigned int)w.level,
				"base_align: 0x%llx not aligned to level %d", (unsigned long long)base,
				w.level);
		goto out;
	}
	if (top & GRANULE_MASK) {
		ret = call_fail(c, RMI_ERROR_INPUT, 0, "top_gran_align: top 0x%llx",
				(unsigned long long)top);
		goto out;
	}
	s2_change_begin(c);
	for (i = w.idx; i < RTT_ENTRIES && out < top; i++) {
		uint64_t ipa = w.base + (uint64_t)i * level_size(w.level);
		uint64_t end = ipa + level_size(w.level);

		rtte_decode(rtt_read(w.tbl, i), w.level, &e);
		if (e.st == RTTE_TABLE)
			break;
		if (e.ripas == rec->ripas_value) {
			out = end < top ? end : top;
			continue;
		}
		if ((e.ripas == RMI_DESTROYED && !rec->ripas_destroyed) || end > top ||
		    !ipa_level_aligned(out, w.level))
			break;
		e.ripas = rec->ripas_value;
		rtt_write(w.tbl, i, rtte_encode(&e, w.level));
		out = end;
	}
	/* ASSIGNED entries leaving RAM lose their valid mapping */
	s2_change_end(c, s.vmid, base, out > base ? out - base : GRANULE_SIZE);
	if (out == base) {
		ret = call_fail(c, RMI_ERROR_RTT, (unsigned int)w.level,
				"no_progress: the level %d entry at 0x%llx cannot change to RIPAS %u",
				w.level, (unsigned long long)base, rec->ripas_value);
		goto out;
	}
	rec->ripas_addr = out;
	res[1] = out;
	ret = RMI_SUCCESS;
out:
	rtt_walk_unlock(&w);
	granule_unlock(req[1].g);
	return ret;
}
