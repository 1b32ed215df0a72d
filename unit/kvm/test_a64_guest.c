/*
 * The AArch64 interpreter backend running real guest code assembled by
 * clang (examples/guests/): hello.S (stage-1 MMU, RSI, MMIO, host call, an
 * SEA handled in the guest's vector, SYSTEM_OFF) and isa.S (instruction
 * groups, results checked against values computed independently).
 */
#include <pthread.h>
#include <rmm/vcpu_a64.h>

#include "../helpers/fixture.h"
#include "kvmhost/kvm_host.h"

struct run {
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct kvm_mmio dev;
	struct kvm_run_stats st;
	struct rmm_a64_ctx *a64;
	int rc;
};

/* REC entries run_guest() allows (each MMIO result slot is one exit). */
static unsigned int max_entries = 200;

static void run_guest(struct fx *f, const char *name, struct run *g)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, name, img, sizeof(img));

	memset(g, 0, sizeof(*g));
	g->dev.ipa = (1ull << 39) + 0x100000;
	g->a64 = rmm_a64_ctx_new(0);
	kh_init(&g->h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&g->h, &g->r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&g->h, &g->r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&g->h, &g->r, &g->v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&g->h, &g->r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), g->a64);
	g->rc = kh_vcpu_run(&g->h, &g->r, &g->v, 1, 0, &g->dev, &g->st, max_entries);
	fx_invariants(f);
}

static void finish(struct fx *f, struct run *g)
{
	struct rmm_stats st;

	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	assert_int_equal(kh_vcpu_destroy(&g->h, &g->v), 0);
	assert_int_equal(kh_realm_destroy(&g->h, &g->r), 0);
	rmm_get_stats(f->rmm, &st);
	assert_int_equal(st.delegated, 0);
	rmm_a64_ctx_free(g->a64);
	kh_fini(&g->h);
}

static int setup_check(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, RMM_CFG_TLB_CHECK | RMM_CFG_TIMELINE);
}

static int write_file(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

static void test_hello(void **state)
{
	struct fx *f = *state;
	struct run g;

	run_guest(f, "hello.bin", &g);
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	assert_string_equal(g.dev.tx, "hello\n");
	assert_int_equal(g.dev.regs[0x100 / 8], 0);           /* RSI_VERSION: SUCCESS */
	assert_int_equal(g.dev.regs[0x108 / 8], 40);          /* REALM_CONFIG ipa_width */
	assert_int_equal(g.dev.regs[0x110 / 8], 8);           /* host answered imm + 1 */
	/* the SEA the guest took on RIPAS EMPTY memory, as ESR_EL1 shows it:
	 * EC 0x25, IL, ISV, SAS 3, SRT 9, SF, EA, FSC 0x10 */
	assert_int_equal(g.dev.regs[0x118 / 8], 0x97c98210);
	assert_int_equal(g.st.host_calls, 1);
	assert_true(rmm_a64_retired(g.a64) > 300);
	finish(f, &g);
}

/* No backend installed: REC_ENTER runs the realm on the default AArch64
 * interpreter (issue 12), and rmm_set_vcpu_backend(NULL) returns to it. */
static void test_default_backend(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "hello.bin", img, sizeof(img));
	struct kvm_run_stats st;
	struct kvm_mmio dev;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;

	memset(&dev, 0, sizeof(dev));
	memset(&st, 0, sizeof(st));
	dev.ipa = (1ull << 39) + 0x100000;
	assert_int_equal(rmm_set_vcpu_backend(f->rmm, NULL, NULL), RMM_OK);
	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	assert_int_equal(kh_vcpu_run(&h, &r, &v, 1, 0, &dev, &st, 200), KH_RUN_SYSTEM_OFF);
	assert_string_equal(dev.tx, "hello\n");
	assert_int_equal(kh_vcpu_destroy(&h, &v), 0);
	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	kh_fini(&h);
}

