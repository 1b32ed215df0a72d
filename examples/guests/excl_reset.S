// excl_reset.S: an exclusive reservation does not outlive rmm_reset().
// Loaded at IPA 0 with the MMU off. Entered at 0, it reserves 0x3000 with
// LDXR and stops (WFI). Entered at 0x100 (a new REC after the reset, at the
// same PA), it store-exclusives 0x3000 without a reservation of its own:
// that must fail (WFI); a success means a reservation survived (WFE).

	.text
	.global _start
_start:
	mov	x0, #0x3000
	ldxr	x1, [x0]
	wfi
	b	.

	.balign	0x100
second:
	mov	x0, #0x3000
	mov	x3, #42
	stxr	w2, x3, [x0]
	cbnz	w2, 1f
	wfe				// the store-exclusive succeeded: stale
1:	wfi
	b	1b

	.balign	0x1000
	.skip	0x2000			// 0x3000: the reserved word
	.quad	0
	.balign	0x1000
