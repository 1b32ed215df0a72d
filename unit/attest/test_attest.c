/*
 * RSI_ATTESTATION_TOKEN_INIT / CONTINUE from a scripted realm: the failure
 * condition table with the exact status of each row, per-REC state (INIT
 * restarts, CONTINUE without INIT), the token in chunks, the snapshot taken
 * at INIT, an interrupted token resumed after an IRQ exit, an unmapped
 * buffer. Tokens are read back by the realm itself (its loads) and written
 * to RMM_ATTEST_OUT for the independent verifier (tools/cca_verify.py),
 * which ctest runs on them next.
 */
#define _GNU_SOURCE  /* memmem */
#include <string.h>
#include <rmm/rsi.h>

#include "../helpers/fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BUF 0x10000ull       /* DATA (RAM): the token buffer */
#define TOKEN_SHA256 2124    /* with the test platform token */
#define MAXSTEPS 512

struct prog {
	struct rmm_script_step st[MAXSTEPS];
	struct rmm_script_result res[MAXSTEPS];
	struct rmm_script s;
	size_t n;
};

static size_t add(struct prog *p, struct rmm_script_step s)
{
	assert_true(p->n < MAXSTEPS - 1);
	p->st[p->n] = s;
	return p->n++;
}

static const uint64_t challenge[8] = {
	0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull,
	0x2726252423222120ull, 0x2f2e2d2c2b2a2928ull, 0xc0ffee00c0ffee01ull, 0xfeedface12345678ull,
};

/* INIT with a full challenge: x7 and x8 are set first (MSR steps load the
 * register they write from), then the SMC sets x0..x6. */
static size_t add_init(struct prog *p, const uint64_t ch[8])
{
	add(p, (struct rmm_script_step)S_MSR(RMM_SYSREG_TPIDR_EL1, 7, ch[6]));
	add(p, (struct rmm_script_step)S_MSR(RMM_SYSREG_TPIDR_EL1, 8, ch[7]));
	return add(p, (struct rmm_script_step)S_SMC(RSI_ATTESTATION_TOKEN_INIT, ch[0], ch[1], ch[2],
						     ch[3], ch[4], ch[5]));
}

static size_t add_cont(struct prog *p, uint64_t addr, uint64_t off, uint64_t size)
{
	return add(p, (struct rmm_script_step)S_SMC(RSI_ATTESTATION_TOKEN_CONTINUE, addr, off, size));
}

/* Loads of the token buffer: the realm reads its own token back. */
static size_t add_readback(struct prog *p, size_t len)
{
	size_t first = p->n;

	for (size_t i = 0; i < len; i += 8)
		add(p, (struct rmm_script_step)S_READ(BUF + i, 8, 9));
	return first;
}

static void attach(struct run_world *w, struct prog *p)
{
	add(p, (struct rmm_script_step)S_END);
	fx_script(w, &w->rec[0], &p->s, p->st, p->n, p->res);
}

/* Enter REC 0 until step 'last' completed; returns the number of entries. */
static unsigned int run_until(struct fx *f, struct run_world *w, struct prog *p, size_t last)
{
	unsigned int e;

	for (e = 0; e < 200 && !p->res[last].done; e++) {
		assert_rmi(fx_enter(f, 0, &w->rec[0], 0), RMI_SUCCESS, 0);
		assert_int_equal(fx_run(f, &w->rec[0])->exit.exit_reason, RMI_EXIT_IRQ);
	}
	assert_true(p->res[last].done);
	return e;
}

static void readback(struct prog *p, size_t first, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		size_t c = len - i < 8 ? len - i : 8;

		memcpy(out + i, &p->res[first + i / 8].x[0], c);
	}
}

