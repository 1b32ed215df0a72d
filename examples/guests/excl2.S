// excl2.S: two vCPUs and the global exclusive monitor. vCPU0 (entry 0)
// reserves a granule; vCPU1 (entry 0x400) stores to another word of the
// same granule; vCPU0's store-exclusive must fail although the word it
// reserved never changed. Then both increment a shared counter with
// LDXR/STXR loops; no increment may be lost. Results: UART page + 0x200.
	.equ OUT, 0x8000100200
	.equ N, 20000

	.macro put n, reg
	str	\reg, [x28, #(8 * \n)]
	.endm

	.text
	.global _start
_start:					// vCPU0
	ldr	x28, =OUT
	adr	x20, shared
	ldxr	x1, [x20]		// reserve word 0 of the granule
	mov	x2, #1
	str	x2, [x20, #128]		// flag0 (another granule)
1:	ldr	x3, [x20, #192]		// wait for flag1
	cbz	x3, 1b
	stxr	w4, x1, [x20]		// the other vCPU wrote word 1: fails
	put	0, x4
	ldxr	x1, [x20]
	stxr	w4, x1, [x20]		// undisturbed: succeeds
	put	1, x4
	mov	x2, #1
	str	x2, [x20, #136]		// go: start counting
	bl	count
2:	ldr	x3, [x20, #200]		// wait until vCPU1 finished
	cbz	x3, 2b
	ldr	x1, [x20, #64]
	put	2, x1
	ldr	x0, =0x84000008		// SYSTEM_OFF
	smc	#0
3:	b	3b

count:					// N atomic increments of the word at +64
	add	x5, x20, #64
	ldr	x6, =N
4:	ldxr	x7, [x5]
	add	x7, x7, #1
	stxr	w8, x7, [x5]
	cbnz	w8, 4b
	subs	x6, x6, #1
	b.ne	4b
	ret
	.ltorg

	.org	0x400
	ldr	x28, =OUT		// vCPU1
	adr	x20, shared
5:	ldr	x3, [x20, #128]		// wait for flag0
	cbz	x3, 5b
	mov	x2, #0x55
	str	x2, [x20, #8]		// same granule as vCPU0's reservation
	mov	x2, #1
	str	x2, [x20, #192]		// flag1
6:	ldr	x3, [x20, #136]		// wait for go
	cbz	x3, 6b
	bl	count
	mov	x2, #1
	str	x2, [x20, #200]		// done
	ldr	x0, =0x84000002		// CPU_OFF
	smc	#0
7:	b	7b
	.ltorg

	.balign	4096
shared:
	.fill	4096, 1, 0
