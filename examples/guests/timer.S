// timer.S: a realm guest that arms its virtual timer and waits for it,
// across a live migration (examples/mig_timer.c, issue 13 item 6).
//
// Loaded at IPA 0 (64 KiB), MMU off. It installs its vectors, enables its
// GIC CPU interface (PMR 0xff, group 1), reads CNTVCT_EL0 and arms the
// virtual timer 50 ms of realm time ahead (CNTV_CVAL_EL0, CNTV_CTL_EL0 =
// ENABLE, unmasked), unmasks IRQs and waits in WFI. State page 0x8000:
//   0x8000 the CVAL it armed      0x8008 wake-ups from WFI
//   0x8010 last CNTVCT read       0x8018 times CNTVCT went back
//   0x8020 CNTVCT in its IRQ handler (0: not yet)
//   0x8028 the INTID it acknowledged (27: the virtual timer's PPI)
// The IRQ handler (VBAR_EL1 + 0x280, current EL with SP_ELx) acknowledges,
// records, disables the timer and ends the interrupt; the main loop then
// asks PSCI for SYSTEM_OFF.
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.equ	DELTA, 50000000		// 50 ms at 1 GHz
	.equ	PSCI_SYSTEM_OFF, 0x84000008

	.text
	.global _start
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x0, #0xff
	msr	icc_pmr_el1, x0
	mov	x0, #1
	msr	icc_igrpen1_el1, x0
	isb
	mov	x2, #0x8000
	mrs	x1, cntvct_el0
	str	x1, [x2, #0x10]
	ldr	x3, =DELTA
	add	x3, x1, x3
	str	x3, [x2]
	msr	cntv_cval_el0, x3
	mov	x0, #1			// ENABLE, IMASK clear
	msr	cntv_ctl_el0, x0
	isb
	msr	daifclr, #2		// take IRQs

1:	wfi
	ldr	x4, [x2, #8]		// wake-ups + 1
	add	x4, x4, #1
	str	x4, [x2, #8]
	mrs	x7, cntvct_el0		// the realm's time never goes back
	ldr	x8, [x2, #0x10]
	cmp	x7, x8
	b.hs	2f
	ldr	x8, [x2, #0x18]
	add	x8, x8, #1
	str	x8, [x2, #0x18]
2:	str	x7, [x2, #0x10]
	ldr	x5, [x2, #0x20]
	cbz	x5, 1b
	ldr	x0, =PSCI_SYSTEM_OFF
	smc	#0
	b	.
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x280		// IRQ, current EL with SP_ELx
	mrs	x6, icc_iar1_el1
	mrs	x7, cntvct_el0
	mov	x9, #0x8000
	str	x7, [x9, #0x20]
	str	x6, [x9, #0x28]
	msr	cntv_ctl_el0, xzr	// the timer's work is done
	isb
	msr	icc_eoir1_el1, x6
	eret

	.org	0x10000			// 64 KiB image; state page at 0x8000