static void hex(FILE *fp, const uint8_t *b, size_t n)
{
	fputc('"', fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02x", b[i]);
	fputc('"', fp);
}

/* Write tok to RMM_ATTEST_OUT/name.cbor and what the verifier must find in
 * it to name.json. */
static void write_token(struct fx *f, uint64_t rd, const char *name, const uint8_t *tok,
			size_t len, const uint64_t ch[8])
{
	char path[512];
	uint8_t m[64], rpv[64];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.cbor", RMM_ATTEST_OUT, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(tok, 1, len, fp), len);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/%s.json", RMM_ATTEST_OUT, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 64; i++)
		rpv[i] = (uint8_t)i;  /* fx_params */
	fprintf(fp, "{\"hash_algo\": \"sha-256\", \"challenge\": ");
	hex(fp, (const uint8_t *)ch, 64);
	fprintf(fp, ", \"rpv\": ");
	hex(fp, rpv, 64);
	assert_int_equal(rmm_realm_measurement(f->rmm, rd, 0, m), RMM_OK);
	fprintf(fp, ", \"rim\": ");
	hex(fp, m, 64);
	fprintf(fp, ", \"rem\": [");
	for (unsigned int i = 1; i <= 4; i++) {
		assert_int_equal(rmm_realm_measurement(f->rmm, rd, i, m), RMM_OK);
		hex(fp, m, 64);
		fprintf(fp, i < 4 ? ", " : "]}\n");
	}
	fclose(fp);
}

/*
 * The failure-condition table of CONTINUE, in the spec's order, each row
 * with its exact status; input conditions come before the state condition
 * (a bad row with no token in progress is still ERROR_INPUT). A failed
 * CONTINUE changes nothing: the token that follows is complete and intact.
 */
static void test_continue_failure_table(void **state)
{
	static const struct row {
		const char *cond;
		uint64_t addr, off, size, status;
	} pre[] = {
		{ "state (no INIT)", BUF, 0, 64, RSI_ERROR_STATE },
		{ "addr_align before state", BUF + 8, 0, 64, RSI_ERROR_INPUT },
		{ "size_bound before state", BUF, 4095, 2, RSI_ERROR_INPUT },
	}, rows[] = {
		{ "addr_align", BUF + 0x800, 0, 64, RSI_ERROR_INPUT },
		{ "addr_align (1)", BUF + 1, 0, 64, RSI_ERROR_INPUT },
		{ "addr_bound (unprotected)", 1ull << 39, 0, 64, RSI_ERROR_INPUT },
		{ "addr_bound (outside the IPA space)", 1ull << 40, 0, 64, RSI_ERROR_INPUT },
		{ "addr_bound (top)", ~0xfffull, 0, 64, RSI_ERROR_INPUT },
		{ "offset_bound", BUF, 4096, 0, RSI_ERROR_INPUT },
		{ "offset_bound (huge)", BUF, ~0ull, 1, RSI_ERROR_INPUT },
		{ "size_overflow", BUF, 8, ~0ull - 3, RSI_ERROR_INPUT },
		{ "size_overflow (wraps to 0)", BUF, 1, ~0ull, RSI_ERROR_INPUT },
		{ "size_bound", BUF, 4000, 97, RSI_ERROR_INPUT },
		{ "size_bound (offset 0)", BUF, 0, 4097, RSI_ERROR_INPUT },
		{ "buffer RIPAS EMPTY (TF-RMM)", 0x30000, 0, 64, RSI_ERROR_INPUT },
		{ "size 0: nothing copied", BUF, 0, 0, RSI_INCOMPLETE },
	};
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	size_t ipre[N(pre)], irow[N(rows)], init, full, after, rb;
	uint8_t tok[TOKEN_SHA256];

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	for (size_t i = 0; i < N(pre); i++)
		ipre[i] = add_cont(&p, pre[i].addr, pre[i].off, pre[i].size);
	init = add_init(&p, challenge);
	for (size_t i = 0; i < N(rows); i++)
		irow[i] = add_cont(&p, rows[i].addr, rows[i].off, rows[i].size);
	full = add_cont(&p, BUF, 0, 4096);
	after = add_cont(&p, BUF, 0, 4096);
	rb = add_readback(&p, sizeof(tok));
	attach(&w, &p);
	run_until(f, &w, &p, p.n - 2);

	for (size_t i = 0; i < N(pre); i++) {
		if (p.res[ipre[i]].x[0] != pre[i].status)
			print_error("row '%s': status %llu\n", pre[i].cond,
				    (unsigned long long)p.res[ipre[i]].x[0]);
		assert_int_equal(p.res[ipre[i]].x[0], pre[i].status);
		assert_int_equal(p.res[ipre[i]].x[1], 0);
	}
	assert_int_equal(p.res[init].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[init].x[1], TOKEN_SHA256);
	for (size_t i = 0; i < N(rows); i++) {
		if (p.res[irow[i]].x[0] != rows[i].status)
			print_error("row '%s': status %llu\n", rows[i].cond,
				    (unsigned long long)p.res[irow[i]].x[0]);
		assert_int_equal(p.res[irow[i]].x[0], rows[i].status);
		assert_int_equal(p.res[irow[i]].x[1], 0);
	}
	/* the whole token in one call, then no token in progress */
	assert_int_equal(p.res[full].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[full].x[1], TOKEN_SHA256);
	assert_int_equal(p.res[after].x[0], RSI_ERROR_STATE);
	readback(&p, rb, tok, sizeof(tok));
	write_token(f, w.r.rd, "scripted_table", tok, sizeof(tok), challenge);
	fx_invariants(f);
	fx_run_world_free(f, &w);
}

