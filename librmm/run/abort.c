/*
 * What the RMM does with a vCPU's stage-2 aborts, SMCs and trapped system
 * registers (RMM 1.0 A5.2.3, A5.2.9, A4.3.4; digest section 10), and the
 * exceptions it makes the realm take.
 */
#include <string.h>

#include "run/run.h"
#include "rtt/rtt.h"

#define ESR_ISS_MASK 0x1ffffffull
#define DABT_NONEMUL_MASK (0x3full | RMM_ISS_EA | (1ull << 10) | (3ull << 11)) /* FSC EA FnV SET */
#define DABT_EMUL_MASK (DABT_NONEMUL_MASK | RMM_ISS_ISV | (3ull << RMM_ISS_SAS_SHIFT) | \
			RMM_ISS_SF | RMM_ISS_WNR)

static void take_exception(struct rmm_vcpu *v, uint64_t esr_el1, uint64_t far)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t el = (r->pstate >> 2) & 3, off;

	if (el == 0)
		off = 0x400;                       /* lower EL, AArch64 */
	else
		off = (r->pstate & 1) ? 0x200 : 0; /* current EL with SP_ELx or SP_EL0 */
	r->esr_el1 = esr_el1;
	r->far_el1 = far;
	r->elr_el1 = r->pc;
	r->spsr_el1 = r->pstate;
	r->pc = r->vbar_el1 + off;
	r->pstate = 0x3c5;                         /* EL1h, DAIF masked */
	if (v->rmm->vcpu_ops && v->rmm->vcpu_ops->exception_taken)
		v->rmm->vcpu_ops->exception_taken(v->rmm->vcpu_ctx, v);
}

/* An SEA into the realm for the abort 'x' (RIPAS as the tables say, or
 * RUN_RIPAS_NONE), noted for SEA loop detection. */
static void inject_sea_at(struct rmm_vcpu *v, const struct rmm_vcpu_exit *x, bool iabt,
			  unsigned int ripas)
{
	v->sea_injected = true;
	v->sea_ipa = x->ipa;
	v->sea_ripas = ripas;
	run_inject_sea(v, x->esr, x->far, iabt);
}

void run_inject_sea(struct rmm_vcpu *v, uint64_t esr_el2, uint64_t far, bool iabt)
{
	bool from_el0 = ((v->rec->regs.pstate >> 2) & 3) == 0;
	uint64_t ec = iabt ? (from_el0 ? RMM_EC_IABT_LOW : RMM_EC_IABT_CUR)
			   : (from_el0 ? RMM_EC_DABT_LOW : RMM_EC_DABT_CUR);
	uint64_t iss = esr_el2 & ESR_ISS_MASK;

	iss &= ~(0x3full | (1ull << 10) | RMM_ISS_S1PTW);   /* FSC, FnV, S1PTW */
	iss |= RMM_FSC_SEA | RMM_ISS_EA;
	take_exception(v, (ec << RMM_ESR_EC_SHIFT) | RMM_ESR_IL | iss, far);
}

void run_inject_undef(struct rmm_vcpu *v)
{
	take_exception(v, ((uint64_t)RMM_EC_UNKNOWN << RMM_ESR_EC_SHIFT) | RMM_ESR_IL, 0);
}

void run_exit_buffer_abort(struct rmm_vcpu *v, uint64_t ipa, int level)
{
	struct rmi_rec_exit *ex = v->exit;

	ex->exit_reason = RMI_EXIT_SYNC;
	ex->esr = ((uint64_t)RMM_EC_DABT_LOW << RMM_ESR_EC_SHIFT) | RMM_FSC_TRANSLATION(level);
	ex->far = 0;
	ex->hpfar = ipa >> 8;
}

enum run_action run_handle_abort(struct rmm_vcpu *v, const struct rmm_vcpu_exit *x)
{
	struct rec *rec = v->rec;
	struct rmi_rec_exit *ex = v->exit;
	bool iabt = RMM_ESR_EC(x->esr) == RMM_EC_IABT_LOW || RMM_ESR_EC(x->esr) == RMM_EC_IABT_CUR;
	uint64_t fsc = x->esr & 0x3f, ipa = x->ipa;
	struct s2_lookup lk;

