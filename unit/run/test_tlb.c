/*
 * Modelled TLBs and GPT caches: with correct invalidation everything runs
 * clean; each injected fault (TLBI dropped or local, GPT invalidation dropped
 * or local) is caught by the checker and names the command and the CPUs.
 */
#include "../helpers/fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int setup_check(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TLB_CHECK);
}

/*
 * The field failure: the destination host touches the pages it will hand to
 * the realm on CPU1 (its GPT cache now holds NS for them), delegates them on
 * CPU0, builds the realm there and enters the REC on CPU1. If the GPT
 * invalidation stays on CPU0, the REC's first instruction fetch walks the
 * stage-2 tables through CPU1's stale GPT entry for the level-1 starting RTT:
 * a GPF on the walk, ESR 0x82000025.
 */
static void restored_realm_first_fetch(struct fx *f, unsigned int faults, uint64_t *esr,
				       size_t *nfind, struct rmm_finding *fd)
{
	struct rmm_script_ctx *sctx = rmm_script_ctx_new(0);
	static const struct rmm_script_step steps[] = { S_FETCH(0x0), S_END };
	struct rmm_script_result res[2];
	struct rmm_script s = { steps, N(steps), res };
	struct fx_realm r;
	struct fx_rec c;
	uint8_t zero[4096] = { 0 };

	for (uint64_t pa = f->next_rmm; pa < f->next_rmm + 64 * GRAN; pa += GRAN)
		assert_int_equal(rmm_host_write_on(f->rmm, 1, pa, zero, sizeof(zero)), RMM_OK);
	rmm_set_faults(f->rmm, faults);
	fx_realm_create(f, &r, 40, 1);
	fx_rtt_create_to(f, &r, 0, 3);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, r.rd, fx_delegated(f), 0, fx_ns_page(f), 1),
		   RMI_SUCCESS, 0);
	fx_rec_create(f, &r, 0, true, 0, &c);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, r.rd), RMI_SUCCESS, 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_script_ops(), sctx);
	rmm_script_attach(sctx, c.rec, &s);
	assert_rmi(fx_enter(f, 1, &c, 0), RMI_SUCCESS, 0);
	*esr = fx_run(f, &c)->exit.exit_reason == RMI_EXIT_SYNC ? fx_run(f, &c)->exit.esr : 0;
	*nfind = rmm_findings(f->rmm, fd, 4);
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_script_ctx_free(sctx);
}

static void test_gpt_invalidation_local_only(void **state)
{
	struct fx *f = *state;
	struct rmm_finding fd[4];
	uint64_t esr;
	size_t n;

	restored_realm_first_fetch(f, RMM_FAULT_GPTI_LOCAL, &esr, &n, fd);
	assert_int_equal(esr, 0x82000025);   /* IABT, GPF on the walk at level 1 */
	assert_true(n >= 1);
	assert_int_equal(fd[0].kind, RMM_FINDING_GPT);
	assert_int_equal(fd[0].cpu, 1);
	print_message("finding: %s\n", fd[0].text);
	assert_non_null(strstr(fd[0].text, "GRANULE_DELEGATE on cpu0"));
	assert_non_null(strstr(fd[0].text, "did not reach cpu1"));
}

static void test_gpt_invalidation_dropped(void **state)
{
	struct fx *f = *state;
	struct rmm_finding fd[4];
	uint64_t esr;
	size_t n;

	restored_realm_first_fetch(f, RMM_FAULT_GPTI_DROP, &esr, &n, fd);
	assert_int_equal(esr, 0x82000025);
	assert_true(n >= 1);
	assert_int_equal(fd[0].kind, RMM_FINDING_GPT);
}

static void test_gpt_invalidation_correct(void **state)
{
	struct fx *f = *state;
	struct rmm_finding fd[4];
	uint64_t esr;
	size_t n;

	restored_realm_first_fetch(f, 0, &esr, &n, fd);
	assert_int_equal(esr, 0);   /* an IRQ exit: the program ran */
	assert_int_equal(n, 0);
}

/* A REC on CPU1 caches a translation; CPU0 destroys the data behind it. */
static void stale_tlb(struct fx *f, unsigned int faults, struct run_world *w,
		      struct rmm_script_result *res, size_t *n, struct rmm_finding *fd)
{
	static const struct rmm_script_step steps[] = {
		S_READ(0x10008, 8, 1), S_WFI, S_READ(0x10008, 8, 2), S_END
	};
	struct rmm_script s = { steps, N(steps), res };
	uint64_t data, top;

	fx_run_world(f, w);
	rmm_script_attach(w->sctx, w->rec[0].rec, &s);
	rmm_set_faults(f->rmm, faults);
	assert_rmi(fx_enter(f, 1, &w->rec[0], RMI_ENTER_TRAP_WFI), RMI_SUCCESS, 0);
	assert_true(res[0].done);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, w->r.rd, 0x10000, &data, &top), RMI_SUCCESS, 0);
	assert_rmi(fx_enter(f, 1, &w->rec[0], 0), RMI_SUCCESS, 0);
	*n = rmm_findings(f->rmm, fd, 4);
}

static void test_tlbi_dropped(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script_result res[4];
	struct rmm_finding fd[4];
	size_t n;

	stale_tlb(f, RMM_FAULT_TLBI_DROP, &w, res, &n, fd);
	/* the realm read through the stale entry: no exit for DESTROYED memory */
	assert_true(res[2].done);
	assert_int_equal(n, 1);
	assert_int_equal(fd[0].kind, RMM_FINDING_TLB);
	assert_int_equal(fd[0].ipa, 0x10008);
	print_message("finding: %s\n", fd[0].text);
	assert_non_null(strstr(fd[0].text, "DATA_DESTROY on cpu0"));
	assert_non_null(strstr(fd[0].text, "did not reach cpu1"));
	fx_run_world_free(f, &w);
}

static void test_tlbi_local_only(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script_result res[4];
	struct rmm_finding fd[4];
	size_t n;

	stale_tlb(f, RMM_FAULT_TLBI_LOCAL, &w, res, &n, fd);
	assert_int_equal(n, 1);
	assert_non_null(strstr(fd[0].text, "DATA_DESTROY on cpu0"));
	fx_run_world_free(f, &w);
}

static void test_tlbi_correct(void **state)
{
	struct fx *f = *state;
	struct run_world w;
	struct rmm_script_result res[4];
	struct rmm_finding fd[4];
	size_t n;

	stale_tlb(f, 0, &w, res, &n, fd);
	assert_int_equal(n, 0);
	/* DESTROYED: the host gets the abort, the realm does not progress */
	assert_false(res[2].done);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(fx_run(f, &w.rec[0])->exit.hpfar, 0x10000 >> 8);
	fx_run_world_free(f, &w);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gpt_invalidation_local_only, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_gpt_invalidation_dropped, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_gpt_invalidation_correct, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_dropped, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_local_only, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_correct, setup_check, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