static void test_isa(void **state)
{
	static const uint64_t want[] = {
		0xfffffffffffffffeull, 0x0000000000000001ull, 0x0000000000000003ull,
		0x5500550055005500ull, 0x5a5a5a5a5a5a5a5aull, 0x1234000056789abcull,
		0x0000000000000432ull, 0xfffffffffffffffeull, 0x123456789abcdeffull,
		0x32100123456789abull, 0x8d159e26af37c090ull, 0xfdbac097c8dc5accull,
		0x2468acf13579bdf4ull, 0x0000000000000116ull, 0x88f7665544332226ull,
		0x91a3b5c85a6d06a0ull, 0x000000000000006eull, 0x0000000056000042ull,
		0x0000000002000000ull,
	};
	struct fx *f = *state;
	struct run g;

	run_guest(f, "isa.bin", &g);
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (g.dev.regs[0x40 + i] != want[i])
			print_error("result %u: got 0x%016llx, want 0x%016llx\n", i,
				    (unsigned long long)g.dev.regs[0x40 + i], (unsigned long long)want[i]);
		assert_int_equal(g.dev.regs[0x40 + i], want[i]);
	}
	finish(f, &g);
}

/* isa2.S: the groups Linux needs; values from examples/guests/isa2_oracle.py.
 * Ends with the virtual timer firing, kh_vgic_prepare() injecting PPI 27
 * and the guest taking, acknowledging and ending it. */
static void test_isa2(void **state)
{
	static const uint64_t want[] = {
	0x0000000000000000ull,
	0x1122334455667789ull,
	0x0000000000000001ull,
	0x0000000000000001ull,
	0x0000000000000000ull,
	0xdc89efdc32670132ull,
	0x012345678acf1356ull,
	0x0000000096000021ull,
	0xfedcba98eca89640ull,
	0x00004321cdef32abull,
	0xc0000008800003d8ull,
	0x3ffffff8800003d8ull,
	0x3ffffff7800003f8ull,
	0xc0000007800003f8ull,
	0xffffffffe4b17e4bull,
	0x1234567864b17e3bull,
	0x000000000000001eull,
	0x000000009444c004ull,
	0x0000000000000004ull,
	0xffffffffffffffffull,
	0x0000000000000000ull,
	0x0000000000000000ull,
	0xffffffffffffffffull,
	0x000000003b9aca00ull,
	0x0000000000000003ull,
	0x00000000000f0000ull,
	0x1100000001000011ull,
	0x000000000f000002ull,
	0x0000000000100000ull,
	0x0000000009200003ull,
	0x0000000000000000ull,
	0x000000000000001bull,
	0x0000000000000005ull,
	0x00000000000000a0ull,
	0x00000000000000ffull,
	0x0000000000000007ull,
	};
	struct fx *f = *state;
	struct run g;

	run_guest(f, "isa2.bin", &g);
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (g.dev.regs[0x40 + i] != want[i])
			print_error("result %u: got 0x%016llx, want 0x%016llx\n", i,
				    (unsigned long long)g.dev.regs[0x40 + i], (unsigned long long)want[i]);
		assert_int_equal(g.dev.regs[0x40 + i], want[i]);
	}
	assert_true(g.st.irq >= 1);   /* the timer exit the host injected on */
	finish(f, &g);
}

/* Run an oracle-checked guest (1000 entries: one per result slot) and
 * compare its results at UART + 0x200 with want[]; 'words' results per case
 * (for the messages). Every mismatch is printed before the test fails. */
static void run_oracle(struct fx *f, const char *bin, const uint64_t *want, size_t n,
		       unsigned int words)
{
	struct run g;
	unsigned int bad = 0;

	max_entries = 1000;
	run_guest(f, bin, &g);
	max_entries = 200;
	for (unsigned int i = 0; i < n; i++) {
		if (g.dev.regs[0x40 + i] != want[i]) {
			print_error("%s case %u word %u: got 0x%016llx, want 0x%016llx\n", bin,
				    i / words, i % words, (unsigned long long)g.dev.regs[0x40 + i],
				    (unsigned long long)want[i]);
			bad++;
		}
	}
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	assert_int_equal(bad, 0);
	finish(f, &g);
}

/* fp.S: the CPACR_EL1.FPEN trap, FPCR/FPSR, UNDEFINED outside the subset,
 * SIMD&FP loads/stores of every addressing form and the integer Advanced
 * SIMD subset; the values come from examples/guests/fp_oracle.py (which
 * also writes fp.S), kept in a64_fp_want.inc. */
