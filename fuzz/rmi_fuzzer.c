/*
 * RMI sequences. The input decodes into RMI calls whose arguments come from
 * pools (hot granules in every state, every kind of bad address, IPAs at
 * level boundaries, levels -1..5, raw values). After every call: the result
 * must be a status RMM 1.0 defines with unused result registers zero; the
 * invariant checker must pass at the end of the input (after every call with
 * FUZZ_DEEP=1); the RMI trace of one input in 8 (every input with FUZZ_DEEP)
 * must replay on a reset second instance with identical results. A realm can
 * run: REC_ENTER uses a scripted guest that touches memory and calls RSI and
 * PSCI.
 *
 * Built with -DRMI_DIFF it becomes the differential harness: only the
 * commands the model below covers are issued, and an independent model of
 * granule, realm and RTT state (written from the digest's failure conditions,
 * not from the library) predicts each status; any disagreement is a finding.
 */
#include "fuzz_common.h"

enum argk { A_PA, A_IPA, A_LVL, A_FLAGS, A_PARAMS, A_RECP, A_RUN, A_DESC, A_VER, A_PSCI, A_RAW };

struct fcmd {
	uint64_t fid;
	const char *name;
	uint8_t nres, nargs, diff;
	uint8_t args[5];
};

static const struct fcmd cmds[] = {
	{ RMI_VERSION, "VERSION", 2, 1, 1, { A_VER } },
	{ RMI_FEATURES, "FEATURES", 1, 1, 1, { A_RAW } },
	{ RMI_GRANULE_DELEGATE, "GRANULE_DELEGATE", 0, 1, 1, { A_PA } },
	{ RMI_GRANULE_UNDELEGATE, "GRANULE_UNDELEGATE", 0, 1, 1, { A_PA } },
	{ RMI_REALM_CREATE, "REALM_CREATE", 0, 2, 1, { A_PA, A_PARAMS } },
	{ RMI_REALM_ACTIVATE, "REALM_ACTIVATE", 0, 1, 1, { A_PA } },
	{ RMI_REALM_DESTROY, "REALM_DESTROY", 0, 1, 1, { A_PA } },
	{ RMI_REC_AUX_COUNT, "REC_AUX_COUNT", 1, 1, 1, { A_PA } },
	{ RMI_RTT_CREATE, "RTT_CREATE", 0, 4, 1, { A_PA, A_PA, A_IPA, A_LVL } },
	{ RMI_RTT_DESTROY, "RTT_DESTROY", 2, 3, 1, { A_PA, A_IPA, A_LVL } },
	{ RMI_DATA_CREATE_UNKNOWN, "DATA_CREATE_UNKNOWN", 0, 3, 1, { A_PA, A_PA, A_IPA } },
	{ RMI_DATA_DESTROY, "DATA_DESTROY", 2, 2, 1, { A_PA, A_IPA } },
	{ RMI_RTT_READ_ENTRY, "RTT_READ_ENTRY", 4, 3, 1, { A_PA, A_IPA, A_LVL } },
	{ RMI_DATA_CREATE, "DATA_CREATE", 0, 5, 0, { A_PA, A_PA, A_IPA, A_PA, A_FLAGS } },
	{ RMI_REC_CREATE, "REC_CREATE", 0, 3, 0, { A_PA, A_PA, A_RECP } },
	{ RMI_REC_DESTROY, "REC_DESTROY", 0, 1, 0, { A_PA } },
	{ RMI_REC_ENTER, "REC_ENTER", 0, 2, 0, { A_PA, A_RUN } },
	{ RMI_RTT_MAP_UNPROTECTED, "RTT_MAP_UNPROTECTED", 0, 4, 0, { A_PA, A_IPA, A_LVL, A_DESC } },
	{ RMI_RTT_UNMAP_UNPROTECTED, "RTT_UNMAP_UNPROTECTED", 1, 3, 0, { A_PA, A_IPA, A_LVL } },
	{ RMI_PSCI_COMPLETE, "PSCI_COMPLETE", 0, 3, 0, { A_PA, A_PA, A_PSCI } },
	{ RMI_RTT_FOLD, "RTT_FOLD", 1, 3, 0, { A_PA, A_IPA, A_LVL } },
	{ RMI_RTT_INIT_RIPAS, "RTT_INIT_RIPAS", 1, 3, 0, { A_PA, A_IPA, A_IPA } },
	{ RMI_RTT_SET_RIPAS, "RTT_SET_RIPAS", 1, 4, 0, { A_PA, A_PA, A_IPA, A_IPA } },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static uint64_t arg(struct fz_in *in, uint8_t k)
{
	uint8_t s;

	switch (k) {
	case A_PA: return fz_pa(in);
	case A_IPA: return fz_ipa(in);
	case A_LVL: return fz_level(in);
	case A_FLAGS: s = fz_u8(in); return s < 250 ? s % 2 : fz_u64(in);
	case A_PARAMS: s = fz_u8(in); return s < 200 ? FZ_NS(s % FZ_NPARAMS) : fz_pa(in);
	case A_RECP: s = fz_u8(in); return s < 200 ? FZ_NS(8 + s % FZ_NRECPARAMS) : fz_pa(in);
	case A_RUN: s = fz_u8(in); return s < 200 ? FZ_RUN : fz_pa(in);
	case A_DESC: s = fz_u8(in); return s < 200 ? (FZ_NS(20 + s % 8) | ((uint64_t)(s % 4) << 6)) : fz_u64(in);
	case A_VER: s = fz_u8(in); return s < 128 ? 0x10000 : s < 250 ? 0x10001 : fz_u64(in);
	case A_PSCI: s = fz_u8(in); return s % 3 == 0 ? 0 : s % 3 == 1 ? PSCI_DENIED : fz_u64(in);
	default: return fz_u64(in);
	}
}

#ifdef RMI_DIFF
#include "rmi_model.h"
#endif

/* The guest every REC runs in this harness. */
static const struct rmm_script_step guest[] = {
	{ .op = RMM_STEP_READ, .addr = 0x0, .size = 8, .rt = 1 },
	{ .op = RMM_STEP_WRITE, .addr = 0x1000, .size = 4, .rt = 2, .value = 7 },
	{ .op = RMM_STEP_SMC, .arg = { RSI_IPA_STATE_SET, 0x0, 0x2000, RSI_RAM } },
	{ .op = RMM_STEP_READ, .addr = FZ_U + 0x1000, .size = 4, .rt = 3 },
	{ .op = RMM_STEP_SMC, .arg = { PSCI_CPU_ON, 1, 0, 0 } },
	{ .op = RMM_STEP_SMC, .arg = { RSI_HOST_CALL, 0x3000 } },
	{ .op = RMM_STEP_SMC, .arg = { PSCI_AFFINITY_INFO, 1, 0 } },
	{ .op = RMM_STEP_SMC, .arg = { RSI_REALM_CONFIG, 0x2000 } },
	{ .op = RMM_STEP_SMC, .arg = { PSCI_SYSTEM_OFF } },
	{ .op = RMM_STEP_END },
};

/* The instance in 'slot', reset, with the pools and guests, as every input
 * starts. */
static struct rmm *fresh(struct rmm **slot, struct rmm_script *scripts,
			 struct rmm_script_ctx **sctx, uint64_t h);
static struct rmm *main_rmm;

#ifndef RMI_DIFF
struct membuf {
	uint8_t *p;
	size_t len;
};

static int emit(void *ctx, const void *buf, size_t len)
{
	struct membuf *m = ctx;
	uint8_t *n = realloc(m->p, m->len + len);

	if (!n)
		abort();
	m->p = n;
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Determinism: the input's trace must replay on a reset instance with every
 * result register equal. */
static void check_replay(struct rmm *r)
{
	static struct rmm *replay_rmm;
	struct rmm_script scripts[FZ_HOT];
	struct rmm_script_ctx *sctx;
	struct membuf m = { NULL, 0 };
	struct rmm *r2;
	char why[512];

	if (rmm_trace_save(r, emit, &m) != RMM_OK)
		abort();
	r2 = fresh(&replay_rmm, scripts, &sctx, ~0ull);
	if (rmm_trace_replay(r2, m.p, m.len, why, sizeof(why)) != RMM_OK) {
		fprintf(stderr, "finding: the trace does not replay: %s\n", why);
		abort();
	}
	rmm_set_vcpu_backend(r2, NULL, NULL);
	rmm_script_ctx_free(sctx);
	free(m.p);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct rmm_script scripts[FZ_HOT];
	struct rmm_script_ctx *sctx;
	struct rmm *r;
#ifdef RMI_DIFF
	struct model m;
#endif

	r = fresh(&main_rmm, scripts, &sctx, fz_hash(data, size));
#ifdef RMI_DIFF
	model_init(&m);
#endif
	for (int n = 0; n < 64 && in.n; n++) {
		/* bit 7: the CPU; bits 6..0: the command (120..127: an unused FID) */
		uint8_t c = fz_u8(&in), op = c & 0x7f;
		const struct fcmd *cmd = &cmds[op % NCMDS];
		uint64_t x[18] = { cmd->fid };
		unsigned int cpu = c >> 7;

#ifdef RMI_DIFF
		if (!cmd->diff)
			cmd = &cmds[op % 13];
		x[0] = cmd->fid;
#endif
		for (unsigned int i = 0; i < cmd->nargs; i++)
			x[1 + i] = arg(&in, cmd->args[i]);
#ifdef RMI_DIFF
		{
			uint64_t want = model_predict(&m, x);

			rmm_smc(r, cpu, x);
			if (x[0] != want) {
				fprintf(stderr, "finding: %s: the model predicts 0x%llx, the RMM gave 0x%llx (%s)\n",
					cmd->name, (unsigned long long)want, (unsigned long long)x[0],
					rmm_last_reason(r, cpu));
				abort();
			}
		}
#else
		if (op >= 120) {
			/* an FID the RMI range leaves unused: NOT_SUPPORTED, all else zero */
			static const uint64_t unused[] = { 0xC4000156, 0xC4000160, 0xC4000163,
							   0xC400016A, 0xC400018F, 0xC4010156 };

			x[0] = unused[op % 6];
			rmm_smc(r, cpu, x);
			for (int i = 1; i < 18; i++)
				if (x[i])
					abort();
			if (x[0] != SMCCC_NOT_SUPPORTED)
				abort();
			continue;
		}
		rmm_smc(r, cpu, x);
#endif
		if (getenv("FUZZ_TRACE"))
			fprintf(stderr, "cpu%u %-22s -> 0x%llx %s\n", cpu, cmd->name,
				(unsigned long long)x[0], rmm_last_reason(r, cpu));
		fz_check_result(x, cmd->nres, cmd->name);
		if (fz_deep())
			fz_check_invariants(r, cmd->name);
	}
	fz_check_invariants(r, "the input's last call");
	if (rmm_findings(r, NULL, 0)) {
		struct rmm_finding f;

		rmm_findings(r, &f, 1);
		fprintf(stderr, "finding: missing invalidation: %s\n", f.text);
		abort();
	}
#ifndef RMI_DIFF
	if (fz_deep() || fz_hash(data, size) % 8 == 0)
		check_replay(r);
#endif
	rmm_set_vcpu_backend(r, NULL, NULL);
	rmm_script_ctx_free(sctx);
	return 0;
}

static struct rmm *fresh(struct rmm **slot, struct rmm_script *scripts,
			 struct rmm_script_ctx **sctx, uint64_t h)
{
#ifdef RMI_DIFF
	struct rmm *r = fz_instance(slot, RMM_CFG_TLB_CHECK, h);
#else
	struct rmm *r = fz_instance(slot, RMM_CFG_TLB_CHECK | RMM_CFG_TRACE, h);
#endif

	fz_fill_params(r);
	*sctx = rmm_script_ctx_new(16);
	for (int i = 0; i < FZ_HOT; i++) {
		scripts[i] = (struct rmm_script){ guest, sizeof(guest) / sizeof(guest[0]), NULL };
		rmm_script_attach(*sctx, FZ_HOT_PA(i), &scripts[i]);
	}
	rmm_set_vcpu_backend(r, rmm_vcpu_script_ops(), *sctx);
	return r;
}
