/*
 * The stage-2 service for vCPU backends: walk the realm's RTTs and the GPT
 * the way the MMU does (no locks; entries are read with single atomic loads)
 * and return a pointer to the bytes or the exact fault syndrome.
 */
#include <string.h>

#include "core/rmi_table.h"

#include "run/run.h"
#include "rtt/rtt.h"
#include "run/tlb.h"

static bool pa_in_dram(struct rmm *rmm, uint64_t pa)
{
	return pa >= rmm->dram_base && pa - rmm->dram_base < rmm->dram_size;
}

/* The stage-2 output size (VTCR_EL2.PS) the walker checks descriptors
 * against: the smallest of 40, 44, 48 bits that covers DRAM, as a platform's
 * PARange covers its memory. */
static unsigned int s2_pa_bits(const struct rmm *rmm)
{
	uint64_t end = rmm->dram_base + rmm->dram_size;

	return end <= (1ull << 40) ? 40 : end <= (1ull << 44) ? 44 : 48;
}

/*
 * Lock-free walk to the leaf, as the MMU does it. Caller holds the CPU's
 * access lock (vcpu_access_begin): an RTT is unlinked from its parent, and
 * the unlink's TLBI waits for every in-flight access (vcpu_sync) before the
 * table is wiped or reused, so no table this walk reaches can be wiped under
 * it. A path that changed while we read it (a table unlinked after we
 * followed it) is walked again, so the result is one the tables held at one
 * instant. With 'gpt', each table read is checked against the GPT as this
 * CPU sees it, and each entry read goes through this CPU's data cache model
 * (stale bytes there are a finding); returns the level of a table outside
 * Realm PAS (a GPF on the walk), or -100. A table descriptor whose address
 * is beyond the output size (address size fault at its level) or outside
 * memory (external abort on the walk of the next level) ends the walk with
 * out->walk_fsc set, once the path it was read on is confirmed unchanged.
 */
static int s2_walk(struct rmm_vcpu *v, uint64_t ipa, struct s2_lookup *out, bool gpt)
{
	struct rmm *rmm = v->rmm;
	const struct s2_ctx *s = &v->s2;

	for (int attempt = 0;; attempt++) {
		uint64_t path_desc[5], *path_tbl[5];
		unsigned int path_idx[5];
		uint64_t all = ipa >> level_shift(s->sl), *tbl, d, tbl_pa;
		int l = s->sl, n = 0, gpf = -100, bad = 0;
		bool ok = true;

		tbl_pa = s->rtt_base + (all / RTT_ENTRIES) * GRANULE_SIZE;
		for (;;) {
			unsigned int idx = (unsigned int)((ipa >> level_shift(l)) % RTT_ENTRIES);

			if (gpt && gpt_seen(rmm, v->cpu, tbl_pa, ipa) != RMM_PAS_REALM) {
				gpf = l;
				d = 0;
				break;
			}
			if (gpt && dc_modelled(rmm)) {
				size_t stale = rmm->hal->dc_access(rmm->hal_h, v->cpu,
								   tbl_pa + idx * 8ull, 8,
								   RMM_PAS_REALM, 0);

				tbl = rmm->hal->granule_ptr(rmm->hal_h, tbl_pa);
				if (stale)
					dc_stale_finding(rmm, v->cpu, tbl_pa, ipa, l,
							 rtt_read(tbl, idx), stale);
			}
			tbl = rmm->hal->granule_ptr(rmm->hal_h, tbl_pa);
			d = rtt_read(tbl, idx);
			path_tbl[n] = tbl;
			path_idx[n] = idx;
			path_desc[n++] = d;
			if (rmm->test_walk_hook)
				rmm->test_walk_hook(rmm, ipa, l);
			if (l == 3 || !(d & DESC_VALID) || !(d & DESC_TYPE))
				break;
			if ((d & DESC_OA_MASK) >> s2_pa_bits(rmm)) {
				bad = RMM_FSC_ADDR_SIZE(l);
				break;
			}
			if (!pa_in_dram(rmm, d & DESC_OA_MASK)) {
				bad = RMM_FSC_WALK_SEA(l + 1);
				break;
			}
			tbl_pa = d & DESC_OA_MASK;
			l++;
		}
		for (int i = 0; i + 1 < n && ok; i++)
			ok = rtt_read(path_tbl[i], path_idx[i]) == path_desc[i];
		if (ok) {
			out->level = l;
			out->desc = d;
			out->walk_fsc = bad;
			rtte_decode(d, l, &out->e);
			return gpf;
		}
		RMM_ASSERT(rmm, attempt < 1000000);
	}
}

