/*
 * Real guest code in a realm: examples/guests/hello.S, assembled by clang,
 * runs on the AArch64 interpreter backend. The guest enables its stage-1 MMU,
 * calls RSI, prints through an emulated UART, makes a host call, handles an
 * SEA from RIPAS EMPTY memory in its own vector and turns the system off.
 *
 * Usage: a64_realm path/to/hello.bin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rmm/vcpu_a64.h>
#include "kvmhost/kvm_host.h"

int main(int argc, char **argv)
{
	static uint8_t img[64 << 10];
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct kvm_mmio dev = { .ipa = (1ull << 39) + 0x100000 };
	struct kvm_run_stats st = { 0 };
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct rmm_stats rs;
	uint8_t rim[64];
	FILE *f;
	size_t n;
	int rc;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: a64_realm hello.bin\n");
		return 2;
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	if (!a64 || rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	/* the image is RAM (DATA_CREATE makes it so); the rest, 0x30000 included,
	 * stays RIPAS EMPTY: the guest's SEA probe */
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_populate(&h, &r, 0, img, n, 1) ||
	    kh_vcpu_create(&h, &r, &v, 0, 1, 0) || kh_activate(&h, &r))
		return 1;
	rmm_set_vcpu_backend(h.rmm, rmm_vcpu_a64_ops(), a64);
	rmm_realm_measurement(h.rmm, r.rd, 0, rim);
	printf("realm built from %zu bytes of guest image; RIM %02x%02x%02x%02x...\n", n, rim[0], rim[1],
	       rim[2], rim[3]);
	rc = kh_vcpu_run(&h, &r, &v, 1, 0, &dev, &st, 100);
	printf("UART: %s", dev.tx);
	printf("guest saw: RSI_VERSION status %llu, ipa_width %llu, host call answer %llu, "
	       "SEA ESR_EL1 0x%llx\n", (unsigned long long)dev.regs[0x100 / 8],
	       (unsigned long long)dev.regs[0x108 / 8], (unsigned long long)dev.regs[0x110 / 8],
	       (unsigned long long)dev.regs[0x118 / 8]);
	printf("%lu instructions, %lu REC entries, %lu MMIO exits, %lu host call(s); %s\n",
	       (unsigned long)rmm_a64_retired(a64), st.entries, st.mmio, st.host_calls,
	       rc == KH_RUN_SYSTEM_OFF ? "the guest turned the system off" : "the guest did not finish");
	rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	if (rc != KH_RUN_SYSTEM_OFF || strcmp(dev.tx, "hello\n") || dev.regs[0x118 / 8] >> 26 != 0x25 ||
	    kh_vcpu_destroy(&h, &v) ||
	    kh_realm_destroy(&h, &r))
		return 1;
	rmm_get_stats(h.rmm, &rs);
	printf("teardown: %llu granules delegated\nok\n", (unsigned long long)rs.delegated);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return rs.delegated != 0;
}
