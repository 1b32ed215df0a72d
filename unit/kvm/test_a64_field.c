/*
 * The field failure of issue 13, the parts that need neither live migration
 * nor a Linux kernel (docs/field-failures.md):
 *  - the MMU-on variant: ESR 0x820000a5, a GPF on the stage-2 walk of the
 *    realm's own stage-1 table read, on a two-CPU host whose GPT
 *    invalidation stays local; clean with one CPU or a broadcast;
 *  - the prototype's destination: a realm rebuilt with INIT_RIPAS,
 *    DATA_CREATE of every page and REC_CREATE with only the PC, entered at
 *    the kernel's virtual PC with its MMU off, followed architecturally;
 *  - the SEA loop when the vectors are RIPAS EMPTY: detected, reported with
 *    the IPA and RIPAS, and bounded.
 */
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

#define KVA 0xffffff8000000000ull

static int setup_check(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TLB_CHECK | RMM_CFG_TIMELINE);
}

static int write_file(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Write the instance's timeline to RMM_TIMELINE_DIR/name. */
static void save_timeline(struct rmm *rmm, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", RMM_TIMELINE_DIR, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(rmm_timeline_save(rmm, write_file, f), 0);
	assert_int_equal(fclose(f), 0);
	print_message("timeline: %s\n", path);
}

/*
 * hello.S turns its MMU on before its first UART write. The host touched
 * the realm's future pages on CPU1 and built the realm on CPU0 with
 * 'faults'; the REC runs on CPU0 to its first MMIO exit (MMU on by then) and
 * is next entered on 'cpu2'. Returns the second entry's exit.
 */
static void mmu_on_then_move(struct fx *f, unsigned int faults, unsigned int cpu2,
			     struct rmi_rec_exit *out, struct kvm_realm *r, struct rmm_a64_ctx **a64)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, "hello.bin", img, sizeof(img));
	uint8_t zero[4096] = { 0 };
	struct kvm_host h;
	struct kvm_vcpu v;
	struct rmi_rec_run *run;

	*a64 = rmm_a64_ctx_new(0);
	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + 64 * GRAN; pa += GRAN)
		assert_int_equal(rmm_host_write_on(f->rmm, 1, pa, zero, sizeof(zero)), RMM_OK);
	rmm_set_faults(f->rmm, faults);
	h.cpu = 0;
	assert_int_equal(kh_realm_create(&h, r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), *a64);
	run = rmm_ns_ptr(f->rmm, v.run);
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 0, v.rec, v.run), RMI_SUCCESS);
	/* the first UART store: an emulatable data abort, MMU on */
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(run->exit.esr >> 26, 0x24);
	assert_true(run->exit.esr & (1u << 24));
	assert_int_equal(run->exit.gprs[0], 'h');
	run->enter.flags = RMI_ENTER_EMUL_MMIO;
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, cpu2, v.rec, v.run), RMI_SUCCESS);
	*out = run->exit;
	/* the rest of the run, on cpu2, as KVM would drive it */
	h.cpu = cpu2;
	if (!(out->exit_reason == RMI_EXIT_SYNC && (out->esr & 0x3f) >= 0x23 &&
	      (out->esr & 0x3f) <= 0x28)) {
		struct kvm_mmio dev = { .ipa = (1ull << 39) + 0x100000 };
		struct kvm_run_stats st = { 0 };

		run->enter.flags = 0;
		assert_int_equal(kh_vcpu_run(&h, r, &v, 1, 0, &dev, &st, 200), KH_RUN_SYSTEM_OFF);
		assert_string_equal(dev.tx, "ello\n");
	}
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	kh_fini(&h);
}

