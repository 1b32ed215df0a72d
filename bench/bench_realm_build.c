/*
 * Building a realm along the Linux KVM sequence, against the physical limits
 * of the same work measured in the same run.
 *
 * Default: 1 GiB of realm RAM (RTT_INIT_RIPAS over all of it, RTTs as KVM
 * creates them) and a 64 MiB measured image (DATA_CREATE with
 * RMI_MEASURE_CONTENT). Per populated granule the RMM must at least:
 * change one GPT entry (one mprotect), copy 4 KiB and hash 4 KiB (SHA-256).
 * The limit does exactly that the way the RMM meets it: the host page
 * already written (pre-faulted) in one view of a memfd, one mprotect that
 * makes it PROT_NONE next to the previous one (delegating consecutive
 * granules extends one protected run), then copy and hash into the other
 * view, already mapped (as the RMM's view is). Times are the thread's CPU
 * time (user + system), so other processes on the machine do not count.
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
	uint8_t *rv;
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
	t0 = cpu_s();
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1))
		return 1;
	t_create = cpu_s() - t0;
	t0 = cpu_s();
	if (kh_init_ripas(&h, &r, 0x80000000ull, ram))
		return 1;
	t_ripas = cpu_s() - t0;
	t0 = cpu_s();
	if (kh_populate(&h, &r, 0x80000000ull, img, image, 1))
		return 1;
	t_pop = cpu_s() - t0;
	t0 = cpu_s();
	if (kh_realm_destroy(&h, &r))
		return 1;
	t_destroy = cpu_s() - t0;

	/* physical limits on the same machine, same run: per granule, the host's
	 * first write to a fresh page (kh_alloc zeroes it), one mprotect making
	 * it PROT_NONE next to the previous one, the copy into the other view
	 * (mapped ahead in chunks of 64 pages, as hal_host does for the RMM's
	 * view) and SHA-256 */
	fd = memfd_create("bench", 0);
	if (fd < 0 || ftruncate(fd, (off_t)(2 * image)))
		return 1;
	buf = mmap(NULL, 2 * image, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	rv = mmap(NULL, 2 * image, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (buf == MAP_FAILED || rv == MAP_FAILED)
		return 1;
	t0 = cpu_s();
	for (i = 0; i < pages; i++) {
		memset(buf + i * 4096, 0, 4096);
		mprotect(buf + i * 4096, 4096, PROT_NONE);
	}
	t_mp = (cpu_s() - t0) / (double)pages * 1e9;
	mprotect(buf, 2 * image, PROT_READ | PROT_WRITE);
	t0 = cpu_s();
	for (i = 0; i < pages; i++) {
#ifdef MADV_POPULATE_WRITE
		if (i % 64 == 0)
			madvise(rv + i * 4096, 64 * 4096, MADV_POPULATE_WRITE);
#endif
		memcpy(rv + i * 4096, img + i * 4096, 4096);
		SHA256(rv + i * 4096, 4096, md);
	}
	t_copyhash = (cpu_s() - t0) / (double)pages * 1e9;

	printf("bench_realm_build: %llu MiB RAM, %llu MiB measured image (%llu granules)\n",
	       (unsigned long long)(ram >> 20), (unsigned long long)(image >> 20),
	       (unsigned long long)pages);
	printf("%-44s %10.3f ms\n", "REALM_CREATE (with delegation)", t_create * 1e3);
	printf("%-44s %10.3f ms\n", "RTT_INIT_RIPAS over all RAM (+RTTs)", t_ripas * 1e3);
	figure("populate, per granule (DELEGATE+DATA_CREATE)", t_pop / (double)pages * 1e9,
	       "touch + mprotect + memcpy + SHA", t_mp + t_copyhash);
	printf("%-44s host touch + mprotect %.0f ns, memcpy+SHA-256 %.0f ns per granule\n",
	       "  of which the limit is", t_mp, t_copyhash);
	printf("%-44s %10.3f ms\n", "teardown (DATA_DESTROY..UNDELEGATE)", t_destroy * 1e3);
	printf("%-44s %10.1f MiB/s\n", "populate throughput", (double)image / 1048576.0 / t_pop);
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return 0;
}
