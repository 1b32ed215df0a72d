/*
 * The AArch64 interpreter on arbitrary instruction words: the input is the
 * first page of a realm's code (the rest of its 64 KiB image is zero), run
 * with a small budget through the KVM-shaped host loop. The interpreter must
 * neither crash nor hang; every REC_ENTER must give a status RMM 1.0
 * defines; the invariants and the TLB checker must hold.
 */
#include <rmm/vcpu_a64.h>

#include "fuzz_common.h"
#include "examples/kvmhost/kvm_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t img[16 << 10];
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(256);
	struct kvm_mmio dev = { .ipa = FZ_U + 0x100000 };
	struct kvm_run_stats st = { 0 };
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;

	memset(img, 0, sizeof(img));
	memcpy(img, data, size < 4096 ? size : 4096);
	rmm_config_init(&cfg);
	cfg.dram_size = FZ_DRAM_SIZE;
	cfg.flags = RMM_CFG_TLB_CHECK;
	if (!a64 || rmm_create(&cfg, &h.rmm) != RMM_OK)
		abort();
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	h.quiet = 1;
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1 << 20) ||
	    kh_populate(&h, &r, 0, img, sizeof(img), 0) || kh_vcpu_create(&h, &r, &v, 0, 1, 0) ||
	    kh_activate(&h, &r))
		abort();
	rmm_set_vcpu_backend(h.rmm, rmm_vcpu_a64_ops(), a64);
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
	rmm_destroy(h.rmm);
	return 0;
}