static void test_fp_simd(void **state)
{
	static const uint64_t want[] = {
#include "a64_fp_want.inc"
	};
	struct fx *f = *state;

	run_oracle(f, "fp.bin", want, sizeof(want) / sizeof(want[0]), 1);
}

/* fpu.S: scalar FP arithmetic, compares and conversions: each case's
 * result (or NZCV) and FPSR under its FPCR (RMode, DN, FZ); the values come
 * from exact rational arithmetic in examples/guests/fp_oracle.py. */
static void test_fp_scalar(void **state)
{
	static const uint64_t want[] = {
#include "a64_fpu_want.inc"
	};
	struct fx *f = *state;

	run_oracle(f, "fpu.bin", want, sizeof(want) / sizeof(want[0]), 1);
}

/* simd2.S: the widening, narrowing, halving, saturating and multiplying
 * integer AdvSIMD forms: V0 and FPSR.QC after each case; the values come
 * from the instructions' definitions in examples/guests/fp_oracle.py. */
static void test_simd_widening_saturating(void **state)
{
	static const uint64_t want[] = {
#include "a64_simd2_want.inc"
	};
	struct fx *f = *state;

	run_oracle(f, "simd2.bin", want, sizeof(want) / sizeof(want[0]), 3);
}

/* simd3.S: the rounding, inserting, saturating and narrowing shifts by
 * immediate, vector and scalar: V0 and FPSR.QC after each case. */
static void test_simd_shift_imm(void **state)
{
	static const uint64_t want[] = {
#include "a64_simd3_want.inc"
	};
	struct fx *f = *state;

	run_oracle(f, "simd3.bin", want, sizeof(want) / sizeof(want[0]), 3);
}

/* ldst2.S: LD2-LD4/ST2-ST4 (multiple and single structures) and LD2R-
 * LD4R: V0-V3 (or the bytes stored) and the written-back base after each;
 * the values come from examples/guests/fp_oracle.py. */
static void test_structure_ldst(void **state)
{
	static const uint64_t want[] = {
#include "a64_ldst2_want.inc"
	};
	struct fx *f = *state;

	run_oracle(f, "ldst2.bin", want, sizeof(want) / sizeof(want[0]), 1);
}

/* tlbi.S: a cached stage-1 translation (data and instruction fetch) is
 * never used after the guest's TLBI; an unmapped page then faults. */
static void test_s1_tlb_invalidation(void **state)
{
	struct fx *f = *state;
	struct run g;

	run_guest(f, "tlbi.bin", &g);
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	assert_int_equal(g.dev.regs[0x40], 0x1111);
	assert_int_equal(g.dev.regs[0x41], 1);
	assert_int_equal(g.dev.regs[0x42], 0x2222);     /* after TLBI: page B */
	assert_int_equal(g.dev.regs[0x43], 2);          /* and its code */
	assert_int_equal(g.dev.regs[0x44], 0x96000007); /* DABT, translation L3 */
	finish(f, &g);
}

/* ESR_EL1 values from the Arm ARM (IL = 1 for every A64 instruction):
 * EC 0x18, a trapped MSR/MRS/SYS: Op0, Op2, Op1, CRn, Rt, CRm, Direction. */
