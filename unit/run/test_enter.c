/* REC_ENTER: failure conditions, entry rules and the contents of each exit. */
#include <rmm/rsi.h>

#include <unistd.h>

#include "../helpers/fixture.h"

#define INPUT RMI_ERROR_INPUT
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DABT ((uint64_t)RMM_EC_DABT_LOW << 26)

static struct rmi_rec_exit want_base(void)
{
	struct rmi_rec_exit e;

	memset(&e, 0, sizeof(e));
	return e;
}

static void test_enter_failures(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct fx_realm nr;
	struct fx_rec nrec, *c;
	uint64_t bad_run[6];
	struct rmi_rec_run *br;

	fx_run_world(f, &w);
	c = &w.rec[0];
	fx_realm_create(f, &nr, 40, 5);
	fx_rec_create(f, &nr, 0, true, 0, &nrec);
	for (int i = 0; i < 6; i++)
		bad_run[i] = fx_ns_page(f);
	br = rmm_ns_ptr(f->rmm, bad_run[0]);
	br->enter.flags = RMI_ENTER_EMUL_MMIO;
	br = rmm_ns_ptr(f->rmm, bad_run[1]);
	br->enter.gicv3_hcr = 1;                               /* En: not the host's */
	br = rmm_ns_ptr(f->rmm, bad_run[2]);
	br->enter.gicv3_lrs[0] = (1ull << 62) | (1ull << 61) | 27;  /* HW = 1 */
	br = rmm_ns_ptr(f->rmm, bad_run[3]);
	br->enter.gicv3_lrs[0] = (1ull << 62) | 27;
	br->enter.gicv3_lrs[4] = (1ull << 62) | 27;            /* duplicate vINTID */
	br = rmm_ns_ptr(f->rmm, bad_run[4]);
	br->enter.gicv3_lrs[2] = (1ull << 62) | 1020;          /* reserved INTID */
	br = rmm_ns_ptr(f->rmm, bad_run[5]);
	br->enter.gicv3_lrs[2] = (1ull << 62) | (3ull << 32) | 40; /* pINTID bits, HW = 0 */
	const struct rmi_row rows[] = {
		{ "run_align", { RMI_REC_ENTER, c->rec, c->run + 8 }, INPUT, 0, "run_align" },
		{ "run_bound", { RMI_REC_ENTER, c->rec, 0x06000000 }, INPUT, 0, "run_bound" },
		{ "run_pas", { RMI_REC_ENTER, c->rec, w.data0 }, INPUT, 0, "run_pas" },
		{ "rec_align", { RMI_REC_ENTER, c->rec + 4, c->run }, INPUT, 0, "rec_align" },
		{ "rec_bound", { RMI_REC_ENTER, 0x1c000000, c->run }, INPUT, 0, "rec_bound" },
		{ "rec_gran_state aux", { RMI_REC_ENTER, c->aux[3], c->run }, INPUT, 0, "rec_state" },
		{ "rec_gran_state RD", { RMI_REC_ENTER, w.r.rd, c->run }, INPUT, 0, "rec_state" },
		{ "realm_new", { RMI_REC_ENTER, nrec.rec, nrec.run }, RMI_ERROR_REALM, 0, "realm_new" },
		{ "rec_runnable", { RMI_REC_ENTER, w.rec[1].rec, w.rec[1].run }, RMI_ERROR_REC, 0, "rec_runnable" },
		{ "rec_mmio", { RMI_REC_ENTER, c->rec, bad_run[0] }, RMI_ERROR_REC, 0, "rec_mmio" },
		{ "rec_gicv3 hcr", { RMI_REC_ENTER, c->rec, bad_run[1] }, RMI_ERROR_REC, 0, "rec_gicv3" },
		{ "rec_gicv3 HW", { RMI_REC_ENTER, c->rec, bad_run[2] }, RMI_ERROR_REC, 0, "rec_gicv3" },
		{ "rec_gicv3 dup", { RMI_REC_ENTER, c->rec, bad_run[3] }, RMI_ERROR_REC, 0, "rec_gicv3" },
		{ "rec_gicv3 intid", { RMI_REC_ENTER, c->rec, bad_run[4] }, RMI_ERROR_REC, 0, "rec_gicv3" },
		{ "rec_gicv3 pintid", { RMI_REC_ENTER, c->rec, bad_run[5] }, RMI_ERROR_REC, 0, "rec_gicv3" },
		/* ordering probes: run_* before realm/REC state */
		{ "run_pas before realm_new", { RMI_REC_ENTER, nrec.rec, w.data0 }, INPUT, 0, "run_pas" },
		{ "run_bound before runnable", { RMI_REC_ENTER, w.rec[1].rec, 0x1000 }, INPUT, 0, "run_bound" },
	};
	FX_ROWS(f, rows);
	fx_run_world_free(f, &w);
}

