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
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
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

/* Read dir/name (a guest image) into buf; the bytes read (asserts it opens). */
size_t fx_load(const char *dir, const char *name, uint8_t *buf, size_t max);
/* REC_ENTER (asserted RMI_SUCCESS) with the given RecEnter flags, again
 * while the exit is IRQ (at most 100 entries); the last exit. */
const struct rmi_rec_exit *fx_enter_until(struct fx *f, unsigned int cpu, uint64_t rec,
					  uint64_t run, uint64_t flags);

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

/* One row of a failure-condition table: registers in, status/index out, and
 * the failure condition the reason must name. */
struct rmi_row {
	const char *name;
	uint64_t x[6];
	unsigned int st, idx;
	const char *cond;
};
/* Run rows on CPU 0; each must fail as stated and change no granule state. */
void fx_run_rows(struct fx *f, const struct rmi_row *rows, size_t n);
#define FX_ROWS(f, rows) fx_run_rows((f), (rows), sizeof(rows) / sizeof((rows)[0]))

/*
 * A populated world (ipa width 40: starting level 1, two starting RTTs):
 *  r:   NEW realm; L2+L3 RTTs at IPA 0 and at the unprotected base U;
 *       DATA at 0x1000 (measured), RIPAS RAM at 0x2000, NS page mapped at
 *       U + 0x1000; an L2 RTT at 1 GiB with no L3 below it.
 *  act: an ACTIVE realm (VMID 2) with an L3 RTT at IPA 0.
 *  deleg / undeleg / src: spare granules.
 */
struct world {
	struct fx_realm r, act;
	uint64_t data, deleg, undeleg, src, ns_mapped;
	uint64_t l2, l3, l2_1g, l2_ns, l3_ns;
	uint64_t U;
};
void fx_world(struct fx *f, struct world *w);

/* RECs */
#include <rmm/rsi.h>
#include <rmm/vcpu_script.h>
struct fx_rec {
	uint64_t rec, aux[16], params, run;
};
/* Params for the REC with MPIDR index idx, 16 fresh delegated aux granules. */
uint64_t fx_rec_params(struct fx *f, unsigned int idx, bool runnable, uint64_t pc,
		       struct fx_rec *out);
void fx_rec_create(struct fx *f, const struct fx_realm *r, unsigned int idx, bool runnable,
		   uint64_t pc, struct fx_rec *out);
struct rmi_rec_run *fx_run(struct fx *f, const struct fx_rec *c);
/* REC_ENTER with enter.flags (other enter fields as left in the page). */
uint64_t fx_enter(struct fx *f, unsigned int cpu, const struct fx_rec *c, uint64_t flags);

/*
 * A realm ready to run (width 40): L3 RTT at IPA 0; DATA (RAM) at 0x10000
 * and 0x11000; RIPAS RAM but unmapped at 0x20000; EMPTY at 0x30000; an NS
 * page mapped at U + 0x2000 and nothing at U + 0x1000 (MMIO). Two RECs (the
 * second not runnable), the scripted backend installed.
 */
struct run_world {
	struct fx_realm r;
	struct fx_rec rec[3];
	struct rmm_script_ctx *sctx;
	uint64_t U, ns_page, data0;
};
void fx_run_world(struct fx *f, struct run_world *w);
void fx_run_world_free(struct fx *f, struct run_world *w);

#define S_END { .op = RMM_STEP_END }
#define S_SMC(...) { .op = RMM_STEP_SMC, .arg = { __VA_ARGS__ } }
#define S_HVC(...) { .op = RMM_STEP_HVC, .arg = { __VA_ARGS__ } }
#define S_READ(a, sz, r) { .op = RMM_STEP_READ, .addr = (a), .size = (sz), .rt = (r) }
#define S_READS(a, sz, r) { .op = RMM_STEP_READ, .addr = (a), .size = (sz), .rt = (r), .sign = 1 }
#define S_WRITE(a, sz, r, v) { .op = RMM_STEP_WRITE, .addr = (a), .size = (sz), .rt = (r), .value = (v) }
#define S_FETCH(a) { .op = RMM_STEP_FETCH, .addr = (a) }
#define S_WFI { .op = RMM_STEP_WFI }
#define S_WFE { .op = RMM_STEP_WFE }
#define S_MRS(enc, r) { .op = RMM_STEP_MRS, .rt = (r), .arg = { (enc) } }
#define S_MSR(enc, r, v) { .op = RMM_STEP_MSR, .rt = (r), .value = (v), .arg = { (enc) } }
#define S_SPIN(n) { .op = RMM_STEP_SPIN, .arg = { (n) } }

/* Attach a script to REC 'c' of a run world (results go to res[]). */
void fx_script(struct run_world *w, const struct fx_rec *c, struct rmm_script *s,
	       const struct rmm_script_step *steps, size_t n, struct rmm_script_result *res);
/* The exit must equal 'want' in every byte (fields not named are zero). */
void fx_assert_exit(const struct rmi_rec_exit *got, const struct rmi_rec_exit *want);
