/*
 * Shared fixtures for the unit tests: a small instance, a host-side page
 * allocator, and a realm builder that follows the Linux KVM call sequence.
 * Uses only the public headers.
 */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <rmm/rmm.h>
#include <rmm/rmi.h>

#define FX_DRAM_BASE 0x80000000ull
#define FX_DRAM_SIZE (64ull << 20)
#define GRAN 4096ull

struct fx {
	struct rmm *rmm;
	uint64_t next_ns;     /* host pages, handed out from the top down */
	uint64_t next_rmm;    /* pages for delegation, from the bottom up */
	uint64_t ns_limit;
};

struct fx_realm {
	uint64_t rd;
	uint64_t rtt_base;
	unsigned int num_start;
	int sl;
	unsigned int ipa_width;
	uint8_t hash_algo;
	uint16_t vmid;
};

/* CMocka setup/teardown: state is a struct fx *. */
int fx_setup(void **state);
int fx_setup_size(void **state, uint64_t dram_size, unsigned int flags);
int fx_teardown(void **state);

uint64_t fx_ns_page(struct fx *f);            /* an NS page, zeroed */
uint64_t fx_page(struct fx *f);               /* a page not yet delegated */
uint64_t fx_delegated(struct fx *f);          /* a freshly delegated page */

/* Fill an RmiRealmParams in NS memory with a valid configuration. */
uint64_t fx_params(struct fx *f, unsigned int ipa_width, uint8_t hash_algo, uint16_t vmid);
/* Create a realm (delegating RD and starting RTTs as KVM does). */
void fx_realm_create(struct fx *f, struct fx_realm *r, unsigned int ipa_width, uint16_t vmid);
/* Create RTTs from level sl+1 down to 'level' covering ipa (as KVM does). */
void fx_rtt_create_to(struct fx *f, const struct fx_realm *r, uint64_t ipa, int level);
/* Tear down everything under a realm and the realm itself (KVM order). */
void fx_realm_teardown(struct fx *f, const struct fx_realm *r);

/* Assert the invariant checker passes. */
void fx_invariants(struct fx *f);

#define assert_rmi(x, st, idx)                                                      \
	do {                                                                        \
		uint64_t _r = (x);                                                  \
		if (_r != RMI_RETURN((st), (idx)))                                  \
			print_error("status 0x%llx != expected (%u,%u); reason: %s\n", \
				    (unsigned long long)_r, (unsigned)(st), (unsigned)(idx), \
				    rmm_last_reason(f->rmm, 0));                    \
		assert_int_equal(_r, RMI_RETURN((st), (idx)));                      \
	} while (0)

#endif