/* IRQ exit: only the GIC and timer fields are set; GIC state round trips. */
static void test_exit_irq(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	static const struct rmm_script_step steps[] = { S_END };
	struct rmi_rec_run *run;
	struct rmi_rec_exit want = want_base();

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), NULL);
	run = fx_run(f, &w.rec[0]);
	run->enter.gicv3_hcr = 0x2 | (1ull << 14) ;            /* UIE, TDIR */
	run->enter.gicv3_lrs[0] = (1ull << 62) | (0xa0ull << 48) | 27;
	run->enter.gicv3_lrs[15] = (2ull << 62) | 8192;
	for (int i = 0; i < 31; i++)
		run->enter.gprs[i] = 0xdead;  /* ignored: no host call pending */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_IRQ;
	want.gicv3_hcr = run->enter.gicv3_hcr;
	want.gicv3_lrs[0] = run->enter.gicv3_lrs[0];
	want.gicv3_lrs[15] = run->enter.gicv3_lrs[15];
	fx_assert_exit(&run->exit, &want);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

static void test_exit_wfx(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[4];
	static const struct rmm_script_step steps[] = { S_WFI, S_WFE, S_WFI, S_END };
	struct rmi_rec_run *run;
	struct rmi_rec_exit want = want_base();

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_TRAP_WFI | RMI_ENTER_TRAP_WFE), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_SYNC;
	want.esr = (uint64_t)RMM_EC_WFX << 26;
	fx_assert_exit(&run->exit, &want);
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_TRAP_WFE), RMI_SUCCESS, 0);
	want.esr = ((uint64_t)RMM_EC_WFX << 26) | 1;
	fx_assert_exit(&run->exit, &want);
	/* untrapped WFI: the PE waits, the host sees an IRQ exit; pc moved on */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_IRQ;
	want.esr = 0;
	fx_assert_exit(&run->exit, &want);
	assert_true(res[0].done && res[1].done);
	fx_run_world_free(f, &w);
}

/* A protected IPA with RIPAS RAM and no data: exit to the host, which maps
 * it; the access then completes. */
static void test_exit_dabt_unassigned_ram(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[3];
	static const struct rmm_script_step steps[] = {
		S_WRITE(0x20008, 8, 3, 0x1122334455667788ull), S_READ(0x20008, 4, 7), S_END
	};
	struct rmi_rec_run *run;
	struct rmi_rec_exit want = want_base();

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_SYNC;
	want.esr = DABT | RMM_FSC_TRANSLATION(3);
	want.hpfar = 0x20000 >> 8;
	fx_assert_exit(&run->exit, &want);
	assert_false(res[0].done);
	{
		char why[1024];

		rmm_explain_exit(f->rmm, w.r.rd, &run->exit, why, sizeof(why));
		print_message("%s\n", why);
		assert_non_null(strstr(why, "Data abort from the realm (ESR 0x90000007): translation fault at level 3, IPA 0x20000"));
		assert_non_null(strstr(why, "entry UNASSIGNED, RIPAS RAM"));
		assert_non_null(strstr(why, "DATA_CREATE_UNKNOWN"));
	}
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, w.r.rd, fx_delegated(f), 0x20000),
		   RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_IRQ);
	assert_true(res[0].done && res[1].done);
	assert_int_equal(res[1].x[0], 0x55667788);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

/* The host delegates the NS page it maps at an unprotected IPA: the realm's
 * read takes a GPF (as on hardware), the explanation says the host did it,
 * and the warning is logged once however often the realm retries. */
static void test_exit_host_delegated_ns_page(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[2];
	struct rmi_rec_run *run;
	char why[1024], log[4096];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	fx_run_world(f, &w);
	const struct rmm_script_step steps[] = { S_READ(w.U + 0x2000, 8, 1), S_END };
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, w.ns_page), RMI_SUCCESS, 0);
	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	for (int i = 0; i < 3; i++) {
		assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
		assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
		assert_int_equal(run->exit.esr & 0x3f, RMM_FSC_GPF);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(log, 1, sizeof(log) - 1, tmp);
	log[n] = '\0';
	fclose(tmp);
	print_message("%s", log);
	assert_non_null(strstr(log, "the host delegated granule"));
	assert_null(strstr(strstr(log, "the host delegated granule") + 1, "the host delegated granule"));
	assert_null(strstr(log, "error"));
	rmm_explain_exit(f->rmm, w.r.rd, &run->exit, why, sizeof(why));
	print_message("%s\n", why);
	assert_non_null(strstr(why, "The host delegated this granule while it maps it"));
	assert_null(strstr(why, "invariant violation"));
	assert_false(res[0].done);
	fx_invariants(f);
	/* the host undoes it: unmap, undelegate, map again, and the read works */
	{
		uint64_t top;

		assert_rmi(rmm_rmi_rtt_unmap_unprotected(f->rmm, 0, w.r.rd, w.U + 0x2000, 3, &top),
			   RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, w.ns_page), RMI_SUCCESS, 0);
		assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, w.r.rd, w.U + 0x2000, 3,
						       w.ns_page | (3ull << 6)), RMI_SUCCESS, 0);
	}
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_true(res[0].done);
	fx_run_world_free(f, &w);
}