/*
 * A token in chunks at varying offsets, the measurements it reflects (REMs
 * extended before INIT are in it; an extension after INIT is not), and a
 * second REC whose attestation state is its own.
 */
static void test_token_chunks_and_snapshot(void **state)
{
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	size_t init, c[4], late, rb;
	uint8_t tok[TOKEN_SHA256], rem3[64];

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	add(&p, (struct rmm_script_step)S_SMC(RSI_MEASUREMENT_EXTEND, 1, 8, 0x1122334455667788ull));
	add(&p, (struct rmm_script_step)S_SMC(RSI_MEASUREMENT_EXTEND, 4, 64, 1, 2, 3, 4));
	add(&p, (struct rmm_script_step)S_SMC(RSI_MEASUREMENT_EXTEND, 3, 3, 0xabcdef));
	init = add_init(&p, challenge);
	c[0] = add_cont(&p, BUF, 0, 1000);
	c[1] = add_cont(&p, BUF, 1000, 24);
	add(&p, (struct rmm_script_step)S_WFI);  /* back to the host */
	/* extended after INIT: not in this token */
	late = add(&p, (struct rmm_script_step)S_SMC(RSI_MEASUREMENT_EXTEND, 3, 8, 0x5a5a));
	c[2] = add_cont(&p, BUF, 1024, 1024);
	c[3] = add_cont(&p, BUF, 2048, 2048);
	rb = add_readback(&p, sizeof(tok));
	attach(&w, &p);
	/* REM 3 as INIT saw it: run up to the WFI before the late extension */
	run_until(f, &w, &p, c[1]);
	assert_false(p.res[late].done);
	assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 3, rem3), RMM_OK);
	run_until(f, &w, &p, p.n - 2);

	assert_int_equal(p.res[init].x[1], TOKEN_SHA256);
	assert_int_equal(p.res[c[0]].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c[0]].x[1], 1000);
	assert_int_equal(p.res[c[1]].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c[1]].x[1], 24);
	assert_int_equal(p.res[late].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c[2]].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c[2]].x[1], 1024);
	assert_int_equal(p.res[c[3]].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c[3]].x[1], TOKEN_SHA256 - 2048);
	readback(&p, rb, tok, sizeof(tok));
	/* the token carries REM 3 as it was at INIT, not the current one */
	assert_non_null(memmem(tok, sizeof(tok), rem3, 32));
	{
		uint8_t now[64];

		assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 3, now), RMM_OK);
		assert_memory_not_equal(now, rem3, 32);
		assert_null(memmem(tok, sizeof(tok), now, 32));
	}
	/* write the expectations with REM 3 from INIT time */
	write_token(f, w.r.rd, "scripted_chunks", tok, sizeof(tok), challenge);
	{
		char path[512], js[4096];
		FILE *fp;
		size_t n;
		char *at, want[129], *nowhex;
		uint8_t now[64];

		/* replace the current REM 3 by the INIT-time one in the JSON */
		snprintf(path, sizeof(path), "%s/scripted_chunks.json", RMM_ATTEST_OUT);
		fp = fopen(path, "r+");
		assert_non_null(fp);
		n = fread(js, 1, sizeof(js) - 1, fp);
		js[n] = 0;
		assert_int_equal(rmm_realm_measurement(f->rmm, w.r.rd, 3, now), RMM_OK);
		nowhex = want;
		for (int i = 0; i < 64; i++)
			sprintf(nowhex + 2 * i, "%02x", now[i]);
		at = strstr(js, want);
		assert_non_null(at);
		for (int i = 0; i < 64; i++)
			sprintf(want + 2 * i, "%02x", rem3[i]);
		memcpy(at, want, 128);
		rewind(fp);
		assert_int_equal(fwrite(js, 1, n, fp), n);
		fclose(fp);
	}
	fx_run_world_free(f, &w);
}

