/* RMI_GRANULE_DELEGATE / UNDELEGATE: every failure condition, wiping, GPFs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rmm/sys/hal.h>
#include "../helpers/fixture.h"

/* Granules in every state, from one realm with one DATA page. */
struct states {
	uint64_t undelegated, delegated, rd, rtt, data;
	struct fx_realm realm;
};

static void make_states(struct fx *f, struct states *s)
{
	uint64_t src = fx_ns_page(f);

	fx_realm_create(f, &s->realm, 40, 1);
	fx_rtt_create_to(f, &s->realm, 0x10000, 3);
	s->data = fx_delegated(f);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, s->realm.rd, s->data, 0x10000, src, 0),
		   RMI_SUCCESS, 0);
	s->rd = s->realm.rd;
	s->rtt = s->realm.rtt_base;
	s->delegated = fx_delegated(f);
	s->undelegated = fx_page(f);
}

struct row {
	const char *name;
	uint64_t addr;
	const char *cond;  /* expected failure condition in the reason */
};

static void run_rows(struct fx *f, const struct row *rows, unsigned n, bool delegate)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t ret = delegate ? rmm_rmi_granule_delegate(f->rmm, 1, rows[i].addr)
					: rmm_rmi_granule_undelegate(f->rmm, 1, rows[i].addr);

		if (ret != RMI_RETURN(RMI_ERROR_INPUT, 0) ||
		    !strstr(rmm_last_reason(f->rmm, 1), rows[i].cond))
			print_error("row %s: 0x%llx, reason '%s'\n", rows[i].name,
				    (unsigned long long)ret, rmm_last_reason(f->rmm, 1));
		assert_int_equal(ret, RMI_RETURN(RMI_ERROR_INPUT, 0));
		assert_non_null(strstr(rmm_last_reason(f->rmm, 1), rows[i].cond));
	}
}

static void test_delegate_failures(void **state)
{
	struct fx *f = *state;
	struct states s;

	make_states(f, &s);
	const struct row rows[] = {
		{ "unaligned", FX_DRAM_BASE + 0x800, "gran_align" },
		{ "unaligned by 1", FX_DRAM_BASE + 1, "gran_align" },
		{ "secure region", 0x06000000, "gran_bound" },
		{ "MMIO region", 0x1c001000, "gran_bound" },
		{ "below DRAM", 0x0, "gran_bound" },
		{ "just past DRAM", FX_DRAM_BASE + FX_DRAM_SIZE, "gran_bound" },
		{ "far beyond", 1ull << 52, "gran_bound" },
		{ "DELEGATED", s.delegated, "gran_state" },
		{ "RD", s.rd, "gran_state" },
		{ "RTT", s.rtt, "gran_state" },
		{ "DATA", s.data, "gran_state" },
	};
	run_rows(f, rows, sizeof(rows) / sizeof(rows[0]), true);
	/* the reason names the state it found */
	rmm_rmi_granule_delegate(f->rmm, 1, s.data);
	assert_non_null(strstr(rmm_last_reason(f->rmm, 1), "GRANULE_DELEGATE: gran_state"));
	assert_non_null(strstr(rmm_last_reason(f->rmm, 1), "is DATA"));
	/* a failure changes nothing */
	assert_int_equal(rmm_granule_state(f->rmm, s.data), RMM_GRANULE_DATA);
	fx_invariants(f);
	/* success clears the reason */
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 1, s.undelegated), RMI_SUCCESS, 0);
	assert_string_equal(rmm_last_reason(f->rmm, 1), "");
}

static void test_undelegate_failures(void **state)
{
	struct fx *f = *state;
	struct states s;

	make_states(f, &s);
	const struct row rows[] = {
		{ "unaligned", FX_DRAM_BASE + 8, "gran_align" },
		{ "secure region", 0x06001000, "gran_bound" },
		{ "MMIO region", 0x1c000000, "gran_bound" },
		{ "just past DRAM", FX_DRAM_BASE + FX_DRAM_SIZE, "gran_bound" },
		{ "UNDELEGATED", s.undelegated, "gran_state" },
		{ "RD", s.rd, "gran_state" },
		{ "RTT", s.rtt, "gran_state" },
		{ "DATA", s.data, "gran_state" },
	};
	run_rows(f, rows, sizeof(rows) / sizeof(rows[0]), false);
	fx_invariants(f);
}