void s2_lookup(struct rmm_vcpu *v, uint64_t ipa, struct s2_lookup *out)
{
	vcpu_access_begin(v->rmm, v->cpu);
	s2_walk(v, ipa, out, false);
	vcpu_access_end(v->rmm, v->cpu);
}

/*
 * Checking mode: a TLB hit must agree with the tables unless a change is
 * between its RTT write and its TLBI. The comparison costs a walk, so it is
 * made once per entry and change: an entry found to agree is remembered
 * with the change generation (s2_gen, counted by every RTT walk that ends
 * and every TLBI) it was compared at, and its hits are not compared again
 * until the generation moves. A change the RMM makes without a walk or a
 * TLBI could hide behind that, but every RTT write happens under a walk.
 */
static void tlb_check(struct rmm_vcpu *v, uint64_t ipa, const struct rmm_tlb_entry *te)
{
	struct rmm *rmm = v->rmm;
	struct tlb_checked *tc;
	const struct s2_change *ch;
	const struct rmi_cmd *cmd;
	struct s2_lookup now;
	struct rmm_tlb_entry again;
	uint64_t tag = (ipa & ~GRANULE_MASK) | ((uint64_t)v->s2.vmid << 48) | 1, gen;

	tc = &rmm->cpus[v->cpu].tlbc[((ipa >> GRANULE_SHIFT) ^ v->s2.vmid) % RMM_TLB_CHECKED];
	gen = atomic_load_explicit(&rmm->s2_gen, memory_order_acquire);
	if (tc->tag == tag && tc->desc == te->desc && tc->seq == te->seq && tc->gen == gen)
		return;
	s2_walk(v, ipa, &now, false);
	if (now.level == te->level && now.desc == te->desc) {
		*tc = (struct tlb_checked){ tag, te->desc, te->seq, gen };
		return;
	}
	if (atomic_load(&rmm->s2_inflight))
		return;
	/* A TLBI that reached this CPU after the hit removed the entry: the
	 * hit was legitimate. Stale means it is still there. */
	if (!rmm->hal->tlb_lookup(rmm->hal_h, v->cpu, v->s2.vmid, ipa, &again) ||
	    again.desc != te->desc || again.seq != te->seq)
		return;
	ch = s2_change_find(rmm, v->s2.vmid, ipa, te->seq);
	cmd = ch ? rmi_cmd_find(ch->fnum) : NULL;
	if (ch)
		rmm_finding_add(rmm, RMM_FINDING_TLB, v->cpu, ipa, te->desc & DESC_OA_MASK,
				"cpu%u used a stale stage-2 TLB entry for VMID %u IPA 0x%llx (level "
				"%d, desc 0x%llx, cached at #%llu); %s on cpu%u changed it at #%llu "
				"(now level %d, desc 0x%llx) and its TLBI did not reach cpu%u",
				v->cpu, v->s2.vmid, (unsigned long long)ipa, te->level,
				(unsigned long long)te->desc, (unsigned long long)te->seq,
				cmd ? cmd->name : "?", ch->cpu, (unsigned long long)ch->seq, now.level,
				(unsigned long long)now.desc, v->cpu);
	else
		rmm_finding_add(rmm, RMM_FINDING_TLB, v->cpu, ipa, te->desc & DESC_OA_MASK,
				"cpu%u used a stale stage-2 TLB entry for VMID %u IPA 0x%llx (level "
				"%d, desc 0x%llx, cached at #%llu); the tables now hold level %d "
				"desc 0x%llx and no TLBI was issued for the change",
				v->cpu, v->s2.vmid, (unsigned long long)ipa, te->level,
				(unsigned long long)te->desc, (unsigned long long)te->seq, now.level,
				(unsigned long long)now.desc);
}

static void fault_fill(struct rmm_vcpu_exit *f, uint64_t ipa, enum rmm_vcpu_access acc,
		       int s1ptw, uint64_t fsc)
{
	bool fetch = acc == RMM_ACCESS_FETCH;

	memset(f, 0, sizeof(*f));
	f->kind = RMM_VCPU_EXIT_ABORT;
	f->esr = ((uint64_t)(fetch ? RMM_EC_IABT_LOW : RMM_EC_DABT_LOW) << RMM_ESR_EC_SHIFT) |
		 RMM_ESR_IL | fsc;
	if (acc == RMM_ACCESS_WRITE && !s1ptw)
		f->esr |= RMM_ISS_WNR;
	if (s1ptw)
		f->esr |= RMM_ISS_S1PTW;
	f->far = ipa;
	f->hpfar = (ipa >> 12) << 4;
	f->ipa = ipa;
}

