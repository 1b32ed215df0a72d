// blk.S: decoded blocks never outlive what invalidates them. Loaded at IPA
// 0 with the MMU off (VA = IPA). Each check ends in an exit the host reads:
// WFI = passed this step, WFE = a stale block ran (the ESR's TI bit tells).
//  1. f (page 0x1000) returns 1, twice, so its block is decoded and reused;
//     the guest then writes "movz x0, #2" over f's first instruction and
//     cleans and invalidates (DC CVAU, DSB, IC IVAU, DSB, ISB): f returns 2.
//  2. g (page 0x2000) returns 3, twice; WFI exits to the host, which
//     DATA_DESTROYs g's page (RIPAS DESTROYED, a stage-2 TLBI); the guest
//     then calls g again: the fetch must take an instruction abort to the
//     host, not run g's decoded block.

	.text
	.global _start
_start:
	bl	f
	bl	f
	cmp	x0, #1
	b.ne	stale
	ldr	w1, =0xd2800040		// movz x0, #2
	adr	x2, f
	str	w1, [x2]
	dc	cvau, x2
	dsb	ish
	ic	ivau, x2
	dsb	ish
	isb
	bl	f
	cmp	x0, #2
	b.ne	stale
	wfi				// step 1 passed
	bl	g
	bl	g
	cmp	x0, #3
	b.ne	stale
	wfi				// step 2: the host destroys g's page now
	bl	g			// must abort to the host
stale:
	wfe
	b	stale

	.balign	0x1000
f:
	movz	x0, #1
	ret

	.balign	0x1000
g:
	movz	x0, #3
	ret
	.balign	0x1000