#define TRAP18(op0, op2, op1, crn, rt, crm, dir) \
	((0x18ull << 26) | (1ull << 25) | ((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | \
	 ((uint64_t)(op1) << 14) | ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | \
	 ((uint64_t)(crm) << 1) | (dir))
#define UNDEF_ESR 0x02000000ull       /* EC 0: unknown reason */
#define PERM_L3 0x0full               /* FSC: permission fault, level 3 */
#define DABT_EL1(wnr) ((0x25ull << 26) | (1ull << 25) | ((uint64_t)(wnr) << 6) | PERM_L3)
#define DABT_EL0(wnr) ((0x24ull << 26) | (1ull << 25) | ((uint64_t)(wnr) << 6) | PERM_L3)
#define IABT_EL1 ((0x21ull << 26) | (1ull << 25) | PERM_L3)
#define IABT_EL0 ((0x20ull << 26) | (1ull << 25) | PERM_L3)
#define WFX_TRAP(ti) ((0x01ull << 26) | (1ull << 25) | (1ull << 24) | (0xeull << 20) | (ti))

/* el0.S: LDTR/STTR checked as EL0, the execute rules of the EL1&0 regime
 * (implied PXN for EL0-writable pages, PXN, WXN, UXN, EL0 execute-only),
 * and EL0 under SCTLR_EL1 UMA/DZE/UCT/nTWI/nTWE/UCI and CNTKCTL_EL1 clear
 * (each access traps to EL1 with the instruction's ISS) and set (each
 * works); TPIDRRO_EL0 read-only, EL1 registers and MIDR_EL1 UNDEFINED at
 * EL0 (no FEAT_IDST). Each case: {ESR_EL1 of the last exception, x1}. */
static void test_el0(void **state)
{
	static const uint64_t el1[][2] = {
		{ DABT_EL1(0), 0 },           /* LDTR of an EL1-only page */
		{ 0, 0x1111 },                /* LDTR of an EL0 page */
		{ DABT_EL1(1), 0x3333 },      /* STTR to a read-only page; unchanged */
		{ 0, 0x4444 },                /* LDR of the EL1-only page */
		{ IABT_EL1, 0 },              /* EL1 fetch, page writable at EL0 */
		{ IABT_EL1, 0 },              /* EL1 fetch, PXN */
		{ IABT_EL1, 0x900 },          /* EL1-writable page: runs, not under WXN */
	};
	static const uint64_t off[][2] = {  /* EL0, controls clear */
		{ TRAP18(3, 1, 3, 4, 1, 2, 1), 0 },     /* MRS DAIF */
		{ TRAP18(0, 7, 3, 4, 31, 2, 0), 0 },    /* MSR DAIFClr (the last of 3) */
		{ TRAP18(3, 1, 3, 0, 1, 0, 1), 0 },     /* MRS CTR_EL0 */
		{ TRAP18(1, 1, 3, 7, 20, 14, 0), 0 },   /* DC CIVAC */
		{ TRAP18(1, 1, 3, 7, 20, 5, 0), 0 },    /* IC IVAU */
		{ TRAP18(1, 1, 3, 7, 21, 4, 0), 0x2222 }, /* DC ZVA: the block kept */
		{ 0, 0x14 },                            /* DCZID_EL0: DZP, 64 bytes */
		{ WFX_TRAP(0), 0 },                     /* WFI */
		{ WFX_TRAP(1), 0 },                     /* WFE */
		{ TRAP18(3, 0, 3, 14, 1, 0, 1), 0 },    /* CNTFRQ_EL0 */
		{ TRAP18(3, 2, 3, 14, 1, 0, 1), 0 },    /* CNTVCT_EL0 */
		{ TRAP18(3, 1, 3, 14, 1, 0, 1), 0 },    /* CNTPCT_EL0 */
		{ TRAP18(3, 2, 3, 14, 1, 3, 1), 0 },    /* CNTV_CVAL_EL0 (read) */
		{ TRAP18(3, 2, 3, 14, 1, 2, 1), 0 },    /* CNTP_CVAL_EL0 (read) */
	};
	static const uint64_t on[][2] = {   /* EL0, controls set */
		{ 0, 0 }, { 0, 0x80 },                  /* DAIF; DAIFSet #2 then DAIF */
		{ 0, 0x9444c004 },                      /* CTR_EL0: the profile's */
		{ 0, 0 }, { 0, 0 }, { 0, 0 },           /* DC CIVAC, IC IVAU, DC ZVA zeroes */
		{ 0, 0x4 },                             /* DCZID_EL0 */
		{ 0, 0 }, { 0, 0 },                     /* WFI, WFE */
		{ 0, 1000000000 }, { 0, 1 }, { 0, 1 },  /* CNTFRQ, CNTVCT, CNTPCT (non-zero) */
		{ 0, 0x1234 }, { 0, 0x1234 },           /* CNTV_CVAL, CNTP_CVAL written, read */
	};
	static const uint64_t both[][2] = {  /* EL0, either way */
		{ UNDEF_ESR, 0x5a5a },        /* MSR TPIDRRO_EL0; it reads EL1's value */
		{ 0, 0x1234 },                /* TPIDR_EL0 written and read */
		{ UNDEF_ESR, 0 },             /* MRS SCTLR_EL1 */
		{ UNDEF_ESR, 0 },             /* MRS MIDR_EL1 */
		{ DABT_EL0(0), 0 },           /* LDR of an EL1-only page */
		{ DABT_EL0(1), 0 },           /* STR to a read-only page */
		{ 0, 0x3333 },                /* LDR of a read-only page */
		{ IABT_EL0, 0 },              /* fetch from a UXN page */
		{ 0, 7 },                     /* fetch from the EL1-only page (UXN clear) */
		{ 0, 0xabc0 },                /* SP is SP_EL0 */
	};
	struct fx *f = *state;
	const uint64_t *r;
	struct run g;
	unsigned int i, pass;

	max_entries = 400;
	run_guest(f, "el0.bin", &g);
	max_entries = 200;
	assert_int_equal(g.rc, KH_RUN_SYSTEM_OFF);
	r = &g.dev.regs[0x40];
	for (i = 0; i < 7; i++) {
		if (r[2 * i] != el1[i][0] || r[2 * i + 1] != el1[i][1])
			print_error("EL1 case %u: esr 0x%llx x1 0x%llx\n", i, (unsigned long long)r[2 * i],
				    (unsigned long long)r[2 * i + 1]);
		assert_int_equal(r[2 * i], el1[i][0]);
		assert_int_equal(r[2 * i + 1], el1[i][1]);
	}
	for (pass = 0; pass < 2; pass++) {
		const uint64_t *p = &r[16 + 48 * pass];

		for (i = 0; i < 24; i++) {
			const uint64_t *w = i < 14 ? (pass ? on[i] : off[i]) : both[i - 14];

			if (p[2 * i] != w[0] || p[2 * i + 1] != w[1])
				print_error("EL0 pass %u case %u: esr 0x%llx x1 0x%llx, want 0x%llx 0x%llx\n",
					    pass, i, (unsigned long long)p[2 * i],
					    (unsigned long long)p[2 * i + 1], (unsigned long long)w[0],
					    (unsigned long long)w[1]);
			assert_int_equal(p[2 * i], w[0]);
			assert_int_equal(p[2 * i + 1], w[1]);
		}
	}
	finish(f, &g);
}

struct excl_thread {
	struct kvm_host h;
	struct kvm_realm *r;
	struct kvm_vcpu *v;
	unsigned int i;
	struct kvm_mmio dev;
	struct kvm_run_stats st;
	int rc;
};

static void *excl_run(void *arg)
{
	struct excl_thread *t = arg;

	t->rc = kh_vcpu_run(&t->h, t->r, t->v, 2, t->i, &t->dev, &t->st, 1000000);
	return NULL;
}

/* excl2.S on two vCPUs, each on its own host CPU and thread: a store by one
 * to the granule the other reserved makes the other's STXR fail, and 2 x
 * 20000 concurrent LDXR/STXR increments lose none. */
static void test_exclusive_two_vcpus(void **state)
{
	static uint8_t img[64 << 10];
	struct fx *f = *state;
	size_t n = fx_load(RMM_GUEST_DIR, "excl2.bin", img, sizeof(img));
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct excl_thread t[2];
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v[2];
	pthread_t th[2];

	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v[0], 0, 1, 0), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v[1], 1, 1, 0x400), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	for (unsigned int i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].h = h;
		t[i].h.cpu = i;
		t[i].r = &r;
		t[i].v = v;
		t[i].i = i;
		t[i].dev.ipa = (1ull << 39) + 0x100000;
		assert_int_equal(pthread_create(&th[i], NULL, excl_run, &t[i]), 0);
	}
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(t[0].rc, KH_RUN_SYSTEM_OFF);
	assert_int_equal(t[1].rc, KH_RUN_CPU_OFF);
	assert_int_equal(t[0].dev.regs[0x40], 1);       /* STXR after the other's store */
	assert_int_equal(t[0].dev.regs[0x41], 0);       /* STXR undisturbed */
	assert_int_equal(t[0].dev.regs[0x42], 40000);   /* no lost increment */
	fx_invariants(f);
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	assert_int_equal(kh_vcpu_destroy(&h, &v[0]), 0);
	assert_int_equal(kh_vcpu_destroy(&h, &v[1]), 0);
	assert_int_equal(kh_realm_destroy(&h, &r), 0);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
}

