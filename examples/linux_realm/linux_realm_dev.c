/*
 * linux_realm's devices, emulated on the realm's MMIO exits: a pl011 UART
 * (transmit only; the console's characters go to stdout), a GICv3
 * distributor (registers stored and read back; no SPI is ever raised) and
 * one redistributor (its PPI enables and priorities decide the timer's
 * injection), and the virtual timer's injection through a list register.
 */
#include <stdio.h>
#include <string.h>

#include "linux_realm.h"

#define PPI_VTIMER 27u

void lr_devs_init(struct lr_devs *d)
{
	memset(d, 0, sizeof(*d));
}

static uint64_t mask(unsigned int sas)
{
	return sas == 3 ? ~0ull : (1ull << (8u << sas)) - 1;
}

/* Registers stored as 32-bit words; sub-word accesses read/modify a part. */
static void store(uint32_t *regs, uint64_t off, unsigned int sas, uint64_t v)
{
	uint8_t *b = (uint8_t *)regs;

	memcpy(b + off, &v, 1u << sas);
}

static uint64_t load(const uint32_t *regs, uint64_t off, unsigned int sas)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)regs + off, 1u << sas);
	return v;
}

/* The AMBA peripheral and cell IDs of a pl011 (0x00141011, 0xb105f00d). */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

int lr_uart_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val)
{
	if (off + (1u << sas) > 0x1000)
		return -1;
	if (write) {
		if (off == 0x00) {  /* UARTDR */
			putchar((int)(*val & 0xff));
			if ((*val & 0xff) == '\n')
				fflush(stdout);
			d->tx_bytes++;
			d->last_tx = (uint8_t)*val;
			return 0;
		}
		store(d->uart_regs, off, sas, *val);
		return 0;
	}
	if (off >= 0xfe0 && off < 0x1000) {
		*val = (off & 3) ? 0 : pl011_id[(off - 0xfe0) / 4];
		return 0;
	}
	switch (off) {
	case 0x00:  /* DR: nothing received */
	case 0x3c:  /* RIS */
	case 0x40:  /* MIS */
		*val = 0;
		return 0;
	case 0x18:  /* FR: TXFE | RXFE, never busy or full */
		*val = 0x90;
		return 0;
	default:
		*val = load(d->uart_regs, off, sas) & mask(sas);
		return 0;
	}
}

int lr_gicd_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val)
{
	if (off + (1u << sas) > 0x10000)
		return -1;
	if (write) {
		store(d->gicd, off, sas, *val);
		return 0;
	}
	switch (off) {
	case 0x0000:  /* GICD_CTLR: RWP never set */
		*val = load(d->gicd, off, sas) & 0x7fffffffu;
		return 0;
	case 0x0004:  /* GICD_TYPER: 64 INTIDs, 10 ID bits, no LPIs, no security */
		*val = (9u << 19) | 1u;
		return 0;
	case 0x0008:  /* GICD_IIDR */
		*val = 0x43b;
		return 0;
	case 0xffe8:  /* GICD_PIDR2: GICv3 */
		*val = 0x30;
		return 0;
	default:
		*val = load(d->gicd, off, sas) & mask(sas);
		return 0;
	}
}

static int gicr_sgi(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val)
{
	if (write) {
		if (off == 0x100 && sas == 2) {         /* GICR_ISENABLER0 */
			d->ppi_enabled |= (uint32_t)*val;
			return 0;
		}
		if (off == 0x180 && sas == 2) {         /* GICR_ICENABLER0 */
			d->ppi_enabled &= ~(uint32_t)*val;
			return 0;
		}
		if (off >= 0x400 && off < 0x420) {      /* GICR_IPRIORITYR<n> */
			for (unsigned int i = 0; i < (1u << sas) && off - 0x400 + i < 32; i++)
				d->ppi_prio[off - 0x400 + i] = (uint8_t)(*val >> (8 * i));
			return 0;
		}
		store(d->gicr_sgi, off, sas, *val);
		return 0;
	}
	if ((off == 0x100 || off == 0x180) && sas == 2) {
		*val = d->ppi_enabled;
		return 0;
	}
	if (off >= 0x400 && off < 0x420) {
		*val = 0;
		for (unsigned int i = 0; i < (1u << sas) && off - 0x400 + i < 32; i++)
			*val |= (uint64_t)d->ppi_prio[off - 0x400 + i] << (8 * i);
		return 0;
	}
	*val = load(d->gicr_sgi, off, sas) & mask(sas);
	return 0;
}

int lr_gicr_access(struct lr_devs *d, uint64_t off, int write, unsigned int sas, uint64_t *val)
{
	if (off + (1u << sas) > 0x20000)
		return -1;
	if (off >= 0x10000)
		return gicr_sgi(d, off - 0x10000, write, sas, val);
	if (write) {
		store(d->gicr_rd, off, sas, *val);
		return 0;
	}
	switch (off) {
	case 0x0000:  /* GICR_CTLR: RWP never set */
		*val = 0;
		return 0;
	case 0x0004:  /* GICR_IIDR */
		*val = 0x43b;
		return 0;
	case 0x0008:  /* GICR_TYPER: Last; affinity 0, processor 0 */
		*val = sas == 3 ? 0x10 : 0x10;
		return 0;
	case 0x000c:  /* GICR_TYPER[63:32]: affinity 0 */
		*val = 0;
		return 0;
	case 0x0014:  /* GICR_WAKER: awake at once */
		*val = 0;
		return 0;
	case 0xffe8:  /* GICR_PIDR2: GICv3 */
		*val = 0x30;
		return 0;
	default:
		*val = load(d->gicr_rd, off, sas) & mask(sas);
		return 0;
	}
}

int lr_inject_timer(struct lr_devs *d, struct rmi_rec_run *run)
{
	int free_lr = -1;

	memcpy(run->enter.gicv3_lrs, run->exit.gicv3_lrs, sizeof(run->enter.gicv3_lrs));
	if ((run->exit.cntv_ctl & 7) != 5 || !(d->ppi_enabled & (1u << PPI_VTIMER)))
		return 0;
	for (int i = 0; i < RMI_GIC_NUM_LRS; i++) {
		uint64_t lr = run->enter.gicv3_lrs[i];

		if ((lr >> 62) && (lr & 0xffffffffull) == PPI_VTIMER)
			return 0;
		if (!(lr >> 62) && free_lr < 0)
			free_lr = i;
	}
	if (free_lr < 0)
		return 0;
	/* pending, group 1, the priority the realm gave the PPI */
	run->enter.gicv3_lrs[free_lr] = (1ull << 62) | (1ull << 60) |
					((uint64_t)d->ppi_prio[PPI_VTIMER] << 48) | PPI_VTIMER;
	return 1;
}
