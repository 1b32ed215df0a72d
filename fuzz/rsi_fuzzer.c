/*
 * RSI, PSCI and REC exits. A fixed prologue builds an active realm (DATA at
 * [0, 64 KiB), RIPAS RAM but unmapped at [64, 128 KiB), EMPTY above, an NS
 * page at the unprotected alias, two RECs). The input then decodes into a
 * scripted guest for each REC and into the host's answers to the exits
 * (fault in or not, emulate MMIO or inject an SEA, PSCI_COMPLETE status,
 * how much of a RIPAS change to apply, accept or reject, host-call results)
 * and whether a host interrupt is pending when a REC is entered (it stops
 * an attestation token's signing step).
 * After every REC_ENTER: a status RMM 1.0 defines and a sane exit; the
 * invariant checker at the end of the input (after every step with
 * FUZZ_DEEP=1); no missing invalidation.
 */
#include "fuzz_common.h"

#define STEPS 40

static const uint64_t g_addrs[] = {
	0x0, 0x8, 0x8000, 0xfff8, 0x10000, 0x18000, 0x30000, FZ_U + 0x1000, FZ_U + 0x2000,
	FZ_U + 0x2ffc, 1ull << 40, 0x3000,
};
static const uint64_t g_fids[] = {
	RSI_VERSION, RSI_FEATURES, RSI_MEASUREMENT_READ, RSI_MEASUREMENT_EXTEND,
	RSI_ATTESTATION_TOKEN_INIT, RSI_ATTESTATION_TOKEN_CONTINUE, RSI_REALM_CONFIG, RSI_IPA_STATE_SET, RSI_IPA_STATE_GET,
	RSI_HOST_CALL, PSCI_VERSION, PSCI_FEATURES, PSCI_CPU_ON, PSCI_CPU_OFF, PSCI_AFFINITY_INFO,
	PSCI_CPU_SUSPEND, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, SMCCC_VERSION, 0x84000003, 0xC40001AF,
};
static const uint64_t g_vals[] = {
	0, 1, 2, 4, 8, 64, 65, 0x10000, 0x1000, 0x10000, 0x20000, 0x30000, 0x100, 0x110000,
	FZ_U, ~0ull, 1ull << 39,
};

static uint64_t pick(struct fz_in *in, const uint64_t *pool, size_t n)
{
	uint8_t s = fz_u8(in);

	return s < 0xf8 ? pool[s % n] : fz_u64(in);
}
#define PICK(in, pool) pick((in), (pool), sizeof(pool) / sizeof((pool)[0]))

static void make_script(struct fz_in *in, struct rmm_script_step *st)
{
	static const uint64_t regs[] = { RMM_SYSREG_VBAR_EL1, RMM_SYSREG_CNTV_CTL, RMM_SYSREG_CNTV_CVAL,
					 RMM_SYSREG_ID_AA64PFR0, RMM_SYSREG_ICC_SGI1R, RMM_SYSREG(3, 0, 0, 7, 1) };

	for (int i = 0; i < STEPS - 1; i++) {
		uint8_t op = fz_u8(in);
		struct rmm_script_step *s = &st[i];

		memset(s, 0, sizeof(*s));
		s->op = 1 + op % 10;
		s->size = 1u << (fz_u8(in) % 4);
		s->rt = fz_u8(in) % 32;
		s->sign = op >> 7;
		if (s->op <= RMM_STEP_FETCH) {
			s->addr = PICK(in, g_addrs);
			s->value = PICK(in, g_vals);
		} else if (s->op == RMM_STEP_SMC || s->op == RMM_STEP_HVC) {
			s->arg[0] = PICK(in, g_fids);
			for (int a = 1; a < 5; a++)
				s->arg[a] = PICK(in, g_vals);
		} else if (s->op == RMM_STEP_MRS || s->op == RMM_STEP_MSR) {
			s->arg[0] = PICK(in, regs);
			s->value = PICK(in, g_vals);
		} else if (s->op == RMM_STEP_SPIN) {
			s->arg[0] = fz_u8(in);
		}
	}
	st[STEPS - 1].op = RMM_STEP_END;
}

