/*
 * The AArch64 interpreter's speed: examples/guests/loop.S (5 instructions
 * per iteration, a load and a store among them, 2 million iterations) run to
 * SYSTEM_OFF; printed as instructions per second beside the same loop run
 * natively.
 *
 * With --linux, also boots Debian's kernel (third_party/linux/Image, from
 * scripts/setup.sh) with examples/linux_realm and prints the time to the
 * VFS panic and to PSCI SYSTEM_RESET.
 *
 * Usage: bench_a64 [--linux] [path/to/loop.bin]
 */
#include <stdlib.h>
#include <string.h>

#include <rmm/vcpu_a64.h>
#include "bench_util.h"
#include "kvmhost/kvm_host.h"

/* The kernel boot: linux_realm's console timestamps and summary line. */
static void bench_linux(void)
{
	char line[1024], cmd[1024];
	double t0 = now_s(), panic = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s --seconds 900 2>&1", RMM_LINUX_REALM, RMM_LINUX_IMAGE);
	p = popen(cmd, "r");
	if (!p) {
		printf("bench_a64: cannot run linux_realm\n");
		return;
	}
	while (fgets(line, sizeof(line), p)) {
		if (panic < 0 && strstr(line, "Kernel panic - not syncing: VFS"))
			panic = now_s() - t0;
		if (strstr(line, "linux_realm: PSCI") || strstr(line, "linux_realm: decoded") ||
		    strstr(line, "not an arm64") ||
		    strstr(line, "linux_realm: stopped") || strstr(line, "No such file"))
			printf("  %s", line);
	}
	pclose(p);
	if (panic >= 0)
		printf("%-44s %10.1f s   (goal: under 30 s)\n", "  Debian arm64 kernel to the VFS panic", panic);
	else
		printf("  no VFS panic seen (run scripts/setup.sh for %s)\n", RMM_LINUX_IMAGE);
}

/* loop.bin to SYSTEM_OFF on a fresh instance; seconds, or -1. */
static double run_loop(const uint8_t *img, size_t len, int blocks, uint64_t *n)
{
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(1u << 30);
	struct kvm_run_stats st = { 0 };
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	double t0, t = -1;

	if (!a64)
		return -1;
	rmm_a64_set_blocks(a64, blocks);
	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.ncpus = 1;
	if (rmm_create(&cfg, &h.rmm)) {
		rmm_a64_ctx_free(a64);
		return -1;
	}
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	if (!kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) && !kh_populate(&h, &r, 0, img, len, 0) &&
	    !kh_vcpu_create(&h, &r, &v, 0, 1, 0) && !kh_activate(&h, &r)) {
		rmm_set_vcpu_backend(h.rmm, rmm_vcpu_a64_ops(), a64);
		t0 = now_s();
		if (kh_vcpu_run(&h, &r, &v, 1, 0, NULL, &st, 10) == KH_RUN_SYSTEM_OFF)
			t = now_s() - t0;
		*n = rmm_a64_retired(a64);
		rmm_set_vcpu_backend(h.rmm, NULL, NULL);
	}
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return t;
}

int main(int argc, char **argv)
{
	static uint8_t img[64 << 10];
	const char *path = RMM_GUEST_DIR "/loop.bin";
	int linux_boot = 0;
	volatile uint64_t mem = 0;
	double t0, t_int, t_off, t_nat;
	uint64_t n = 0, n_off = 0;
	FILE *f;
	size_t len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--linux"))
			linux_boot = 1;
		else
			path = argv[i];
	}
	f = fopen(path, "rb");
	if (!f)
		return 1;
	len = fread(img, 1, sizeof(img), f);
	fclose(f);
	t_int = run_loop(img, len, 1, &n);
	t_off = run_loop(img, len, 0, &n_off);
	if (t_int <= 0 || t_off <= 0)
		return 1;
	t0 = now_s();
	for (uint64_t i = 2000000; i; i--)
		mem = mem + i;
	t_nat = now_s() - t0;
	printf("bench_a64: %llu instructions interpreted\n", (unsigned long long)n);
	figure("interpreted instruction (loop with load/store)", t_int / (double)n * 1e9,
	       "native loop iteration / 5", t_nat / 2e6 / 5 * 1e9);
	printf("%-44s %10.1f M/s   (goal: 50 M/s)\n", "  interpreted instructions per second",
	       (double)n / t_int / 1e6);
	printf("%-44s %10.1f M/s\n", "  the same, decoded blocks off (every fetch)",
	       (double)n_off / t_off / 1e6);
	if (linux_boot)
		bench_linux();
	return 0;
}
