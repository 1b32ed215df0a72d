/*
 * RMI_REC_ENTER: checks, entry processing (A4.2), the run loop, and the
 * REC exit (A4.3) written back to the host's RecRun.
 */
#include <string.h>

#include "core/rmi_table.h"
#include "run/run.h"
#include "rtt/rtt.h"
#include "diag/timeline.h"

#define RUN_MAX_HANDLED 4096  /* RMM-handled exits per REC_ENTER before an IRQ exit */

/* ICH_HCR_EL2 bits the host may set: UIE, LRENPIE, NPIE, VGrp0EIE,
 * VGrp0DIE, VGrp1EIE, VGrp1DIE, TDIR. */
#define GIC_HCR_ALLOWED 0x40feull

/* ICH_LR<n>_EL2 as the host may pass it: HW = 0, RES0 fields zero, pINTID
 * holding only the EOI bit, a vINTID the GIC can hold, no duplicates. */
static bool gic_state_valid(const struct rmi_rec_enter *en)
{
	if (en->gicv3_hcr & ~GIC_HCR_ALLOWED)
		return false;
	for (unsigned int i = 0; i < RMI_GIC_NUM_LRS; i++) {
		uint64_t lr = en->gicv3_lrs[i], vintid = lr & 0xffffffffull;

		if ((lr >> 62) == 0)
			continue;
		if (lr & ((1ull << 61) | (0xfull << 56) | (7ull << 48) | (7ull << 45)))
			return false;
		if ((lr >> 32) & 0x1fff & ~(1u << 9))
			return false;
		if (!(vintid < 1020 || (vintid >= 8192 && vintid < (1u << 16))))
			return false;
		for (unsigned int j = 0; j < i; j++)
			if ((en->gicv3_lrs[j] >> 62) && (en->gicv3_lrs[j] & 0xffffffffull) == vintid)
				return false;
	}
	return true;
}

static uint64_t mmio_extend(uint64_t v, unsigned int sas, bool sse, bool sf)
{
	unsigned int bits = 8u << sas;

	if (bits < 64) {
		v &= (1ull << bits) - 1;
		if (sse && (v >> (bits - 1)))
			v |= ~((1ull << bits) - 1);
	}
	if (!sf)
		v &= 0xffffffffull;
	return v;
}

/* A4.2: what the realm sees on entry after its last exit. Returns false if
 * the realm must not be entered (v->exit filled). */
static bool rec_apply_entry(struct rmm_vcpu *v, const struct rmi_rec_enter *en)
{
	struct rec *rec = v->rec;

	if ((en->flags & RMI_ENTER_INJECT_SEA) && rec->unprot_abort) {
		run_inject_sea(v, rec->abort_esr, rec->abort_far, false);
	} else if (rec->emulatable_abort && (en->flags & RMI_ENTER_EMUL_MMIO)) {
		if (!rec->mmio_write && rec->mmio_srt != 31)
			rec->regs.x[rec->mmio_srt] =
				mmio_extend(en->gprs[0], rec->mmio_sas, rec->mmio_sse, rec->mmio_sf);
		rec->regs.pc += 4;
	}
	if (rec->last_exit == RMI_EXIT_RIPAS_CHANGE) {
		bool reject = rec->ripas_value == RMI_RAM && rec->ripas_addr != rec->ripas_top &&
			      (en->flags & RMI_ENTER_RIPAS_RESPONSE);

		rec->regs.x[0] = RSI_SUCCESS;
		rec->regs.x[1] = rec->ripas_addr;
		rec->regs.x[2] = reject ? RSI_REJECT : RSI_ACCEPT;
	}
	if (rec->host_call_pending) {
		struct rmm_vcpu_exit f;

		if (rmm_vcpu_access(v, rec->host_call_ipa + 8, (void *)en->gprs, 31 * 8,
				    RMM_ACCESS_WRITE, 0, &f) != RMM_OK) {
			struct s2_lookup lk;

			s2_lookup(v, rec->host_call_ipa, &lk);
			run_exit_buffer_abort(v, rec->host_call_ipa, lk.level);
			return false;
		}
		rec->host_call_pending = 0;
		rec->regs.x[0] = RSI_SUCCESS;
	}
	memcpy(rec->gic_lrs, en->gicv3_lrs, sizeof(rec->gic_lrs));
	rec->gic_hcr = en->gicv3_hcr;
	v->trap_wfi = en->flags & RMI_ENTER_TRAP_WFI;
	v->trap_wfe = en->flags & RMI_ENTER_TRAP_WFE;
	rec->emulatable_abort = 0;
	rec->unprot_abort = 0;
	rec->last_exit_psci = 0;
	return true;
}