	if (fsc == RMM_FSC_SEA || !ipa_in_range(ipa, v->s2.ipa_width)) {
		inject_sea_at(v, x, iabt, RUN_RIPAS_NONE);
		return RUN_CONTINUE;
	}
	if (fsc == RMM_FSC_GPF || (fsc >= RMM_FSC_GPF_WALK(0) && fsc <= RMM_FSC_GPF_WALK(3))) {
		/* Realm memory outside Realm PAS: an RMM invariant is broken.
		 * Reported (already logged with the granule's history) and
		 * exited to the host with the GPF syndrome. */
		ex->exit_reason = RMI_EXIT_SYNC;
		ex->esr = x->esr & ~(ESR_ISS_MASK & ~(DABT_NONEMUL_MASK | RMM_ISS_S1PTW));
		ex->hpfar = x->hpfar;
		return RUN_EXIT;
	}
	if (mig_write_fault(v, x))
		return RUN_CONTINUE;  /* an exported page written: dirty again, retry */
	if (fsc <= 0x03 || (fsc >= 0x08 && fsc <= 0x0b) || (fsc >= 0x14 && fsc <= 0x17)) {
		/* An address size fault inside the IPA space, an access flag
		 * fault or an external abort on the walk: the walker read a
		 * descriptor the RMM never writes (stale RTT contents; see
		 * docs/field-failures.md). Not the realm's doing and not fixable
		 * by a retry: the host gets the syndrome as for a GPF. */
		ex->exit_reason = RMI_EXIT_SYNC;
		ex->esr = x->esr & ~(ESR_ISS_MASK & ~(DABT_NONEMUL_MASK | RMM_ISS_S1PTW));
		ex->hpfar = x->hpfar;
		return RUN_EXIT;
	}
	s2_lookup(v, ipa & ~GRANULE_MASK, &lk);
	if (ipa_is_protected(ipa, v->s2.ipa_width)) {
		if (lk.e.ripas == RMI_EMPTY) {
			inject_sea_at(v, x, iabt, RMI_EMPTY);
			return RUN_CONTINUE;
		}
		if (lk.desc & DESC_VALID)
			return RUN_CONTINUE;  /* mapped since the fault: retry */
		/* RIPAS RAM and unassigned, or DESTROYED: the host must act */
		ex->exit_reason = RMI_EXIT_SYNC;
		ex->esr = x->esr & ((0x3full << RMM_ESR_EC_SHIFT) | DABT_NONEMUL_MASK);
		ex->hpfar = x->hpfar;
		return RUN_EXIT;
	}
	/* unprotected IPA */
	if (iabt) {
		inject_sea_at(v, x, true, RUN_RIPAS_NONE);
		return RUN_CONTINUE;
	}
	if ((lk.desc & DESC_VALID) && fsc != (uint64_t)RMM_FSC_PERMISSION(lk.level))
		return RUN_CONTINUE;  /* mapped since the fault: retry */
	rec->unprot_abort = 1;
	rec->abort_esr = x->esr;
	rec->abort_far = x->far;
	ex->exit_reason = RMI_EXIT_SYNC;
	ex->hpfar = x->hpfar;
	if (x->esr & RMM_ISS_ISV) {
		unsigned int srt = (unsigned int)((x->esr >> RMM_ISS_SRT_SHIFT) & 31);
		unsigned int sas = (unsigned int)((x->esr >> RMM_ISS_SAS_SHIFT) & 3);

		ex->esr = x->esr & ((0x3full << RMM_ESR_EC_SHIFT) | DABT_EMUL_MASK);
		ex->far = x->far & 0xfff;
		rec->emulatable_abort = 1;
		rec->mmio_srt = (uint8_t)srt;
		rec->mmio_sas = (uint8_t)sas;
		rec->mmio_sse = !!(x->esr & RMM_ISS_SSE);
		rec->mmio_sf = !!(x->esr & RMM_ISS_SF);
		rec->mmio_write = !!(x->esr & RMM_ISS_WNR);
		if (rec->mmio_write) {
			uint64_t val = srt == 31 ? 0 : rec->regs.x[srt];

			if (sas < 3)
				val &= (1ull << (8u << sas)) - 1;
			ex->gprs[0] = val;
		}
	} else {
		ex->esr = x->esr & ((0x3full << RMM_ESR_EC_SHIFT) | RMM_ESR_IL | DABT_NONEMUL_MASK);
	}
	return RUN_EXIT;
}

enum run_action run_handle_smc(struct rmm_vcpu *v)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t fid = r->x[0] & ~(1ull << 16);  /* SVE hint */
	uint64_t fnum = fid & 0xffff, hi = fid >> 16;

	if (hi == 0xC400 && fnum >= 0x190 && fnum <= 0x1AF)
		return rsi_handle(v, fid);
	if ((hi == 0x8400 || hi == 0xC400) && fnum <= 0x1f)
		return psci_handle(v, fid);
	if (fid == SMCCC_VERSION) {
		r->x[0] = 0x10002;  /* SMCCC 1.2 */
	} else {
		r->x[0] = (uint64_t)-1;  /* SMCCC NOT_SUPPORTED */
	}
	r->pc += 4;
	return RUN_CONTINUE;
}

/* ESR ISS of a trapped MRS/MSR: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10]
 * Rt[9:5] CRm[4:1] Direction[0] (1 = read). */
#define SYSREG_KEY(iss) ((iss) & 0x3ffc1eull)

enum run_action run_handle_sysreg(struct rmm_vcpu *v, uint64_t esr)
{
	struct rmm_vcpu_regs *r = &v->rec->regs;
	uint64_t iss = esr & ESR_ISS_MASK;
	unsigned int rt = (unsigned int)((iss >> 5) & 31);
	bool read = iss & 1;
	uint64_t op0 = (iss >> 20) & 3, crn = (iss >> 10) & 15, val = 0;

	if (!read && SYSREG_KEY(iss) == RMM_SYSREG_ICC_SGI1R) {
		/* SGI generation: the host's GIC emulation handles it */
		v->exit->exit_reason = RMI_EXIT_SYNC;
		v->exit->esr = esr;
		v->exit->gprs[0] = rt == 31 ? 0 : r->x[rt];
		r->pc += 4;
		return RUN_EXIT;
	}
	if (run_id_reg(v, SYSREG_KEY(iss), &val)) {
		/* the realm's CPU profile (run/idregs.c); writes are UNDEFINED */
		if (!read) {
			run_inject_undef(v);
			return RUN_CONTINUE;
		}
	} else if (op0 == 2 && crn <= 1) {
		/* debug and OS lock registers: read as zero, writes ignored */
		val = 0;
	} else {
		run_inject_undef(v);
		return RUN_CONTINUE;
	}
	if (read && rt != 31)
		r->x[rt] = val;
	r->pc += 4;
	return RUN_CONTINUE;
}