/*
 * The failure this library exists for, with real guest code: the destination
 * host (CPU1) touched the pages it then delegated on CPU0, where the GPT
 * invalidation stayed local; the restored REC entered on CPU1 takes a GPF on
 * its first instruction's stage-2 walk. Deterministic, explained, and clean
 * once the invalidation is broadcast.
 */
static void first_instruction(struct fx *f, unsigned int faults, uint64_t *esr, size_t *nfind,
			      struct rmm_finding *fd)
{
	static uint8_t img[64 << 10];
	size_t n = fx_load(RMM_GUEST_DIR, "hello.bin", img, sizeof(img));
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct rmi_rec_run *run;
	uint8_t zero[4096] = { 0 };

	kh_init(&h, f->rmm, FX_DRAM_BASE, FX_DRAM_SIZE);
	for (uint64_t pa = FX_DRAM_BASE; pa < FX_DRAM_BASE + 64 * GRAN; pa += GRAN)
		assert_int_equal(rmm_host_write_on(f->rmm, 1, pa, zero, sizeof(zero)), RMM_OK);
	rmm_set_faults(f->rmm, faults);
	h.cpu = 0;
	assert_int_equal(kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1), 0);
	assert_int_equal(kh_populate(&h, &r, 0, img, n, 1), 0);
	assert_int_equal(kh_vcpu_create(&h, &r, &v, 0, 1, 0), 0);
	assert_int_equal(kh_activate(&h, &r), 0);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_a64_ops(), a64);
	assert_int_equal(rmm_rmi_rec_enter(f->rmm, 1, v.rec, v.run), RMI_SUCCESS);
	run = rmm_ns_ptr(f->rmm, v.run);
	*esr = run->exit.exit_reason == RMI_EXIT_SYNC ? run->exit.esr : 0;
	if (faults) {
		char why[1024];

		rmm_explain_exit(f->rmm, r.rd, &run->exit, why, sizeof(why));
		print_message("explained: %s\n", why);
		assert_non_null(strstr(why, "Instruction abort from the realm (ESR 0x82000025): "
					    "Granule Protection Fault on the stage-2 table walk at level 1, IPA 0x0"));
		assert_non_null(strstr(why, "GRANULE_DELEGATE on cpu0"));
	}
	*nfind = rmm_findings(f->rmm, fd, 4);
	/* with a stale GPT entry not even the first instruction completes */
	if (faults)
		assert_int_equal(rmm_a64_retired(a64), 0);
	else
		assert_true(rmm_a64_retired(a64) > 0);  /* up to its first UART write */
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
}