/* A new INIT restarts: the token copied after it is whole and carries the
 * new challenge; attestation state is per REC. */
static void test_init_restarts(void **state)
{
	static const uint64_t other[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	size_t c0, c1, c2, rb;
	uint8_t tok[TOKEN_SHA256];

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	add_init(&p, other);
	c0 = add_cont(&p, BUF, 0, 1500);
	add_init(&p, challenge);
	c1 = add_cont(&p, BUF, 0, 4096);
	c2 = add_cont(&p, BUF, 0, 4096);
	rb = add_readback(&p, sizeof(tok));
	attach(&w, &p);
	run_until(f, &w, &p, p.n - 2);
	assert_int_equal(p.res[c0].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c0].x[1], 1500);
	assert_int_equal(p.res[c1].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c1].x[1], TOKEN_SHA256);
	assert_int_equal(p.res[c2].x[0], RSI_ERROR_STATE);
	readback(&p, rb, tok, sizeof(tok));
	assert_non_null(memmem(tok, sizeof(tok), challenge, 64));
	assert_null(memmem(tok, sizeof(tok), other, 64));
	write_token(f, w.r.rd, "scripted_restart", tok, sizeof(tok), challenge);
	fx_run_world_free(f, &w);
}

/*
 * A host interrupt pending during CONTINUE: the REC exits with IRQ before
 * signing, the realm sees RSI_INCOMPLETE with nothing written, and its next
 * CONTINUE (after the next REC_ENTER) gets the same token. The exit
 * delivered the interrupt: the following entries run on.
 */
static void test_interrupted_token(void **state)
{
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	struct rmi_rec_run *run;
	size_t init, c0, c1, c2, rb;
	uint8_t tok[TOKEN_SHA256];

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	init = add_init(&p, challenge);
	c0 = add_cont(&p, BUF, 0, 4096);
	c1 = add_cont(&p, BUF, 0, 100);
	c2 = add_cont(&p, BUF, 100, 3996);
	rb = add_readback(&p, sizeof(tok));
	attach(&w, &p);
	run = fx_run(f, &w.rec[0]);

	rmm_host_irq(f->rmm, 1);  /* another CPU's interrupt: not this REC's */
	rmm_host_irq(f->rmm, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_IRQ);
	assert_false(p.res[c1].done);  /* (a step's result is recorded on the next run) */
	run_until(f, &w, &p, p.n - 2);
	assert_int_equal(p.res[init].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c0].x[0], RSI_INCOMPLETE);  /* interrupted: nothing written */
	assert_int_equal(p.res[c0].x[1], 0);
	assert_int_equal(p.res[c1].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c1].x[1], 100);
	assert_int_equal(p.res[c2].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c2].x[1], TOKEN_SHA256 - 100);
	readback(&p, rb, tok, sizeof(tok));
	write_token(f, w.r.rd, "scripted_irq", tok, sizeof(tok), challenge);
	fx_run_world_free(f, &w);
}