struct host {
	struct rmm *r;
	uint64_t rd, next;
};

static uint64_t h_deleg(struct host *h)
{
	uint64_t pa = h->next;

	if (pa >= FZ_DRAM + (2ull << 20))
		return 0;
	h->next += FZ_G;
	return rmm_rmi_granule_delegate(h->r, 0, pa) == RMI_SUCCESS ? pa : 0;
}

static int h_rtts(struct host *h, uint64_t ipa, int from)
{
	for (int l = from + 1; l <= 3; l++) {
		uint64_t t = h_deleg(h);

		if (!t || rmm_rmi_rtt_create(h->r, 0, h->rd, t, ipa & ~((1ull << (12 + 9 * (4 - l))) - 1), l))
			return -1;
	}
	return 0;
}

static void prologue(struct host *h, uint64_t rec[2], uint64_t run[2])
{
	struct rmi_realm_params *p = rmm_ns_ptr(h->r, FZ_NS(0));
	uint64_t top;

	h->next = FZ_DRAM;
	h->rd = h_deleg(h);
	fz_params_variant(0, p);
	h->next = FZ_HOT_PA(2);
	p->rtt_base = h_deleg(h);
	h_deleg(h);
	h->next = FZ_HOT_PA(64);
	if (rmm_rmi_realm_create(h->r, 0, h->rd, FZ_NS(0)) || h_rtts(h, 0, 1) || h_rtts(h, FZ_U, 1))
		abort();
	for (uint64_t ipa = 0; ipa < 0x10000; ipa += FZ_G)
		if (rmm_rmi_data_create(h->r, 0, h->rd, h_deleg(h), ipa, FZ_SRC, 1))
			abort();
	if (rmm_rmi_rtt_init_ripas(h->r, 0, h->rd, 0x10000, 0x20000, &top) ||
	    rmm_rmi_rtt_map_unprotected(h->r, 0, h->rd, FZ_U + 0x2000, 3, FZ_NS(20) | (3ull << 6)))
		abort();
	for (int k = 0; k < 2; k++) {
		struct rmi_rec_params *q = rmm_ns_ptr(h->r, FZ_NS(8 + k));

		memset(q, 0, sizeof(*q));
		q->flags = k == 0;
		q->mpidr = rmi_rec_mpidr((unsigned)k);
		q->num_aux = 16;
		for (int a = 0; a < 16; a++)
			q->aux[a] = h_deleg(h);
		rec[k] = h_deleg(h);
		run[k] = FZ_NS(12 + k);
		if (rmm_rmi_rec_create(h->r, 0, h->rd, rec[k], FZ_NS(8 + k)))
			abort();
	}
	if (rmm_rmi_realm_activate(h->r, 0, h->rd))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct rmm_script_step steps[2][STEPS];
	struct rmm_script scr[2];
	struct rmm_script_ctx *sctx;
	static struct rmm *inst;
	struct host h;
	uint64_t rec[2], run[2];

	h.r = fz_instance(&inst, RMM_CFG_TLB_CHECK, fz_hash(data, size));
	prologue(&h, rec, run);
	sctx = rmm_script_ctx_new(24);
	for (int k = 0; k < 2; k++) {
		make_script(&in, steps[k]);
		scr[k] = (struct rmm_script){ steps[k], STEPS, NULL };
		rmm_script_attach(sctx, rec[k], &scr[k]);
	}
	rmm_set_vcpu_backend(h.r, rmm_vcpu_script_ops(), sctx);

	for (int e = 0; e < 32; e++) {
		uint8_t c = fz_u8(&in);
		int k = c & 1;
		struct rmi_rec_run *rr = rmm_ns_ptr(h.r, run[k]);
		uint64_t x[18] = { RMI_REC_ENTER, rec[k], run[k] };

		if (c & 4)
			rmm_host_irq(h.r, (c >> 1) & 1);
		rmm_smc(h.r, (c >> 1) & 1, x);
		fz_check_result(x, 0, "REC_ENTER");
		if (fz_deep())
			fz_check_invariants(h.r, "REC_ENTER");
		rr->enter.flags = 0;
		if (x[0] != RMI_SUCCESS) {
			/* not runnable, PSCI pending, or system off: let the host act */
			if (x[0] == RMI_RETURN(RMI_ERROR_REALM, 1))
				break;
			continue;
		}
		if (rr->exit.exit_reason > RMI_EXIT_SERROR)
			abort();
		switch (rr->exit.exit_reason) {
		case RMI_EXIT_SYNC: {
			uint64_t ipa = ((rr->exit.hpfar & 0xffffffffff0ull) << 8) | (rr->exit.far & 0xfff);
			uint8_t a = fz_u8(&in);

			if ((rr->exit.esr >> 26) == 0x24 && ipa < FZ_U && (a & 1)) {
				uint64_t d = h_deleg(&h), ret;

				if (!d)
					break;
				ret = rmm_rmi_data_create_unknown(h.r, 0, h.rd, d, ipa & ~0xfffull);
				if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT && RMI_RETURN_INDEX(ret) < 3)
					h_rtts(&h, ipa, (int)RMI_RETURN_INDEX(ret));
			} else if (rr->exit.esr & (1ull << 24)) {
				rr->enter.flags = (a & 2) ? RMI_ENTER_INJECT_SEA : RMI_ENTER_EMUL_MMIO;
				rr->enter.gprs[0] = PICK(&in, g_vals);
			}
			break;
		}
		case RMI_EXIT_PSCI:
			if ((rr->exit.gprs[0] & 0xffff) == 3 || (rr->exit.gprs[0] & 0xffff) == 4) {
				uint64_t st = fz_u8(&in) & 1 ? PSCI_DENIED : PSCI_SUCCESS;
				uint64_t y[18] = { RMI_PSCI_COMPLETE, rec[k], rec[!k], st };

				rmm_smc(h.r, 0, y);
				fz_check_result(y, 0, "PSCI_COMPLETE");
			}
			break;
		case RMI_EXIT_RIPAS_CHANGE: {
			uint64_t base = rr->exit.ripas_base, top = rr->exit.ripas_top, out;
			uint8_t a = fz_u8(&in);

			for (int i = 0; i < 4 && base < top && (a & 1); i++) {
				uint64_t y[18] = { RMI_RTT_SET_RIPAS, h.rd, rec[k], base, top };

				rmm_smc(h.r, 0, y);
				fz_check_result(y, 1, "RTT_SET_RIPAS");
				if (RMI_RETURN_STATUS(y[0]) == RMI_ERROR_RTT && RMI_RETURN_INDEX(y[0]) < 3) {
					h_rtts(&h, base, (int)RMI_RETURN_INDEX(y[0]));
					continue;
				}
				if (y[0] != RMI_SUCCESS)
					break;
				out = y[1];
				base = out;
			}
			rr->enter.flags = (a & 2) ? RMI_ENTER_RIPAS_RESPONSE : 0;
			break;
		}
		case RMI_EXIT_HOST_CALL:
			for (int i = 0; i < 31; i++)
				rr->enter.gprs[i] = PICK(&in, g_vals);
			break;
		default:
			break;
		}
		if (fz_deep())
			fz_check_invariants(h.r, "host answer");
	}
	fz_check_invariants(h.r, "the input's last step");
	if (rmm_findings(h.r, NULL, 0)) {
		struct rmm_finding f;

		rmm_findings(h.r, &f, 1);
		fprintf(stderr, "finding: missing invalidation: %s\n", f.text);
		abort();
	}
	rmm_set_vcpu_backend(h.r, NULL, NULL);
	rmm_script_ctx_free(sctx);
	return 0;
}