static void test_s1ptw_gpf_two_cpus(void **state)
{
	struct fx *f = *state;
	struct rmm_a64_ctx *a64;
	struct rmi_rec_exit ex;
	struct rmm_finding fd[4];
	struct kvm_realm r;
	char why[2048], want[160];
	size_t n;

	mmu_on_then_move(f, RMM_FAULT_GPTI_LOCAL, 1, &ex, &r, &a64);
	rmm_explain_exit(f->rmm, r.rd, &ex, why, sizeof(why));
	print_message("exit: ESR 0x%llx HPFAR 0x%llx FAR 0x%llx\nexplained: %s\n",
		      (unsigned long long)ex.esr, (unsigned long long)ex.hpfar,
		      (unsigned long long)ex.far, why);
	assert_int_equal(ex.exit_reason, RMI_EXIT_SYNC);
	/* EC 0x20 (IABT, lower EL), IL, S1PTW, IFSC 0x25 (GPF on the level-1 walk) */
	assert_int_equal(ex.esr, 0x820000a5);
	/* the IPA of the stage-1 table the walk read: TTBR0_EL1 = 0x4000 */
	assert_int_equal(ex.hpfar, 0x4000 >> 8);
	assert_non_null(strstr(why, "Instruction abort from the realm (ESR 0x820000a5): Granule "
				    "Protection Fault on the stage-2 table walk at level 1 during the "
				    "stage-1 table walk, IPA 0x4000."));
	snprintf(want, sizeof(want), "granule 0x%llx is RTT", (unsigned long long)r.rtt_base);
	assert_non_null(strstr(why, want));
	assert_non_null(strstr(why, "GRANULE_DELEGATE on cpu0"));
	assert_non_null(strstr(why, "S1PTW: the IPA is that of the realm's stage-1 table"));
	n = rmm_findings(f->rmm, fd, 4);
	assert_true(n >= 1);
	print_message("finding: %s\n", fd[0].text);
	assert_int_equal(fd[0].kind, RMM_FINDING_GPT);
	assert_int_equal(fd[0].cpu, 1);
	assert_int_equal(fd[0].pa, r.rtt_base);
	assert_int_equal(fd[0].ipa, 0x4000);
	assert_non_null(strstr(fd[0].text, "GRANULE_DELEGATE on cpu0"));
	assert_non_null(strstr(fd[0].text, "that GPT invalidation did not reach cpu1"));
	save_timeline(f->rmm, "timeline_s1ptw_gpf.json");
	rmm_a64_ctx_free(a64);
}

static void test_s1ptw_one_cpu(void **state)
{
	struct fx *f = *state;
	struct rmm_a64_ctx *a64;
	struct rmi_rec_exit ex;
	struct rmm_finding fd[1];
	struct kvm_realm r;

	mmu_on_then_move(f, RMM_FAULT_GPTI_LOCAL, 0, &ex, &r, &a64);
	assert_int_not_equal(ex.esr, 0x820000a5);
	assert_int_equal(rmm_findings(f->rmm, fd, 1), 0);
	rmm_a64_ctx_free(a64);
}

static void test_s1ptw_broadcast(void **state)
{
	struct fx *f = *state;
	struct rmm_a64_ctx *a64;
	struct rmi_rec_exit ex;
	struct rmm_finding fd[1];
	struct kvm_realm r;

	mmu_on_then_move(f, 0, 1, &ex, &r, &a64);
	assert_int_not_equal(ex.esr, 0x820000a5);
	assert_int_equal(rmm_findings(f->rmm, fd, 1), 0);
	rmm_a64_ctx_free(a64);
}

/* The source: kernel.S built the KVM way and run to its first host call at
 * its virtual PC. */
struct source {
	uint64_t pc, cntv_ctl, cntv_cval;
	uint8_t rim[64];
};

static void run_source(struct fx *f, const uint8_t *img, size_t n, struct source *s)
{
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmi_rec_run *run;

	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_init_ripas(&h, &r, 0, 256 << 10), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	assert_int_equal(rmm_realm_measurement(f->rmm, r.rd, 0, s->rim), RMM_OK);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 0, v.rec, v.run), RMI_SUCCESS);
	run = rmm_ns_ptr(f->rmm, v.run);
	print_message("source exit %u imm 0x%x gprs 0x%llx 0x%llx 0x%llx, %llu instructions\n",
		      (unsigned int)run->exit.exit_reason, run->exit.imm,
		      (unsigned long long)run->exit.gprs[0], (unsigned long long)run->exit.gprs[1],
		      (unsigned long long)run->exit.gprs[2], (unsigned long long)rmm_a64_retired(a64));
	assert_int_equal(run->exit.exit_reason, RMI_EXIT_HOST_CALL);
	assert_int_equal(run->exit.imm, 1);
	s->pc = run->exit.gprs[0];
	assert_true(s->pc >= KVA && s->pc < KVA + n);  /* running at its virtual address */
	s->cntv_ctl = run->exit.cntv_ctl;
	s->cntv_cval = run->exit.cntv_cval;
	assert_int_equal(s->cntv_ctl & 3, 3);  /* the timer is armed (ENABLE, IMASK) */
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
}