static uint64_t timer_ctl(uint64_t ctl, uint64_t cval, uint64_t now)
{
	ctl &= 3;  /* ENABLE, IMASK */
	if ((ctl & 1) && now >= cval)
		ctl |= 4;  /* ISTATUS */
	return ctl;
}

/* A4.3 fields every exit carries; rec bookkeeping for the next entry. */
static void rec_finish_exit(struct rmm_vcpu *v)
{
	struct rmi_rec_exit *ex = v->exit;
	struct rec *rec = v->rec;
	uint64_t now = rmm_vcpu_counter(v);

	memcpy(ex->gicv3_lrs, rec->gic_lrs, sizeof(ex->gicv3_lrs));
	ex->gicv3_hcr = rec->gic_hcr & GIC_HCR_ALLOWED;
	ex->gicv3_misr = 0;
	ex->gicv3_vmcr = rec->gic_vmcr;
	ex->cntv_ctl = timer_ctl(rec->regs.cntv_ctl, rec->regs.cntv_cval, now);
	ex->cntv_cval = rec->regs.cntv_cval;
	ex->cntp_ctl = timer_ctl(rec->regs.cntp_ctl, rec->regs.cntp_cval, now);
	ex->cntp_cval = rec->regs.cntp_cval;
	rec->last_exit = ex->exit_reason;
	if (ex->exit_reason != RMI_EXIT_RIPAS_CHANGE) {
		rec->ripas_addr = 0;
		rec->ripas_top = 0;
	}
}

/* After an exit handled inside the RMM: true if the SEAs the RMM injected
 * have become a loop (RUN_SEA_LOOP in a row at one IPA with no other exit in
 * between), which is then recorded in the realm and logged. */
static bool sea_loop(struct rmm_vcpu *v)
{
	struct realm *r = v->realm;

	if (!v->sea_injected) {
		v->sea_run = 0;
		return false;
	}
	v->sea_injected = false;
	if (v->sea_run == 0 || v->sea_ipa != v->sea_last)
		v->sea_run = 0;
	v->sea_last = v->sea_ipa;
	if (++v->sea_run < RUN_SEA_LOOP)
		return false;
	v->sea_looped = true;
	atomic_store_explicit(&r->loop_count, 0, memory_order_relaxed);
	atomic_store_explicit(&r->loop_ipa, v->sea_ipa, memory_order_relaxed);
	atomic_store_explicit(&r->loop_vbar, v->rec->regs.vbar_el1, memory_order_relaxed);
	atomic_store_explicit(&r->loop_pc, v->rec->regs.pc, memory_order_relaxed);
	atomic_store_explicit(&r->loop_rec, (uint32_t)v->rec->index, memory_order_relaxed);
	atomic_store_explicit(&r->loop_ripas, v->sea_ripas, memory_order_relaxed);
	atomic_store_explicit(&r->loop_count, v->sea_run, memory_order_release);
	rmm_log(v->rmm, RMM_LOG_ERROR,
		"SEA loop: REC %u of realm 0x%llx took %u SEAs in a row for IPA 0x%llx (RIPAS %s), "
		"each delivered to its vector at 0x%llx (VBAR_EL1 0x%llx); REC_ENTER ends with an IRQ "
		"exit", (unsigned int)v->rec->index, (unsigned long long)v->rec->owner, v->sea_run,
		(unsigned long long)v->sea_ipa,
		v->sea_ripas == RMI_EMPTY ? "EMPTY" : v->sea_ripas == RMI_RAM ? "RAM" : "none",
		(unsigned long long)v->rec->regs.pc, (unsigned long long)v->rec->regs.vbar_el1);
	return true;
}

