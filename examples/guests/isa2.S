// isa2.S: the instruction groups a Linux kernel needs beyond isa.S:
// exclusives, acquire/release, long multiplies, CLS, the cache and DC ZVA
// registers, the CPU profile, counters, AT, and a virtual timer interrupt
// taken through VBAR_EL1 + 0x280 and handled with ICC_IAR1/EOIR1. Results
// go to the UART page (offset 0x200 + 8 * n); the expected values come from
// isa2_oracle.py. MMU off: VA == IPA.
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.macro put n, reg
	str	\reg, [x28, #(8 * \n)]
	.endm

	.arch_extension rcpc
	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x20, data
	mov	x27, #0
	mov	x26, #0
	// 0..1: LDXR/STXR succeed and update memory
	ldr	x1, =0x1122334455667788
	str	x1, [x20]
	ldxr	x2, [x20]
	add	x2, x2, #1
	stxr	w3, x2, [x20]
	ldr	x4, [x20]
	put	0, x3
	put	1, x4
	// 2: STXR with no reservation fails
	mov	x2, #5
	stxr	w3, x2, [x20]
	put	2, x3
	// 3: CLREX drops the reservation
	ldaxr	x2, [x20]
	clrex
	stlxr	w3, x2, [x20]
	put	3, x3
	// 4..6: pairs
	ldr	x1, =0xaaaabbbbccccdddd
	ldr	x2, =0x0123456789abcdef
	add	x21, x20, #16
	stp	x1, x2, [x21]
	ldxp	x3, x4, [x21]
	stxp	w5, x4, x3, [x21]	// swapped
	ldp	x6, x7, [x21]
	put	4, x5
	eor	x8, x6, x7, ror #8
	put	5, x8
	ldaxp	w3, w4, [x21]
	add	w3, w3, w4
	stlxp	w5, w3, w4, [x21]
	ldr	x6, [x21]
	add	x6, x6, x5
	put	6, x6
	// 7: a misaligned LDXR: alignment fault, ESR_EL1 recorded by the vector
	add	x1, x20, #4
	ldxr	x2, [x1]
	put	7, x27
	// 8..9: LDAR/STLR of every size, LDAPR
	ldr	x1, =0xfedcba9876543210
	add	x21, x20, #32
	stlr	x1, [x21]
	ldarb	w2, [x21]
	ldarh	w3, [x21]
	ldar	w4, [x21]
	ldapr	x5, [x21]
	add	x6, x2, x3
	add	x6, x6, x4
	add	x6, x6, x5
	put	8, x6
	mov	w7, #0xab
	stlrb	w7, [x21]
	mov	w7, #0xcdef
	add	x22, x21, #2
	stlrh	w7, [x22]
	add	x22, x21, #4
	mov	w7, #0x4321
	stlr	w7, [x22]
	ldar	x8, [x21]
	put	9, x8
	// 10..15: long multiplies and high halves
	ldr	x1, =0xfffffffe80000001
	ldr	x2, =0x123456787ffffff0
	mov	x3, #1000
	smaddl	x4, w1, w2, x3
	umaddl	x5, w1, w2, x3
	smsubl	x6, w1, w2, x3
	umsubl	x7, w1, w2, x3
	smulh	x8, x1, x2
	umulh	x9, x1, x2
	put	10, x4
	put	11, x5
	put	12, x6
	put	13, x7
	put	14, x8
	put	15, x9
	// 16: CLS
	cls	x3, x1
	cls	w4, w2
	add	x3, x3, x4, lsl #8
	put	16, x3
	// 17..18: CTR_EL0, DCZID_EL0
	mrs	x1, ctr_el0
	put	17, x1
	mrs	x1, dczid_el0
	put	18, x1
	// 19..22: DC ZVA zeroes exactly its aligned 64-byte block
	add	x21, x20, #256
	mov	x1, #-1
	mov	x2, #0
1:	str	x1, [x21, x2]
	add	x2, x2, #8
	cmp	x2, #192
	b.ne	1b
	add	x3, x21, #72
	dc	zva, x3
	ldr	x4, [x21, #56]
	ldr	x5, [x21, #64]
	ldr	x6, [x21, #120]
	ldr	x7, [x21, #128]
	put	19, x4
	put	20, x5
	put	21, x6
	put	22, x7
	// 23..24: CNTFRQ_EL0; the virtual counter runs and is non-zero
	mrs	x1, cntfrq_el0
	put	23, x1
	mrs	x1, cntvct_el0
	mrs	x2, cntpct_el0
	cmp	x2, x1
	cset	x3, hs
	cmp	x1, #0
	cset	x4, ne
	add	x3, x3, x4, lsl #1
	put	24, x3
	// 25..29: the CPU profile
	mrs	x1, midr_el1
	put	25, x1
	mrs	x1, id_aa64pfr0_el1
	put	26, x1
	mrs	x1, id_aa64mmfr0_el1
	put	27, x1
	mrs	x1, id_aa64isar1_el1
	put	28, x1
	mrs	x1, clidr_el1
	put	29, x1
	// 30: AT S1E1R with the MMU off gives PAR = the address
	at	s1e1r, x20
	mrs	x1, par_el1
	sub	x1, x1, x20
	put	30, x1
	// 31..35: the virtual timer fires, the host injects PPI 27, the realm
	// takes it at VBAR_EL1 + 0x280, acknowledges and ends it
	mov	x1, #0xf0
	msr	icc_pmr_el1, x1
	mov	x1, #1
	msr	icc_igrpen1_el1, x1
	mrs	x1, icc_sre_el1
	put	35, x1
	mrs	x1, cntvct_el0
	mov	x2, #20000		// 20 us
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mov	x1, #1
	msr	cntv_ctl_el0, x1
	msr	daifclr, #2
2:	wfi
	cbz	x26, 2b
	msr	daifset, #2
	put	31, x25
	put	32, x24
	put	33, x23
	mrs	x1, icc_rpr_el1
	put	34, x1
	// done
	ldr	x0, =0x84000008
	smc	#0
3:	b	3b
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200
	mrs	x27, esr_el1		// report it, resume after the instruction
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
	.org	vectors + 0x280
	mrs	x25, icc_iar1_el1
	mrs	x24, cntv_ctl_el0
	mrs	x23, icc_rpr_el1
	mov	x9, #3			// ENABLE | IMASK: the line goes down
	msr	cntv_ctl_el0, x9
	msr	icc_eoir1_el1, x25
	mov	x26, #1
	eret
	.org	vectors + 0x800
	.balign	256
data:
	.fill	512, 1, 0
	.org	0x10000
