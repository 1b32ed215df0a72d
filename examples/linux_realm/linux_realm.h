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

#endif
