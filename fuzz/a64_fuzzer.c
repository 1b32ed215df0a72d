/*
 * The AArch64 interpreter on arbitrary instruction words: the input is the
 * first page of a realm's code (the rest of its 64 KiB image is zero), run
 * through the KVM-shaped host loop with a total budget of A64_BUDGET
 * instructions per input (each run() also stops after 256, and the RMM may
 * enter the realm again after exits it handles itself; past the total, the
 * harness's backend returns an IRQ exit at once, so the host loop ends).
 * The interpreter must neither crash nor hang; every REC_ENTER must give a
 * status RMM 1.0 defines; the invariants and the TLB checker must hold.
 * Half the inputs (by a bit of their hash) run on an instance without TLB
 * checking, where the RMM hands out fetch tokens and the interpreter runs
 * decoded blocks; the other half fetch every instruction under the checker.
 */
#include <rmm/vcpu.h>
#include <rmm/vcpu_a64.h>

#include "fuzz_common.h"
#include "examples/kvmhost/kvm_host.h"

#define A64_BUDGET 2048u

/* The interpreter, until the input's budget is spent. */
static void budget_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	if (rmm_a64_retired(ctx) >= A64_BUDGET) {
		memset(x, 0, sizeof(*x));
		x->kind = RMM_VCPU_EXIT_IRQ;
		return;
	}
	rmm_vcpu_a64_ops()->run(ctx, v, x);
}

static void budget_exception_taken(void *ctx, struct rmm_vcpu *v)
{
	if (rmm_vcpu_a64_ops()->exception_taken)
		rmm_vcpu_a64_ops()->exception_taken(ctx, v);
}

static const struct rmm_vcpu_ops budget_ops = {
	.version = RMM_VCPU_VERSION,
	.run = budget_run,
	.exception_taken = budget_exception_taken,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t img[16 << 10];
	static struct rmm *inst, *inst_blocks;
	uint64_t hs = fz_hash(data, size);
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(256);
	struct kvm_mmio dev = { .ipa = FZ_U + 0x100000 };
	struct kvm_run_stats st = { 0 };
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;

	memset(img, 0, sizeof(img));
	memcpy(img, data, size < 4096 ? size : 4096);
	if (!a64)
		abort();
	h.rmm = (hs >> 57) & 1 ? fz_instance(&inst_blocks, 0, hs)
			       : fz_instance(&inst, RMM_CFG_TLB_CHECK, hs);
	kh_init(&h, h.rmm, FZ_DRAM, FZ_DRAM_SIZE);
	h.quiet = 1;
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1 << 20) ||
	    kh_populate(&h, &r, 0, img, sizeof(img), 0) || kh_vcpu_create(&h, &r, &v, 0, 1, 0) ||
	    kh_activate(&h, &r))
		abort();
	if (rmm_set_vcpu_backend(h.rmm, &budget_ops, a64) != RMM_OK)
		abort();
	/* any outcome is fine except a crash, a hang or a broken invariant;
	 * the host loop reports an RMI status outside its expectations as an
	 * error, which is allowed here (a guest may e.g. fault in memory the
	 * pool cannot provide) */
	kh_vcpu_run(&h, &r, &v, 1, 0, &dev, &st, 24);
	fz_check_invariants(h.rmm, "a64 run");
	if (rmm_findings(h.rmm, NULL, 0))
		abort();
	rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	return 0;
}