/* The destination, rebuilt the prototype's way in another instance: pages
 * [first, 64) of 256 KiB are INIT_RIPAS'd and DATA_CREATE'd (every page, the
 * image and zeros), the REC created with only the source's PC. Entered once
 * on CPU1. */
static void run_destination(const uint8_t *img, size_t n, unsigned int first, uint64_t pc,
			    unsigned int faults, struct rmi_rec_exit *ex, uint8_t rim[64],
			    struct rmm **out)
{
	uint8_t zero[4096] = { 0 };
	static uint8_t ram[256 << 10];
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmm *dst;

	memset(ram, 0, sizeof(ram));
	memcpy(ram, img, n);
	rmm_config_init(&cfg);
	cfg.dram_size = FX_DRAM_SIZE;
	cfg.flags = RMM_CFG_TLB_CHECK;
	assert_int_equal(rmm_create(&cfg, &dst), RMM_OK);
	kh_init(&h, dst, FX_DRAM_BASE, FX_DRAM_SIZE);
	h.quiet = 1;
	if (faults) {
		/* the host had these pages on CPU1; its GPT invalidations stay local */
		for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + 128 * GRAN; pa += GRAN)
			assert_int_equal(rmm_host_write_on(dst, 1, pa, zero, sizeof(zero)), RMM_OK);
		rmm_set_faults(dst, faults);
	}
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_init_ripas(&h, &r, first * GRAN, (64 - first) * GRAN), 0);
	assert_int_equal(kh_populate(&h, &r, first * GRAN, ram + first * GRAN,
				     (64 - first) * GRAN, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, pc), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	assert_int_equal(rmm_realm_measurement(dst, r.rd, 0, rim), RMM_OK);
	rmm_set_vcpu_backend(dst, rmm_vcpu_a64_ops(), a64);
	h.cpu = 1;
	assert_int_equal(rmm_rmi_rec_enter(dst, 1, v.rec, v.run), RMI_SUCCESS);
	*ex = ((struct rmi_rec_run *)rmm_ns_ptr(dst, v.run))->exit;
	if (ex->exit_reason == RMI_EXIT_IRQ) {
		char why[2048];

		rmm_explain_exit(dst, r.rd, ex, why, sizeof(why));
		print_message("destination exit: %s\n", why);
		assert_non_null(strstr(why, "This exit ended an SEA loop: REC 0 took 64 SEAs in a "
					    "row for IPA 0x200 (RIPAS EMPTY), each delivered to its "
					    "vector at 0x200 (VBAR_EL1 0x0: unset"));
		{
			struct rmm_sea_loop l;

			assert_int_equal(rmm_realm_sea_loop(dst, r.rd, &l), 1);
			assert_int_equal(l.ipa, 0x200);
			assert_int_equal(l.ripas, RMI_EMPTY);
			assert_int_equal(l.vbar, 0);
			assert_int_equal(l.count, RMM_SEA_LOOP);
			/* bounded every time: entering again ends the same way */
			assert_int_equal(rmm_rmi_rec_enter(dst, 1, v.rec, v.run), RMI_SUCCESS);
			assert_int_equal(((struct rmi_rec_run *)rmm_ns_ptr(dst, v.run))->exit.exit_reason,
					 RMI_EXIT_IRQ);
			assert_int_equal(rmm_realm_sea_loop(dst, r.rd, &l), 1);
		}
	}
	rmm_set_vcpu_backend(dst, NULL, NULL);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	*out = dst;
}

