/*
 * Building a realm along the Linux KVM sequence, against the physical limits
 * of the same work measured in the same run.
 *
 * Default: 1 GiB of realm RAM (RTT_INIT_RIPAS over all of it, RTTs as KVM
 * creates them) and a 64 MiB measured image (DATA_CREATE with
 * RMI_MEASURE_CONTENT). Per populated granule the RMM must at least:
 * change one GPT entry (one mprotect), copy 4 KiB and hash 4 KiB (SHA-256).
 *
 * Usage: bench_realm_build [ram_MiB] [image_MiB]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/sha.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include "bench_util.h"
#include "kvmhost/kvm_host.h"

int main(int argc, char **argv)
{
	uint64_t ram = (argc > 1 ? strtoull(argv[1], NULL, 0) : 1024) << 20;
	uint64_t image = (argc > 2 ? strtoull(argv[2], NULL, 0) : 64) << 20;
	uint64_t pages = image / 4096, i;
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	double t0, t_create, t_ripas, t_pop, t_destroy, t_mp, t_copyhash;
	uint8_t *img, *buf, md[32];
	int fd;

	img = malloc(image);
	for (i = 0; i < image; i++)
		img[i] = (uint8_t)(i * 2654435761u >> 24);
	rmm_config_init(&cfg);
	cfg.dram_size = 2 * image + (64ull << 20);
	cfg.ncpus = 1;
	if (rmm_create(&cfg, &h.rmm))
		return 1;
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);
	t0 = now_s();
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1))
		return 1;
	t_create = now_s() - t0;
	t0 = now_s();
	if (kh_init_ripas(&h, &r, 0x80000000ull, ram))
		return 1;
	t_ripas = now_s() - t0;
	t0 = now_s();
	if (kh_populate(&h, &r, 0x80000000ull, img, image, 1))
		return 1;
	t_pop = now_s() - t0;
	t0 = now_s();
	if (kh_realm_destroy(&h, &r))
		return 1;
	t_destroy = now_s() - t0;

	/* physical limits on the same machine, same run */
	fd = memfd_create("bench", 0);
	if (fd < 0 || ftruncate(fd, (off_t)(2 * image)))
		return 1;
	buf = mmap(NULL, 2 * image, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	memset(buf, 0, 2 * image);
	t0 = now_s();
	for (i = 0; i < pages; i++)
		mprotect(buf + 2 * i * 4096, 4096, (i & 1) ? PROT_READ : PROT_NONE);
	t_mp = (now_s() - t0) / (double)pages * 1e9;
	mprotect(buf, 2 * image, PROT_READ | PROT_WRITE);
	t0 = now_s();
	for (i = 0; i < pages; i++) {
		memcpy(buf + i * 4096, img + i * 4096, 4096);
		SHA256(buf + i * 4096, 4096, md);
	}
	t_copyhash = (now_s() - t0) / (double)pages * 1e9;

	printf("bench_realm_build: %llu MiB RAM, %llu MiB measured image (%llu granules)\n",
	       (unsigned long long)(ram >> 20), (unsigned long long)(image >> 20),
	       (unsigned long long)pages);
	printf("%-44s %10.3f ms\n", "REALM_CREATE (with delegation)", t_create * 1e3);
	printf("%-44s %10.3f ms\n", "RTT_INIT_RIPAS over all RAM (+RTTs)", t_ripas * 1e3);
	figure("populate, per granule (DELEGATE+DATA_CREATE)", t_pop / (double)pages * 1e9,
	       "mprotect + memcpy + SHA-256", t_mp + t_copyhash);
	printf("%-44s mprotect %.0f ns, memcpy+SHA-256 %.0f ns per granule\n",
	       "  of which the limit is", t_mp, t_copyhash);
	printf("%-44s %10.3f ms\n", "teardown (DATA_DESTROY..UNDELEGATE)", t_destroy * 1e3);
	printf("%-44s %10.1f MiB/s\n", "populate throughput", (double)image / 1048576.0 / t_pop);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return 0;
}