static void test_delegate_transitions(void **state)
{
	struct fx *f = *state;
	uint64_t pa = fx_page(f);
	struct rmm_stats st;

	assert_int_equal(rmm_granule_state(f->rmm, pa), RMM_GRANULE_UNDELEGATED);
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, pa), RMM_GRANULE_DELEGATED);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 1);
	assert_int_equal(st.gpt_enforced, 1);
	fx_invariants(f);
	assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 1, pa), RMI_SUCCESS, 0);
	assert_int_equal(rmm_granule_state(f->rmm, pa), RMM_GRANULE_UNDELEGATED);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	assert_int_equal(st.gpt_enforced, 0);
	fx_invariants(f);
	/* history: newest first, with command and CPU */
	{
		struct rmm_granule_event ev[4];
		size_t n = rmm_granule_history(f->rmm, pa, ev, 4);

		assert_int_equal(n, 2);
		assert_int_equal(ev[0].to, RMM_GRANULE_UNDELEGATED);
		assert_int_equal(ev[0].cpu, 1);
		assert_int_equal(ev[0].fid_num, RMI_GRANULE_UNDELEGATE & 0xffff);
		assert_int_equal(ev[1].to, RMM_GRANULE_DELEGATED);
		assert_true(ev[0].seq > ev[1].seq);
	}
}

static void test_contents_wiped(void **state)
{
	struct fx *f = *state;
	uint64_t pa = fx_page(f), src = fx_ns_page(f), data, top;
	uint8_t buf[GRAN], zero[GRAN] = { 0 };
	struct fx_realm r;

	/* host data does not survive delegation */
	memset(rmm_ns_ptr(f->rmm, pa), 0xa5, GRAN);
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_int_equal(rmm_host_read(f->rmm, pa, buf, GRAN), RMM_OK);
	assert_memory_equal(buf, zero, GRAN);

	/* realm data does not leak back to the host */
	fx_realm_create(f, &r, 40, 7);
	fx_rtt_create_to(f, &r, 0, 3);
	memset(rmm_ns_ptr(f->rmm, src), 0x3c, GRAN);
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, r.rd, pa, 0, src, 1), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_destroy(f->rmm, 0, r.rd, 0, &data, &top), RMI_SUCCESS, 0);
	assert_int_equal(data, pa);
	assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	memset(buf, 0xff, GRAN);
	assert_int_equal(rmm_host_read(f->rmm, pa, buf, GRAN), RMM_OK);
	assert_memory_equal(buf, zero, GRAN);
	fx_invariants(f);
}

static void test_host_access_faults(void **state)
{
	struct fx *f = *state;
	uint64_t pa = (fx_page(f), fx_page(f));
	uint32_t v = 0x12345678, out = 0;

	assert_int_equal(rmm_host_write(f->rmm, pa, &v, sizeof(v)), RMM_OK);
	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_int_equal(rmm_host_write(f->rmm, pa + 100, &v, sizeof(v)), RMM_EGPF);
	assert_int_equal(rmm_host_read(f->rmm, pa + 4092, &out, sizeof(out)), RMM_EGPF);
	/* a range that starts in NS memory and runs into Realm memory */
	assert_int_equal(rmm_host_read(f->rmm, pa - 2, &out, sizeof(out)), RMM_EGPF);
	assert_int_equal(rmm_host_read(f->rmm, 0x1000, &out, 4), RMM_ERANGE);
	assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	assert_int_equal(rmm_host_write(f->rmm, pa + 100, &v, sizeof(v)), RMM_OK);
	assert_int_equal(rmm_host_read(f->rmm, pa + 100, &out, sizeof(out)), RMM_OK);
	assert_int_equal(out, v);
	/* a plain pointer works again too */
	assert_int_equal(*(volatile uint32_t *)((uint8_t *)rmm_ns_ptr(f->rmm, pa) + 100), v);
}

/* An unguarded host store to Realm memory kills the process with a report
 * that names the PA, the state and the command that delegated it. */
static void test_raw_access_reports_gpf(void **state)
{
	struct fx *f = *state;
	uint64_t pa = fx_page(f);
	int pipefd[2], status;
	char out[4096] = "";
	ssize_t n, got = 0;
	pid_t pid;

	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 1, pa), RMI_SUCCESS, 0);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		uint8_t b;

		dup2(pipefd[1], 2);
		/* no test harness handler in the child: default action after the
		 * report (any guarded access re-asserts the library's handler) */
		signal(SIGSEGV, SIG_DFL);
		rmm_host_read(f->rmm, pa + GRAN, &b, 1);
		*(volatile uint8_t *)rmm_ns_ptr(f->rmm, pa + 8) = 1;
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_non_null(strstr(out, "Granule Protection Fault"));
	assert_non_null(strstr(out, "is DELEGATED"));
	assert_non_null(strstr(out, "GRANULE_DELEGATE on cpu1"));
}