/* Emulatable MMIO: reads (with sign extension) and writes. */
static void test_exit_mmio(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[5];
	uint64_t U;
	struct rmi_rec_run *run;
	struct rmi_rec_exit want = want_base();

	fx_run_world(f, &w);
	U = w.U;
	const struct rmm_script_step steps[] = {
		S_READS(U + 0x1008, 4, 5), S_WRITE(U + 0x1010, 2, 9, 0x12345), S_READ(U + 0x1ff8, 8, 30),
		S_WRITE(U + 0x2000, 8, 2, 0xabcdef), S_END
	};
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);

	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_SYNC;
	want.esr = DABT | RMM_ISS_ISV | (2ull << RMM_ISS_SAS_SHIFT) | RMM_ISS_SF | RMM_FSC_TRANSLATION(3);
	want.far = 0x008;
	want.hpfar = ((U + 0x1000) >> 12) << 4;
	fx_assert_exit(&run->exit, &want);
	{
		char why[1024];

		rmm_explain_exit(f->rmm, w.r.rd, &run->exit, why, sizeof(why));
		assert_non_null(strstr(why, "Emulatable MMIO: a 4-byte load"));
		assert_non_null(strstr(why, "unprotected IPA 0x8000001008"));
	}
	run->enter.gprs[0] = 0x80000000;  /* the emulated value */
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_EMUL_MMIO), RMI_SUCCESS, 0);
	assert_int_equal(res[0].x[0], 0xffffffff80000000ull);  /* SSE, SF */

	want.esr = DABT | RMM_ISS_ISV | (1ull << RMM_ISS_SAS_SHIFT) | RMM_ISS_WNR | RMM_FSC_TRANSLATION(3);
	want.far = 0x010;
	want.gprs[0] = 0x2345;  /* masked to the access size */
	fx_assert_exit(&run->exit, &want);
	/* not emulating re-executes the access: the same exit again */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	fx_assert_exit(&run->exit, &want);
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_EMUL_MMIO), RMI_SUCCESS, 0);
	assert_true(res[1].done);

	want.esr = DABT | RMM_ISS_ISV | (3ull << RMM_ISS_SAS_SHIFT) | RMM_ISS_SF | RMM_FSC_TRANSLATION(3);
	want.far = 0xff8;
	want.gprs[0] = 0;
	fx_assert_exit(&run->exit, &want);
	run->enter.gprs[0] = 0x0102030405060708ull;
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_EMUL_MMIO), RMI_SUCCESS, 0);
	assert_int_equal(res[2].x[0], 0x0102030405060708ull);
	/* the mapped NS page is written without an exit */
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_IRQ);
	assert_int_equal(*(uint64_t *)rmm_ns_ptr(f->rmm, w.ns_page), 0xabcdef);
	/* emul_mmio now is refused: the last exit was an IRQ */
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_EMUL_MMIO), RMI_ERROR_REC, 0);
	fx_run_world_free(f, &w);
}

/* inject_sea after an unprotected data abort; SEA for EMPTY memory and for
 * instruction fetches from unprotected IPAs; undefined for HVC. */
