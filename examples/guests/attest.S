// attest.S: a realm guest that asks the RMM for an attestation token.
//
// Loaded at IPA 0 with the MMU off (so only aligned 8-byte loads and stores
// touch memory). The host shares three pages at the unprotected IPA
// SHARED (2^39 + 2 MiB): page 0 holds the challenge (64 bytes at 0x00) and
// two values to measure (0x40, and 16 bytes at 0x48) and receives the
// results (0x80..); pages 1-2 receive the token. The guest
//   1. extends REM 0 with 8 bytes and REM 3 with 16 bytes (RSI indexes 1, 4),
//   2. calls RSI_ATTESTATION_TOKEN_INIT with the challenge in X1..X8,
//   3. calls RSI_ATTESTATION_TOKEN_CONTINUE as the spec's pseudocode does,
//      granule by granule into its own RAM at BUF (protected; the host maps
//      it when the first call takes a data abort), until RSI_SUCCESS;
//      RSI_INCOMPLETE with nothing written (an interrupt) just calls again,
//   4. copies the token to the shared pages, reports, calls CONTINUE once
//      more (no token in progress: ERROR_STATE) and turns the system off.
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.equ RSI_MEASUREMENT_EXTEND,         0xC4000193
	.equ RSI_ATTESTATION_TOKEN_INIT,     0xC4000194
	.equ RSI_ATTESTATION_TOKEN_CONTINUE, 0xC4000195
	.equ PSCI_SYSTEM_OFF,                0x84000008
	.equ SHARED,                         0x8000200000
	.equ BUF,                            0x20000

	.text
	.global _start
_start:
	ldr	x20, =SHARED

	ldr	x0, =RSI_MEASUREMENT_EXTEND	// REM 0 += 8 bytes
	mov	x1, #1
	mov	x2, #8
	ldr	x3, [x20, #0x40]
	smc	#0
	str	x0, [x20, #0x80]
	ldr	x0, =RSI_MEASUREMENT_EXTEND	// REM 3 += 16 bytes
	mov	x1, #4
	mov	x2, #16
	ldr	x3, [x20, #0x48]
	ldr	x4, [x20, #0x50]
	smc	#0
	str	x0, [x20, #0x88]

	ldr	x0, =RSI_ATTESTATION_TOKEN_INIT
	ldr	x1, [x20, #0x00]
	ldr	x2, [x20, #0x08]
	ldr	x3, [x20, #0x10]
	ldr	x4, [x20, #0x18]
	ldr	x5, [x20, #0x20]
	ldr	x6, [x20, #0x28]
	ldr	x7, [x20, #0x30]
	ldr	x8, [x20, #0x38]
	smc	#0
	str	x0, [x20, #0x90]
	str	x1, [x20, #0x98]		// upper bound of the size

	mov	x21, #BUF			// granule
	mov	x22, #0				// offset in it
	mov	x23, #0				// bytes so far
	mov	x24, #0				// CONTINUE calls
	mov	x25, #0				// RSI_INCOMPLETE with nothing written
1:	ldr	x0, =RSI_ATTESTATION_TOKEN_CONTINUE
	mov	x1, x21
	mov	x2, x22
	mov	x3, #4096
	sub	x3, x3, x22
	smc	#0
	add	x24, x24, #1
	add	x23, x23, x1
	add	x22, x22, x1
	cmp	x0, #0				// RSI_SUCCESS
	b.eq	3f
	cmp	x0, #3				// RSI_INCOMPLETE
	b.ne	4f
	cbnz	x1, 2f
	add	x25, x25, #1
2:	cmp	x22, #4096
	b.ne	1b
	add	x21, x21, #4096			// next granule
	mov	x22, #0
	b	1b

3:	mov	x9, #BUF			// copy the token out
	add	x10, x20, #0x1000
	mov	x11, x23
5:	ldr	x12, [x9], #8
	str	x12, [x10], #8
	subs	x11, x11, #8
	b.gt	5b

4:	str	x0, [x20, #0xa0]		// the last status
	str	x23, [x20, #0xa8]		// the token's length
	str	x24, [x20, #0xb0]
	str	x25, [x20, #0xb8]
	ldr	x0, =RSI_ATTESTATION_TOKEN_CONTINUE	// none in progress now
	mov	x1, #BUF
	mov	x2, #0
	mov	x3, #64
	smc	#0
	str	x0, [x20, #0xc0]

	ldr	x0, =PSCI_SYSTEM_OFF
	smc	#0
6:	b	6b
	.ltorg

	.org	0x1000				// a 4 KiB image
