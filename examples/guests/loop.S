// loop.S: a tight loop for bench_a64: 3 instructions per iteration, with a
// load and a store to RAM every iteration, then PSCI SYSTEM_OFF.
	.text
	.global _start
_start:
	ldr	x1, =2000000
	mov	x2, #0x8000
1:	ldr	x3, [x2]
	add	x3, x3, x1
	str	x3, [x2]
	subs	x1, x1, #1
	b.ne	1b
	ldr	x0, =0x84000008
	smc	#0
2:	b	2b
	.ltorg
	.org	0x10000