static void test_injected_exceptions(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[6];
	uint64_t U;
	struct rmi_rec_run *run;
	uint64_t sea = ((uint64_t)RMM_EC_DABT_CUR << 26) | RMM_ESR_IL | RMM_ISS_EA | RMM_FSC_SEA;

	fx_run_world(f, &w);
	U = w.U;
	const struct rmm_script_step steps[] = {
		S_READ(U + 0x1000, 8, 1), S_READ(0x30000, 8, 2), S_FETCH(U + 0x2000),
		S_HVC(0x84000000), S_WRITE(0x30010, 4, 3, 1), S_END
	};
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	/* the guest's vector base */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	assert_rmi(fx_enter(f, 0, &w.rec[0], RMI_ENTER_INJECT_SEA | RMI_ENTER_EMUL_MMIO), RMI_SUCCESS, 0);
	/* everything else happened inside the realm: one IRQ exit at the end */
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_IRQ);
	assert_int_equal(res[0].exceptions, 1);
	assert_int_equal(res[0].esr_el1, sea | (3ull << RMM_ISS_SAS_SHIFT) | RMM_ISS_ISV | RMM_ISS_SF |
				       (1ull << RMM_ISS_SRT_SHIFT));
	assert_int_equal(res[0].far_el1, U + 0x1000);
	assert_int_equal(res[1].exceptions, 1);   /* RIPAS EMPTY: SEA, no exit */
	assert_int_equal(res[1].esr_el1 & 0xfc00003f, ((uint64_t)RMM_EC_DABT_CUR << 26) | RMM_FSC_SEA);
	assert_true(res[1].esr_el1 & RMM_ISS_EA);
	assert_int_equal(res[2].exceptions, 1);   /* fetch from unprotected */
	assert_int_equal(res[2].esr_el1 >> 26, RMM_EC_IABT_CUR);
	assert_int_equal(res[3].exceptions, 1);   /* HVC: undefined */
	assert_int_equal(res[3].esr_el1, RMM_ESR_IL);
	assert_int_equal(res[4].exceptions, 1);   /* write to EMPTY */
	assert_true(res[4].esr_el1 & RMM_ISS_WNR);
	fx_run_world_free(f, &w);
}

static void test_sysregs(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_result res[6];
	static const struct rmm_script_step steps[] = {
		S_MRS(RMM_SYSREG_ID_AA64PFR0, 4), S_MSR(RMM_SYSREG_VBAR_EL1, 2, 0x8000),
		S_MRS(RMM_SYSREG_VBAR_EL1, 6), S_MRS(RMM_SYSREG(3, 0, 0, 7, 0), 8),
		S_MSR(RMM_SYSREG_ICC_SGI1R, 11, 0x10001), S_END
	};
	struct rmi_rec_run *run;
	struct rmi_rec_exit want = want_base();

	fx_run_world(f, &w);
	fx_script(&w, &w.rec[0], &s, steps, N(steps), res);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	want.exit_reason = RMI_EXIT_SYNC;
	want.esr = ((uint64_t)RMM_EC_SYSREG << 26) | RMM_ESR_IL | RMM_SYSREG_ICC_SGI1R | (11 << 5);
	want.gprs[0] = 0x10001;
	fx_assert_exit(&run->exit, &want);
	assert_int_equal(res[0].x[0], 0x1100000001000011ull);  /* EL0/EL1 AArch64, FP/SIMD, GICv3 sysregs */
	assert_int_equal(res[2].x[0], 0x8000);
	assert_int_equal(res[3].x[0], 0x0f000002);  /* MMFR0: 40-bit PA, 4K granule only */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_true(res[4].done);             /* pc was advanced before the exit */
	fx_run_world_free(f, &w);
}

/* Commands that meet a running REC see it in use. */
struct probe {
	const struct rmm_vcpu_ops *inner;
	void *inner_ctx;
	struct fx *f;
	struct run_world *w;
	uint64_t enter_ret, destroy_ret, set_ripas_ret, complete_ret;
};

static void probe_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct probe *p = ctx;
	const struct fx_rec *c = &p->w->rec[0];
	uint64_t top;

	p->enter_ret = rmm_rmi_rec_enter(p->f->rmm, 1, c->rec, c->run);
	p->destroy_ret = rmm_rmi_rec_destroy(p->f->rmm, 1, c->rec);
	p->set_ripas_ret = rmm_rmi_rtt_set_ripas(p->f->rmm, 1, p->w->r.rd, c->rec, 0, 0x1000, &top);
	p->complete_ret = rmm_rmi_psci_complete(p->f->rmm, 1, c->rec, p->w->rec[1].rec, 0);
	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static void test_running_rec_in_use(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct probe p;
	static const struct rmm_vcpu_ops probe_ops = { RMM_VCPU_VERSION, probe_run, NULL };

	fx_run_world(f, &w);
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.w = &w;
	rmm_set_vcpu_backend(f->rmm, &probe_ops, &p);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(p.enter_ret, RMI_RETURN(RMI_ERROR_REC, 0));
	assert_int_equal(p.destroy_ret, RMI_RETURN(RMI_ERROR_REC, 0));
	assert_int_equal(p.set_ripas_ret, RMI_RETURN(RMI_ERROR_REC, 0));
	assert_int_equal(p.complete_ret, RMI_RETURN(RMI_ERROR_INPUT, 0));
	fx_invariants(f);
	/* no backend at all: REC_ENTER returns at once with an IRQ exit */
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.exit_reason, RMI_EXIT_IRQ);
	fx_run_world_free(f, &w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enter_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_irq, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_wfx, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_dabt_unassigned_ram, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_host_delegated_ns_page, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_mmio, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_injected_exceptions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sysregs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_running_rec_in_use, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
