// el0.S: what an EL1 kernel relies on when it runs code at EL0, and the
// stage-1 permissions of the EL1&0 regime (no PAN, no FEAT_IDST):
// - EL1: LDTR/STTR are checked with EL0's permissions; a page writable at
//   EL0 is never executable at EL1; PXN; SCTLR_EL1.WXN;
// - EL0, twice: first with every SCTLR_EL1 EL0 control clear (UMA, DZE,
//   UCT, nTWI, nTWE, UCI) and CNTKCTL_EL1 = 0, so that DAIF, DC ZVA, CTR_EL0,
//   WFI/WFE, DC/IC by VA, the counters and the timers trap to EL1; then with
//   them all set, so that each works at EL0. In both: TPIDRRO_EL0 is
//   read-only, EL1 registers and MIDR_EL1 are UNDEFINED, EL0 cannot read an
//   EL1-only page, write a read-only one or execute a UXN one, and may
//   execute an EL1-only page (execute-only memory).
// Each case stores two words: the ESR_EL1 of the last exception it took (0:
// none) and x1. Results at UART + 0x200 + 8 * n; the expected values are in
// unit/kvm/test_a64_guest.c (test_el0), written from the Arm ARM.
	.equ UART_VA, 0x40100000	// IPA 2^39 + 0x100000
	.equ U_CODE, 0x8000		// EL0 code: AP 11 (read-only, EL0 too), PXN
	.equ U_RW, 0x9000		// AP 01 (EL0 read/write), UXN; code at +0x100
	.equ U_RO, 0xa000		// AP 11, UXN, PXN
	.equ K_RW, 0xb000		// AP 00 (EL1 only), PXN, UXN clear; code at +0x100
	.equ W_EL1, 0xc000		// AP 00, UXN; EL1 code at +0x100
	.equ EL0_CTLS, 0x405c200	// SCTLR_EL1 UCI, nTWE, nTWI, UCT, DZE, UMA
	.equ WXN, 0x80000

	.macro put n, reg
	str	\reg, [x28, #(8 * \n)]
	.endm

	.macro pte va, attr		// the L3 entry for page \va at x10
	ldr	x0, =(\va | \attr)
	str	x0, [x10, #(8 * (\va >> 12))]
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
	mov	x10, #0x6000		// L3: identity-map 256 KiB, EL1 read-only, UXN
	ldr	x11, =0x0040000000000783
	mov	x12, #64
1:	str	x11, [x10], #8
	add	x11, x11, #0x1000
	subs	x12, x12, #1
	b.ne	1b
	mov	x10, #0x6000
	pte	U_CODE, 0x00200000000007c3
	pte	U_RW, 0x0040000000000743
	pte	U_RO, 0x00600000000007c3
	pte	K_RW, 0x0020000000000703
	pte	W_EL1, 0x0040000000000703
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
	ldr	x28, =(UART_VA + 0x200)
	ldr	x21, [x28]		// map the UART page now (an exit)
	ldr	x3, =0x1234
	mov	x20, #U_RO
	mov	x21, #(U_RW + 0x40)
	mov	x22, #(K_RW + 8)
	mov	x23, #U_RW
	mov	x24, #(K_RW + 0x100)

	// ---- EL1 (slots 0-13) ----
	mov	x27, #0			// 0: LDTR of an EL1-only page: EL0's permission fault
	mov	x1, #0
	ldtr	x1, [x22]
	put	0, x27
	put	1, x1
	mov	x27, #0			// 1: LDTR of an EL0 page
	ldtr	x1, [x23, #8]
	put	2, x27
	put	3, x1
	mov	x27, #0			// 2: STTR to an EL0 read-only page
	sttr	x3, [x20]
	put	4, x27
	ldr	x1, [x20]
	put	5, x1
	mov	x27, #0			// 3: LDR of the EL1-only page
	ldr	x1, [x22]
	put	6, x27
	put	7, x1
	mov	x27, #0			// 4: EL1 executes a page writable at EL0
	mov	x1, #0
	blr	x23
	put	8, x27
	put	9, x1
	mov	x27, #0			// 5: EL1 executes a PXN page
	mov	x1, #0
	blr	x24
	put	10, x27
	put	11, x1
	mov	x27, #0			// 6: an EL1-writable page: executes; not under WXN
	mov	x1, #0
	mov	x4, #(W_EL1 + 0x100)
	blr	x4
	mov	x5, x1
	mrs	x0, sctlr_el1
	orr	x0, x0, #WXN
	msr	sctlr_el1, x0
	isb
	mov	x1, #0
	blr	x4
	mrs	x0, sctlr_el1
	bic	x0, x0, #WXN
	msr	sctlr_el1, x0
	isb
	put	12, x27
	add	x1, x1, x5, lsl #8
	put	13, x1

	// ---- EL0 with the controls clear (slots 16-63), then set (64-111) ----
	ldr	x0, =0x5a5a
	msr	tpidrro_el0, x0
	ldr	x0, =0xabc0
	msr	sp_el0, x0
	mrs	x0, sctlr_el1
	ldr	x1, =EL0_CTLS
	bic	x0, x0, x1
	msr	sctlr_el1, x0
	msr	cntkctl_el1, xzr
	isb
	mov	x26, #16
	adr	x25, 2f
	b	to_el0
2:	mrs	x0, sctlr_el1
	ldr	x1, =EL0_CTLS
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	mov	x0, #0x303		// EL0PCTEN, EL0VCTEN, EL0VTEN, EL0PTEN
	msr	cntkctl_el1, x0
	isb
	str	x21, [x21]		// DC ZVA's block holds data again
	mov	x26, #64
	adr	x25, 3f
	b	to_el0
3:	ldr	x0, =0x84000008
	smc	#0
4:	b	4b

to_el0:
	mov	x27, #0
	mov	x1, #0
	mov	x0, #U_CODE
	msr	elr_el1, x0
	msr	spsr_el1, xzr		// EL0t, DAIF clear
	eret
	.ltorg

	.balign	0x800
vectors:
	.org	vectors + 0x200		// EL1: record ESR_EL1; skip the instruction,
	mrs	x27, esr_el1		// or after an instruction abort return to x30
	lsr	x9, x27, #26
	cmp	x9, #0x21
	b.eq	1f
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
1:	msr	elr_el1, x30
	eret
	.org	vectors + 0x400		// from EL0
	b	from_el0
	.org	vectors + 0x800

from_el0:
	mrs	x9, esr_el1
	lsr	x10, x9, #26
	cmp	x10, #0x15
	b.eq	1f
	mov	x27, x9			// a trap or fault: record, then skip the
	cmp	x10, #0x20		// instruction or return to x30
	b.eq	2f
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret
2:	msr	elr_el1, x30
	eret
1:	and	x10, x9, #0xffff	// SVC #n: case n's two words; #0xfff: back to EL1
	cmp	x10, #0xfff
	b.eq	3f
	add	x11, x26, x10, lsl #1
	str	x27, [x28, x11, lsl #3]
	add	x11, x11, #1
	str	x1, [x28, x11, lsl #3]
	mov	x27, #0
	mov	x1, #0
	eret
3:	msr	elr_el1, x25
	mov	x10, #0x3c5
	msr	spsr_el1, x10
	eret

	.org	U_CODE			// EL0 code: each case ends in SVC #n
	mrs	x1, daif		// 0
	svc	#0
	msr	daifset, #2		// 1
	mrs	x1, daif
	msr	daifclr, #2
	svc	#1
	mrs	x1, ctr_el0		// 2
	svc	#2
	dc	civac, x20		// 3
	svc	#3
	ic	ivau, x20		// 4
	svc	#4
	dc	zva, x21		// 5: then read the block back
	ldr	x1, [x21]
	svc	#5
	mrs	x1, dczid_el0		// 6
	svc	#6
	wfi				// 7
	svc	#7
	wfe				// 8
	svc	#8
	mrs	x1, cntfrq_el0		// 9
	svc	#9
	mrs	x1, cntvct_el0		// 10
	cmp	x1, #0
	cset	x1, ne
	svc	#10
	mrs	x1, cntpct_el0		// 11
	cmp	x1, #0
	cset	x1, ne
	svc	#11
	msr	cntv_cval_el0, x3	// 12
	mrs	x1, cntv_cval_el0
	svc	#12
	msr	cntp_cval_el0, x3	// 13
	mrs	x1, cntp_cval_el0
	svc	#13
	msr	tpidrro_el0, x3		// 14
	mrs	x1, tpidrro_el0
	svc	#14
	msr	tpidr_el0, x3		// 15
	mrs	x1, tpidr_el0
	svc	#15
	mrs	x1, sctlr_el1		// 16
	svc	#16
	mrs	x1, midr_el1		// 17
	svc	#17
	ldr	x1, [x22]		// 18: the EL1-only page
	svc	#18
	str	x3, [x20]		// 19: the read-only page
	svc	#19
	ldr	x1, [x20]		// 20
	svc	#20
	blr	x23			// 21: a UXN page
	svc	#21
	blr	x24			// 22: the EL1-only page, UXN clear
	svc	#22
	mov	x1, sp			// 23: SP_EL0
	svc	#23
	svc	#0xfff

	.org	U_RW
	.quad	0, 0x1111
	.org	U_RW + 0x40
	.quad	0x2222
	.org	U_RW + 0x100
	mov	x1, #0x11
	ret
	.org	U_RO
	.quad	0x3333
	.org	K_RW
	.quad	0, 0x4444
	.org	K_RW + 0x100
	mov	x1, #7
	ret
	.org	W_EL1 + 0x100
	mov	x1, #9
	ret
	.org	0x10000