/*
 * Say why a realm access took a GPF. Through an unprotected (ASSIGNED_NS)
 * mapping of a granule the GPT really holds in Realm PAS, it is the host's
 * doing (it delegated a page it maps into the realm): on hardware the realm
 * takes the same fault, the RMM's invariants hold, and the realm may retry
 * forever, so it is logged once per instance as a warning. Anything else
 * (a realm mapping outside Realm PAS, or a GPT cache that disagrees with the
 * GPT) is an RMM invariant violation or a missing GPT invalidation: an error
 * with the granule's history.
 */
static void gpf_report(struct rmm_vcpu *v, uint64_t ipa, uint64_t pa, bool ns)
{
	struct rmm *rmm = v->rmm;
	char why[256];

	if (ns && rmm->hal->gpt_get(rmm->hal_h, pa & ~GRANULE_MASK) == RMM_PAS_REALM) {
		if (atomic_exchange_explicit(&rmm->host_gpf_logged, 1, memory_order_relaxed))
			return;
		rmm_log(rmm, RMM_LOG_WARN,
			"the host delegated granule 0x%llx while it maps it into a realm at "
			"unprotected IPA 0x%llx: the realm's accesses there take a Granule "
			"Protection Fault, as on hardware (REC exit SYNC; not an RMM fault). The "
			"host should RTT_UNMAP_UNPROTECTED before GRANULE_DELEGATE. Logged once "
			"per instance.",
			(unsigned long long)(pa & ~GRANULE_MASK), (unsigned long long)ipa);
		return;
	}
	rmm_explain_granule(rmm, pa, why, sizeof(why));
	rmm_log(rmm, RMM_LOG_ERROR,
		"Granule Protection Fault on a realm access: IPA 0x%llx -> PA 0x%llx; %s",
		(unsigned long long)ipa, (unsigned long long)pa, why);
}

int rmm_vcpu_translate(struct rmm_vcpu *v, uint64_t ipa, size_t len, enum rmm_vcpu_access acc,
		       int s1ptw, void **host, struct rmm_vcpu_exit *fault)
{
	int rc;

	vcpu_access_begin(v->rmm, v->cpu);
	rc = s2_translate_locked(v, ipa, len, acc, s1ptw, host, fault);
	vcpu_access_end(v->rmm, v->cpu);
	return rc;
}

