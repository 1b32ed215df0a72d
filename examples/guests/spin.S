// spin.S: the field report's minimal guest, `b .` with the MMU off.
//
// Loaded at IPA 0, MMU off: its one instruction branches to itself forever.
// examples/mig_timer.c --gpti-local migrates it into a two-CPU destination
// whose GPT invalidations stay local; the REC's first fetch on the other CPU
// takes the instruction abort 0x82000025 (ctest example_mig_spin_gpf).
// Assembled with: clang --target=aarch64-linux-gnu -c; llvm-objcopy -O binary.

	.text
	.global _start
_start:
	b	.
	.org	0x10000			// 64 KiB image, as the other guests
