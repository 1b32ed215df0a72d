// isa.S: exercises the interpreter's instruction groups. Each result goes
// to a UART register (offset 0x200 + 8 * n) for the host to check against
// values computed independently. MMU off: VA == IPA; the device page is
// reached through its unprotected IPA directly.
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.macro put n, reg
	str	\reg, [x28, #(8 * \n)]
	.endm

	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0

	// 0: add/sub with flags and conditions
	mov	x1, #5
	subs	x2, x1, #7		// -2, N=1 C=0
	cset	x3, lt
	cset	x4, cs
	add	x5, x3, x4, lsl #4	// 1 + 0
	put	0, x2
	put	1, x5
	// 2: 32-bit wrap and flags
	mov	w1, #0xffffffff
	adds	w2, w1, #1		// 0, Z=1 C=1
	cset	w3, eq
	cset	w4, hs
	add	w5, w3, w4, lsl #1
	put	2, x5
	// 3..4: logical immediates (bitmask decode)
	mov	x1, #0x5555555555555555
	and	x2, x1, #0xff00ff00ff00ff00
	put	3, x2
	eor	x3, x1, #0x0f0f0f0f0f0f0f0f
	put	4, x3
	// 5: movz/movk
	movz	x1, #0x1234, lsl #48
	movk	x1, #0x5678, lsl #16
	movk	x1, #0x9abc
	put	5, x1
	// 6..8: bitfields
	ldr	x1, =0xfedcba9876543210
	ubfx	x2, x1, #8, #12
	put	6, x2
	sbfx	x3, x1, #56, #8
	put	7, x3
	lsl	x4, x1, #4
	asr	x5, x1, #60
	eor	x4, x4, x5
	put	8, x4
	// 9: extr
	ldr	x2, =0x0123456789abcdef
	extr	x3, x1, x2, #16
	put	9, x3
	// 10..12: multiply and divide
	mov	x2, #1000
	madd	x3, x1, x2, x1
	put	10, x3
	umulh	x4, x1, x1
	put	11, x4
	mov	x5, #-100
	mov	x6, #7
	sdiv	x7, x5, x6
	udiv	x8, x1, x6
	add	x7, x7, x8
	put	12, x7
	// 13: conditional select family and ccmp
	mov	x1, #3
	mov	x2, #9
	cmp	x1, x2
	csel	x3, x1, x2, gt		// 9
	csinc	x4, x1, x2, gt		// 10
	csneg	x5, x1, x2, lt		// 3
	ccmp	x1, #3, #0, lt		// equal: Z
	cset	x6, eq
	add	x3, x3, x4
	add	x3, x3, x5
	add	x3, x3, x6, lsl #8
	put	13, x3
	// 14: clz, rbit, rev
	mov	x1, #0x100
	clz	x2, x1			// 55
	rbit	x3, x1			// 1 << 55
	ldr	x4, =0x1122334455667788
	rev	x5, x4
	add	x2, x2, x3
	eor	x2, x2, x5
	put	14, x2
	// 15: loads and stores: pre/post-index, pairs, register offset, signed
	mov	x10, #0xa000
	ldr	x1, =0x8081828384858687
	stp	x1, x4, [x10, #16]!	// x10 = 0xa010
	ldp	x2, x3, [x10], #8	// x10 = 0xa018
	ldrsb	x5, [x10, #-8]		// 0x87 -> -121
	ldrsh	w6, [x10, #-8]		// 0x8687 -> sign-extended to 32 bits
	mov	x7, #2
	ldr	w8, [x10, x7, lsl #2]	// word at 0xa020
	ldrsw	x9, [x10, #-4]		// 0x80818283 sign-extended
	add	x2, x2, x3
	add	x2, x2, x5
	add	x2, x2, x6
	add	x2, x2, x8
	add	x2, x2, x9
	put	15, x2
	// 16: branches: a loop with cbnz, tbz, bl/ret
	mov	x1, #0
	mov	x2, #10
1:	add	x1, x1, x2
	sub	x2, x2, #1
	cbnz	x2, 1b			// x1 = 55
	tbz	x1, #0, 2f		// 55 is odd: not taken
	bl	double
2:	put	16, x1			// 110
	// 17: svc into the vector, which returns with x0 = ESR_EL1
	mov	x0, #0
	svc	#0x42
	put	17, x0
	// 18: an undefined instruction (UDF) becomes an exception
	mov	x0, #0
	.inst	0x00000000		// udf #0
	put	18, x0
	// done
	ldr	x0, =0x84000008
	smc	#0
3:	b	3b

double:
	add	x1, x1, x1
	ret
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200
	mrs	x0, esr_el1		// report it, resume after the instruction
	mrs	x27, elr_el1
	lsr	x26, x0, #26
	cmp	x26, #0x15
	b.eq	4f			// SVC: ELR is already the next instruction
	add	x27, x27, #4
	msr	elr_el1, x27
4:	eret
	.org	0x10000