int s2_translate_locked(struct rmm_vcpu *v, uint64_t ipa, size_t len, enum rmm_vcpu_access acc,
			int s1ptw, void **host, struct rmm_vcpu_exit *fault)
{
	struct rmm *rmm = v->rmm;
	struct rmm_tlb_entry te;
	struct s2_lookup lk;
	uint64_t pa, off;
	bool ns;

	if (len == 0 || len > GRANULE_SIZE || ((ipa & GRANULE_MASK) + len) > GRANULE_SIZE) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_SEA);
		return RMM_EGPF;
	}
	if (!ipa_in_range(ipa, v->s2.ipa_width)) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_ADDR_SIZE(v->s2.sl < 0 ? 0 : v->s2.sl));
		return RMM_EGPF;
	}
	if (rmm->hal->tlb_lookup && rmm->hal->tlb_lookup(rmm->hal_h, v->cpu, v->s2.vmid, ipa, &te)) {
		lk.level = te.level;
		lk.desc = te.desc;
		lk.walk_fsc = 0;
		rtte_decode(te.desc, te.level, &lk.e);
		if (rmm->cfg.flags & RMM_CFG_TLB_CHECK)
			tlb_check(v, ipa, &te);
	} else {
		uint64_t gen = rmm->hal->tlb_gen ? rmm->hal->tlb_gen(rmm->hal_h, v->cpu) : 0;
		int gpf = s2_walk(v, ipa, &lk, true);

		if (gpf != -100) {
			rmm_log(rmm, RMM_LOG_ERROR,
				"Granule Protection Fault on the stage-2 walk of IPA 0x%llx: the "
				"level %d RTT is not in Realm PAS as cpu%u sees it",
				(unsigned long long)ipa, gpf, v->cpu);
			fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_GPF_WALK(gpf));
			return RMM_EGPF;
		}
		if (lk.walk_fsc) {
			fault_fill(fault, ipa, acc, s1ptw, (uint64_t)lk.walk_fsc);
			return RMM_EGPF;
		}
		if ((lk.desc & DESC_VALID) && rmm->hal->tlb_fill) {
			te.desc = lk.desc;
			te.level = lk.level;
			te.seq = atomic_load(&rmm->seq);
			rmm->hal->tlb_fill(rmm->hal_h, v->cpu, gen, v->s2.vmid, ipa, &te);
		}
	}
	if (!(lk.desc & DESC_VALID)) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_TRANSLATION(lk.level));
		return RMM_EGPF;
	}
	/* a leaf the RMM wrote always has AF and an OA in range */
	if ((lk.desc & DESC_OA_MASK) >> s2_pa_bits(rmm)) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_ADDR_SIZE(lk.level));
		return RMM_EGPF;
	}
	if (!(lk.desc & DESC_AF)) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_ACCESS(lk.level));
		return RMM_EGPF;
	}
	ns = lk.e.st == RTTE_ASSIGNED_NS;
	if (ns && ((acc == RMM_ACCESS_FETCH) ||
		   (acc == RMM_ACCESS_WRITE && !(lk.desc & (2ull << 6))) ||
		   (acc == RMM_ACCESS_READ && !(lk.desc & (1ull << 6))))) {
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_PERMISSION(lk.level));
		return RMM_EGPF;
	}
	if (!ns && acc == RMM_ACCESS_WRITE && !(lk.desc & DESC_S2AP_W)) {
		/* write-protected for migration's dirty tracking */
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_PERMISSION(lk.level));
		return RMM_EGPF;
	}
	off = ipa & (level_size(lk.level) - 1);
	pa = lk.e.oa + off;
	if (!pa_in_dram(rmm, pa)) {
		/* no memory behind the mapping: an external abort */
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_SEA);
		return RMM_EGPF;
	}
	if (gpt_seen(rmm, v->cpu, pa & ~GRANULE_MASK, ipa) != (ns ? RMM_PAS_NS : RMM_PAS_REALM)) {
		gpf_report(v, ipa, pa, ns);
		fault_fill(fault, ipa, acc, s1ptw, RMM_FSC_GPF);
		return RMM_EGPF;
	}
	*host = (uint8_t *)rmm->hal->granule_ptr(rmm->hal_h, pa & ~GRANULE_MASK) + (pa & GRANULE_MASK);
	return RMM_OK;
}

struct rmm_vcpu_regs *rmm_vcpu_regs(struct rmm_vcpu *v)
{
	return &v->rec->regs;
}

uint64_t rmm_vcpu_rec(const struct rmm_vcpu *v)
{
	return v->rec_pa;
}

uint64_t rmm_vcpu_rd(const struct rmm_vcpu *v)
{
	return v->rec->owner;
}

unsigned int rmm_vcpu_index(const struct rmm_vcpu *v)
{
	return v->rec->index;
}

unsigned int rmm_vcpu_cpu(const struct rmm_vcpu *v)
{
	return v->cpu;
}

uint64_t rmm_vcpu_counter(const struct rmm_vcpu *v)
{
	return v->rmm->hal->counter(v->rmm->hal_h) - v->realm->cntvoff;
}

void rmm_vcpu_features(const struct rmm_vcpu *v, struct rmm_vcpu_features *out)
{
	const struct realm *r = v->realm;

	memset(out, 0, sizeof(*out));
	if (r->flags & RMI_REALM_FLAG_PMU) {
		out->pmu = 1;
		out->pmu_num_ctrs = r->pmu_num_ctrs;
	}
	if (r->flags & RMI_REALM_FLAG_SVE) {
		out->sve = 1;
		out->sve_vl = r->sve_vl;
	}
	out->num_bps = r->num_bps + 1u;
	out->num_wps = r->num_wps + 1u;
}

void rmm_vcpu_gic(struct rmm_vcpu *v, struct rmm_vcpu_gic *out)
{
	struct rec *rec = v->rec;

	out->hcr = &rec->gic_hcr;
	out->lrs = rec->gic_lrs;
	out->num_lrs = RMI_GIC_NUM_LRS;
	out->vmcr = &rec->gic_vmcr;
	out->ap0r = &rec->gic_ap0r;
	out->ap1r = &rec->gic_ap1r;
}