static void run_loop(struct rmm_vcpu *v)
{
	const struct rmm_vcpu_ops *ops = v->rmm->vcpu_ops;
	struct rmm_vcpu_exit x;

	for (unsigned int handled = 0; handled < RUN_MAX_HANDLED; handled++) {
		enum run_action act = RUN_CONTINUE;

		if (!ops || !ops->run)
			break;
		memset(&x, 0, sizeof(x));
		ops->run(v->rmm->vcpu_ctx, v, &x);
		switch (x.kind) {
		case RMM_VCPU_EXIT_IRQ:
			v->exit->exit_reason = RMI_EXIT_IRQ;
			return;
		case RMM_VCPU_EXIT_SMC:
			act = run_handle_smc(v);
			break;
		case RMM_VCPU_EXIT_HVC:
		case RMM_VCPU_EXIT_UNDEF:
			run_inject_undef(v);
			break;
		case RMM_VCPU_EXIT_ABORT:
			act = run_handle_abort(v, &x);
			break;
		case RMM_VCPU_EXIT_WFX: {
			bool wfe = x.esr & 1;

			v->rec->regs.pc += 4;
			if (wfe ? v->trap_wfe : v->trap_wfi) {
				v->exit->exit_reason = RMI_EXIT_SYNC;
				v->exit->esr = ((uint64_t)RMM_EC_WFX << RMM_ESR_EC_SHIFT) | (x.esr & 1);
				return;
			}
			/* untrapped: the PE waits for an interrupt, which the host takes */
			v->exit->exit_reason = RMI_EXIT_IRQ;
			return;
		}
		case RMM_VCPU_EXIT_SYSREG:
			act = run_handle_sysreg(v, x.esr);
			break;
		}
		if (act == RUN_EXIT)
			return;
		if (sea_loop(v)) {
			v->exit->exit_reason = RMI_EXIT_IRQ;
			return;
		}
		if (!mig_may_run(v->realm)) {
			/* paused for migration while this REC ran */
			v->exit->exit_reason = RMI_EXIT_IRQ;
			return;
		}
		if (realm_state_get(v->realm) == REALM_SYSTEM_OFF) {
			/* another REC turned the realm off while this one ran */
			v->exit->exit_reason = RMI_EXIT_IRQ;
			return;
		}
	}
	v->exit->exit_reason = RMI_EXIT_IRQ;
}

/*
 * REC_ENTER(rec, run_ptr). run_align, run_bound, run_pas (reading enter),
 * rec_align, rec_bound, rec_gran_state -> INPUT; realm_new -> (REALM, 0);
 * system_off -> (REALM, 1); realm_mig (paused or importing for migration,
 * docs/migration.md) -> (REALM, 2); rec_state (running), rec_runnable, rec_mmio,
 * rec_gicv3, rec_psci -> ERROR_REC.
 * Locks: the REC granule while checking, then only a reference on it (the
 * REC is RUNNING) until the exit is written.
 */