/*
 * Only the signing step polls for interrupts: with no token in progress a
 * pending interrupt changes nothing (ERROR_STATE), and once the token is
 * signed it is copied out with the interrupt still pending; the next
 * signing step takes it.
 */
static void test_irq_only_stops_signing(void **state)
{
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	struct rmi_rec_run *run;
	size_t s0, c0, c1, c2, c3;

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	s0 = add_cont(&p, BUF, 0, 64);
	add_init(&p, challenge);
	c0 = add_cont(&p, BUF, 0, 64);
	c1 = add_cont(&p, BUF, 0, 64);
	add(&p, (struct rmm_script_step)S_WFI);  /* back to the host */
	c2 = add_cont(&p, BUF, 64, 4032);
	add_init(&p, challenge);
	c3 = add_cont(&p, BUF, 0, 4096);
	attach(&w, &p);
	run = fx_run(f, &w.rec[0]);

	rmm_host_irq(f->rmm, 0);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_IRQ);
	assert_false(p.res[c1].done);
	/* no interrupt: signed, 64 bytes, then the WFI exit */
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(p.res[s0].x[0], RSI_ERROR_STATE);
	assert_int_equal(p.res[c0].x[0], RSI_INCOMPLETE);  /* interrupted before signing */
	assert_int_equal(p.res[c0].x[1], 0);
	assert_int_equal(p.res[c1].x[0], RSI_INCOMPLETE);
	assert_int_equal(p.res[c1].x[1], 64);
	assert_false(p.res[c2].done);
	rmm_host_irq(f->rmm, 0);
	run_until(f, &w, &p, c3);
	assert_int_equal(p.res[c2].x[0], RSI_SUCCESS);      /* copying is not interrupted */
	assert_int_equal(p.res[c2].x[1], TOKEN_SHA256 - 64);
	assert_int_equal(p.res[c3].x[0], RSI_INCOMPLETE);   /* the next signing step is */
	assert_int_equal(p.res[c3].x[1], 0);
	fx_run_world_free(f, &w);
}

/* A token buffer at an unmapped RAM IPA: a data abort exit to the host, and
 * the SMC runs again once the host has mapped the page. */
static void test_unmapped_buffer(void **state)
{
	struct fx *f = *state;
	static struct prog p;
	struct run_world w;
	struct rmi_rec_run *run;
	size_t c0;

	memset(&p, 0, sizeof(p));
	fx_run_world(f, &w);
	add_init(&p, challenge);
	c0 = add_cont(&p, 0x20000, 0, 4096);
	attach(&w, &p);
	run = fx_run(f, &w.rec[0]);
	assert_rmi(fx_enter(f, 0, &w.rec[0], 0), RMI_SUCCESS, 0);
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(run->exit.esr >> 26, 0x24);
	assert_int_equal(run->exit.hpfar, 0x20000 >> 8);
	assert_false(p.res[c0].done);
	assert_rmi(rmm_rmi_data_create_unknown(f->rmm, 0, w.r.rd, fx_delegated(f), 0x20000),
		   RMI_SUCCESS, 0);
	run_until(f, &w, &p, c0);
	assert_int_equal(p.res[c0].x[0], RSI_SUCCESS);
	assert_int_equal(p.res[c0].x[1], TOKEN_SHA256);
	fx_run_world_free(f, &w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_continue_failure_table, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_token_chunks_and_snapshot, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_init_restarts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_token, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_irq_only_stops_signing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_buffer, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
