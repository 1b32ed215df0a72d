/*
 * Decoded blocks (hal_host/vcpu_a64_blk.c) are never executed after what
 * invalidates them: blk.S runs a block, rewrites it and invalidates with IC
 * IVAU (the new code runs), then runs a block in a page the host destroys
 * between two entries (the next fetch aborts to the host). tlbi.S covers the
 * stage-1 remap (unit_kvm_a64_guest). The RMM's side, rmm_vcpu_fetch_gen(),
 * is checked directly by a backend that records the token on each entry.
 */
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

/* Without TLB checking: the RMM hands out fetch tokens. */
static int setup_fast(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, 0);
}

static int setup_check(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TLB_CHECK);
}

struct realm {
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmi_rec_run *rr;
};

static void build(struct fx *f, struct realm *g, const char *name)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, name, img, sizeof(img));

	memset(g, 0, sizeof(*g));
	kh_init(&g->h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&g->h, &g->r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&g->h, &g->r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&g->h, &g->r, &g->v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&g->h, &g->r), 0);
	g->rr = rmm_ns_ptr(f->rmm, g->v.run);
}

static void teardown_realm(struct fx *f, struct realm *g)
{
	struct rmm_stats st;

	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	assert_int_equal(kh_vcpu_destroy(&g->h, &g->v), 0);
	assert_int_equal(kh_realm_destroy(&g->h, &g->r), 0);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	kh_fini(&g->h);
}

/* Enter, WFI and WFE trapped, until an exit other than IRQ. */
static const struct rmi_rec_exit *enter(struct fx *f, struct realm *g)
{
	return fx_enter_until(f, 0, g->v.rec, g->v.run, RMI_ENTER_TRAP_WFI | RMI_ENTER_TRAP_WFE);
}

static void enter_once(struct fx *f, struct realm *g)
{
	memset(&g->rr->enter, 0, sizeof(g->rr->enter));
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 0, g->v.rec, g->v.run), RMI_SUCCESS);
}

static void expect_wfi(const struct rmi_rec_exit *x)
{
	assert_int_equal(x->exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(RMM_ESR_EC(x->esr), RMM_EC_WFX);
	assert_int_equal(x->esr & 1, 0);   /* TI = 0: WFI (WFE: a stale block ran) */
}

/* blk.S with blocks on (blocks = 1) or off: the same exits either way. */
static void run_blk(struct fx *f, int blocks)
{
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	const struct rmi_rec_exit *x;
	uint64_t fills, runs, data = 0, top = 0;
	struct realm g;

	rmm_a64_set_blocks(a64, blocks);
	build(f, &g, "blk.bin");
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	expect_wfi(enter(f, &g));            /* 1: f rewritten, IC IVAU, new f ran */
	rmm_a64_block_stats(a64, &fills, &runs);
	if (blocks)
		assert_true(runs > fills);   /* f's block was reused before the rewrite */
	else
		assert_int_equal(runs, 0);
	expect_wfi(enter(f, &g));            /* 2: g ran twice */
	assert_int_equal(rmm_rmi_data_destroy(f->rmm, 0, g.r.rd, 0x2000, &data, &top),
			 RMI_SUCCESS);
	x = enter(f, &g);                    /* g's page is gone: the fetch aborts */
	assert_int_equal(x->exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(RMM_ESR_EC(x->esr), RMM_EC_IABT_LOW);
	assert_int_equal(x->hpfar, (0x2000ull >> 12) << 4);
	fx_invariants(f);
	assert_int_equal(kh_undelegate_free(&g.h, data), 0);
	teardown_realm(f, &g);
	rmm_a64_ctx_free(a64);
}

static void test_blocks_on(void **state)
{
	run_blk(*state, 1);
}

static void test_blocks_off(void **state)
{
	run_blk(*state, 0);
}

/* Under TLB checking every fetch is checked: no block is ever kept. */
static void test_blocks_checking_mode(void **state)
{
	struct fx *f = *state;
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	uint64_t fills, runs;
	struct realm g;

	build(f, &g, "blk.bin");
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	expect_wfi(enter(f, &g));
	rmm_a64_block_stats(a64, &fills, &runs);
	assert_int_equal(fills, 0);
	assert_int_equal(runs, 0);
	teardown_realm(f, &g);
	rmm_a64_ctx_free(a64);
}

/* A backend that records rmm_vcpu_fetch_gen() on each entry and exits. */
static uint64_t tokens[8];
static unsigned int ntokens;

static void token_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	(void)ctx;
	if (ntokens < 8)
		tokens[ntokens++] = rmm_vcpu_fetch_gen(v);
	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static const struct rmm_vcpu_ops token_ops = { .version = RMM_VCPU_VERSION, .run = token_run };

/* The token holds while nothing changes and across a delegation (a fetch is
 * only ever from Realm PAS), and moves when a granule leaves Realm PAS and
 * on a stage-2 TLBI that reaches the CPU. */
static void test_fetch_gen(void **state)
{
	struct fx *f = *state;
	uint64_t spare, data = 0, top = 0;
	struct realm g;

	ntokens = 0;
	build(f, &g, "blk.bin");
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &token_ops, NULL), RMM_OK);
	enter_once(f, &g);
	enter_once(f, &g);
	spare = kh_alloc_delegated(&g.h);    /* NS -> Realm, not the realm's */
	assert_true(spare != 0);
	enter_once(f, &g);
	assert_int_equal(kh_undelegate_free(&g.h, spare), 0);   /* Realm -> NS */
	enter_once(f, &g);
	assert_int_equal(rmm_rmi_data_destroy(f->rmm, 0, g.r.rd, 0x2000, &data, &top),
			 RMI_SUCCESS);         /* a stage-2 change and its TLBI */
	enter_once(f, &g);
	assert_int_equal(ntokens, 5);
	assert_true(tokens[0] != 0);
	assert_true(tokens[1] == tokens[0]);
	assert_true(tokens[2] == tokens[1]);
	assert_true(tokens[3] != tokens[2]);
	assert_true(tokens[4] != tokens[3]);
	assert_int_equal(kh_undelegate_free(&g.h, data), 0);
	teardown_realm(f, &g);
}

/* Under TLB checking the token is 0: nothing may be kept. */
static void test_fetch_gen_checking(void **state)
{
	struct fx *f = *state;
	struct realm g;

	ntokens = 0;
	build(f, &g, "blk.bin");
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, &token_ops, NULL), RMM_OK);
	enter_once(f, &g);
	assert_int_equal(ntokens, 1);
	assert_int_equal(tokens[0], 0);
	teardown_realm(f, &g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocks_on, setup_fast, fx_teardown),
		cmocka_unit_test_setup_teardown(test_blocks_off, setup_fast, fx_teardown),
		cmocka_unit_test_setup_teardown(test_blocks_checking_mode, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_gen, setup_fast, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_gen_checking, setup_check, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
