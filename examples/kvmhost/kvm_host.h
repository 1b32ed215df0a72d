/*
 * kvm_host: a small host that drives librmm the way the Linux KVM CCA series
 * does (arch/arm64/kvm/rme.c, RMM 1.0): a page allocator for host memory, and
 * the realm life cycle from REALM_CREATE to teardown, creating RTTs on
 * (ERROR_RTT, level) exactly as KVM does. Used by the demo, a test and the
 * benchmarks; copy it as a starting point for your own host.
 *
 * Every function returns 0, or -1 after printing the RMM's reason.
 */
#ifndef KVM_HOST_H
#define KVM_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/rmm.h>
#include <rmm/rmi.h>

struct kvm_host {
	struct rmm *rmm;
	unsigned int cpu;
	uint64_t base, end, next;   /* pool of host pages */
	uint64_t *free;             /* freed pages, reused first */
	size_t nfree, cap;
	uint64_t delegated;         /* pages this host has delegated */
	int quiet;
};

struct kvm_realm {
	uint64_t rd, rtt_base, params;
	unsigned int ipa_bits, num_start;
	int sl;
	uint64_t aux_count;
};

int kh_init(struct kvm_host *h, struct rmm *rmm, uint64_t base, uint64_t size);
void kh_fini(struct kvm_host *h);
uint64_t kh_alloc(struct kvm_host *h);             /* 0 when exhausted */
void kh_free(struct kvm_host *h, uint64_t pa);
uint64_t kh_alloc_delegated(struct kvm_host *h);   /* 0 on failure */
int kh_undelegate_free(struct kvm_host *h, uint64_t pa);

/* realm_create_rd: RD, starting RTTs, params, REALM_CREATE, REC_AUX_COUNT. */
int kh_realm_create(struct kvm_host *h, struct kvm_realm *r, unsigned int ipa_bits,
		    unsigned int hash_algo, uint16_t vmid);
/* realm_create_rtt_levels: RTTs from 'from'+1 down to 'to' covering ipa. */
int kh_create_rtt_levels(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, int from, int to);
/* KVM_CAP_ARM_RME_INIT_RIPAS_REALM: RTT_INIT_RIPAS over [base, base+size). */
int kh_init_ripas(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size);
/* KVM_CAP_ARM_RME_POPULATE_REALM: DATA_CREATE of an image, page by page. */
int kh_populate(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, const void *img,
		size_t size, int measure);
int kh_activate(struct kvm_host *h, struct kvm_realm *r);
/* Private -> shared conversion: DATA_DESTROY + UNDELEGATE over a range. */
int kh_unmap_private(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size);
/* Map/unmap host pages at unprotected IPAs (level 3). */
int kh_map_shared(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, uint64_t pa);
int kh_unmap_shared(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size);
/* RTT_FOLD pass over a range (level 3 then 2), freeing folded RTTs. */
int kh_fold_range(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size);
/* kvm_arch_destroy_vm: unmap everything, destroy RTTs, the realm, undelegate. */
int kh_realm_destroy(struct kvm_host *h, struct kvm_realm *r);

#endif

/* vCPUs (RECs) and the run loop (kvm_rec_pre_enter / handle_rec_exit). */
struct kvm_vcpu {
	uint64_t rec, run, params, aux[16];
	unsigned int idx;
};

/* An emulated MMIO device: 4 KiB of registers at an unprotected IPA. */
struct kvm_mmio {
	uint64_t ipa;          /* unprotected IPA of the device page */
	uint64_t regs[512];
	unsigned long reads, writes;
	char tx[256];          /* bytes written to register 0 (a UART's data) */
	size_t ntx;
};

struct kvm_run_stats {
	unsigned long entries, irq, mmio, faults_in, host_calls, psci, ripas_changes, wfx, sysreg;
};

enum kh_run_result {
	KH_RUN_ERROR = -1,
	KH_RUN_BUDGET = 0,     /* max_entries used */
	KH_RUN_CPU_OFF = 1,    /* the vCPU turned itself off */
	KH_RUN_SYSTEM_OFF = 2, /* the realm is off: REC_ENTER gives (REALM, 1) */
	KH_RUN_NOT_RUNNABLE = 3,
};

#define KH_PPI_VTIMER 27u
struct rmi_rec_run;
/* Before an entry: keep the list registers, inject the virtual timer. */
void kh_vgic_prepare(struct rmi_rec_run *run);

int kh_vcpu_create(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *v, unsigned int idx,
		   int runnable, uint64_t pc);
/* The same with x0-x7 at entry (a Linux boot: x0 = the DTB). */
int kh_vcpu_create_gprs(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *v,
			unsigned int idx, int runnable, uint64_t pc, const uint64_t gprs[8]);
/* Fault in a private page at a protected IPA (DATA_CREATE_UNKNOWN), as
 * kvm_handle_guest_abort does. */
int kh_fault_in(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa);
int kh_vcpu_destroy(struct kvm_host *h, struct kvm_vcpu *v);
/* Enter vcpus[i] repeatedly, handling every exit as KVM does, until it
 * stops or max_entries REC_ENTERs were made. Host calls answer with
 * gprs[0] = imm + 1 and gprs[1..30] echoed. */
enum kh_run_result kh_vcpu_run(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *vcpus,
			       unsigned int n, unsigned int i, struct kvm_mmio *dev,
			       struct kvm_run_stats *st, unsigned int max_entries);
