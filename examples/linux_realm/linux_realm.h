/* linux_realm: the emulated devices and the DTB (private to the example). */
#ifndef LINUX_REALM_H
#define LINUX_REALM_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/rmi.h>

/* The host's view of the realm's devices. */
struct lr_devs {
	/* pl011 */
	uint32_t uart_regs[0x1000 / 4];
	/* GICv3 distributor and the one CPU's redistributor */
	uint32_t gicd[0x10000 / 4];
	uint32_t gicr_rd[0x10000 / 4], gicr_sgi[0x10000 / 4];
	uint32_t ppi_enabled;   /* GICR_ISENABLER0 */
	uint8_t ppi_prio[32];   /* GICR_IPRIORITYR<n> */
	unsigned long tx_bytes;
	uint8_t last_tx;        /* the last byte written to UARTDR */
};

void lr_devs_init(struct lr_devs *d);
/* An access at a device offset: 0 if the device answered (*val read or
 * written), -1 if nothing is there. sas: log2 of the access size. */
int lr_uart_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val);
int lr_gicd_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val);
int lr_gicr_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val);
/* Before an entry: keep the list registers and, if the last exit showed the
 * virtual timer asserted and its PPI is enabled, inject it. Returns 1 if it
 * injected. */
int lr_inject_timer(struct lr_devs *d, struct rmi_rec_run *run);

/* Write the flattened device tree; returns its size, 0 if max is short. */
size_t lr_make_dtb(uint8_t *out, size_t max, const char *cmdline, uint64_t ram, uint64_t ram_size,
		   uint64_t gicd, uint64_t gicr, uint64_t uart, uint64_t initrd, uint64_t initrd_size);

/* The realm being booted and the host's loop state. */
#ifndef KVM_HOST_H   /* its second half has no guard of its own */
#include "kvmhost/kvm_host.h"
#endif
struct lr_boot {
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct lr_devs d;
	unsigned long exits, wfi, mmio, timer_irqs, faults;
	int psci_end;   /* 0: running, 1: SYSTEM_OFF, 2: SYSTEM_RESET */
};

/* When lr_run() returns early (all zero: only at the end of the boot). */
struct lr_stop {
	unsigned long tx;        /* the console has this many bytes and ended a line */
	unsigned long exits;     /* this many REC exits in this call (at a line end) */
	int defer_faults;        /* an exit that needs a page faulted in returns */
};
/* The host's run loop. The next entry's flags stay in the run page, so a
 * later call (here or on another machine that got the run page) continues.
 * 0: the realm reset or powered off; 1: a stop condition held; 2: a fault
 * was deferred (the access repeats on the next entry); 3: a Granule
 * Protection Fault exit (the run page holds it); -1: error. */
int lr_run(struct lr_boot *b, double seconds, const struct lr_stop *stop);

struct rmm_a64_ctx;
/* The last line: how it ended, instructions, interrupts, exits (stderr). */
void lr_summary(const struct lr_boot *b, const struct rmm_a64_ctx *a64, double secs);

/* linux_migrate.c: --migrate-at. The destination machine (a forked child)
 * and the source's live migration over a socket. */
struct lr_dest_opts {
	unsigned int cpu;   /* B's REC runs on this CPU (B has two CPUs if 1) */
	int gpti_local;     /* B: RMM_FAULT_GPTI_LOCAL, checking mode */
	const char *timeline; /* B: write its Perfetto timeline (RMM_CFG_TIMELINE) here */
};
int lr_migrate_dest(int fd, int agent, const struct rmm_config *cfg, double seconds,
		    struct rmm_a64_ctx *a64, const struct lr_dest_opts *o);
/* 0: B finished the boot; 3: B's REC took a Granule Protection Fault
 * (reported by B); -1: error. img_end: the end of the kernel's image. */
int lr_migrate_source(struct lr_boot *b, int fd, int agent, double seconds, unsigned long at_tx,
		      uint64_t ram, uint64_t ram_size, uint64_t img_end);

#endif