static void test_first_instruction_gpf_two_cpus(void **state)
{
	struct fx *f = *state;
	struct rmm_finding fd[4];
	uint64_t esr;
	size_t n;

	first_instruction(f, RMM_FAULT_GPTI_LOCAL, &esr, &n, fd);
	assert_int_equal(esr, 0x82000025);   /* IABT: GPF on the level-1 stage-2 walk */
	assert_true(n >= 1);
	print_message("finding: %s\n", fd[0].text);
	assert_non_null(strstr(fd[0].text, "GRANULE_DELEGATE on cpu0"));
	{
		/* the run's timeline, for unit/diag/check_timeline.py and Perfetto */
		FILE *out = fopen(RMM_TIMELINE_DIR "/timeline_first_instruction.json", "w");

		assert_non_null(out);
		assert_int_equal(rmm_timeline_save(f->rmm, write_file, out), 0);
		assert_int_equal(fclose(out), 0);
	}
}

static void test_first_instruction_clean(void **state)
{
	struct fx *f = *state;
	struct rmm_finding fd[4];
	uint64_t esr = 1;
	size_t n;

	first_instruction(f, 0, &esr, &n, fd);
	assert_int_equal(n, 0);
	assert_int_not_equal(esr, 0x82000025);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_isa, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_default_backend, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_isa2, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fp_simd, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fp_scalar, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_simd_widening_saturating, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_structure_ldst, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_simd_shift_imm, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_s1_tlb_invalidation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_el0, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exclusive_two_vcpus, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_first_instruction_gpf_two_cpus, setup_check, fx_teardown),
		cmocka_unit_test_setup_teardown(test_first_instruction_clean, setup_check, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
