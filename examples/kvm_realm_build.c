/*
 * The demo: build and tear down a realm the way Linux KVM does.
 *
 * 256 MiB of realm RAM at IPA 0x80000000 in a 40-bit IPA space; RTT_INIT_RIPAS
 * over all of it (creating RTTs on (ERROR_RTT, level) as KVM does), a 16 MiB
 * measured "kernel image", activation, a private->shared conversion, folding,
 * then full teardown. Prints the RIM, what each refused call said, and a
 * census showing every granule back where it started.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>
#include "kvmhost/kvm_host.h"

#define MiB (1ull << 20)

int main(void)
{
	struct rmm_config cfg;
	struct kvm_host h;
	struct kvm_realm r;
	struct rmm_stats st;
	uint8_t rim[64], *img;
	uint64_t ram = 0x80000000ull, data, top, ret;
	char why[256];
	int rc;

	rmm_config_init(&cfg);
	cfg.dram_size = 512 * MiB;
	rc = rmm_create(&cfg, &h.rmm);
	if (rc) {
		fprintf(stderr, "rmm_create: %s\n", rmm_strerror(rc));
		return 1;
	}
	kh_init(&h, h.rmm, cfg.dram_base, cfg.dram_size);

	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1))
		return 1;
	printf("REALM_CREATE: rd 0x%llx, %u starting RTTs at level %d, aux count %llu\n",
	       (unsigned long long)r.rd, r.num_start, r.sl, (unsigned long long)r.aux_count);
	if (kh_init_ripas(&h, &r, ram, 256 * MiB))
		return 1;
	printf("RTT_INIT_RIPAS: 256 MiB of RAM at IPA 0x%llx (%llu granules delegated so far)\n",
	       (unsigned long long)ram, (unsigned long long)h.delegated);

	img = malloc(16 * MiB);
	for (size_t i = 0; i < 16 * MiB; i++)
		img[i] = (uint8_t)(i * 2654435761u >> 24);
	if (kh_populate(&h, &r, ram, img, 16 * MiB, 1))
		return 1;
	free(img);
	rmm_realm_measurement(h.rmm, r.rd, 0, rim);
	printf("DATA_CREATE: 16 MiB measured image; RIM = ");
	for (int i = 0; i < 32; i++)
		printf("%02x", rim[i]);
	printf("\n");
	if (kh_activate(&h, &r))
		return 1;

	/* What a refusal looks like: populating after activation. */
	data = kh_alloc_delegated(&h);
	ret = rmm_rmi_data_create(h.rmm, 0, r.rd, data, ram + 64 * MiB, r.params, 1);
	printf("refused as expected: DATA_CREATE -> status %u: %s\n", RMI_RETURN_STATUS(ret),
	       rmm_last_reason(h.rmm, 0));
	if (kh_undelegate_free(&h, data))
		return 1;
	ret = rmm_rmi_data_destroy(h.rmm, 0, r.rd, ram + 300 * MiB, &data, &top);
	printf("refused as expected: DATA_DESTROY -> (%u, %u), top 0x%llx: %s\n",
	       RMI_RETURN_STATUS(ret), RMI_RETURN_INDEX(ret), (unsigned long long)top,
	       rmm_last_reason(h.rmm, 0));

	/* Private -> shared: the first 2 MiB leave the realm, get folded, and
	 * come back as host pages mapped at the unprotected alias. */
	if (kh_unmap_private(&h, &r, ram, 2 * MiB) || kh_fold_range(&h, &r, ram, 2 * MiB))
		return 1;
	for (uint64_t off = 0; off < 2 * MiB; off += 4096)
		if (kh_map_shared(&h, &r, (1ull << 39) + ram + off, kh_alloc(&h)))
			return 1;
	printf("converted 2 MiB private -> shared; %llu granules delegated\n",
	       (unsigned long long)h.delegated);

	if (rmm_check_invariants(h.rmm, why, sizeof(why))) {
		fprintf(stderr, "invariant broken: %s\n", why);
		return 1;
	}
	if (kh_realm_destroy(&h, &r))
		return 1;
	rmm_get_stats(h.rmm, &st);
	printf("teardown: %llu granules delegated (host view %llu), %llu RMI calls, %llu refused\n",
	       (unsigned long long)st.delegated, (unsigned long long)h.delegated,
	       (unsigned long long)st.rmi_calls, (unsigned long long)st.rmi_failures);
	if (st.delegated != 0 || rmm_check_invariants(h.rmm, why, sizeof(why))) {
		fprintf(stderr, "census mismatch: %s\n", why);
		return 1;
	}
	printf("ok\n");
	kh_fini(&h);
	rmm_destroy(h.rmm);
	return 0;
}
