// hello.S: a realm guest for the AArch64 interpreter backend.
//
// Loaded at IPA 0 (64 KiB, measured) with the MMU off. It installs its
// vectors, builds identity-mapped stage-1 tables at 0x4000 (plus a device
// block for the UART), turns the MMU on, asks the RMM for its version and
// configuration (RSI), prints "hello\n" through an emulated UART at the
// unprotected alias, makes a host call, reads RIPAS EMPTY memory (the SEA
// lands in its own vector, which records the ESR and skips the load),
// reports its results in UART registers and turns the system off (PSCI).
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.equ RSI_VERSION,      0xC4000190
	.equ RSI_REALM_CONFIG, 0xC4000196
	.equ RSI_HOST_CALL,    0xC4000199
	.equ PSCI_SYSTEM_OFF,  0x84000008
	.equ UART_VA,          0x40100000   // IPA 2^39 + 0x100000

	.text
	.global _start
_start:
	adr	x0, vectors
	msr	vbar_el1, x0

	// stage 1: L1 at 0x4000, L2 at 0x5000, L3 at 0x6000
	mov	x10, #0x4000
	mov	x11, #0x5003		// L1[0]: table
	str	x11, [x10]
	movz	x11, #0x80, lsl #32	// L1[1]: 1 GiB device block at IPA 2^39
	ldr	x12, =0x0060000000000405	// valid, AttrIndx 1, AF, PXN, UXN
	orr	x11, x11, x12
	str	x11, [x10, #8]
	mov	x10, #0x5000
	mov	x11, #0x6003		// L2[0]: table
	str	x11, [x10]
	mov	x10, #0x6000		// L3: identity-map 256 KiB
	mov	x11, #0x703		// page, AttrIndx 0, inner shareable, AF
	mov	x12, #64
1:	str	x11, [x10], #8
	add	x11, x11, #0x1000
	subs	x12, x12, #1
	b.ne	1b

	ldr	x0, =0xff		// MAIR: attr0 normal write-back, attr1 device
	msr	mair_el1, x0
	ldr	x0, =0x800019		// TCR: T0SZ 25 (39-bit VAs), 4 KiB, EPD1
	msr	tcr_el1, x0
	mov	x0, #0x4000
	msr	ttbr0_el1, x0
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1		// M
	msr	sctlr_el1, x0
	isb

	ldr	x0, =RSI_VERSION	// RSI_VERSION(1.0)
	mov	x1, #0x10000
	smc	#0
	mov	x19, x0

	ldr	x0, =RSI_REALM_CONFIG	// RSI_REALM_CONFIG(0x8000)
	mov	x1, #0x8000
	smc	#0
	mov	x2, #0x8000
	ldr	x20, [x2]		// ipa_width

	adr	x3, msg			// print through the UART
	ldr	x4, =UART_VA
2:	ldrb	w5, [x3], #1
	cbz	w5, 3f
	strb	w5, [x4]
	b	2b
3:
	mov	x6, #0x9000		// RsiHostCall: imm 7, gprs[0] = 1234
	mov	w7, #7
	strh	w7, [x6]
	mov	x7, #1234
	str	x7, [x6, #8]
	ldr	x0, =RSI_HOST_CALL
	mov	x1, x6
	smc	#0
	ldr	x22, [x6, #8]		// the host's answer in gprs[0]

	mov	x23, #0
	mov	x8, #0x30000		// RIPAS EMPTY: an SEA into our vector
	ldr	x9, [x8]

	str	x19, [x4, #0x100]	// results for the host
	str	x20, [x4, #0x108]
	str	x22, [x4, #0x110]
	str	x23, [x4, #0x118]

	ldr	x0, =PSCI_SYSTEM_OFF
	smc	#0
4:	b	4b

msg:	.asciz "hello\n"
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200		// synchronous, current EL with SP_ELx
	mrs	x23, esr_el1
	mrs	x24, elr_el1
	add	x24, x24, #4		// skip the faulting load
	msr	elr_el1, x24
	eret

	.org	0x10000			// 64 KiB image; tables at 0x4000..0x6fff