uint64_t rmi_rec_enter(struct call *c, const uint64_t *a, uint64_t *res)
{
	struct rmm *rmm = c->rmm;
	uint64_t rec_pa = a[1], run = a[2], ret, t0;
	struct rmi_rec_enter en;
	struct rmi_rec_exit ex;
	struct rmm_vcpu v;
	struct granule *g;
	struct realm *r;
	struct rec *rec;

	if (run & GRANULE_MASK)
		return call_fail(c, RMI_ERROR_INPUT, 0, "run_align: 0x%llx", (unsigned long long)run);
	if (!granule_find(rmm, run))
		return call_fail(c, RMI_ERROR_INPUT, 0, "run_bound: 0x%llx is in the %s region",
				 (unsigned long long)run, rmm_region_name(rmm, run));
	if (ns_read(c, run, &en, sizeof(en)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0, "run_pas: RecRun 0x%llx is not in the NS PAS",
				 (unsigned long long)run);
	ret = granule_find_lock(c, rec_pa, RMM_GRANULE_REC, "rec", &g);
	if (ret != RMI_SUCCESS)
		return ret;
	rec = rec_of(rmm, g);
	r = realm_of(rmm, granule_find(rmm, rec->owner));
	if (realm_state_get(r) == REALM_NEW)
		ret = call_fail(c, RMI_ERROR_REALM, 0, "realm_new: the realm is not activated");
	else if (realm_state_get(r) == REALM_SYSTEM_OFF)
		ret = call_fail(c, RMI_ERROR_REALM, 1, "system_off: the realm is SYSTEM_OFF");
	else if (!mig_may_run(r))
		ret = call_fail(c, RMI_ERROR_REALM, 2, "realm_mig: the realm is %s",
				mig_state_name(mig_state_get(&r->mig)));
	else if (rec_running(g))
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_state: REC 0x%llx is running",
				(unsigned long long)rec_pa);
	else if (!rec->runnable)
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_runnable: REC 0x%llx is not runnable",
				(unsigned long long)rec_pa);
	else if ((en.flags & RMI_ENTER_EMUL_MMIO) && !rec->emulatable_abort)
		ret = call_fail(c, RMI_ERROR_REC, 0,
				"rec_mmio: emul_mmio set but the last exit was not an emulatable "
				"data abort");
	else if (!gic_state_valid(&en))
		ret = call_fail(c, RMI_ERROR_REC, 0, "rec_gicv3: invalid gicv3_hcr or list register");
	else if (rec->psci_pending)
		ret = call_fail(c, RMI_ERROR_REC, 0,
				"rec_psci: a PSCI request awaits RMI_PSCI_COMPLETE");
	if (ret != RMI_SUCCESS) {
		granule_unlock(g);
		return ret;
	}
	granule_get(g);  /* RUNNING */
	granule_unlock(g);

	memset(&ex, 0, sizeof(ex));
	memset(&v, 0, sizeof(v));
	v.rmm = rmm;
	v.call = c;
	v.cpu = c->cpu;
	v.g_rec = g;
	v.g_rd = granule_find(rmm, rec->owner);
	v.rec = rec;
	v.realm = r;
	v.rec_pa = rec_pa;
	v.exit = &ex;
	realm_s2_ctx(r, &v.s2);
	t0 = tl_on(rmm) ? tl_now(rmm) : 0;
	if (rec_apply_entry(&v, &en))
		run_loop(&v);
	rec_finish_exit(&v);
	if (tl_on(rmm)) {
		struct tl_event e = { .kind = TL_REC_RUN, .t0 = t0, .t1 = tl_now(rmm), .a = rec_pa,
				      .b = ex.exit_reason, .c = ex.esr, .d = ex.hpfar };

		tl_add(rmm, c->cpu, &e);
	}
	/* a loop report stands until this REC exits for another reason */
	if (!v.sea_looped && atomic_load_explicit(&r->loop_count, memory_order_relaxed) &&
	    atomic_load_explicit(&r->loop_rec, memory_order_relaxed) == rec->index)
		atomic_store_explicit(&r->loop_count, 0, memory_order_relaxed);
	granule_put(g);  /* READY */
	if (ns_write(rmm, run + 0x800, &ex, sizeof(ex)) != 0)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "run_pas: RecRun 0x%llx left the NS PAS before the exit was written",
				 (unsigned long long)run);
	return RMI_SUCCESS;
}
