#!/usr/bin/env python3
"""Independent oracle for isa2.S: the values each result slot must hold,
computed from the architecture's definitions (not from the interpreter).
Prints the C table that unit/kvm/test_a64_guest.c embeds."""
M = (1 << 64) - 1


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >> 31 else v


def s64(v):
    v &= M
    return v - (1 << 64) if v >> 63 else v


def ror(v, n):
    return ((v >> n) | (v << (64 - n))) & M


def cls(v, w):
    sign = (v >> (w - 1)) & 1
    n = 0
    for i in range(w - 2, -1, -1):
        if (v >> i) & 1 != sign:
            break
        n += 1
    return n


r = {}
r[0] = 0
r[1] = 0x1122334455667789
r[2] = 1
r[3] = 1
x1, x2 = 0xaaaabbbbccccdddd, 0x0123456789abcdef
r[4] = 0
r[5] = x2 ^ ror(x1, 8)          # memory holds x2, x1 after the swap
lo, hi = x2 & 0xffffffff, x2 >> 32
r[6] = ((hi << 32) | ((lo + hi) & 0xffffffff)) + 0
r[7] = (0x25 << 26) | (1 << 25) | 0x21   # DABT current EL, IL, alignment
v = 0xfedcba9876543210
r[8] = (v & 0xff) + (v & 0xffff) + (v & 0xffffffff) + v & M
b = bytearray(v.to_bytes(8, 'little'))
b[0] = 0xab
b[2:4] = (0xcdef).to_bytes(2, 'little')
b[4:8] = (0x4321).to_bytes(4, 'little')
r[9] = int.from_bytes(b, 'little')
x1, x2 = 0xfffffffe80000001, 0x123456787ffffff0
w1, w2 = x1 & 0xffffffff, x2 & 0xffffffff
r[10] = (1000 + s32(w1) * s32(w2)) & M
r[11] = (1000 + w1 * w2) & M
r[12] = (1000 - s32(w1) * s32(w2)) & M
r[13] = (1000 - w1 * w2) & M
r[14] = ((s64(x1) * s64(x2)) >> 64) & M
r[15] = ((x1 * x2) >> 64) & M
r[16] = cls(x1, 64) + (cls(w2, 32) << 8)
r[17] = (1 << 31) | (1 << 28) | (4 << 24) | (4 << 20) | (4 << 16) | (3 << 14) | 4
r[18] = 4
r[19], r[20], r[21], r[22] = M, 0, 0, M
r[23] = 1000000000
r[24] = 3
r[25] = 0x000f0000
r[26] = 0x11 | (1 << 24) | (1 << 56) | (1 << 60)   # FP, AdvSIMD = 0: implemented
r[27] = 2 | (0xf << 24)        # 40-bit IPA realm
r[28] = 1 << 20
r[29] = (1 << 27) | (1 << 24) | (1 << 21) | 3
r[30] = 0
r[31] = 27                       # ICC_IAR1_EL1: the timer PPI
r[32] = 5                        # CNTV_CTL in the handler: ENABLE | ISTATUS
r[33] = 0xa0                     # running priority: the host's LR priority
r[34] = 0xff                     # idle after EOI
r[35] = 7                        # ICC_SRE_EL1
for i in range(len(r)):
    print("\t0x%016xull," % r[i])
