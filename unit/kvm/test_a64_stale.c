/*
 * Stale RTT contents (issue 13 item 4, docs/field-failures.md section 4):
 * with PAS-tagged data caches modelled (RMM_CFG_DCACHE), the host fills the
 * pages it will give a realm on CPU1 (dirty NS lines in CPU1's cache), CPU0
 * delegates them with its clean and invalidate to PoPA kept local
 * (RMM_FAULT_CMO_LOCAL; GPT invalidations are broadcast), builds the realm
 * (hello.S, MMU off) and the REC is entered on CPU1. CPU1's stage-2 walker
 * reads the level-1 RTT: the read evicts CPU1's dirty NS line of it, whose
 * write-back puts the host's pre-delegation bytes over the RTT entry. What
 * those bytes decode as decides the syndrome.
 */
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

static int setup_dc(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE,
			     RMM_CFG_TLB_CHECK | RMM_CFG_DCACHE | RMM_CFG_TIMELINE);
}

struct sink {
	char *buf;
	size_t len;
};

static int to_buf(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;

	if (s->len + len + 1 > (1u << 20))
		return -1;
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

struct outcome {
	struct rmi_rec_exit ex;
	uint64_t rtt;          /* the level-1 RTT */
	size_t nfind;
	struct rmm_finding fd[4];
	char why[2048];
	uint64_t retired;
};

/* The host's pre-delegation bytes: 'word' in every 8 bytes of 64 pages,
 * written on CPU1; the realm built on CPU0 under 'faults'; entered on
 * 'cpu'. */
static void run(struct fx *f, uint64_t word, unsigned int faults, unsigned int cpu,
		struct outcome *o)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, "hello.bin", img, sizeof(img));
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	uint64_t page[512];
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmi_rec_run *rr;

	for (unsigned int i = 0; i < 512; i++)
		page[i] = word;
	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + 64 * GRAN; pa += GRAN)
		assert_int_equal(rmm_host_write_on(f->rmm, 1, pa, page, sizeof(page)), RMM_OK);
	rmm_set_faults(f->rmm, faults);
	h.cpu = 0;
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, cpu, v.rec, v.run), RMI_SUCCESS);
	rr = rmm_ns_ptr(f->rmm, v.run);
	o->ex = rr->exit;
	o->rtt = r.rtt_base;
	o->retired = rmm_a64_retired(a64);
	rmm_explain_exit(f->rmm, r.rd, &o->ex, o->why, sizeof(o->why));
	o->nfind = rmm_findings(f->rmm, o->fd, 4);
	{
		/* the timeline carries the maintenance and how far it reached */
		static char json[1 << 20];
		struct sink sk = { json, 0 };

		assert_int_equal(rmm_timeline_save(f->rmm, to_buf, &sk), 0);
		assert_non_null(strstr(json, "\"name\":\"DC CIPAPA\""));
		assert_non_null(strstr(json, faults ? "local to the issuing CPU" : "broadcast"));
	}
	print_message("bytes 0x%llx: exit %u ESR 0x%llx HPFAR 0x%llx\n  %s\n",
		      (unsigned long long)word, (unsigned int)o->ex.exit_reason,
		      (unsigned long long)o->ex.esr, (unsigned long long)o->ex.hpfar, o->why);
	for (size_t i = 0; i < o->nfind && i < 4; i++)
		print_message("  finding: %s\n", o->fd[i].text);
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
}

/* The finding names the level-1 RTT granule, the delegate on cpu0 and cpu1. */
static void check_finding(const struct outcome *o)
{
	char want[96];

	assert_true(o->nfind >= 1);
	assert_int_equal(o->fd[0].kind, RMM_FINDING_CACHE);
	assert_int_equal(o->fd[0].cpu, 1);
	assert_int_equal(o->fd[0].pa, o->rtt);
	snprintf(want, sizeof(want), "cpu1's stage-2 walker read stale bytes of granule 0x%llx "
		 "(level 1 RTT", (unsigned long long)o->rtt);
	assert_non_null(strstr(o->fd[0].text, want));
	assert_non_null(strstr(o->fd[0].text, "dirty NS line cpu1 held from before GRANULE_DELEGATE "
					      "on cpu0"));
	assert_non_null(strstr(o->fd[0].text, "did not reach cpu1"));
}

