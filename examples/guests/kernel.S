// kernel.S: a realm guest shaped like a kernel's early boot, for the
// field-failure tests (docs/field-failures.md).
//
// Loaded at IPA 0 with the MMU off (as a Linux Image is entered). It maps
// its first 256 KiB at the kernel virtual address KVA through TTBR1 and,
// until it runs there, at their IPAs through TTBR0 (an identity map it then
// drops by disabling TTBR0 walks, as a kernel does), installs
// vectors at their virtual address, arms its virtual timer, turns the MMU
// on and continues at KVA + high. There it makes host calls in a loop,
// passing its own virtual PC and a counter, so that the host can see where
// it is (the prototype's "private interface" for REC registers).
//
// At offset 0x200 sits a probe: where a synchronous exception from EL1h
// lands when VBAR_EL1 is 0 (as REC_CREATE leaves it). It reports ESR_EL1,
// ELR_EL1, FAR_EL1, SCTLR_EL1, VBAR_EL1 and CNTV_CTL_EL0 in a host call
// (imm 0x200) and then spins. It is never reached on a correct run. (In a
// real kernel image other bytes are at 0x200.)
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.equ RSI_HOST_CALL,    0xC4000199
	.equ KVA,              0xffffff8000000000

	.text
	.global _start
_start:
	b	boot

	.org	0x200
probe:					// VBAR_EL1 == 0: current EL, SP_ELx, synchronous
	mov	x6, #0x9000		// RsiHostCall at IPA 0x9000 (MMU off: VA == IPA)
	mov	w7, #0x200
	strh	w7, [x6]
	mrs	x7, esr_el1
	str	x7, [x6, #8]
	mrs	x7, elr_el1
	str	x7, [x6, #16]
	mrs	x7, far_el1
	str	x7, [x6, #24]
	mrs	x7, sctlr_el1
	str	x7, [x6, #32]
	mrs	x7, vbar_el1
	str	x7, [x6, #40]
	mrs	x7, cntv_ctl_el0
	str	x7, [x6, #48]
	ldr	x0, =RSI_HOST_CALL
	mov	x1, x6
	smc	#0
1:	b	1b
	.ltorg

boot:
	// TTBR1: L1 at 0x4000, L2 at 0x5000, L3 at 0x6000: KVA + n * 4 KiB -> IPA n * 4 KiB
	mov	x10, #0x4000
	mov	x11, #0x5003		// L1[0]: table
	str	x11, [x10]
	mov	x10, #0x5000
	mov	x11, #0x6003		// L2[0]: table
	str	x11, [x10]
	mov	x10, #0x6000
	mov	x11, #0x703		// page, AttrIndx 0, inner shareable, AF
	mov	x12, #64
2:	str	x11, [x10], #8
	add	x11, x11, #0x1000
	subs	x12, x12, #1
	b.ne	2b

	ldr	x0, =0xff		// MAIR: attr0 normal write-back, attr1 device
	msr	mair_el1, x0
	ldr	x0, =0x80190019		// TCR: T0SZ 25, T1SZ 25, TG1 4 KiB
	msr	tcr_el1, x0
	mov	x0, #0x4000		// the same tables: identity for TTBR0, KVA for TTBR1
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x0
	ldr	x9, =KVA
	adr	x0, vectors
	add	x0, x0, x9
	msr	vbar_el1, x0

	mrs	x0, cntvct_el0		// virtual timer: 1000 s from now, enabled, masked
	ldr	x1, =1000000000000
	add	x0, x0, x1
	msr	cntv_cval_el0, x0
	mov	x0, #3
	msr	cntv_ctl_el0, x0

	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1		// M
	msr	sctlr_el1, x0
	isb
	adr	x0, high
	add	x0, x0, x9
	br	x0

high:					// from here the PC is a kernel virtual address
	ldr	x0, =0x80190099		// drop the identity map: EPD0
	msr	tcr_el1, x0
	isb
	mov	x19, #0
	ldr	x6, =KVA + 0x9000	// the RsiHostCall page through TTBR1
3:	add	x19, x19, #1
	mov	w7, #1
	strh	w7, [x6]
	adr	x7, 3b
	str	x7, [x6, #8]		// gprs[0]: this loop's virtual PC
	str	x19, [x6, #16]		// gprs[1]: iteration
	ldr	x0, =RSI_HOST_CALL
	mov	x1, #0x9000		// RSI takes the IPA
	smc	#0
	b	3b
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200		// synchronous, current EL with SP_ELx: report
	ldr	x6, =KVA + 0x9000	// ESR, ELR and FAR in a host call (imm 0x201)
	mov	w7, #0x201
	strh	w7, [x6]
	mrs	x7, esr_el1
	str	x7, [x6, #8]
	mrs	x7, elr_el1
	str	x7, [x6, #16]
	mrs	x7, far_el1
	str	x7, [x6, #24]
	ldr	x0, =RSI_HOST_CALL
	mov	x1, #0x9000
	smc	#0
4:	b	4b
	.ltorg

	.org	0x10000			// 64 KiB image; tables at 0x4000..0x6fff
