/* RMI traces: record, save, replay on a fresh instance; tampering shows. */
#include <stdlib.h>

#include "../helpers/fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct membuf {
	uint8_t *p;
	size_t len;
};

static int emit(void *ctx, const void *buf, size_t len)
{
	struct membuf *m = ctx;

	m->p = realloc(m->p, m->len + len);
	assert_non_null(m->p);
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

static const struct rmm_script_step steps[] = {
	S_WRITE(0x10008, 8, 3, 0x77), S_SMC(RSI_FID(0x190), 0x10000), S_READ(0x20000, 8, 4),
	S_READ((1ull << 39) + 0x1008, 4, 5), S_END
};

static void record(struct fx *f, struct membuf *m, struct run_world *w, uint8_t rim[64])
{
	struct rmm_script s;

	fx_run_world(f, w);
	fx_script(w, &w->rec[0], &s, steps, N(steps), NULL);
	/* some refusals, a REC running to an abort, an MMIO exit and an IRQ */
	rmm_rmi_granule_delegate(f->rmm, 1, 0x06000000);
	rmm_rmi_realm_activate(f->rmm, 1, w->r.rd);
	fx_enter(f, 0, &w->rec[0], 0);
	rmm_rmi_data_create_unknown(f->rmm, 1, w->r.rd, fx_delegated(f), 0x20000);
	fx_enter(f, 1, &w->rec[0], 0);
	fx_run(f, &w->rec[0])->enter.gprs[0] = 5;
	fx_enter(f, 0, &w->rec[0], RMI_ENTER_EMUL_MMIO);
	assert_int_equal(rmm_realm_measurement(f->rmm, w->r.rd, 0, rim), RMM_OK);
	assert_int_equal(rmm_trace_save(f->rmm, emit, m), RMM_OK);
	fx_run_world_free(f, w);
}

/* A fresh instance like the first, with the same guest on the same REC. */
static struct rmm *fresh(const struct run_world *w, struct rmm_script *s, struct rmm_script_ctx **sctx)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = FX_DRAM_SIZE;
	assert_int_equal(rmm_create(&cfg, &r), RMM_OK);
	*sctx = rmm_script_ctx_new(0);
	*s = (struct rmm_script){ steps, N(steps), NULL };
	rmm_script_attach(*sctx, w->rec[0].rec, s);
	rmm_set_vcpu_backend(r, rmm_vcpu_script_ops(), *sctx);
	return r;
}

static void test_replay(void **state)
{
	struct fx *f = *state;
	struct membuf m = { 0 };
	struct run_world w;
	struct rmm_script s;
	struct rmm_script_ctx *sctx;
	uint8_t rim[64], rim2[64];
	char why[512];
	struct rmm *r;
	int rc;

	record(f, &m, &w, rim);
	assert_true(m.len > 16);

	/* replays exactly: every result register, and the same end state */
	r = fresh(&w, &s, &sctx);
	rc = rmm_trace_replay(r, m.p, m.len, why, sizeof(why));
	if (rc != RMM_OK)
		print_error("%s\n", why);
	assert_int_equal(rc, RMM_OK);
	assert_int_equal(rmm_realm_measurement(r, w.r.rd, 0, rim2), RMM_OK);
	assert_memory_equal(rim, rim2, 64);   /* DATA_CREATE's measured sources came back */
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + FX_DRAM_SIZE; pa += GRAN)
		assert_int_equal(rmm_granule_state(r, pa), rmm_granule_state(f->rmm, pa));
	assert_int_equal(rmm_check_invariants(r, why, sizeof(why)), RMM_OK);
	rmm_set_vcpu_backend(r, NULL, NULL);
	rmm_script_ctx_free(sctx);
	rmm_destroy(r);

	/* a different result register is found and explained */
	{
		uint8_t *t = malloc(m.len);
		size_t rec = 16 + 24 + 144;   /* X0 out of the first record */

		memcpy(t, m.p, m.len);
		t[rec] ^= 1;
		r = fresh(&w, &s, &sctx);
		assert_int_equal(rmm_trace_replay(r, t, m.len, why, sizeof(why)), RMM_EINVAL);
		print_message("tampered: %s\n", why);
		assert_non_null(strstr(why, "call 1 (cpu0 GRANULE_DELEGATE): X0 is 0x0, the trace says 0x1"));
		rmm_set_vcpu_backend(r, NULL, NULL);
		rmm_script_ctx_free(sctx);
		rmm_destroy(r);
		/* and a truncated or foreign stream is refused */
		r = fresh(&w, &s, &sctx);
		assert_int_equal(rmm_trace_replay(r, m.p, m.len - 3, why, sizeof(why)), RMM_EINVAL);
		assert_non_null(strstr(why, "malformed"));
		assert_int_equal(rmm_trace_replay(r, "hello", 5, why, sizeof(why)), RMM_EINVAL);
		rmm_set_vcpu_backend(r, NULL, NULL);
		rmm_script_ctx_free(sctx);
		rmm_destroy(r);
		free(t);
	}
	free(m.p);
}

static int setup_trace(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TRACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay, setup_trace, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
