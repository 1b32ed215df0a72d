// count.S: a realm guest that keeps working across a live migration.
//
// Loaded at IPA 0 (64 KiB, measured), MMU off. It builds identity-mapped
// stage-1 tables at 0x4000 (256 KiB), turns its MMU on, then loops forever:
// the counter at 0x8000 goes up by one, a running hash at 0x8008 mixes it in,
// one 8-byte word of the 64 KiB region at 0x10000 gets the hash (so pages
// keep being dirtied), and the virtual counter is read: if CNTVCT_EL0 ever
// goes back, 0x8018 counts it (the realm's time must be continuous across
// the migration); 0x8010 holds the last value read.
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.text
	.global _start
_start:
	mov	x10, #0x4000
	mov	x11, #0x5003		// L1[0]: table
	str	x11, [x10]
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

	ldr	x0, =0xff		// MAIR: attr0 normal write-back
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

	mov	x2, #0x8000		// state page
	mov	x3, #0x10000		// dirtied region (64 KiB)
	ldr	x9, =0x100000001b3	// FNV-1a prime
2:	ldr	x4, [x2]		// counter + 1
	add	x4, x4, #1
	str	x4, [x2]
	ldr	x5, [x2, #8]		// hash = (hash ^ counter) * prime
	eor	x5, x5, x4
	mul	x5, x5, x9
	str	x5, [x2, #8]
	and	x6, x4, #0x1fff		// word (counter % 8192) of the region
	str	x5, [x3, x6, lsl #3]
	mrs	x7, cntvct_el0		// the realm's time never goes back
	ldr	x8, [x2, #0x10]
	cmp	x7, x8
	b.hs	3f
	ldr	x8, [x2, #0x18]
	add	x8, x8, #1
	str	x8, [x2, #0x18]
3:	str	x7, [x2, #0x10]
	b	2b
	.ltorg

	.org	0x10000			// 64 KiB image; tables at 0x4000..0x6fff