/* A HAL that forwards to the Linux one but refuses one GPT transition. */
static const struct rmm_hal_ops *host;
static uint64_t refuse_pa;
static int refusing_gpt_set(void *h, unsigned cpu, uint64_t pa, enum rmm_pas pas)
{
	if (pa == refuse_pa && pas == RMM_PAS_REALM)
		return -1;
	return host->gpt_set(h, cpu, pa, pas);
}

static void test_gpt_refusal(void **state)
{
	struct rmm_hal_ops ops;
	struct rmm_config cfg;
	struct rmm *r;

	host = rmm_hal_host_ops();
	ops = *host;
	ops.gpt_set = refusing_gpt_set;
	rmm_config_init(&cfg);
	cfg.dram_size = 1 << 20;
	cfg.hal = &ops;
	refuse_pa = cfg.dram_base + 0x3000;
	assert_int_equal(rmm_create(&cfg, &r), RMM_OK);
	assert_int_equal(rmm_rmi_granule_delegate(r, 0, refuse_pa), RMI_RETURN(RMI_ERROR_INPUT, 0));
	assert_non_null(strstr(rmm_last_reason(r, 0), "gran_gpt"));
	assert_int_equal(rmm_granule_state(r, refuse_pa), RMM_GRANULE_UNDELEGATED);
	assert_int_equal(rmm_rmi_granule_delegate(r, 0, refuse_pa + GRAN), RMI_SUCCESS);
	assert_int_equal(rmm_check_invariants(r, NULL, 0), RMM_OK);
	rmm_destroy(r);

	cfg.hal = NULL;
	{
		struct rmm_hal_ops bad = *rmm_hal_host_ops();

		bad.version = 99;
		cfg.hal = &bad;
		assert_int_equal(rmm_create(&cfg, &r), RMM_EVERSION);
	}
}

/* The RMM's own NS read of a granule another CPU delegates concurrently
 * returns ERROR_INPUT (params_pas), never crashes. */
struct race {
	struct fx *f;
	uint64_t params;
	struct rmi_realm_params good;
	atomic_int stop;
};

/* The host's other CPU: delegates the params page, undelegates it, and
 * writes the parameters again (delegation wiped them). */
static void *delegator(void *arg)
{
	struct race *ra = arg;

	while (!ra->stop) {
		if (rmm_rmi_granule_delegate(ra->f->rmm, 1, ra->params) == RMI_SUCCESS)
			rmm_rmi_granule_undelegate(ra->f->rmm, 1, ra->params);
		rmm_host_write(ra->f->rmm, ra->params, &ra->good, sizeof(ra->good));
	}
	return NULL;
}

static void test_concurrent_delegate_of_params(void **state)
{
	struct fx *f = *state;
	struct race ra = { .f = f };
	struct fx_realm r;
	pthread_t t;
	unsigned ok = 0, refused = 0, other = 0;

	fx_realm_create(f, &r, 40, 3); /* just to get an RD and roots to reuse */
	assert_rmi(rmm_rmi_realm_destroy(f->rmm, 0, r.rd), RMI_SUCCESS, 0);
	ra.params = fx_params(f, 40, RMI_HASH_SHA_256, 3);
	((struct rmi_realm_params *)rmm_ns_ptr(f->rmm, ra.params))->rtt_base = r.rtt_base;
	memcpy(&ra.good, rmm_ns_ptr(f->rmm, ra.params), sizeof(ra.good));
	pthread_create(&t, NULL, delegator, &ra);
	for (int i = 0; i < 3000; i++) {
		uint64_t ret = rmm_rmi_realm_create(f->rmm, 0, r.rd, ra.params);

		if (ret == RMI_SUCCESS) {
			ok++;
			if (rmm_rmi_realm_destroy(f->rmm, 0, r.rd) != RMI_SUCCESS)
				break;
		} else if (ret == RMI_RETURN(RMI_ERROR_INPUT, 0)) {
			/* delegated (params_pas) or caught mid-rewrite by the host */
			refused += strstr(rmm_last_reason(f->rmm, 0), "params_pas") != NULL;
		} else {
			other++;
		}
	}
	ra.stop = 1;
	pthread_join(t, NULL);
	print_message("realm create: %u succeeded, %u refused as params_pas\n", ok, refused);
	assert_int_equal(other, 0);
	fx_invariants(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delegate_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undelegate_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_delegate_transitions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_contents_wiped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_host_access_faults, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_raw_access_reports_gpf, fx_setup, fx_teardown),
		cmocka_unit_test(test_gpt_refusal),
		cmocka_unit_test_setup_teardown(test_concurrent_delegate_of_params, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