/* Bytes that decode as an invalid descriptor with RIPAS RAM: the walker's
 * stage-2 translation fault at level 1 (ESR_EL2 0x82000005) goes to the
 * host, which the RMM's own walk (same bytes) says must map the IPA. The
 * spec's mask drops IL: the host's exit.esr is 0x80000005. */
static void test_stale_translation_l1(void **state)
{
	struct outcome o;

	run(*state, (uint64_t)RMI_RAM << 5, RMM_FAULT_CMO_LOCAL, 1, &o);
	assert_int_equal(o.ex.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(o.ex.esr, 0x80000005);
	assert_int_equal(o.ex.hpfar, 0);
	assert_non_null(strstr(o.why, "translation fault at level 1, IPA 0x0"));
	assert_non_null(strstr(o.why, "level 1, entry UNASSIGNED, RIPAS RAM"));
	check_finding(&o);
	assert_int_equal(o.retired, 0);
}

/* All-zero bytes (a zeroed host page): UNASSIGNED with RIPAS EMPTY. The
 * RMM injects an SEA; the realm's vector (VBAR_EL1 0: IPA 0x200) is behind
 * the same level-1 entry: the SEA loop, bounded and reported. */
static void test_stale_zero_sea_loop(void **state)
{
	struct outcome o;

	run(*state, 0, RMM_FAULT_CMO_LOCAL, 1, &o);
	assert_int_equal(o.ex.exit_reason, RMI_EXIT_IRQ);
	assert_non_null(strstr(o.why, "SEA loop"));
	assert_non_null(strstr(o.why, "IPA 0x200 (RIPAS EMPTY)"));
	check_finding(&o);
}

/* A valid level-1 block descriptor with AF clear: ESR 0x82000009. */
static void test_stale_access_flag_l1(void **state)
{
	struct outcome o;

	run(*state, 0x80000001ull, RMM_FAULT_CMO_LOCAL, 1, &o);
	assert_int_equal(o.ex.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(o.ex.esr, 0x82000009);
	assert_int_equal(o.ex.hpfar, 0);
	assert_non_null(strstr(o.why, "(ESR 0x82000009): access flag fault at level 1, IPA 0x0"));
	check_finding(&o);
}

/* A table descriptor at level 1 whose next-level address is beyond the
 * 40-bit output size: ESR 0x82000001. */
static void test_stale_address_size_l1(void **state)
{
	struct outcome o;

	run(*state, 0x0000100000000003ull, RMM_FAULT_CMO_LOCAL, 1, &o);
	assert_int_equal(o.ex.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(o.ex.esr, 0x82000001);
	assert_non_null(strstr(o.why, "(ESR 0x82000001): address size fault at level 1, IPA 0x0"));
	check_finding(&o);
}

/* Controls: the maintenance broadcast, or the REC on the delegating CPU:
 * the guest runs to its first UART write, no finding. */
static void test_stale_controls(void **state)
{
	struct fx *f = *state;
	struct outcome o;

	run(f, 0x80000001ull, 0, 1, &o);
	assert_int_equal(o.ex.exit_reason, RMI_EXIT_SYNC);
	assert_true(o.ex.esr & (1u << 24));   /* the emulatable UART store */
	assert_int_equal(o.nfind, 0);
}

static void test_stale_control_one_cpu(void **state)
{
	struct outcome o;

	run(*state, 0x80000001ull, RMM_FAULT_CMO_LOCAL, 0, &o);
	assert_true(o.ex.esr & (1u << 24));
	assert_int_equal(o.nfind, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stale_translation_l1, setup_dc, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_zero_sea_loop, setup_dc, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_access_flag_l1, setup_dc, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_address_size_l1, setup_dc, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_controls, setup_dc, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_control_one_cpu, setup_dc, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
