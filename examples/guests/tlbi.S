// tlbi.S: the interpreter's cached stage-1 translations never outlive a
// TLBI. VA 0x30000 maps page A (code returning 1, data 0x1111); after the
// guest rewrites the PTE to page B (code returning 2, data 0x2222) and
// issues TLBI VAE1IS, both the data read and the instruction fetch must use
// B; after the PTE is cleared and invalidated, a read must fault. Results
// at UART + 0x200 + 8 * n.
	.equ UART_VA, 0x40100000	// IPA 2^39 + 0x100000
	.equ X, 0x30000

	.macro put n, reg
	str	\reg, [x28, #(0x200 + 8 * \n)]
	.endm

	.text
	.global _start
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x10, #0x4000		// L1 at 0x4000, L2 at 0x5000, L3 at 0x6000
	mov	x11, #0x5003
	str	x11, [x10]
	movz	x11, #0x80, lsl #32	// L1[1]: 1 GiB device block at IPA 2^39
	ldr	x12, =0x0060000000000405
	orr	x11, x11, x12
	str	x11, [x10, #8]
	mov	x10, #0x5000
	mov	x11, #0x6003
	str	x11, [x10]
	mov	x10, #0x6000		// L3: identity-map 256 KiB
	mov	x11, #0x703
	mov	x12, #64
1:	str	x11, [x10], #8
	add	x11, x11, #0x1000
	subs	x12, x12, #1
	b.ne	1b
	ldr	x0, =0x8703		// L3[0x30] (VA X) -> page A
	mov	x10, #0x6000
	str	x0, [x10, #(8 * 0x30)]
	ldr	x0, =0xff
	msr	mair_el1, x0
	ldr	x0, =0x800019
	msr	tcr_el1, x0
	mov	x0, #0x4000
	msr	ttbr0_el1, x0
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1
	msr	sctlr_el1, x0
	isb
	ldr	x28, =UART_VA
	ldr	x21, [x28, #0x200]	// map the UART page now (an exit), not later

	mov	x20, #X
	// no exit until the end: each run() starts with an empty TLB
	ldr	x21, [x20, #0x100]	// through page A (now cached)
	blr	x20
	mov	x22, x0
	ldr	x0, =0x9703		// PTE -> page B, then invalidate
	str	x0, [x10, #(8 * 0x30)]
	dsb	ishst
	lsr	x1, x20, #12
	tlbi	vae1is, x1
	dsb	ish
	isb
	ldr	x23, [x20, #0x100]
	blr	x20
	mov	x24, x0
	str	xzr, [x10, #(8 * 0x30)]	// unmap, invalidate everything
	dsb	ishst
	tlbi	vmalle1is
	dsb	ish
	isb
	mov	x27, #0
	ldr	x1, [x20, #0x100]	// translation fault at level 3
	put	0, x21
	put	1, x22
	put	2, x23
	put	3, x24
	put	4, x27
	ldr	x0, =0x84000008
	smc	#0
2:	b	2b
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200
	mrs	x27, esr_el1		// record, skip the instruction
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret

	.org	0x8000			// page A
	mov	x0, #1
	ret
	.org	0x8100
	.quad	0x1111
	.org	0x9000			// page B
	mov	x0, #2
	ret
	.org	0x9100
	.quad	0x2222
	.org	0x10000