static void test_prototype_destination(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "kernel.bin", img, sizeof(img));
	struct rmi_rec_exit ex;
	struct source src;
	uint8_t rim[64];
	struct rmm *dst;
	char why[2048];

	run_source(f, img, n, &src);
	run_destination(img, n, 0, src.pc, 0, &ex, rim, &dst);
	rmm_explain_exit(dst, 0, &ex, why, sizeof(why));
	print_message("source PC 0x%llx; destination exit: %s\n", (unsigned long long)src.pc, why);
	print_message("RIM source %02x%02x%02x%02x..., destination %02x%02x%02x%02x...\n",
		      src.rim[0], src.rim[1], src.rim[2], src.rim[3], rim[0], rim[1], rim[2], rim[3]);
	/* The fetch at the virtual PC with the MMU off: a stage-1 address size
	 * fault at level 0 (VA bits [63:48] not zero), taken to EL1 (the realm)
	 * at VBAR_EL1 (0) + 0x200, where the probe reports what EL1 saw. */
	assert_int_equal(ex.exit_reason, RMI_EXIT_HOST_CALL);
	assert_int_equal(ex.imm, 0x200);
	assert_int_equal(ex.gprs[0], 0x86000000);      /* ESR_EL1: IABT current EL, IL, IFSC 0 */
	assert_int_equal(ex.gprs[1], src.pc);          /* ELR_EL1 */
	assert_int_equal(ex.gprs[2], src.pc);          /* FAR_EL1 */
	assert_int_equal(ex.gprs[3] & 1, 0);           /* SCTLR_EL1.M clear */
	assert_int_equal(ex.gprs[4], 0);               /* VBAR_EL1 unset */
	assert_int_equal(ex.gprs[5], 0);               /* CNTV_CTL_EL0: the timer is gone */
	assert_int_equal(ex.cntv_ctl, 0);
	assert_int_not_equal(src.cntv_ctl, 0);
	rmm_explain_esr(ex.gprs[0], 0, ex.gprs[2], RMM_ESR_HAVE_FAR, why, sizeof(why));
	print_message("ESR_EL1 0x%llx explained: %s\n", (unsigned long long)ex.gprs[0], why);
	assert_non_null(strstr(why, "Instruction abort from the realm (ESR 0x86000000): address "
				    "size fault at stage 1 at level 0."));
	assert_non_null(strstr(why, "VBAR_EL1 + 0x200 (0x200 if VBAR_EL1 was never set)"));
	/* the RIM of the rebuilt realm is not the source's */
	assert_memory_not_equal(rim, src.rim, 32);
	rmm_destroy(dst);
}

/*
 * The same destination on a two-CPU host whose GPT invalidations stay local,
 * the REC entered on the CPU where the host had the pages: the stage-1 fault
 * at the virtual PC is taken inside the realm, and the first stage-2 access
 * is the vector fetch at IPA 0x200, which takes the GPF: ESR 0x82000025 with
 * HPFAR naming page 0, exactly what a `b .` guest at IPA 0 gives.
 */
static void test_prototype_destination_two_cpus(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "kernel.bin", img, sizeof(img));
	struct rmi_rec_exit ex;
	struct rmm_finding fd[2];
	struct source src;
	uint8_t rim[64];
	struct rmm *dst;

	run_source(f, img, n, &src);
	run_destination(img, n, 0, src.pc, RMM_FAULT_GPTI_LOCAL, &ex, rim, &dst);
	print_message("destination exit: ESR 0x%llx HPFAR 0x%llx\n", (unsigned long long)ex.esr,
		      (unsigned long long)ex.hpfar);
	assert_int_equal(ex.exit_reason, RMI_EXIT_SYNC);
	assert_int_equal(ex.esr, 0x82000025);
	assert_int_equal(ex.hpfar, 0);
	assert_true(rmm_findings(dst, fd, 2) >= 1);
	assert_non_null(strstr(fd[0].text, "that GPT invalidation did not reach cpu1"));
	rmm_destroy(dst);
}

static void test_sea_loop_empty_vectors(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "kernel.bin", img, sizeof(img));
	struct rmi_rec_exit ex;
	struct source src;
	uint8_t rim[64];
	struct rmm *dst;

	run_source(f, img, n, &src);
	/* page 0 (the vectors at VBAR 0) never populated: RIPAS EMPTY */
	run_destination(img, n, 1, src.pc, 0, &ex, rim, &dst);
	assert_int_equal(ex.exit_reason, RMI_EXIT_IRQ);
	rmm_destroy(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_s1ptw_gpf_two_cpus, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_s1ptw_one_cpu, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_s1ptw_broadcast, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prototype_destination, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prototype_destination_two_cpus, setup_check,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_sea_loop_empty_vectors, setup_check, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
