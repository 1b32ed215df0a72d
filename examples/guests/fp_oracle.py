#!/usr/bin/env python3
"""fp.S and its independent oracle: the SIMD&FP cases (CPACR_EL1.FPEN, FPCR/
FPSR, loads/stores of every addressing form, the integer AdvSIMD subset).
Each case's expected value is computed here from the architecture's
definition of the instruction, not from the interpreter.

  fp_oracle.py --asm       writes the guest program (examples/guests/fp.S)
  fp_oracle.py             prints its table (unit/kvm/a64_fp_want.inc)
  fp_oracle.py --asm-fpu   writes examples/guests/fpu.S (scalar FP arithmetic)
  fp_oracle.py --fpu       prints its table (unit/kvm/a64_fpu_want.inc)
  fp_oracle.py --asm-simd2 writes examples/guests/simd2.S (widening, saturating,
                           multiplying integer AdvSIMD)
  fp_oracle.py --simd2     prints its table (unit/kvm/a64_simd2_want.inc)
  fp_oracle.py --asm-simd3 writes examples/guests/simd3.S (shifts by immediate),
  fp_oracle.py --simd3     its table (unit/kvm/a64_simd3_want.inc)
  fp_oracle.py --asm-ldst2 writes examples/guests/ldst2.S (LD2-4/ST2-4, LDnR)
  fp_oracle.py --ldst2     prints its table (unit/kvm/a64_ldst2_want.inc)
"""
import struct
import sys

M = (1 << 64) - 1
M128 = (1 << 128) - 1

A = 0x8091a2b3c4d5e6f7_0f1e2d3c4b5a6978   # V1
B = 0x7f00ff01fe02fd03_1122334455667788   # V2
D = 0xdeadbeefcafef00d_0123456789abcdef   # V0 before the instruction
T = 0x001f0e2a0310ff07_0c1b050a1e14020f   # V3: TBL indices
X3 = 0x8877665544332211


def el(v, es, n=None):
    n = n or 16 // es
    return [(v >> (8 * es * i)) & ((1 << (8 * es)) - 1) for i in range(n)]


def pk(lst, es):
    r = 0
    for i, x in enumerate(lst):
        r |= (x & ((1 << (8 * es)) - 1)) << (8 * es * i)
    return r


def sg(x, es):
    b = 8 * es
    return x - (1 << b) if x >> (b - 1) else x


def lo(v):
    return v & M


def vec(q, es, f):
    """Elementwise f(i, a, b, d) on the low 8 (q=0) or 16 bytes."""
    n = (16 if q else 8) // es
    a, b, d = el(A, es), el(B, es), el(D, es)
    return pk([f(i, a[i], b[i], d[i]) for i in range(n)], es)


ONES = lambda es: (1 << (8 * es)) - 1

cases = []   # (asm lines, expected 128-bit V0 or ('x', expected X4))


def V(asm, val):
    cases.append((asm, val & M128))


def Xc(asm, val):
    cases.append((asm, ('x', val & M)))


# ---- modified immediate ----
V("movi v0.16b, #0xa5", int.from_bytes(b'\xa5' * 16, 'little'))
V("movi v0.8b, #0x3c", int.from_bytes(b'\x3c' * 8, 'little'))
V("movi v0.2d, #0xff00ff0000ff00ff", 0xff00ff0000ff00ff * ((1 << 64) + 1))
V("movi d0, #0xff00ff00ff00ff00", 0xff00ff00ff00ff00)
V("movi v0.4s, #0x12, lsl #8", pk([0x1200] * 4, 4))
V("movi v0.4s, #0x56, msl #16", pk([0x56ffff] * 4, 4))
V("mvni v0.4s, #0x12, lsl #16", pk([~0x120000] * 4, 4))
V("mvni v0.2s, #0x34, msl #8", pk([~0x34ff] * 2, 4))
V("movi v0.8h, #0x7f, lsl #8", pk([0x7f00] * 8, 2))
V("orr v0.4s, #0x80, lsl #24", D | pk([0x80000000] * 4, 4))
V("bic v0.8h, #0xff", D & ~pk([0xff] * 8, 2))
V("bic v0.2s, #0xf0", lo(D & ~pk([0xf0] * 4, 4)))
# ---- copy ----
V("dup v0.16b, v1.b[5]", pk([el(A, 1)[5]] * 16, 1))
V("dup v0.4s, v1.s[3]", pk([el(A, 4)[3]] * 4, 4))
V("dup v0.2d, v1.d[1]", pk([el(A, 8)[1]] * 2, 8))
V("dup v0.4h, v1.h[6]", pk([el(A, 2)[6]] * 4, 2))
V("dup v0.8h, w3", pk([X3 & 0xffff] * 8, 2))
V("dup v0.2d, x3", pk([X3] * 2, 8))
V("dup v0.8b, w3", pk([X3 & 0xff] * 8, 1))
V("mov v0.s[2], w3", pk([x if i != 2 else X3 & 0xffffffff for i, x in enumerate(el(D, 4))], 4))
V("mov v0.b[15], w3", pk([x if i != 15 else X3 & 0xff for i, x in enumerate(el(D, 1))], 1))
V("mov v0.d[1], v1.d[0]", pk([el(D, 8)[0], el(A, 8)[0]], 8))
V("mov v0.h[3], v1.h[6]", pk([x if i != 3 else el(A, 2)[6] for i, x in enumerate(el(D, 2))], 2))
Xc("umov w4, v1.b[9]", el(A, 1)[9])
Xc("umov w4, v1.h[7]", el(A, 2)[7])
Xc("mov w4, v1.s[3]", el(A, 4)[3])
Xc("mov x4, v1.d[1]", el(A, 8)[1])
Xc("smov x4, v1.b[15]", sg(el(A, 1)[15], 1))
Xc("smov w4, v1.h[7]", sg(el(A, 2)[7], 2) & 0xffffffff)
Xc("smov x4, v1.s[3]", sg(el(A, 4)[3], 4))
# ---- scalar FP moves ----
V("fmov d0, x3", X3)
V("fmov s0, w3", X3 & 0xffffffff)
V("fmov v0.d[1], x3", (D & M) | (X3 << 64))
V("fmov s0, #-2.5", struct.unpack('<I', struct.pack('<f', -2.5))[0])
V("fmov d0, #0.125", struct.unpack('<Q', struct.pack('<d', 0.125))[0])
V("fmov d0, #31.0", struct.unpack('<Q', struct.pack('<d', 31.0))[0])
V("fmov s0, s1", A & 0xffffffff)
V("fmov d0, d1", A & M)
Xc("fmov x4, d1", A & M)
Xc("fmov w4, s1", A & 0xffffffff)
Xc("fmov x4, v1.d[1]", A >> 64)
# ---- logical ----
V("and v0.16b, v1.16b, v2.16b", A & B)
V("and v0.8b, v1.8b, v2.8b", lo(A & B))
V("bic v0.16b, v1.16b, v2.16b", A & ~B)
V("orr v0.16b, v1.16b, v2.16b", A | B)
V("orn v0.16b, v1.16b, v2.16b", (A | ~B) & M128)
V("eor v0.16b, v1.16b, v2.16b", A ^ B)
V("eor v0.8b, v1.8b, v2.8b", lo(A ^ B))
V("bsl v0.16b, v1.16b, v2.16b", (D & A) | (~D & B))
V("bit v0.16b, v1.16b, v2.16b", (B & A) | (~B & D))
V("bif v0.16b, v1.16b, v2.16b", (~B & A) | (B & D))
V("mov v0.16b, v1.16b", A)
V("mvn v0.16b, v1.16b", ~A & M128)
# ---- arithmetic, compares ----
V("add v0.16b, v1.16b, v2.16b", vec(1, 1, lambda i, a, b, d: a + b))
V("add v0.4s, v1.4s, v2.4s", vec(1, 4, lambda i, a, b, d: a + b))
V("add v0.2d, v1.2d, v2.2d", vec(1, 8, lambda i, a, b, d: a + b))
V("sub v0.8h, v1.8h, v2.8h", vec(1, 2, lambda i, a, b, d: a - b))
V("sub v0.2s, v1.2s, v2.2s", vec(0, 4, lambda i, a, b, d: a - b))
V("cmeq v0.16b, v1.16b, v1.16b", M128)
V("cmeq v0.8h, v1.8h, v2.8h", vec(1, 2, lambda i, a, b, d: -(a == b)))
V("cmhi v0.8h, v1.8h, v2.8h", vec(1, 2, lambda i, a, b, d: -(a > b)))
V("cmhs v0.4s, v1.4s, v2.4s", vec(1, 4, lambda i, a, b, d: -(a >= b)))
V("cmgt v0.2d, v1.2d, v2.2d", vec(1, 8, lambda i, a, b, d: -(sg(a, 8) > sg(b, 8))))
V("cmge v0.16b, v1.16b, v2.16b", vec(1, 1, lambda i, a, b, d: -(sg(a, 1) >= sg(b, 1))))
V("cmtst v0.8b, v1.8b, v2.8b", vec(0, 1, lambda i, a, b, d: -((a & b) != 0)))
V("cmeq v0.16b, v2.16b, #0", vec(1, 1, lambda i, a, b, d: -(b == 0)))
V("cmgt v0.8h, v1.8h, #0", vec(1, 2, lambda i, a, b, d: -(sg(a, 2) > 0)))
V("cmge v0.4s, v2.4s, #0", vec(1, 4, lambda i, a, b, d: -(sg(b, 4) >= 0)))
V("cmle v0.16b, v1.16b, #0", vec(1, 1, lambda i, a, b, d: -(sg(a, 1) <= 0)))
V("cmlt v0.2d, v1.2d, #0", vec(1, 8, lambda i, a, b, d: -(sg(a, 8) < 0)))
V("abs v0.8h, v1.8h", vec(1, 2, lambda i, a, b, d: abs(sg(a, 2))))
V("neg v0.2d, v1.2d", vec(1, 8, lambda i, a, b, d: -a))
V("umax v0.16b, v1.16b, v2.16b", vec(1, 1, lambda i, a, b, d: max(a, b)))
V("smin v0.4s, v1.4s, v2.4s", vec(1, 4, lambda i, a, b, d: min(sg(a, 4), sg(b, 4))))


def pairwise(q, es, f):
    n = (16 if q else 8) // es
    cat = el(A, es, n) + el(B, es, n)
    return pk([f(cat[2 * i], cat[2 * i + 1]) for i in range(n)], es)


V("addp v0.16b, v1.16b, v2.16b", pairwise(1, 1, lambda x, y: x + y))
V("addp v0.2d, v1.2d, v2.2d", pairwise(1, 8, lambda x, y: x + y))
V("addp v0.4h, v1.4h, v2.4h", pairwise(0, 2, lambda x, y: x + y))
V("umaxp v0.16b, v1.16b, v2.16b", pairwise(1, 1, max))
V("uminp v0.8h, v1.8h, v2.8h", pairwise(1, 2, min))
V("smaxp v0.4s, v1.4s, v2.4s", pairwise(1, 4, lambda x, y: max(sg(x, 4), sg(y, 4))))
V("sminp v0.8b, v1.8b, v2.8b", pairwise(0, 1, lambda x, y: min(sg(x, 1), sg(y, 1))))
V("addp d0, v1.2d", (el(A, 8)[0] + el(A, 8)[1]) & M)
# ---- across lanes ----
V("umaxv b0, v1.16b", max(el(A, 1)))
V("uminv h0, v1.8h", min(el(A, 2)))
V("smaxv b0, v1.8b", max(sg(x, 1) for x in el(A, 1, 8)) & 0xff)
V("sminv s0, v1.4s", min(sg(x, 4) for x in el(A, 4)) & 0xffffffff)
V("addv s0, v1.4s", sum(el(A, 4)) & 0xffffffff)
V("addv b0, v1.16b", sum(el(A, 1)) & 0xff)
V("uaddlv h0, v1.16b", sum(el(A, 1)) & 0xffff)
V("uaddlv s0, v1.8h", sum(el(A, 2)) & 0xffffffff)
V("uaddlv d0, v1.4s", sum(el(A, 4)) & M)
V("saddlv h0, v1.16b", sum(sg(x, 1) for x in el(A, 1)) & 0xffff)
V("uaddlv h0, v1.8b", sum(el(A, 1, 8)) & 0xffff)
# ---- shifts ----
V("ushr v0.16b, v1.16b, #3", vec(1, 1, lambda i, a, b, d: a >> 3))
V("ushr v0.2d, v1.2d, #64", 0)
V("sshr v0.8h, v1.8h, #15", vec(1, 2, lambda i, a, b, d: sg(a, 2) >> 15))
V("sshr v0.2d, v1.2d, #64", vec(1, 8, lambda i, a, b, d: sg(a, 8) >> 63))
V("sshr v0.4s, v1.4s, #5", vec(1, 4, lambda i, a, b, d: sg(a, 4) >> 5))
V("shl v0.4s, v1.4s, #7", vec(1, 4, lambda i, a, b, d: a << 7))
V("shl v0.8b, v1.8b, #1", vec(0, 1, lambda i, a, b, d: a << 1))
V("usra v0.2d, v1.2d, #8", vec(1, 8, lambda i, a, b, d: d + (a >> 8)))
V("ssra v0.4s, v1.4s, #31", vec(1, 4, lambda i, a, b, d: d + (sg(a, 4) >> 31)))
V("shrn v0.8b, v1.8h, #4", pk([x >> 4 for x in el(A, 2)], 1))
V("shrn2 v0.16b, v1.8h, #4", (D & M) | (pk([x >> 4 for x in el(A, 2)], 1) << 64))
V("shrn v0.2s, v1.2d, #32", pk([x >> 32 for x in el(A, 8)], 4))
V("ushll v0.8h, v1.8b, #2", pk([x << 2 for x in el(A, 1, 8)], 2))
V("sxtl2 v0.4s, v1.8h", pk([sg(x, 2) for x in el(A, 2)[4:]], 4))
V("uxtl v0.2d, v1.2s", pk(el(A, 4, 2), 8))
# ---- permutes ----
V("ext v0.16b, v1.16b, v2.16b, #3", ((A | (B << 128)) >> 24) & M128)
V("ext v0.8b, v1.8b, v2.8b, #5", ((lo(A) | (lo(B) << 64)) >> 40) & M)


def perm(q, es, kind):
    n = (16 if q else 8) // es
    a, b = el(A, es, n), el(B, es, n)
    part = kind[-1] == '2'
    r = []
    for i in range(n):
        if kind.startswith('uzp'):
            r.append((a + b)[2 * i + part])
        elif kind.startswith('trn'):
            r.append((b if i & 1 else a)[2 * (i // 2) + part])
        else:
            r.append((b if i & 1 else a)[part * n // 2 + i // 2])
    return pk(r, es)


for kind, t, q, es in (('zip1', '16b', 1, 1), ('zip2', '16b', 1, 1), ('uzp1', '8h', 1, 2),
                       ('uzp2', '8h', 1, 2), ('trn1', '4s', 1, 4), ('trn2', '4s', 1, 4),
                       ('zip1', '2d', 1, 8), ('zip2', '8b', 0, 1), ('uzp1', '2s', 0, 4),
                       ('trn2', '4h', 0, 2)):
    V(f"{kind} v0.{t}, v1.{t}, v2.{t}", perm(q, es, kind))


def tbl(nregs, q, tbx):
    tab = b''.join(v.to_bytes(16, 'little') for v in (A, B)[:nregs])
    idx, old = el(T, 1), el(D, 1)
    n = 16 if q else 8
    return pk([tab[idx[i]] if idx[i] < len(tab) else (old[i] if tbx else 0) for i in range(n)], 1)


V("tbl v0.16b, {v1.16b}, v3.16b", tbl(1, 1, False))
V("tbl v0.16b, {v1.16b, v2.16b}, v3.16b", tbl(2, 1, False))
V("tbx v0.16b, {v1.16b}, v3.16b", tbl(1, 1, True))
V("tbl v0.8b, {v1.16b, v2.16b}, v3.8b", tbl(2, 0, False))


def rev(q, es, cb):
    n = (16 if q else 8) // es
    a, epc = el(A, es, n), cb // es
    return pk([a[(i // epc) * epc + epc - 1 - i % epc] for i in range(n)], es)


V("rev64 v0.16b, v1.16b", rev(1, 1, 8))
V("rev64 v0.4s, v1.4s", rev(1, 4, 8))
V("rev32 v0.8h, v1.8h", rev(1, 2, 4))
V("rev16 v0.16b, v1.16b", rev(1, 1, 2))
V("rev32 v0.8b, v1.8b", rev(0, 1, 4))
V("cnt v0.16b, v1.16b", pk([bin(x).count('1') for x in el(A, 1)], 1))
V("cnt v0.8b, v2.8b", pk([bin(x).count('1') for x in el(B, 1, 8)], 1))
V("rbit v0.8b, v1.8b", pk([int(f'{x:08b}'[::-1], 2) for x in el(A, 1, 8)], 1))
V("xtn v0.8b, v1.8h", pk(el(A, 2), 1))
V("xtn2 v0.16b, v1.8h", (D & M) | (pk(el(A, 2), 1) << 64))
V("xtn v0.2s, v1.2d", pk(el(A, 8), 4))

# ---- loads and stores; memory at x20 holds MEM, x21 = x20 + 0x100 ----
MEM = bytes((i * 7 + 3) & 0xff for i in range(512))
LIT = 0x0123456789abcdef_fedcba9876543210


def ld(off, n):
    return int.from_bytes(MEM[off:off + n], 'little')


def LD(asm, off, n, wb=None, reg=0):
    """A load: V<reg> holds n bytes from x20 + off; wb: x21's new offset."""
    cases.append((asm, ld(off, n), reg, wb))


LD("ldr b0, [x20, #5]", 5, 1)
LD("ldr h0, [x20, #6]", 6, 2)
LD("ldr s0, [x20, #12]", 12, 4)
LD("ldr d0, [x20, #16]", 16, 8)
LD("ldr q0, [x20, #32]", 32, 16)
LD("ldr q0, [x21, #16]!", 0x110, 16, 0x110)
LD("ldr d0, [x21], #-8", 0x100, 8, 0xf8)
LD("ldr h0, [x21, #-2]!", 0xfe, 2, 0xfe)
LD("ldur q0, [x20, #3]", 3, 16)
LD("ldur s0, [x21, #-3]", 0xfd, 4)
LD("ldur b0, [x21, #255]", 0x1ff, 1)
LD("ldr q0, [x20, x5, lsl #4]", 32, 16)
LD("ldr s0, [x20, w5, uxtw #2]", 8, 4)
LD("ldr d0, [x21, w6, sxtw]", 0xf0, 8)
LD("ldr b0, [x20, x5]", 2, 1)
LD("ldr h0, [x21, x6, lsl #1]", 0xe0, 2)
LD("ld1 {v0.16b}, [x20]", 0, 16)
LD("ld1 {v0.16b, v1.16b}, [x21], #32", 0x110, 16, 0x120, 1)
LD("ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [x20]", 0x30, 16, None, 3)
LD("ld1 {v0.8b, v1.8b, v2.8b}, [x21], x5", 0x110, 8, 0x102, 2)
LD("ld1 {v0.2d, v1.2d, v2.2d}, [x21], #48", 0x100, 16, 0x130, 0)
LD("ld1 {v0.8b}, [x21], #8", 0x100, 8, 0x108)
LD("ldp s0, s1, [x20, #8]", 12, 4, None, 1)
LD("ldp d0, d1, [x21, #-16]!", 0xf0, 8, 0xf0, 0)
LD("ldp q0, q1, [x21], #32", 0x110, 16, 0x120, 1)
LD("ldnp q0, q1, [x20, #64]", 80, 16, None, 1)
LD("ldnp d0, d1, [x21, #-8]", 0xf8, 8, None, 0)
LD("ldp q0, q1, [x21, #-32]!", 0xe0, 16, 0xe0, 0)
cases.append(("ldr q0, lit16", LIT, 0, None))
cases.append(("ldr d0, lit16", LIT & M, 0, None))
cases.append(("ldr s0, lit16 + 8", (LIT >> 64) & 0xffffffff, 0, None))

STORES = []   # (asm, expected 32 bytes at x22 (zeroed first), wb)


def ST(asm, writes, wb=None):
    buf = bytearray(32)
    for off, val, n in writes:
        buf[off:off + n] = (val & ((1 << (8 * n)) - 1)).to_bytes(n, 'little')
    STORES.append((asm, int.from_bytes(buf, 'little'), wb))


ST("str b1, [x22, #3]", [(3, A, 1)])
ST("str h1, [x22, #6]", [(6, A, 2)])
ST("str s1, [x22, #4]", [(4, A, 4)])
ST("str d1, [x22, #8]", [(8, A, 8)])
ST("str q1, [x22, #16]", [(16, A, 16)])
ST("stur q1, [x22, #7]", [(7, A, 16)])
ST("str q1, [x23, #16]!", [(16, A, 16)], 16)
ST("str d1, [x23], #24", [(0, A, 8)], 24)
ST("str s1, [x22, x5, lsl #2]", [(8, A, 4)])
ST("str q1, [x23, w7, sxtw #4]", [(16, A, 16)])
ST("stp s1, s2, [x22, #4]", [(4, A, 4), (8, B, 4)])
ST("stp d1, d2, [x23, #8]!", [(8, A, 8), (16, B, 8)], 8)
ST("stp q1, q2, [x23], #-32", [(0, A, 16), (16, B, 16)], -32)
ST("stnp q2, q1, [x22]", [(0, B, 16), (16, A, 16)])
ST("stnp s2, s1, [x22, #20]", [(20, B, 4), (24, A, 4)])
ST("st1 {v1.16b}, [x22]", [(0, A, 16)])
ST("st1 {v1.16b, v2.16b}, [x23], #32", [(0, A, 16), (16, B, 16)], 32)
ST("st1 {v1.8b, v2.8b, v3.8b}, [x22]", [(0, A, 8), (8, B, 8), (16, T, 8)])
ST("st1 {v1.2d, v2.2d}, [x23], x5", [(0, A, 16), (16, B, 16)], 2)
ST("st1 {v0.4s, v1.4s}, [x22]", [(0, D, 16), (16, A, 16)])
ST("st1 {v0.8b, v1.8b, v2.8b, v3.8b}, [x22]", [(0, D, 8), (8, A, 8), (16, B, 8), (24, T, 8)])

# ---- group 1: FPEN, FPCR/FPSR; x27 holds the ESR the vector saw ----
SYS = [
    # (asm lines, the value written to a slot (register name), expected)
    (["msr cpacr_el1, xzr", "isb", "fmov d0, x3", "mov x4, x27"], 0x07 << 26 | 1 << 25 | 1 << 24 | 0xe << 20),
    (["mov x27, #0", "mrs x1, fpcr", "mov x4, x27"], 0x07 << 26 | 1 << 25 | 1 << 24 | 0xe << 20),
    (["mov x27, #0", "ldr q0, [x20]", "mov x4, x27"], 0x07 << 26 | 1 << 25 | 1 << 24 | 0xe << 20),
    (["mov x27, #0", "mov x1, #(1 << 20)", "msr cpacr_el1, x1", "isb",
      "fmov d0, x3", "fmov x4, d0", "eor x4, x4, x27"], X3),       # FPEN = 01: EL1 untrapped
    (["mov x27, #0", "mov x1, #(3 << 20)", "msr cpacr_el1, x1", "isb",
      "mov x1, #-1", "msr fpcr, x1", "mrs x4, fpcr"], 0x07c00000),
    (["mov x1, #-1", "msr fpsr, x1", "mrs x4, fpsr"], 0xf800009f),
    (["msr fpsr, xzr", "mrs x4, fpsr"], 0),
    (["mov x27, #0", ".inst 0x1e684020", "mov x4, x27"], 1 << 25),   # FRINT32Z d0, d1: no FEAT_FRINTTS
    (["mov x27, #0", ".inst 0x5ea1f820", "mov x4, x27"], 1 << 25),   # FRECPX s0, s1: UNDEFINED
    (["mov x27, #0", ".inst 0x1ee70060", "mov x4, x27"], 1 << 25),   # FMOV h0, w3: no FEAT_FP16
    (["mov x27, #0", ".inst 0x0c408c20", "mov x4, x27"], 1 << 25),   # LD2 {v0.1d, v1.1d}: reserved
]


def setv(n, v):
    return [f"ldr x1, ={v & M:#x}", f"ldr x2, ={v >> 64:#x}", "stp x1, x2, [x24]",
            f"ldr q{n}, [x24]"]


def gen_asm():
    out = []
    slot = [0]

    def put(reg):
        out.append(f"\tstr\t{reg}, [x28, #{8 * slot[0]}]")
        slot[0] += 1

    def emit(lines):
        out.extend("\t" + ln.replace(" ", "\t", 1) for ln in lines)

    def dumpv(n):
        emit([f"str q{n}, [x24]", "ldp x1, x2, [x24]"])
        put("x1")
        put("x2")

    def reset():
        emit(setv(0, D) + setv(1, A) + setv(2, B) + setv(3, T) +
             [f"ldr x3, ={X3:#x}", "mov x5, #2", "mov x6, #-16", "mov x7, #1",
              "add x21, x20, #0x100", "mov x23, x22"])

    for lines, want in SYS:
        emit(lines)
        put("x4")
    for c in cases:
        reset()
        emit([c[0]])
        if isinstance(c[1], tuple):
            put("x4")
        elif len(c) == 2:
            dumpv(0)
        else:
            dumpv(c[2])
            if c[3] is not None:
                emit(["sub x1, x21, x20"])
                put("x1")
    for asm, want, wb in STORES:
        reset()
        emit(["stp xzr, xzr, [x22]", "stp xzr, xzr, [x22, #16]", asm,
              "ldp x1, x2, [x22]"])
        put("x1")
        put("x2")
        emit(["ldp x1, x2, [x22, #16]"])
        put("x1")
        put("x2")
        if wb is not None:
            emit(["sub x1, x23, x22"])
            put("x1")
    return out, slot[0]


def expected():
    r = [want for _, want in SYS]
    for c in cases:
        if isinstance(c[1], tuple):
            r.append(c[1][1])
        else:
            r += [c[1] & M, c[1] >> 64]
            if len(c) == 4 and c[3] is not None:
                r.append(c[3] & M)
    for asm, want, wb in STORES:
        r += [(want >> (64 * i)) & M for i in range(4)]
        if wb is not None:
            r.append(wb & M)
    return r


HEAD = """// fp.S: SIMD&FP in the AArch64 interpreter: the CPACR_EL1.FPEN trap,
// FPCR/FPSR, UNDEFINED for forms outside the subset, loads and stores of
// every addressing form, and the integer Advanced SIMD subset. GENERATED by
// fp_oracle.py --asm (which also computes the expected values); results go
// to the UART page (offset 0x200 + 8 * n). MMU off: VA == IPA.
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x20, data
	add	x22, x20, #0x200        // store area (32 bytes)
	add	x24, x20, #0x240        // scratch for moving values in and out
	ldr	x3, ={x3:#x}
"""

TAIL = """	ldr	x0, =0x84000008
	smc	#0
1:	b	1b
	.ltorg

	.balign	16
lit16:
	.quad	{lit_lo:#x}, {lit_hi:#x}

	.balign	0x800
vectors:
	.org	vectors + 0x200
	mrs	x27, esr_el1		// report it, resume after the instruction
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
	.org	vectors + 0x800
	.balign	256
data:
{data}
	.fill	0x100, 1, 0
"""

# ==== scalar FP arithmetic (fpu.S): values from exact rational arithmetic ====
from fractions import Fraction as Fr
import math

IOC, DZC, OFC, UFC, IXC, IDC = 1, 2, 4, 8, 16, 0x80


def fmt(dbl):
    return (52, 11, 1023) if dbl else (23, 8, 127)


def fbits(x, dbl=True):
    return struct.unpack('<Q', struct.pack('<d', x))[0] if dbl else \
        struct.unpack('<I', struct.pack('<f', x))[0]


def is_nan(b, dbl):
    fb, eb, _ = fmt(dbl)
    return (b >> fb) & ((1 << eb) - 1) == (1 << eb) - 1 and b & ((1 << fb) - 1)


def is_snan(b, dbl):
    fb = fmt(dbl)[0]
    return is_nan(b, dbl) and not (b >> (fb - 1)) & 1


def dnan(dbl):
    fb, eb, _ = fmt(dbl)
    return (((1 << eb) - 1) << fb) | (1 << (fb - 1))


def decode(b, dbl):
    """(sign, Fraction magnitude) or (sign, 'inf')."""
    fb, eb, bias = fmt(dbl)
    s = b >> (fb + eb)
    e = (b >> fb) & ((1 << eb) - 1)
    f = b & ((1 << fb) - 1)
    if e == (1 << eb) - 1:
        return s, 'inf'
    if e == 0:
        return s, Fr(f, 1 << fb) * Fr(2) ** (1 - bias)
    return s, (1 + Fr(f, 1 << fb)) * Fr(2) ** (e - bias)


def encode(s, mag, mode, dbl):
    """Round s * mag (Fraction or 'inf') to the format: (bits, flags)."""
    fb, eb, bias = fmt(dbl)
    sb = s << (fb + eb)
    if mag == 'inf':
        return sb | (((1 << eb) - 1) << fb), 0
    if mag == 0:
        return sb, 0
    e = mag.numerator.bit_length() - mag.denominator.bit_length()
    if Fr(2) ** e > mag:
        e -= 1
    emin = 1 - bias
    tiny = e < emin
    e = max(e, emin)
    scaled = mag / Fr(2) ** (e - fb)
    q = scaled.numerator // scaled.denominator
    r = scaled - q
    up = {'N': r > Fr(1, 2) or (r == Fr(1, 2) and q & 1), 'P': r > 0 and not s,
          'M': r > 0 and s, 'Z': False}[mode]
    q += int(bool(up))
    if q >> (fb + 1):
        q >>= 1
        e += 1
    fl = IXC if r else 0
    if tiny and r:
        fl |= UFC
    if e > bias:
        toinf = {'N': True, 'P': not s, 'M': bool(s), 'Z': False}[mode]
        if toinf:
            return sb | (((1 << eb) - 1) << fb), OFC | IXC
        return sb | ((((1 << eb) - 2) << fb) | ((1 << fb) - 1)), OFC | IXC
    if q >> fb:
        return sb | ((e + bias) << fb) | (q & ((1 << fb) - 1)), fl
    return sb | q, fl


def pnans(ops, dbl, dn):
    q = 1 << (fmt(dbl)[0] - 1)
    for b in ops:
        if is_snan(b, dbl):
            return (dnan(dbl) if dn else b | q), IOC
    for b in ops:
        if is_nan(b, dbl):
            return (dnan(dbl) if dn else b), 0
    return None


def signed(d):
    s, m = d
    return None if m == 'inf' else (-m if s else m)


def arith(op, a, b, dbl=True, mode='N', dn=False):
    n = pnans([a, b], dbl, dn)
    if n:
        return n
    (sa, ma), (sb_, mb) = decode(a, dbl), decode(b, dbl)
    if op in ('add', 'sub'):
        if op == 'sub':
            sb_ ^= 1
        if ma == 'inf' or mb == 'inf':
            if ma == 'inf' and mb == 'inf' and sa != sb_:
                return dnan(dbl), IOC
            return encode(sa if ma == 'inf' else sb_, 'inf', mode, dbl)
        v = (-ma if sa else ma) + (-mb if sb_ else mb)
        if v == 0:   # exact zero: +0 unless both were -0, or -0 when rounding down
            s = sa if (ma == 0 and mb == 0 and sa == sb_) else (1 if mode == 'M' else 0)
            return encode(s, Fr(0), mode, dbl)
        return encode(int(v < 0), abs(v), mode, dbl)
    s = sa ^ sb_
    if op == 'mul':
        if (ma == 'inf' and mb == 0) or (mb == 'inf' and ma == 0):
            return dnan(dbl), IOC
        if ma == 'inf' or mb == 'inf':
            return encode(s, 'inf', mode, dbl)
        return encode(s, ma * mb, mode, dbl)
    if op == 'div':
        if (ma == 'inf' and mb == 'inf') or (ma == 0 and mb == 0):
            return dnan(dbl), IOC
        if ma == 'inf':
            return encode(s, 'inf', mode, dbl)
        if mb == 'inf':
            return encode(s, Fr(0), mode, dbl)
        if mb == 0:
            return encode(s, 'inf', mode, dbl)[0], DZC
        return encode(s, ma / mb, mode, dbl)
    raise ValueError(op)


def fma_(a, n, m, dbl=True, mode='N', dn=False):
    """FPMulAdd(addend a, n, m)."""
    (sn, mn), (sm, mm), (sa, ma) = decode(n, dbl), decode(m, dbl), decode(a, dbl)
    if is_nan(a, dbl) and not any(is_snan(x, dbl) for x in (a, n, m)) and \
            ((mn == 'inf' and mm == 0) or (mn == 0 and mm == 'inf')):
        return dnan(dbl), IOC
    r = pnans([a, n, m], dbl, dn)
    if r:
        return r
    if (mn == 'inf' and mm == 0) or (mn == 0 and mm == 'inf'):
        return dnan(dbl), IOC
    p = (sn ^ sm, Fr(0) if (mn == 0 or mm == 0) else ('inf' if 'inf' in (mn, mm) else mn * mm))
    if p[1] == 'inf' and (mn == 0 or mm == 0):
        return dnan(dbl), IOC
    if p[1] == 'inf' or ma == 'inf':
        if p[1] == 'inf' and ma == 'inf' and p[0] != sa:
            return dnan(dbl), IOC
        return encode(p[0] if p[1] == 'inf' else sa, 'inf', mode, dbl)
    v = (-p[1] if p[0] else p[1]) + (-ma if sa else ma)
    if v == 0:
        s = sa if (p[1] == 0 and ma == 0 and sa == p[0]) else (1 if mode == 'M' else 0)
        return encode(s, Fr(0), mode, dbl)
    return encode(int(v < 0), abs(v), mode, dbl)


FPU = []   # (lines before, insn, fpcr, {reg: value}, [expected slots])
RM = {'N': 0, 'P': 1, 'M': 2, 'Z': 3}
D1, D2 = lambda x: fbits(x), lambda x: fbits(x, False)


def F2(insn, op, a, b, dbl=True, mode='N', dn=False):
    r, fl = arith(op, a, b, dbl, mode, dn)
    FPU.append((insn, (RM[mode] << 22) | (dn << 25), {'v1': a, 'v2': b}, [r, fl]))


F2("fadd d0, d1, d2", 'add', D1(1.5), D1(2.25))
F2("fadd s0, s1, s2", 'add', D2(0.1), D2(0.2), False)
for md in 'NPMZ':
    F2("fsub d0, d1, d2", 'sub', D1(1.0), D1(1e-30), True, md)
    F2("fdiv s0, s1, s2", 'div', D2(1.0), D2(3.0), False, md)
F2("fdiv d0, d1, d2", 'div', D1(-2.0), D1(7.0), True, 'M')
F2("fmul d0, d1, d2", 'mul', D1(3.0), D1(1e308))
F2("fmul d0, d1, d2", 'mul', D1(3.0), D1(1e308), True, 'Z')
F2("fmul d0, d1, d2", 'mul', D1(-3.0), D1(1e308), True, 'P')
F2("fmul s0, s1, s2", 'mul', D2(1e-30), D2(1e-20), False)
F2("fmul d0, d1, d2", 'mul', fbits(2.0 ** -1070), D1(0.75))
F2("fdiv d0, d1, d2", 'div', D1(1.0), D1(-0.0))
F2("fdiv d0, d1, d2", 'div', D1(0.0), D1(0.0))
F2("fmul d0, d1, d2", 'mul', D1(math.inf), D1(0.0))
F2("fsub d0, d1, d2", 'sub', D1(math.inf), D1(math.inf))
F2("fsub d0, d1, d2", 'sub', D1(0.5), D1(0.5), True, 'M')
QN, SN = 0x7ff8000000000123, 0x7ff0000000000456
F2("fadd d0, d1, d2", 'add', QN, SN)
F2("fadd d0, d1, d2", 'add', QN | (1 << 63), D1(1.0))
F2("fmul d0, d1, d2", 'mul', D1(1.0), SN)
F2("fadd d0, d1, d2", 'add', QN, D1(1.0), True, 'N', True)
F2("fadd s0, s1, s2", 'add', 0x7f800001, 0x7fc00002, False)


def MM(insn, a, b, want, fl=0):
    """A two-source case: operands a, b; the architecture's result and flags."""
    FPU.append((insn, 0, {'v1': a, 'v2': b}, [want, fl]))


def M1(insn, a, want, fl=0):
    """A one-source case."""
    FPU.append((insn, 0, {'v1': a}, [want, fl]))


MM("fmax d0, d1, d2", D1(-0.0), D1(0.0), D1(0.0))
MM("fmin d0, d1, d2", D1(0.0), D1(-0.0), D1(-0.0))
MM("fmax d0, d1, d2", D1(-3.0), D1(2.0), D1(2.0))
MM("fmin s0, s1, s2", D2(-3.0), D2(2.0), D2(-3.0))
MM("fmax d0, d1, d2", QN, D1(2.0), QN)
MM("fmaxnm d0, d1, d2", QN, D1(2.0), D1(2.0))
MM("fminnm d0, d1, d2", D1(5.0), QN, D1(5.0))
MM("fminnm d0, d1, d2", D1(5.0), SN, SN | (1 << 51), IOC)
M1("fabs d0, d1", D1(-7.5), D1(7.5))
M1("fneg d0, d1", QN, QN | (1 << 63))
M1("fneg s0, s1", D2(2.0), D2(-2.0))
MM("fnmul d0, d1, d2", D1(3.0), D1(0.5), D1(-1.5))
M1("fsqrt d0, d1", D1(2.0), D1(math.sqrt(2.0)), IXC)
M1("fsqrt d0, d1", D1(6.25), D1(2.5))
M1("fsqrt s0, s1", D2(2.0), D2(math.sqrt(2.0)), IXC)
M1("fsqrt d0, d1", D1(-1.0), dnan(True), IOC)
M1("fsqrt d0, d1", D1(-0.0), D1(-0.0))
M1("fcvt s0, d1", D1(1 / 3), D2(1 / 3), IXC)
M1("fcvt d0, s1", D2(1 / 3), D1(struct.unpack('<f', struct.pack('<f', 1 / 3))[0]))
M1("fcvt s0, d1", D1(1e300), 0x7f800000, OFC | IXC)
M1("fcvt s0, d1", SN | (1 << 63), 0xffc00000 | (0x456 >> 29), IOC)
M1("fcvt s0, d1", 0x7ff0000000000000 | (0x12345 << 29), 0x7fc00000 | 0x12345, IOC)
M1("fcvt d0, s1", 0x7f800001, 0x7ff8000000000000 | (1 << 29), IOC)
r, fl = encode(0, Fr(1, 3), 'Z', False)
FPU.append(("fcvt s0, d1", RM['Z'] << 22, {'v1': D1(1 / 3)}, [r, fl]))
# fused multiply-add: the product is not rounded
e = 2.0 ** -30
for ins, na, nn in (("fmadd", 0, 0), ("fmsub", 0, 1), ("fnmadd", 1, 1), ("fnmsub", 1, 0)):
    a, n, m = D1(-1.0), D1(1 + e), D1(1 - e)
    r, fl = fma_(a ^ (na << 63), n ^ (nn << 63), m)
    FPU.append((f"{ins} d0, d1, d2, d3", 0, {'v1': n, 'v2': m, 'v3': a}, [r, fl]))
a, n, m = D2(-1.0), D2(1 + 2.0 ** -12), D2(1 - 2.0 ** -12)
FPU.append(("fmadd s0, s1, s2, s3", 0, {'v1': n, 'v2': m, 'v3': a}, list(fma_(a, n, m, False))))
FPU.append(("fmadd d0, d1, d2, d3", 0, {'v1': D1(math.inf), 'v2': D1(0.0), 'v3': QN},
            list(fma_(QN, D1(math.inf), D1(0.0)))))
# FZ (FPCR bit 24): denormal inputs read as zero (IDC), tiny results flush (UFC)
FPU.append(("fadd d0, d1, d2", 1 << 24, {'v1': 1, 'v2': D1(1.0)}, [D1(1.0), IDC]))
FPU.append(("fmul d0, d1, d2", 1 << 24, {'v1': D1(2.0 ** -1000), 'v2': D1(2.0 ** -40)}, [0, UFC]))
# conversions: x3 = the integer
X_CASES = [
    ("scvtf d0, x3", -(3 << 60) - 1, lambda v: encode(1, Fr((3 << 60) + 1), 'N', True), 'N'),
    ("scvtf d0, x3", -(3 << 60) - 1, lambda v: encode(1, Fr((3 << 60) + 1), 'Z', True), 'Z'),
    ("ucvtf s0, x3", (1 << 64) - 1, lambda v: encode(0, Fr((1 << 64) - 1), 'N', False), 'N'),
    ("ucvtf s0, x3", (1 << 64) - 1, lambda v: encode(0, Fr((1 << 64) - 1), 'M', False), 'M'),
    ("scvtf s0, w3", 0xfffffff9, lambda v: encode(1, Fr(7), 'N', False), 'N'),
    ("ucvtf d0, w3", 0xfffffff9, lambda v: encode(0, Fr(0xfffffff9), 'N', True), 'N'),
]
for ins, x, f, md in X_CASES:
    r, fl = f(x)
    FPU.append((ins, RM[md] << 22, {'x3': x & M}, [r, fl]))


def TI(ins, a, want, fl, dbl=True):
    FPU.append((ins, 0, {'v1': D1(a) if dbl else D2(a)}, [want & M, fl]))


TI("fcvtzs x4, d1", -2.7, -2, IXC)
TI("fcvtzu w4, d1", -1.5, 0, IOC)
TI("fcvtzu w4, d1", -0.5, 0, IXC)
TI("fcvtns x4, d1", 2.5, 2, IXC)
TI("fcvtns x4, d1", 3.5, 4, IXC)
TI("fcvtas x4, d1", 2.5, 3, IXC)
TI("fcvtas w4, d1", -2.5, 0xfffffffd, IXC)
TI("fcvtps x4, d1", 2.1, 3, IXC)
TI("fcvtms x4, d1", -2.1, -3, IXC)
TI("fcvtzs w4, d1", 1e10, 0x7fffffff, IOC)
TI("fcvtzs x4, d1", -1e30, 1 << 63, IOC)
TI("fcvtzu x4, d1", 1.8e19, 18000000000000000000, 0)
TI("fcvtzu x4, d1", 1e20, M, IOC)
TI("fcvtzs w4, s1", -7.0, 0xfffffff9, 0, False)
TI("fcvtzs x4, d1", math.inf, (1 << 63) - 1, IOC)
FPU.append(("fcvtzs x4, d1", 0, {'v1': QN}, [0, IOC]))
# compares: NZCV in the first slot
CMP = [("fcmp d1, d2", D1(1.0), D1(2.0), 0x8, 0), ("fcmp d1, d2", D1(2.0), D1(2.0), 0x6, 0),
       ("fcmp d1, d2", D1(3.0), D1(2.0), 0x2, 0), ("fcmp d1, d2", QN, D1(2.0), 0x3, 0),
       ("fcmpe d1, d2", QN, D1(2.0), 0x3, IOC), ("fcmp d1, d2", SN, D1(2.0), 0x3, IOC),
       ("fcmp d1, #0.0", D1(-0.0), 0, 0x6, 0), ("fcmp s1, s2", D2(-1.0), D2(-0.5), 0x8, 0),
       ("fcmpe s1, #0.0", D2(1.0), 0, 0x2, 0)]
for ins, a, b, nzcv, fl in CMP:
    FPU.append((ins, 0, {'v1': a, 'v2': b}, [nzcv << 28, fl]))
FPU.append(("fcsel d0, d1, d2, ne", 0, {'v1': D1(1.0), 'v2': D1(2.0)}, [D1(2.0), 0]))  # Z set first
FPU.append(("fcsel s0, s1, s2, eq", 0, {'v1': D2(1.0), 'v2': D2(2.0)}, [D2(1.0), 0]))


# LD1/ST1 (single structure), LD1R and FMOV (vector, immediate): V0 = D
# before, V1 = A, x21 = x20 + 0x100; (asm, V0 after or the 8 bytes at x22
# after a store, x21's offset after a post-index or None)
def lane(v, es, i, new):
    m = ((1 << (8 * es)) - 1) << (8 * es * i)
    return (v & ~m) | ((new << (8 * es * i)) & m)


LANE = [
    ("ld1 {v0.b}[5], [x20]", lane(D, 1, 5, ld(0, 1)), None),
    ("ld1 {v0.h}[3], [x20]", lane(D, 2, 3, ld(0, 2)), None),
    ("ld1 {v0.s}[2], [x21], #4", lane(D, 4, 2, ld(0x100, 4)), 0x104),
    ("ld1 {v0.d}[1], [x21], x5", lane(D, 8, 1, ld(0x100, 8)), 0x102),
    ("ld1r {v0.4s}, [x20]", ld(0, 4) * 0x00000001_00000001_00000001_00000001, None),
    ("ld1r {v0.8b}, [x21], #1", ld(0x100, 1) * 0x0101010101010101, 0x101),
    ("ld1r {v0.2d}, [x20]", ld(0, 8) * ((1 << 64) + 1), None),
    ("st1 {v1.h}[5], [x22]", el(A, 2)[5], None),
    ("st1 {v1.d}[1], [x22]", el(A, 8)[1], None),
    ("st1 {v1.b}[15], [x22]", el(A, 1)[15], None),
    ("fmov v0.4s, #-2.5", struct.unpack('<I', struct.pack('<f', -2.5))[0] * 0x00000001_00000001_00000001_00000001, None),
    ("fmov v0.2s, #1.0", struct.unpack('<I', struct.pack('<f', 1.0))[0] * 0x00000001_00000001, None),
    ("fmov v0.2d, #0.125", struct.unpack('<Q', struct.pack('<d', 0.125))[0] * ((1 << 64) + 1), None),
]


# FP <-> integer on elements in V registers (AdvSIMD scalar and vector
# FCVT{N,M,A,P,Z}{S,U}, SCVTF/UCVTF): the integer from exact rationals.
def toint(b, dbl, mode, uns, bits, fz=False):
    """(integer bits, flags) of FPToFixed(b, 0, uns, rounding mode)."""
    if is_nan(b, dbl):
        return 0, IOC
    s, m = decode(b, dbl)
    fl = 0
    if fz and m != 'inf' and m != 0 and m < Fr(2) ** (1 - fmt(dbl)[2]):
        s, m, fl = s, Fr(0), IDC
    lo_, hi_ = (0, (1 << bits) - 1) if uns else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    if m == 'inf':
        return (lo_ if s else hi_) & ((1 << bits) - 1), fl | IOC
    v = -m if s else m
    t = math.floor(v)
    fr = v - t                        # 0 <= fr < 1
    if mode == 'N':
        r = t + (fr > Fr(1, 2) or (fr == Fr(1, 2) and t % 2 == 1))
    elif mode == 'A':
        r = t + (fr > Fr(1, 2) or (fr == Fr(1, 2) and v > 0))
    elif mode == 'P':
        r = t + (fr > 0)
    elif mode == 'M':
        r = t
    else:                             # Z
        r = t + (fr > 0 and v < 0)
    if r < lo_ or r > hi_:
        return (lo_ if r < lo_ else hi_) & ((1 << bits) - 1), fl | IOC
    return r & ((1 << bits) - 1), fl | (IXC if fr else 0)


def fromint(x, dbl, uns, bits, mode='N'):
    v = x if uns or not x >> (bits - 1) else x - (1 << bits)
    return encode(int(v < 0), Fr(abs(v)), mode, dbl)


CVT_OPS = {'fcvtns': 'N', 'fcvtms': 'M', 'fcvtas': 'A', 'fcvtps': 'P', 'fcvtzs': 'Z'}


def cvt(insn, es, vals, fpcr=0):
    """Result bits and flags of one conversion applied to each element."""
    name = insn.split()[0]
    dbl, bits, r, fl = es == 8, 8 * es, [], 0
    mode = 'NPMZ'[(fpcr >> 22) & 3]
    for x in vals:
        if name in ('scvtf', 'ucvtf'):
            y, f = fromint(x, dbl, name == 'ucvtf', bits, mode)
        else:
            y, f = toint(x, dbl, CVT_OPS[name[:5] + 's'], name[5] == 'u', bits,
                         bool(fpcr & (1 << 24)))
        r.append(y)
        fl |= f
    return pk(r, es), fl


for insn, es, x in (("fcvtzs d0, d1", 8, D1(-2.7)), ("fcvtzs s0, s1", 4, D2(1e10)),
                    ("fcvtzu d0, d1", 8, D1(1e20)), ("fcvtzu s0, s1", 4, D2(-0.5)),
                    ("fcvtns s0, s1", 4, D2(2.5)), ("fcvtnu d0, d1", 8, D1(3.5)),
                    ("fcvtas d0, d1", 8, D1(-2.5)), ("fcvtau s0, s1", 4, D2(2.5)),
                    ("fcvtps d0, d1", 8, D1(2.1)), ("fcvtpu s0, s1", 4, D2(-0.25)),
                    ("fcvtms s0, s1", 4, D2(-2.1)), ("fcvtmu d0, d1", 8, D1(7.9)),
                    ("fcvtzs d0, d1", 8, QN), ("fcvtzs d0, d1", 8, D1(-math.inf)),
                    ("scvtf d0, d1", 8, (-(3 << 60) - 1) & M), ("scvtf s0, s1", 4, 0xfffffff9),
                    ("ucvtf s0, s1", 4, 0xfffffff9), ("ucvtf d0, d1", 8, M)):
    FPU.append((insn, 0, {'v1': x}, list(cvt(insn, es, [x]))))

VCVT = []   # (insn, fpcr, V1, [V0 low, V0 high, FPSR])


def VC(insn, es, vals, fpcr=0, q=True):
    r, fl = cvt(insn, es, vals, fpcr)
    VCVT.append((insn, fpcr, pk(vals, es), [r & M, r >> 64 if q else 0, fl]))


VC("fcvtzs v0.4s, v1.4s", 4, [D2(1.5), D2(-1.5), D2(3e9), 0x7fc00001])
VC("fcvtzu v0.2d, v1.2d", 8, [D1(2.5), D1(-1.0)])
VC("fcvtns v0.2s, v1.2s", 4, [D2(0.5), D2(1.5)], q=False)
VC("fcvtau v0.4s, v1.4s", 4, [D2(0.5), D2(1.5), D2(4e9), D2(5e9)])
VC("fcvtms v0.2d, v1.2d", 8, [D1(-0.5), D1(2.0 ** 62)])
VC("fcvtpu v0.2s, v1.2s", 4, [D2(0.1), D2(1e-40)], q=False)
VC("fcvtzs v0.2d, v1.2d", 8, [1, D1(-3.75)], 1 << 24)        # FZ: the denormal is IDC
VC("scvtf v0.4s, v1.4s", 4, [1, 0xffffffff, 0x7fffffff, 0x80000000])
VC("scvtf v0.2s, v1.2s", 4, [0x7fffffff, 0x00ffffff], RM['Z'] << 22, q=False)
VC("ucvtf v0.2d, v1.2d", 8, [M, 3])
VC("ucvtf v0.4s, v1.4s", 4, [0xffffffff, 0x01000001, 0, 0x80000001], RM['M'] << 22)


# FRINT*, FCCMP(E) and the fixed-point conversions
def frint(b, dbl, mode, exact=False, fz=False, dn=False):
    """(bits, flags) of FPRoundInt(b, mode, exact)."""
    fb, eb, bias = fmt(dbl)
    n = pnans([b], dbl, dn)
    if n:
        return n
    s, m = decode(b, dbl)
    if fz and m != 'inf' and m != 0 and m < Fr(2) ** (1 - bias):
        return s << (fb + eb), IDC
    if m == 'inf' or m == 0:
        return b, 0
    v = -m if s else m
    t = math.floor(v)
    fr = v - t
    r = t + {'N': fr > Fr(1, 2) or (fr == Fr(1, 2) and t % 2 == 1),
             'A': fr > Fr(1, 2) or (fr == Fr(1, 2) and v > 0),
             'P': fr > 0, 'M': False, 'Z': fr > 0 and v < 0}[mode]
    bits = encode(int(r < 0) if r != 0 else s, Fr(abs(r)), 'N', dbl)[0]
    return bits, IXC if exact and r != v else 0


FRM = {'frintn': 'N', 'frintp': 'P', 'frintm': 'M', 'frintz': 'Z', 'frinta': 'A'}


def FR(insn, a, fpcr=0, dbl=True):
    name = insn.split()[0]
    mode = FRM.get(name, 'NPMZ'[(fpcr >> 22) & 3])
    r, fl = frint(a, dbl, mode, name == 'frintx', bool(fpcr & (1 << 24)), bool(fpcr & (1 << 25)))
    FPU.append((insn, fpcr, {'v1': a}, [r, fl]))


FR("frintn d0, d1", D1(2.5))
FR("frintn d0, d1", D1(3.5))
FR("frintn s0, s1", D2(-2.5), 0, False)
FR("frintn d0, d1", D1(-0.3))
FR("frinta d0, d1", D1(2.5))
FR("frinta s0, s1", D2(-2.5), 0, False)
FR("frintp s0, s1", D2(1.1), 0, False)
FR("frintp d0, d1", D1(-0.7))
FR("frintm d0, d1", D1(-1.1))
FR("frintm s0, s1", D2(0.7), 0, False)
FR("frintz s0, s1", D2(-3.9), 0, False)
FR("frintx d0, d1", D1(2.5))
FR("frintx d0, d1", D1(2.5), RM['P'] << 22)
FR("frintx s0, s1", D2(4.0), 0, False)
FR("frinti d0, d1", D1(2.5), RM['M'] << 22)
FR("frintn d0, d1", SN)
FR("frintz d0, d1", D1(-math.inf))
FR("frintn d0, d1", D1(2.0 ** 60 + 2.0 ** 9))
FR("frintp d0, d1", 0x8000000000000001, 1 << 24)          # FZ: a denormal is -0, IDC
FR("frinta d0, d1", D1(-(2.0 ** 52) - 0.5 + 0.5))
# FCCMP(E): NZCV is 0110 before (cmp xzr, xzr): eq holds, ne does not
for insn, a, b, nzcv, fl in (("fccmp d1, d2, #0x5, eq", D1(1.0), D1(2.0), 0x8, 0),
                             ("fccmp d1, d2, #0x5, ne", D1(1.0), D1(2.0), 0x5, 0),
                             ("fccmpe s1, s2, #0x0, eq", 0x7fc00001, D2(1.0), 0x3, IOC),
                             ("fccmp d1, d2, #0xf, eq", QN, D1(1.0), 0x3, 0),
                             ("fccmp d1, d2, #0x0, eq", SN, D1(1.0), 0x3, IOC),
                             ("fccmpe d1, d2, #0x2, ne", QN, D1(1.0), 0x2, 0),
                             ("fccmp s1, s2, #0x1, hs", D2(3.0), D2(3.0), 0x6, 0)):
    FPU.append((insn, 0, {'v1': a, 'v2': b}, [nzcv << 28, fl]))


def fixed_to(b, dbl, uns, bits, fbits):
    if is_nan(b, dbl):
        return 0, IOC
    s, m = decode(b, dbl)
    lo_, hi_ = (0, (1 << bits) - 1) if uns else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    if m == 'inf':
        return (lo_ if s else hi_) & ((1 << bits) - 1), IOC
    v = (-m if s else m) * Fr(2) ** fbits
    r = math.trunc(v)
    if r < lo_ or r > hi_:
        return (lo_ if r < lo_ else hi_) & ((1 << bits) - 1), IOC
    return r & ((1 << bits) - 1), IXC if r != v else 0


for insn, a, dbl, uns, bits, fb in (("fcvtzs w4, d1, #8", D1(1.75), True, False, 32, 8),
                                    ("fcvtzs w4, d1, #8", D1(-1.99), True, False, 32, 8),
                                    ("fcvtzu x4, d1, #32", D1(3.5), True, True, 64, 32),
                                    ("fcvtzs w4, s1, #31", D2(1.0), False, False, 32, 31),
                                    ("fcvtzs x4, d1, #64", D1(0.25), True, False, 64, 64),
                                    ("fcvtzu w4, s1, #1", D2(-0.25), False, True, 32, 1),
                                    ("fcvtzs x4, d1, #1", QN, True, False, 64, 1)):
    FPU.append((insn, 0, {'v1': a}, list(fixed_to(a, dbl, uns, bits, fb))))
for insn, x, dbl, uns, bits, fb, md in (("scvtf d0, x3, #16", -(3 << 40) - 1, True, False, 64, 16, 'N'),
                                        ("ucvtf s0, w3, #4", 0xffffffff, False, True, 32, 4, 'N'),
                                        ("scvtf s0, x3, #64", 1 << 63, False, False, 64, 64, 'N'),
                                        ("ucvtf d0, x3, #3", M, True, True, 64, 3, 'Z'),
                                        ("scvtf s0, w3, #32", 0x80000001, False, False, 32, 32, 'P')):
    x &= (1 << bits) - 1
    v = x if uns or not x >> (bits - 1) else x - (1 << bits)
    r, fl = encode(int(v < 0), Fr(abs(v), 1 << fb), md, dbl)
    FPU.append((insn, RM[md] << 22, {'x3': x & M}, [r, fl]))


def VF(insn, es, vals, fpcr=0, q=True):
    name = insn.split()[0]
    mode = FRM.get(name, 'NPMZ'[(fpcr >> 22) & 3])
    r, fl = [], 0
    for x in vals:
        y, f = frint(x, es == 8, mode, name == 'frintx')
        r.append(y)
        fl |= f
    v = pk(r, es)
    VCVT.append((insn, fpcr, pk(vals, es), [v & M, v >> 64 if q else 0, fl]))


VF("frintn v0.4s, v1.4s", 4, [D2(0.5), D2(1.5), D2(-2.5), D2(2.4)])
VF("frinta v0.2d, v1.2d", 8, [D1(-0.5), D1(2.5)])
VF("frintp v0.2s, v1.2s", 4, [D2(-0.5), D2(0.1)], q=False)
VF("frintm v0.4s, v1.4s", 4, [D2(-0.1), D2(3.9), 0x7fc00003, 0xff800000])
VF("frintz v0.2d, v1.2d", 8, [D1(-1.9), D1(1e300)])
VF("frintx v0.2d, v1.2d", 8, [D1(0.1), D1(2.0)], RM['P'] << 22)
VF("frinti v0.4s, v1.4s", 4, [D2(0.5), D2(-0.5), D2(1.0), 0x7f800005], RM['M'] << 22)


# AdvSIMD fixed-point conversions (vector and scalar)
def VFX(insn, es, vals, fb, fpcr=0, q=True, scalar=False):
    name = insn.split()[0]
    dbl, bits, r, fl = es == 8, 8 * es, [], 0
    mode = 'NPMZ'[(fpcr >> 22) & 3]
    for x in vals:
        if name in ('scvtf', 'ucvtf'):
            x &= (1 << bits) - 1
            v = x if name == 'ucvtf' or not x >> (bits - 1) else x - (1 << bits)
            y, f = encode(int(v < 0), Fr(abs(v), 1 << fb), mode, dbl)
        else:
            y, f = fixed_to(x, dbl, name == 'fcvtzu', bits, fb)
        r.append(y)
        fl |= f
    if scalar:
        FPU.append((insn, fpcr, {'v1': vals[0]}, [r[0], fl]))
        return
    v = pk(r, es)
    VCVT.append((insn, fpcr, pk(vals, es), [v & M, v >> 64 if q else 0, fl]))


VFX("scvtf v0.4s, v1.4s, #8", 4, [256, 0xffffff00, 0x7fffffff, 3], 8)
VFX("ucvtf v0.2d, v1.2d, #64", 8, [M, 1 << 63], 64)
VFX("fcvtzs v0.4s, v1.4s, #4", 4, [D2(1.25), D2(-1.99), D2(3e9), 0x7fc00000], 4)
VFX("fcvtzu v0.2d, v1.2d, #32", 8, [D1(0.5), D1(-1.0)], 32)
VFX("ucvtf v0.2s, v1.2s, #1", 4, [0xffffffff, 5], 1, RM['Z'] << 22, q=False)
VFX("scvtf d0, d1, #10", 8, [(-(1 << 40)) & M], 10, scalar=True)
VFX("fcvtzs s0, s1, #31", 4, [D2(0.75)], 31, scalar=True)
VFX("fcvtzu s0, s1, #3", 4, [D2(1e9)], 3, scalar=True)


def gen_fpu_asm():
    out = []
    slot = [0]

    def put(reg):
        out.append(f"\tstr\t{reg}, [x28, #{8 * slot[0]}]")
        slot[0] += 1

    def emit(lines):
        out.extend("\t" + ln.replace(" ", "\t", 1) for ln in lines)

    for insn, fpcr, regs, want in FPU:
        for n in (1, 2, 3):
            emit(setv(n, regs.get(f'v{n}', 0)))
        emit(setv(0, 0x5555555555555555))
        emit([f"ldr x3, ={regs.get('x3', 0):#x}", f"ldr x1, ={fpcr:#x}", "msr fpcr, x1",
              "msr fpsr, xzr", "cmp xzr, xzr", insn])
        if insn.startswith("fcmp") or insn.startswith("fccmp"):
            emit(["mrs x1, nzcv"])
            put("x1")
        elif " x4" in insn or " w4" in insn:
            put("x4")
        else:
            emit(["fmov x1, d0"])
            put("x1")
        emit(["mrs x1, fpsr"])
        put("x1")
    emit(["msr fpcr, xzr"])
    for asm, want, wb in LANE:
        emit(setv(0, D) + setv(1, A) + ["mov x5, #2", "add x21, x20, #0x100",
                                        "add x22, x20, #0x200", "str xzr, [x22]", asm])
        if asm.startswith("st1"):
            emit(["ldr x1, [x22]", "mov x2, #0"])
        else:
            emit(["mov x1, v0.d[0]", "mov x2, v0.d[1]"])
        put("x1")
        put("x2")
        if wb is not None:
            emit(["sub x1, x21, x20"])
            put("x1")
    for insn, fpcr, v1, want in VCVT:
        emit(setv(1, v1) + setv(0, 0x5555555555555555_5555555555555555) +
             [f"ldr x1, ={fpcr:#x}", "msr fpcr, x1", "msr fpsr, xzr", insn,
              "mov x1, v0.d[0]", "mov x2, v0.d[1]"])
        put("x1")
        put("x2")
        emit(["mrs x1, fpsr"])
        put("x1")
    emit(["msr fpcr, xzr"])
    return out, slot[0]


def fpu_expected():
    r = []
    for insn, fpcr, regs, want in FPU:
        r += [w & M for w in want]
    for asm, want, wb in LANE:
        r += [want & M, want >> 64]
        if wb is not None:
            r.append(wb)
    for insn, fpcr, v1, want in VCVT:
        r += [w & M for w in want]
    return r


FPU_HEAD = """// fpu.S: scalar FP arithmetic in the AArch64 interpreter: results, FPSR
// flags and NZCV under each FPCR rounding mode, DN and FZ. GENERATED by
// fp_oracle.py --asm-fpu (which also computes the expected values with
// exact rational arithmetic); results go to the UART page (0x200 + 8 * n).
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	adr	x20, data
	add	x24, x20, #0x240
"""


# ==== simd2.S: widening, narrowing, halving, saturating and multiplying
# integer AdvSIMD; each case: V0 (two words) and FPSR (QC is bit 27) ====
S2 = []   # (asm, {reg: value}, V0 expected, QC)
QCB = 1 << 27
NARROW = {(0, 0): '8b', (0, 1): '16b', (1, 0): '4h', (1, 1): '8h', (2, 0): '2s', (2, 1): '4s',
          (3, 1): '2d'}
WIDE = {0: '8h', 1: '4s', 2: '2d'}


def satq(v, bits, uns):
    hi, lo = ((1 << bits) - 1, 0) if uns else ((1 << (bits - 1)) - 1, -(1 << (bits - 1)))
    return (min(max(v, lo), hi), v > hi or v < lo)


def ival(x, es, uns):
    return x if uns else sg(x, es)


def pmul(a, b):
    r = 0
    for k in range(8):
        if (b >> k) & 1:
            r ^= a << k
    return r


def diff3(name, size, q, regs):
    """Three different: the result and QC from the definitions."""
    a, b, d = regs.get('v1', A), regs.get('v2', B), regs.get('v0', D)
    es, we = 1 << size, 2 << size
    nb, ne = 8 * es, 8 // es
    base = name.rstrip('2')
    uns = base[0] == 'u'
    if base in ('addhn', 'raddhn', 'subhn', 'rsubhn'):
        x, y = el(a, we, ne), el(b, we, ne)
        r = [((x[i] + y[i] if 'add' in base else x[i] - y[i]) +
              ((1 << (nb - 1)) if base[0] == 'r' else 0)) >> nb for i in range(ne)]
        h = pk(r, es)
        return ((d & M) | (h << 64)) if q else h, False
    hx = (a >> 64) if q else a & M
    hy = (b >> 64) if q else b & M
    if base[1:] in ('addw', 'subw'):
        x = [ival(v, we, uns) for v in el(a, we, ne)]
    else:
        x = [ival(v, es, uns) for v in el(hx, es, ne)]
    y = [ival(v, es, uns) for v in el(hy, es, ne)]
    acc = [ival(v, we, uns) for v in el(d, we, ne)]
    out, qc = [], False
    for i in range(ne):
        op = base[1:] if base[0] in 'su' and base not in ('sqdmull', 'sqdmlal', 'sqdmlsl') else base
        if op in ('addl', 'addw'):
            r = x[i] + y[i]
        elif op in ('subl', 'subw'):
            r = x[i] - y[i]
        elif op == 'abal':
            r = acc[i] + abs(x[i] - y[i])
        elif op == 'abdl':
            r = abs(x[i] - y[i])
        elif op == 'mlal':
            r = acc[i] + x[i] * y[i]
        elif op == 'mlsl':
            r = acc[i] - x[i] * y[i]
        elif op == 'mull':
            r = x[i] * y[i]
        elif base == 'pmull':
            r = pmul(el(hx, 1)[i], el(hy, 1)[i])
        else:
            p, q1 = satq(2 * x[i] * y[i], 2 * nb, False)
            qc |= q1
            if base == 'sqdmull':
                r = p
            else:
                r, q2 = satq(acc[i] + p if base == 'sqdmlal' else acc[i] - p, 2 * nb, False)
                qc |= q2
        out.append(r)
    return pk(out, we), qc


def D3(name, size, q, regs=None):
    regs = regs or {}
    base = name.rstrip('2')
    nm = (base + '2') if q else base
    n, w = NARROW[(size, q)], WIDE[size]
    if base in ('addhn', 'raddhn', 'subhn', 'rsubhn'):
        asm = f"{nm} v0.{n}, v1.{w}, v2.{w}"
    elif base[1:] in ('addw', 'subw'):
        asm = f"{nm} v0.{w}, v1.{w}, v2.{n}"
    else:
        asm = f"{nm} v0.{w}, v1.{n}, v2.{n}"
    r, qc = diff3(name, size, q, regs)
    S2.append((asm, regs, r, qc))


for nm, size, q in (('uaddl', 0, 0), ('saddl', 1, 1), ('uaddw', 2, 0), ('uaddw', 2, 1),
                    ('saddw', 0, 1), ('usubl', 1, 0), ('ssubl', 2, 1), ('usubw', 0, 0),
                    ('ssubw', 1, 1), ('addhn', 1, 0), ('addhn', 0, 1), ('raddhn', 2, 0),
                    ('subhn', 2, 1), ('rsubhn', 0, 0), ('uabal', 0, 1), ('sabal', 2, 0),
                    ('uabdl', 1, 1), ('sabdl', 0, 0), ('umlal', 1, 0), ('smlal', 2, 1),
                    ('umlsl', 0, 0), ('smlsl', 1, 1), ('umull', 2, 0), ('smull', 0, 1),
                    ('umull', 0, 0), ('smull', 2, 1), ('sqdmull', 1, 0), ('sqdmull', 2, 1),
                    ('sqdmlal', 1, 1), ('sqdmlsl', 2, 0), ('pmull', 0, 0), ('pmull', 0, 1)):
    D3(nm, size, q)
MINH = pk([0x8000] * 8, 2)
D3('sqdmull', 1, 0, {'v1': MINH, 'v2': MINH})                 # saturates: QC
D3('sqdmlal', 2, 0, {'v1': pk([0x80000000] * 4, 4), 'v2': pk([0x80000000] * 4, 4),
                     'v0': pk([5, 1 << 63], 8)})


def same2(name, size, q, regs):
    a, b, d = regs.get('v1', A), regs.get('v2', B), regs.get('v0', D)
    es = 1 << size
    nb, n = 8 * es, (16 if q else 8) // es
    uns = name[0] == 'u'
    xs, ys, ds = el(a, es, n), el(b, es, n), el(d, es, n)
    out, qc = [], False
    for i in range(n):
        xr, yr = xs[i], ys[i]
        x, y = ival(xr, es, uns), ival(yr, es, uns)
        op = name[1:] if name[0] in 'su' and name not in ('sqdmulh', 'sqrdmulh') else name
        if name.startswith('sqrdmulh') or name.startswith('sqdmulh'):
            rnd = (1 << (nb - 1)) if name.startswith('sqr') else 0
            r, q1 = satq((2 * sg(xr, es) * sg(yr, es) + rnd) >> nb, nb, False)
            qc |= q1
        elif op == 'hadd':
            r = (x + y) >> 1
        elif op == 'rhadd':
            r = (x + y + 1) >> 1
        elif op == 'hsub':
            r = (x - y) >> 1
        elif op in ('qadd', 'qsub'):
            r, q1 = satq(x + y if op == 'qadd' else x - y, nb, uns)
            qc |= q1
        elif op in ('shl', 'rshl', 'qshl', 'qrshl'):
            sh = sg(yr & 0xff, 1)
            rnd = 'r' in op[:2] or op == 'rshl'
            if sh >= 0:
                v = x << sh
            else:
                v = (x + ((1 << (-sh - 1)) if rnd else 0)) >> -sh
            if op.startswith('q'):
                v, q1 = satq(v, nb, uns)
                qc |= q1
            r = v
        elif op == 'abd':
            r = abs(x - y)
        elif op == 'aba':
            r = ds[i] + abs(x - y)
        elif name == 'mla':
            r = ds[i] + xr * yr
        elif name == 'mls':
            r = ds[i] - xr * yr
        elif name == 'mul':
            r = xr * yr
        elif name == 'pmul':
            r = pmul(xr, yr)
        else:
            raise ValueError(name)
        out.append(r)
    return pk(out, es), qc


def S3(name, size, q, regs=None):
    regs = regs or {}
    t = NARROW[(size, q)]
    r, qc = same2(name, size, q, regs)
    S2.append((f"{name} v0.{t}, v1.{t}, v2.{t}", regs, r, qc))


SHB = pk([1, 0xff, 3, 0xfd, 0, 7, 0xf8, 8, 0x40, 0xc0, 2, 0xfe, 5, 0xfb, 0x7f, 0x80], 1)
for nm, size, q in (('mul', 0, 1), ('mul', 1, 0), ('mul', 2, 1), ('mla', 1, 1), ('mls', 2, 0),
                    ('pmul', 0, 1), ('sabd', 0, 1), ('uabd', 1, 0), ('saba', 2, 1),
                    ('uaba', 0, 0), ('shadd', 1, 1), ('uhadd', 0, 1), ('srhadd', 2, 0),
                    ('urhadd', 1, 1), ('shsub', 0, 0), ('uhsub', 2, 1), ('sqadd', 0, 1),
                    ('uqadd', 1, 1), ('sqsub', 2, 1), ('uqsub', 0, 1), ('sqadd', 3, 1),
                    ('uqsub', 3, 1), ('sqdmulh', 1, 1), ('sqrdmulh', 2, 1)):
    S3(nm, size, q)
for nm, size, q in (('sshl', 0, 1), ('ushl', 0, 1), ('srshl', 0, 1), ('urshl', 1, 1),
                    ('sqshl', 0, 1), ('uqshl', 2, 1), ('sqrshl', 1, 0), ('uqrshl', 0, 1),
                    ('sshl', 3, 1), ('urshl', 3, 1), ('sqshl', 3, 1)):
    S3(nm, size, q, {'v2': SHB})
S3('sqdmulh', 1, 0, {'v1': MINH, 'v2': MINH})
S3('sqrdmulh', 1, 1, {'v1': MINH, 'v2': pk([0x8000, 0x7fff, 0x4000, 0xc000] * 2, 2)})


def misc2(name, size, q, regs):
    a, d = regs.get('v1', A), regs.get('v0', D)
    es = 1 << size
    nb, n = 8 * es, (16 if q else 8) // es
    qc = False
    base = name.rstrip('2')
    if base in ('sqxtn', 'uqxtn', 'sqxtun'):
        x = el(a, 2 * es, 8 // es)
        out = []
        for v in x:
            iv = v if base == 'uqxtn' else sg(v, 2 * es)
            r, q1 = satq(iv, nb, base != 'sqxtn')
            qc |= q1
            out.append(r)
        h = pk(out, es)
        return ((d & M) | (h << 64)) if q else h, qc
    if base == 'shll':
        hx = (a >> 64) if q else a & M
        return pk([v << nb for v in el(hx, es, 8 // es)], 2 * es), False
    xs, ds = el(a, es, n), el(d, es, n)
    uns = name[0] == 'u'
    if base in ('saddlp', 'uaddlp', 'sadalp', 'uadalp'):
        dw = el(d, 2 * es, n // 2)
        out = [ival(xs[2 * i], es, uns) + ival(xs[2 * i + 1], es, uns) +
               (dw[i] if 'adalp' in base else 0) for i in range(n // 2)]
        return pk(out, 2 * es), False
    out = []
    for i in range(n):
        x = xs[i]
        if base == 'clz':
            r = nb - x.bit_length()
        elif base == 'cls':
            v = sg(x, es)
            r = nb - 1 - (v if v >= 0 else ~v).bit_length()
        elif base in ('sqabs', 'sqneg'):
            r, q1 = satq(abs(sg(x, es)) if base == 'sqabs' else -sg(x, es), nb, False)
            qc |= q1
        elif base == 'suqadd':
            r, q1 = satq(sg(ds[i], es) + x, nb, False)
            qc |= q1
        elif base == 'usqadd':
            r, q1 = satq(ds[i] + sg(x, es), nb, True)
            qc |= q1
        else:
            raise ValueError(name)
        out.append(r)
    return pk(out, es), qc


def M2(name, size, q, regs=None):
    regs = regs or {}
    base = name.rstrip('2')
    nm = (base + '2') if q and base in ('sqxtn', 'uqxtn', 'sqxtun', 'shll') else base
    t = NARROW[(size, q)]
    if base in ('sqxtn', 'uqxtn', 'sqxtun'):
        asm = f"{nm} v0.{t}, v1.{WIDE[size]}"
    elif base == 'shll':
        asm = f"{nm} v0.{WIDE[size]}, v1.{t}, #{8 << size}"
    elif base in ('saddlp', 'uaddlp', 'sadalp', 'uadalp'):
        wt = {(0, 0): '4h', (0, 1): '8h', (1, 0): '2s', (1, 1): '4s', (2, 0): '1d', (2, 1): '2d'}
        asm = f"{nm} v0.{wt[(size, q)]}, v1.{t}"
    else:
        asm = f"{nm} v0.{t}, v1.{t}"
    r, qc = misc2(name, size, q, regs)
    S2.append((asm, regs, r, qc))


for nm, size, q in (('cls', 0, 1), ('cls', 2, 0), ('clz', 1, 1), ('clz', 0, 0),
                    ('saddlp', 0, 1), ('uaddlp', 1, 0), ('sadalp', 2, 1), ('uadalp', 0, 0),
                    ('sqxtn', 0, 0), ('sqxtn', 1, 1), ('uqxtn', 2, 0), ('sqxtun', 0, 1),
                    ('shll', 0, 0), ('shll', 2, 1), ('sqabs', 0, 1), ('sqneg', 3, 1),
                    ('suqadd', 1, 1), ('usqadd', 0, 1)):
    M2(nm, size, q)
M2('sqabs', 1, 1, {'v1': MINH})
M2('clz', 2, 1, {'v1': pk([0, 1, 0x80000000, 0x00ffffff], 4)})


# ---- FP on AdvSIMD registers (vcpu_a64_fpv.c): each element by the scalar
# definitions above (arith, fma_, the NaN rules); FPSR in the third word ----
def fkey(b, dbl):
    s, m = decode(b, dbl)
    if m == 'inf':
        return float('-inf') if s else float('inf')
    return -m if s else m


def fmaxmin(op, a, b, dbl):
    if op in ('maxnm', 'minnm'):
        if is_nan(a, dbl) and not is_snan(a, dbl) and not is_nan(b, dbl):
            a = b
        elif is_nan(b, dbl) and not is_snan(b, dbl) and not is_nan(a, dbl):
            b = a
    n = pnans([a, b], dbl, False)
    if n:
        return n
    va, vb = fkey(a, dbl), fkey(b, dbl)
    big = op.startswith('max')
    sb = 1 << (63 if dbl else 31)
    if va == 0 and vb == 0 and (a ^ b) & sb:
        return (b if a & sb else a) if big else (a if a & sb else b), 0
    return (a if (va > vb) == big else b), 0


def fcmpv(a, b, dbl, signal):
    """0 eq, 1 lt, 2 gt, 3 unordered; flags."""
    if is_nan(a, dbl) or is_nan(b, dbl):
        return 3, IOC if signal or is_snan(a, dbl) or is_snan(b, dbl) else 0
    va, vb = fkey(a, dbl), fkey(b, dbl)
    return (0 if va == vb else 1 if va < vb else 2), 0


def fconv(b, to_dbl, mode='N'):
    """FCVT from the other width."""
    src = not to_dbl
    if is_nan(b, src):
        fl = IOC if is_snan(b, src) else 0
        fbs, fbd = fmt(src)[0], fmt(to_dbl)[0]
        sign = b >> (63 if src else 31) & 1
        pay = b & ((1 << fbs) - 1)
        pay = pay << (fbd - fbs) if fbd > fbs else pay >> (fbs - fbd)
        return (sign << (63 if to_dbl else 31)) | dnan(to_dbl) | pay, fl
    s_, m_ = decode(b, src)
    return encode(s_, m_, mode, to_dbl)


def fsqrt_(b, dbl):
    n = pnans([b], dbl, False)
    if n:
        return n
    s_, m_ = decode(b, dbl)
    if m_ == 0:
        return b, 0
    if s_:
        return dnan(dbl), IOC
    if m_ == 'inf':
        return b, 0
    r = fbits(math.sqrt(float(m_)), dbl)
    exact = decode(r, dbl)[1] ** 2 == m_
    return r, 0 if exact else IXC


def fpel(name, x, y, acc, dbl, mode='N'):
    """One element of a named FP operation: (bits, flags)."""
    ones = (1 << (64 if dbl else 32)) - 1
    sb = 1 << (63 if dbl else 31)
    if name in ('fadd', 'fsub', 'fmul', 'fdiv'):
        return arith(name[1:], x, y, dbl, mode)
    if name in ('fmax', 'fmin', 'fmaxnm', 'fminnm'):
        return fmaxmin(name[1:], x, y, dbl)
    if name == 'fmla':
        return fma_(acc, x, y, dbl, mode)
    if name == 'fmls':
        return fma_(acc, x ^ sb, y, dbl, mode)
    if name == 'fmulx':
        n = pnans([x, y], dbl, False)
        if n:
            return n
        mx, my = decode(x, dbl)[1], decode(y, dbl)[1]
        if (mx == 'inf' and my == 0) or (mx == 0 and my == 'inf'):
            return ((x ^ y) & sb) | fbits(2.0, dbl), 0
        return arith('mul', x, y, dbl, mode)
    if name == 'fabd':
        r, fl = arith('sub', x, y, dbl, mode)
        return r & ~sb, fl
    if name in ('fcmeq', 'fcmge', 'fcmgt', 'facge', 'facgt'):
        if name.startswith('fac'):
            x, y = x & ~sb, y & ~sb
        c_, fl = fcmpv(x, y, dbl, name != 'fcmeq')
        ok = {'fcmeq': c_ == 0, 'fcmge': c_ in (0, 2), 'facge': c_ in (0, 2),
              'fcmgt': c_ == 2, 'facgt': c_ == 2}[name]
        return ones if ok else 0, fl
    if name.endswith('#0'):
        op = name[:-2]
        c_, fl = fcmpv(x, 0, dbl, op != 'fcmeq')
        ok = {'fcmeq': c_ == 0, 'fcmge': c_ in (0, 2), 'fcmgt': c_ == 2,
              'fcmle': c_ in (0, 1), 'fcmlt': c_ == 1}[op]
        return ones if ok else 0, fl
    if name == 'fabs':
        return x & ~sb, 0
    if name == 'fneg':
        return x ^ sb, 0
    if name == 'fsqrt':
        return fsqrt_(x, dbl)
    raise ValueError(name)


def FV(asm, name, dbl, q, v1, v2=0, v0=0, fpcr=0, elem=None, scalar=False):
    """A vector (or scalar) FP case, lanes of v1 (and v2, v0)."""
    es = 8 if dbl else 4
    n = 1 if scalar else (16 if q else 8) // es
    xs, ys, acc = el(v1, es, n), el(v2, es, n), el(v0, es, n)
    if elem is not None:
        ys = [el(v2, es)[elem]] * n
    mode = 'NPMZ'[(fpcr >> 22) & 3]
    r, fl = [], 0
    for i in range(n):
        y, f = fpel(name, xs[i], ys[i], acc[i], dbl, mode)
        r.append(y)
        fl |= f
    S2.append((asm, {'v0': v0, 'v1': v1, 'v2': v2, 'fpcr': fpcr}, pk(r, es), fl))


s4 = lambda *v: pk([D2(x) if isinstance(x, float) else x for x in v], 4)
d2 = lambda *v: pk([D1(x) if isinstance(x, float) else x for x in v], 8)
SNS, QNS = 0x7f800011, 0x7fc00022
FV("fadd v0.4s, v1.4s, v2.4s", 'fadd', False, 1, s4(1.5, 0.1, math.inf, SNS), s4(2.25, 0.2, -math.inf, 1.0))
FV("fadd v0.4s, v1.4s, v2.4s", 'fadd', False, 1, s4(1.0, 0.1, -1.0, 3.0), s4(1e-30, 0.2, 1e-30, 4.0),
   fpcr=RM['P'] << 22)
FV("fsub v0.2d, v1.2d, v2.2d", 'fsub', True, 1, d2(1.0, math.inf), d2(1e-30, math.inf))
FV("fmul v0.4s, v1.4s, v2.4s", 'fmul', False, 1, s4(3e38, 1.5, -0.0, 7.0), s4(10.0, 2.0, 5.0, QNS))
FV("fdiv v0.2d, v1.2d, v2.2d", 'fdiv', True, 1, d2(1.0, -3.0), d2(0.0, 7.0))
FV("fdiv v0.2s, v1.2s, v2.2s", 'fdiv', False, 0, s4(1.0, 0.0), s4(3.0, 0.0))
FV("fmla v0.4s, v1.4s, v2.4s", 'fmla', False, 1, s4(1 + 2.0 ** -12, 2.0, math.inf, 1.0),
   s4(1 - 2.0 ** -12, 3.0, 0.0, 1.0), s4(-1.0, 0.5, 1.0, QNS))
FV("fmls v0.2d, v1.2d, v2.2d", 'fmls', True, 1, d2(1 + 2.0 ** -30, 2.0), d2(1 - 2.0 ** -30, 0.25),
   d2(1.0, 0.5))
FV("fmax v0.4s, v1.4s, v2.4s", 'fmax', False, 1, s4(-0.0, 3.0, QNS, 1.0), s4(0.0, -2.0, 1.0, SNS))
FV("fmin v0.2d, v1.2d, v2.2d", 'fmin', True, 1, d2(0.0, -math.inf), d2(-0.0, 5.0))
FV("fmaxnm v0.4s, v1.4s, v2.4s", 'fmaxnm', False, 1, s4(QNS, 3.0, 2.0, SNS), s4(1.0, QNS, 2.0, 1.0))
FV("fminnm v0.2d, v1.2d, v2.2d", 'fminnm', True, 1, d2(QN, 0.0), d2(-5.0, -0.0))
FV("fmulx v0.2d, v1.2d, v2.2d", 'fmulx', True, 1, d2(math.inf, 3.0), d2(-0.0, 0.5))
FV("fmulx d0, d1, d2", 'fmulx', True, 0, d2(0.0), d2(-math.inf), scalar=True)
FV("fabd v0.4s, v1.4s, v2.4s", 'fabd', False, 1, s4(1.0, -3.0, QNS | (1 << 31), 2.0), s4(3.5, 1.0, 0.0, 2.0))
FV("fabd s0, s1, s2", 'fabd', False, 0, s4(1.0), s4(3.25), scalar=True)
FV("fcmeq v0.4s, v1.4s, v2.4s", 'fcmeq', False, 1, s4(1.0, -0.0, QNS, SNS), s4(1.0, 0.0, QNS, 1.0))
FV("fcmge v0.4s, v1.4s, v2.4s", 'fcmge', False, 1, s4(1.0, 2.0, QNS, -1.0), s4(1.0, 3.0, 1.0, -2.0))
FV("fcmgt v0.2d, v1.2d, v2.2d", 'fcmgt', True, 1, d2(1.0, math.inf), d2(1.0, 3.0))
FV("facge v0.4s, v1.4s, v2.4s", 'facge', False, 1, s4(-3.0, 2.0, 1.0, -1.0), s4(2.0, -3.0, 1.0, QNS))
FV("facgt v0.2d, v1.2d, v2.2d", 'facgt', True, 1, d2(-3.0, 2.0), d2(3.0, -1.0))
FV("fcmge d0, d1, d2", 'fcmge', True, 0, d2(2.0), d2(2.0), scalar=True)
FV("facgt s0, s1, s2", 'facgt', False, 0, s4(-3.0), s4(2.0), scalar=True)
FV("fcmeq s0, s1, s2", 'fcmeq', False, 0, s4(SNS), s4(1.0), scalar=True)
FV("fabs v0.4s, v1.4s", 'fabs', False, 1, s4(-1.0, 2.0, QNS | (1 << 31), -0.0))
FV("fneg v0.2d, v1.2d", 'fneg', True, 1, d2(1.0, QN))
FV("fsqrt v0.4s, v1.4s", 'fsqrt', False, 1, s4(4.0, 2.0, -1.0, -0.0))
FV("fsqrt v0.2d, v1.2d", 'fsqrt', True, 1, d2(6.25, SN))
FV("fcmgt v0.4s, v1.4s, #0.0", 'fcmgt#0', False, 1, s4(1.0, -0.0, QNS, -2.0))
FV("fcmge v0.2d, v1.2d, #0.0", 'fcmge#0', True, 1, d2(-0.0, -1e-300))
FV("fcmeq v0.4s, v1.4s, #0.0", 'fcmeq#0', False, 1, s4(-0.0, 1.0, QNS, SNS))
FV("fcmle v0.2s, v1.2s, #0.0", 'fcmle#0', False, 0, s4(-0.0, 1.0))
FV("fcmlt v0.4s, v1.4s, #0.0", 'fcmlt#0', False, 1, s4(-1.0, 0.0, math.inf, -math.inf))
FV("fcmlt d0, d1, #0.0", 'fcmlt#0', True, 0, d2(-1.0), scalar=True)
FV("fcmgt s0, s1, #0.0", 'fcmgt#0', False, 0, s4(QNS), scalar=True)
FV("fmla v0.4s, v1.4s, v2.s[3]", 'fmla', False, 1, s4(1.0, 2.0, 3.0, 4.0), s4(9.0, 9.0, 9.0, 0.5),
   s4(1.0, 1.0, 1.0, 1.0), elem=3)
FV("fmls v0.2s, v1.2s, v2.s[1]", 'fmls', False, 0, s4(1.0, 2.0), s4(9.0, 0.25), s4(1.0, 1.0), elem=1)
FV("fmul v0.2d, v1.2d, v2.d[1]", 'fmul', True, 1, d2(3.0, 1e300), d2(9.0, 1e10), elem=1)
FV("fmulx v0.4s, v1.4s, v2.s[2]", 'fmulx', False, 1, s4(math.inf, 2.0, 0.0, 1.0), s4(1.0, 1.0, 0.0, 1.0),
   elem=2)
FV("fmul s0, s1, v2.s[2]", 'fmul', False, 0, s4(1.5), s4(0.0, 0.0, 4.0, 0.0), elem=2, scalar=True)
FV("fmla d0, d1, v2.d[1]", 'fmla', True, 0, d2(1.5), d2(0.0, 4.0), d2(0.25), elem=1, scalar=True)


def FP2(asm, name, dbl, v1, fpcr=0, across=False):
    """Scalar pairwise (two elements) or across lanes (.4s)."""
    es = 8 if dbl else 4
    xs = el(v1, es, 4 if across else 2)
    op = {'faddp': 'add', 'fmaxp': 'max', 'fminp': 'min', 'fmaxnmp': 'maxnm', 'fminnmp': 'minnm',
          'fmaxv': 'max', 'fminv': 'min', 'fmaxnmv': 'maxnm', 'fminnmv': 'minnm'}[name]

    def f(a, b):
        return arith('add', a, b, dbl) if op == 'add' else fmaxmin(op, a, b, dbl)
    if across:
        (l, f1), (h, f2) = f(xs[0], xs[1]), f(xs[2], xs[3])
        r, f3 = f(l, h)
        fl = f1 | f2 | f3
    else:
        r, fl = f(xs[0], xs[1])
    S2.append((asm, {'v1': v1, 'fpcr': fpcr}, r, fl))


FP2("faddp s0, v1.2s", 'faddp', False, s4(1.5, 2.25, 100.0, 100.0))
FP2("faddp d0, v1.2d", 'faddp', True, d2(1e308, 1e308))
FP2("fmaxp s0, v1.2s", 'fmaxp', False, s4(-0.0, 0.0))
FP2("fminnmp d0, v1.2d", 'fminnmp', True, d2(QN, 3.0))
FP2("fmaxnmp s0, v1.2s", 'fmaxnmp', False, s4(SNS, 3.0))
FP2("fmaxv s0, v1.4s", 'fmaxv', False, s4(1.0, 5.0, -2.0, 4.0), across=True)
FP2("fminv s0, v1.4s", 'fminv', False, s4(1.0, QNS, -2.0, 4.0), across=True)
FP2("fminnmv s0, v1.4s", 'fminnmv', False, s4(1.0, QNS, -2.0, 4.0), across=True)
FP2("fmaxnmv s0, v1.4s", 'fmaxnmv', False, s4(QNS, QNS, -2.0, 4.0), across=True)


def FCV(asm, to_dbl, v1, v0=0, q=0):
    if to_dbl:
        src = el((v1 >> 64) if q else v1 & M, 4, 2)
        rs = [fconv(x, True) for x in src]
        r = pk([x for x, _ in rs], 8)
    else:
        rs = [fconv(x, False) for x in el(v1, 8, 2)]
        h = pk([x for x, _ in rs], 4)
        r = ((v0 & M) | (h << 64)) if q else h
    fl = 0
    for _, f in rs:
        fl |= f
    S2.append((asm, {'v0': v0, 'v1': v1}, r, fl))


FCV("fcvtl v0.2d, v1.2s", True, s4(1 / 3, SNS, 7.0, 8.0))
FCV("fcvtl2 v0.2d, v1.4s", True, s4(1.0, 2.0, -0.0, 0.1), q=1)
FCV("fcvtn v0.2s, v1.2d", False, d2(1 / 3, 1e300))
FCV("fcvtn2 v0.4s, v1.2d", False, d2(SN, -2.5), s4(11.0, 12.0, 13.0, 14.0), q=1)


def gen_simd2_asm(cases=None):
    out = []
    slot = [0]

    def put(reg):
        out.append(f"\tstr\t{reg}, [x28, #{8 * slot[0]}]")
        slot[0] += 1

    def emit(lines):
        out.extend("\t" + ln.replace(" ", "\t", 1) for ln in lines)

    for asm, regs, want, qc in (S2 if cases is None else cases):
        emit(setv(0, regs.get('v0', D)) + setv(1, regs.get('v1', A)) + setv(2, regs.get('v2', B)) +
             [f"ldr x1, ={regs.get('fpcr', 0):#x}", "msr fpcr, x1",
              "msr fpsr, xzr", asm, "mov x1, v0.d[0]", "mov x2, v0.d[1]", "mrs x3, fpsr"])
        put("x1")
        put("x2")
        put("x3")
    emit(["msr fpcr, xzr"])
    return out, slot[0]


def simd2_expected(cases=None):
    r = []
    for asm, regs, want, qc in (S2 if cases is None else cases):  # qc: a bool (QC) or the FP cases' FPSR flags
        r += [want & M, (want >> 64) & M,
              qc if type(qc) is int else QCB if qc else 0]
    return r


S2_HEAD = """// simd2.S: the widening, narrowing, halving, saturating and multiplying
// integer Advanced SIMD forms, and FP arithmetic on vectors (and its scalar
// pairwise, by-element and compare forms), in the AArch64 interpreter: V0
// and FPSR after each. GENERATED by fp_oracle.py --asm-simd2 (which also computes
// the expected values from the instructions' definitions); results go to
// the UART page (0x200 + 8 * n).
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	adr	x20, data
	add	x24, x20, #0x240
"""


# ==== ldst2.S: LD2-LD4/ST2-ST4 (multiple and single structures) and
# LD2R-LD4R; memory at x20 holds MEM, loads from x21 = x20 + base, stores go to
# x22 (64 bytes zeroed first), x23 = x22; V0-V3 = D, A, B, T before ====
LS = []   # (asm, [V0..V3 after] or None, 64 store bytes or None, x21's (or x23's)
          #  offset after (post-index) or None, x21's offset from x20 before)
REGS0 = [D, A, B, T]
ARR = {(1, 0): '8b', (1, 1): '16b', (2, 0): '4h', (2, 1): '8h', (4, 0): '2s', (4, 1): '4s',
       (8, 1): '2d'}


def lanes_set(v, es, i, x):
    m = ((1 << (8 * es)) - 1) << (8 * es * i)
    return (v & ~m) | ((x << (8 * es * i)) & m)


def LDM(n, es, q, base, post=None):
    """LDn (multiple structures) into V0..V(n-1) from x20/x21 + base."""
    rb, regs = (16 if q else 8), list(REGS0)
    for r in range(n):
        regs[r] = 0
    for e in range(rb // es):
        for r in range(n):
            regs[r] |= ld(base + (e * n + r) * es, es) << (8 * es * e)
    t = ARR[(es, q)]
    lst = ", ".join(f"v{r}.{t}" for r in range(n))
    asm = f"ld{n} {{{lst}}}, [x21]" + (f", {post}" if post else "")
    wb = None if post is None else base + (n * rb if post.startswith('#') else 2)
    LS.append((asm, regs, None, wb, base))


def LDS(n, es, idx, base, post=None):
    regs = list(REGS0)
    for r in range(n):
        regs[r] = lanes_set(regs[r], es, idx, ld(base + r * es, es))
    t = {1: 'b', 2: 'h', 4: 's', 8: 'd'}[es]
    lst = ", ".join(f"v{r}.{t}" for r in range(n))
    asm = f"ld{n} {{{lst}}}[{idx}], [x21]" + (f", {post}" if post else "")
    wb = None if post is None else base + (n * es if post.startswith('#') else 2)
    LS.append((asm, regs, None, wb, base))


def LDR(n, es, q, base, post=None):
    regs = list(REGS0)
    for r in range(n):
        x = ld(base + r * es, es)
        regs[r] = sum(x << (8 * es * e) for e in range((16 if q else 8) // es))
    t = ARR[(es, q)]
    lst = ", ".join(f"v{r}.{t}" for r in range(n))
    asm = f"ld{n}r {{{lst}}}, [x21]" + (f", {post}" if post else "")
    wb = None if post is None else base + (n * es if post.startswith('#') else 2)
    LS.append((asm, regs, None, wb, base))


def STM(n, es, q, first, post=None):
    rb, buf = (16 if q else 8), bytearray(64)
    src = [REGS0[(first + r) % 4] for r in range(n)]
    for e in range(rb // es):
        for r in range(n):
            off = (e * n + r) * es
            buf[off:off + es] = ((src[r] >> (8 * es * e)) & ((1 << (8 * es)) - 1)).to_bytes(es, 'little')
    t = ARR[(es, q)]
    lst = ", ".join(f"v{first + r}.{t}" for r in range(n))
    dst = "[x23]" if post else "[x22]"
    asm = f"st{n} {{{lst}}}, {dst}" + (f", {post}" if post else "")
    wb = None if post is None else (n * rb if post.startswith('#') else 2)
    LS.append((asm, None, bytes(buf), wb, 0))


def STS(n, es, idx, first, post=None):
    buf = bytearray(64)
    for r in range(n):
        x = (REGS0[(first + r) % 4] >> (8 * es * idx)) & ((1 << (8 * es)) - 1)
        buf[r * es:(r + 1) * es] = x.to_bytes(es, 'little')
    t = {1: 'b', 2: 'h', 4: 's', 8: 'd'}[es]
    lst = ", ".join(f"v{first + r}.{t}" for r in range(n))
    dst = "[x23]" if post else "[x22]"
    asm = f"st{n} {{{lst}}}[{idx}], {dst}" + (f", {post}" if post else "")
    wb = None if post is None else (n * es if post.startswith('#') else 2)
    LS.append((asm, None, bytes(buf), wb, 0))


LDM(2, 1, 1, 0)
LDM(2, 2, 0, 0x100, '#16')
LDM(2, 8, 1, 0x30)
LDM(3, 4, 1, 0x10)
LDM(3, 1, 0, 0x100, 'x5')
LDM(3, 2, 1, 0x20)
LDM(4, 8, 1, 0)
LDM(4, 2, 1, 0x100, '#64')
LDM(4, 4, 0, 0x40)
LDM(4, 1, 1, 0x100)
LDS(2, 4, 1, 0)
LDS(3, 1, 9, 0x100, '#3')
LDS(4, 8, 1, 0x40)
LDS(2, 2, 6, 0x100, 'x5')
LDS(4, 1, 15, 0x100, '#4')
LDS(3, 4, 3, 0x20)
LDR(2, 2, 1, 0)
LDR(3, 4, 1, 0x100, '#12')
LDR(4, 1, 0, 0x10)
LDR(2, 8, 1, 0x100, 'x5')
STM(2, 1, 1, 1)
STM(3, 2, 0, 0, '#24')
STM(4, 4, 1, 0)
STM(2, 8, 1, 2, '#32')
STM(4, 1, 0, 0, 'x5')
STS(2, 8, 1, 1)
STS(3, 4, 2, 1, '#12')
STS(4, 1, 15, 0)
STS(2, 2, 5, 2, 'x5')


# ==== simd3.S: the rest of shift by immediate (vector and scalar), in
# simd2.S's format ====
S3L = []


def SHI(name, es, q, sh, regs=None, scalar=False):
    """A shift by immediate: sh is the shift amount as written."""
    regs = regs or {}
    a, d = regs.get('v1', A), regs.get('v0', D)
    nb = 8 * es
    narrow = name.rstrip('2') in ('rshrn', 'sqshrn', 'uqshrn', 'sqrshrn', 'uqrshrn', 'sqshrun',
                                  'sqrshrun')
    base = name.rstrip('2')
    qc = False
    if narrow:
        n = 1 if scalar else 8 // es
        src_uns = base in ('uqshrn', 'uqrshrn')
        dst_uns = base[0] == 'u' or base.endswith('un')
        rnd = 'rshr' in base
        out = []
        for x in el(a, 2 * es, n):
            v = x if src_uns else sg(x, 2 * es)
            v = (v + ((1 << (sh - 1)) if rnd else 0)) >> sh
            if base == 'rshrn':
                out.append(v)
            else:
                v, q1 = satq(v, nb, dst_uns)
                qc |= q1
                out.append(v)
        h = pk(out, es)
        r = h if scalar or not q else (d & M) | (h << 64)
    else:
        n = 1 if scalar else (16 if q else 8) // es
        mask = (1 << nb) - 1
        out = []
        for x, dv in zip(el(a, es, n), el(d, es, n)):
            uns = base[0] == 'u'
            v = x if uns else sg(x, es)
            if base in ('sshr', 'ushr', 'ssra', 'usra', 'srshr', 'urshr', 'srsra', 'ursra'):
                v = (v + ((1 << (sh - 1)) if base[1] == 'r' else 0)) >> sh
                v += dv if base.endswith('sra') else 0
            elif base == 'sri':
                v = dv if sh == nb else (dv & ~(mask >> sh)) | (x >> sh)
            elif base == 'shl':
                v = x << sh
            elif base == 'sli':
                v = (x << sh) | (dv & ((1 << sh) - 1))
            elif base in ('sqshl', 'uqshl', 'sqshlu'):
                v, q1 = satq((sg(x, es) if base != 'uqshl' else x) << sh, nb, base != 'sqshl')
                qc |= q1
            else:
                raise ValueError(name)
            out.append(v)
        r = pk(out, es)
    if scalar:
        reg = {1: 'b', 2: 'h', 4: 's', 8: 'd'}
        asm = f"{name} {reg[es]}0, {reg[2 * es if narrow else es]}1, #{sh}"
    elif narrow:
        asm = f"{name} v0.{NARROW[(int(es).bit_length() - 1, q)]}, v1.{WIDE[int(es).bit_length() - 1]}, #{sh}"
    else:
        t = NARROW[(int(es).bit_length() - 1, q)]
        asm = f"{name} v0.{t}, v1.{t}, #{sh}"
    S3L.append((asm, {'v0': d, 'v1': a}, r, qc))


for nm, es, q, sh in (('srshr', 1, 1, 3), ('urshr', 2, 1, 16), ('srshr', 8, 1, 64), ('urshr', 4, 0, 1),
                      ('srsra', 4, 1, 7), ('ursra', 8, 1, 33), ('sri', 1, 1, 3), ('sri', 2, 0, 16),
                      ('sli', 4, 1, 5), ('sli', 8, 1, 0), ('sqshlu', 1, 1, 3), ('sqshlu', 4, 1, 20),
                      ('sqshl', 2, 1, 9), ('uqshl', 1, 0, 2), ('sqshl', 8, 1, 40), ('uqshl', 8, 1, 1),
                      ('rshrn', 1, 0, 3), ('rshrn2', 4, 1, 17), ('sqshrn', 1, 0, 2), ('uqshrn2', 2, 1, 5),
                      ('sqrshrn', 4, 0, 31), ('uqrshrn', 1, 0, 8), ('sqshrun2', 1, 1, 1),
                      ('sqrshrun', 2, 0, 4)):
    SHI(nm, es, q, sh)
for nm, es, sh in (('sshr', 8, 3), ('ushr', 8, 64), ('ssra', 8, 1), ('usra', 8, 9), ('shl', 8, 17),
                   ('srshr', 8, 5), ('ursra', 8, 63), ('sri', 8, 12), ('sli', 8, 4), ('sqshl', 1, 3),
                   ('uqshl', 4, 8), ('sqshlu', 2, 2), ('sqshrn', 2, 4), ('uqrshrn', 4, 16),
                   ('sqrshrun', 1, 2)):
    SHI(nm, es, 0, sh, scalar=True)



def BE(name, size, q, idx):
    """Integer by element: the vector op with every lane of Vm = Vm[idx]."""
    es = 1 << size
    e = el(B, es)[idx]
    bc = pk([e] * (16 // es), es)
    base = name.rstrip('2')
    t, ew = NARROW[(size, q)], {1: 'h', 2: 's'}[size]
    if base in ('mul', 'mla', 'mls', 'sqdmulh', 'sqrdmulh'):
        r, qc = same2(name, size, q, {'v2': bc})
        asm = f"{name} v0.{t}, v1.{t}, v2.{ew}[{idx}]"
    else:
        r, qc = diff3(name, size, q, {'v2': bc})
        nm = base + ('2' if q else '')
        asm = f"{nm} v0.{WIDE[size]}, v1.{t}, v2.{ew}[{idx}]"
    S3L.append((asm, {}, r, qc))


for nm, size, q, idx in (('mul', 1, 1, 5), ('mul', 2, 0, 3), ('mla', 1, 0, 7), ('mls', 2, 1, 1),
                         ('sqdmulh', 1, 1, 2), ('sqrdmulh', 2, 1, 0), ('smull', 1, 0, 6),
                         ('umull', 2, 1, 3), ('smlal', 2, 0, 2), ('umlal', 1, 1, 4),
                         ('smlsl', 1, 0, 0), ('umlsl', 2, 1, 1), ('sqdmull', 1, 1, 3),
                         ('sqdmlal', 2, 0, 1), ('sqdmlsl', 1, 0, 7)):
    BE(nm, size, q, idx)



# scalar integer three-same and two-register misc: element 0 only
SR = {0: 'b', 1: 'h', 2: 's', 3: 'd'}


def SCI(name, size, v1=A, v2=B, v0=D):
    es = 1 << size
    mk = (1 << (8 * es)) - 1
    a0, b0, d0 = v1 & mk, v2 & mk, v0 & mk
    x, y, dv = a0, b0, d0
    qc = False
    r = None
    if name in ('sqadd', 'uqadd', 'sqsub', 'uqsub', 'sqshl', 'uqshl', 'sqrshl', 'uqrshl', 'sshl',
                'ushl', 'srshl', 'urshl', 'sqdmulh', 'sqrdmulh'):
        r, qc = same2(name, size, 1, {'v1': a0, 'v2': b0, 'v0': d0})
        asm = f"{name} {SR[size]}0, {SR[size]}1, {SR[size]}2"
    elif name in ('suqadd', 'usqadd', 'sqabs', 'sqneg'):
        r, qc = misc2(name, size, 1, {'v1': a0, 'v0': d0})
        asm = f"{name} {SR[size]}0, {SR[size]}1"
    elif name in ('sqxtn', 'uqxtn', 'sqxtun'):
        mk2 = (1 << (16 * es)) - 1
        r, qc = misc2(name, size, 0, {'v1': v1 & mk2, 'v0': 0})
        asm = f"{name} {SR[size]}0, {SR[size + 1]}1"
    else:  # D only
        sx, sy = sg(x, 8), sg(y, 8)
        ones = M
        r = {'add': x + y, 'sub': x - y, 'cmgt': ones * (sx > sy), 'cmhi': ones * (x > y),
             'cmge': ones * (sx >= sy), 'cmhs': ones * (x >= y), 'cmeq': ones * (x == y),
             'cmtst': ones * ((x & y) != 0), 'abs': abs(sx), 'neg': -sx,
             'cmgt#0': ones * (sx > 0), 'cmge#0': ones * (sx >= 0), 'cmeq#0': ones * (sx == 0),
             'cmle#0': ones * (sx <= 0), 'cmlt#0': ones * (sx < 0)}[name]
        if name.endswith('#0'):
            asm = f"{name[:-2]} d0, d1, #0"
        elif name in ('abs', 'neg'):
            asm = f"{name} d0, d1"
        else:
            asm = f"{name} d0, d1, d2"
    S3L.append((asm, {'v0': v0, 'v1': v1, 'v2': v2}, r & mk, qc))


for nm, size in (('sqadd', 0), ('uqadd', 1), ('sqsub', 2), ('uqsub', 3), ('sqshl', 1), ('uqrshl', 0),
                 ('sqdmulh', 1), ('sqrdmulh', 2), ('suqadd', 0), ('usqadd', 2), ('sqabs', 3),
                 ('sqneg', 0), ('sqxtn', 0), ('uqxtn', 1), ('sqxtun', 2), ('sshl', 3), ('urshl', 3),
                 ('add', 3), ('sub', 3), ('cmgt', 3), ('cmhi', 3), ('cmge', 3), ('cmhs', 3),
                 ('cmeq', 3), ('cmtst', 3), ('abs', 3), ('neg', 3), ('cmgt#0', 3), ('cmeq#0', 3),
                 ('cmle#0', 3), ('cmlt#0', 3), ('cmge#0', 3)):
    SCI(nm, size)
SCI('sqadd', 0, pk([0x7f] * 16, 1), pk([0x01] * 16, 1))          # saturates: QC
SCI('sqneg', 3, 1 << 63)
SCI('sqxtn', 1, pk([0x00012345, 0x7fffffff, 0, 0], 4))
SCI('cmeq', 3, A, A)
SCI('sshl', 3, A, pk([0xfc] * 16, 1))



# FRECPE/FRSQRTE (the architecture's estimate procedures) and FRECPS/FRSQRTS
def est_(b, dbl, rsqrt, fz=False, mode='N'):
    fb, eb, bias = fmt(dbl)
    sb = 1 << (fb + eb)
    sign = b & sb
    n = pnans([b], dbl, False)
    if n:
        return n
    s_, m_ = decode(b, dbl)
    if fz and m_ != 'inf' and m_ != 0 and m_ < Fr(2) ** (1 - bias):
        m_ = 0
        fl0 = IDC
    else:
        fl0 = 0
    if m_ == 0:
        return sign | (((1 << eb) - 1) << fb), fl0 | DZC
    if rsqrt and s_:
        return dnan(dbl), fl0 | IOC
    if m_ == 'inf':
        return (0 if rsqrt else sign), fl0
    frac = (b & ((1 << fb) - 1)) << (52 - fb)
    exp = (b >> fb) & ((1 << eb) - 1)
    F52 = (1 << 52) - 1
    if not rsqrt:
        if m_ < Fr(2) ** (-1024 if dbl else -128):
            inf = {'N': True, 'P': not s_, 'M': bool(s_), 'Z': False}[mode]
            return (sign | (((1 << eb) - 1) << fb) if inf else
                    sign | (((1 << eb) - 2) << fb) | ((1 << fb) - 1)), OFC | IXC | fl0
        if fz and m_ >= Fr(2) ** (1022 if dbl else 126):
            return sign, UFC | fl0
        if exp == 0:
            if not (frac >> 51) & 1:
                exp = -1
                frac = (frac << 2) & F52
            else:
                frac = (frac << 1) & F52
        a = 256 + (frac >> 44)
        a = a * 2 + 1
        r = ((1 << 19) // a + 1) // 2
        rexp = (2045 if dbl else 253) - exp
        frac = (r & 0xff) << 44
        if rexp == 0:
            frac = (1 << 51) | (frac >> 1)
        elif rexp == -1:
            frac = (1 << 50) | (frac >> 2)
            rexp = 0
        return sign | (rexp << fb) | (frac >> (52 - fb)), fl0
    if exp == 0:
        while not (frac >> 51) & 1:
            frac = (frac << 1) & F52
            exp -= 1
        frac = (frac << 1) & F52
    a = 256 + (frac >> 44) if exp % 2 == 0 else 128 + (frac >> 45)
    a = a * 2 + 1 if a < 256 else ((a >> 1) << 1) * 2 + 2
    bb = 512
    while a * (bb + 1) * (bb + 1) < (1 << 28):
        bb += 1
    r = (bb + 1) // 2
    rexp = ((3068 if dbl else 380) - exp) // 2
    return (rexp << fb) | (((r & 0xff) << 44) >> (52 - fb)), fl0


def step_(a, b, dbl, rsqrt, mode='N'):
    fb, eb, _ = fmt(dbl)
    sb = 1 << (fb + eb)
    na = a ^ sb
    n = pnans([na, b], dbl, False)
    if n:
        return n
    (s1, m1), (s2, m2) = decode(na, dbl), decode(b, dbl)
    if (m1 == 'inf' and m2 == 0) or (m1 == 0 and m2 == 'inf'):
        return fbits(1.5 if rsqrt else 2.0, dbl), 0
    if m1 == 'inf' or m2 == 'inf':
        return encode(s1 ^ s2, 'inf', mode, dbl)
    p_ = (-m1 if s1 else m1) * (-m2 if s2 else m2)
    v = (3 + p_) / 2 if rsqrt else 2 + p_
    if v == 0:
        return encode(1 if mode == 'M' else 0, Fr(0), mode, dbl)
    return encode(int(v < 0), abs(v), mode, dbl)


def RE(asm, dbl, vals, rsqrt=False, v2=None, scalar=False, q=True, fpcr=0):
    es = 8 if dbl else 4
    n = 1 if scalar else (16 if q else 8) // es
    xs = (vals + [0] * n)[:n]
    ys = ((v2 or []) + [0] * n)[:n]
    mode = 'NPMZ'[(fpcr >> 22) & 3]
    out, fl = [], 0
    for i in range(n):
        if v2 is None:
            r, f = est_(xs[i], dbl, rsqrt, bool(fpcr & (1 << 24)), mode)
        else:
            r, f = step_(xs[i], ys[i], dbl, rsqrt, mode)
        out.append(r)
        fl |= f
    S3L.append((asm, {'v1': pk(xs, es), 'v2': pk(ys, es), 'fpcr': fpcr}, pk(out, es), fl))


RE("frecpe v0.4s, v1.4s", False, [D2(1.0), D2(2.0), D2(3.0), D2(-0.3)])
RE("frecpe v0.4s, v1.4s", False, [0, D2(-0.0), D2(math.inf), SNS])
RE("frecpe v0.4s, v1.4s", False, [1 << 20, D2(1e38), D2(-5e-39), D2(1.5)])
RE("frecpe v0.4s, v1.4s", False, [D2(1e38), 5, D2(7.0), D2(0.1)], fpcr=(1 << 24) | (RM['Z'] << 22))
RE("frecpe v0.2d, v1.2d", True, [D1(5.0), 1 << 50])
RE("frecpe d0, d1", True, [D1(1e300)], scalar=True)
RE("frsqrte v0.4s, v1.4s", False, [D2(1.0), D2(4.0), D2(2.0), D2(0.3)], rsqrt=True)
RE("frsqrte v0.4s, v1.4s", False, [D2(-1.0), 0, D2(math.inf), 3], rsqrt=True)
RE("frsqrte v0.2d, v1.2d", True, [D1(1e-300), 1 << 30], rsqrt=True)
RE("frsqrte s0, s1", False, [D2(10.0)], rsqrt=True, scalar=True)
RE("frecps v0.4s, v1.4s, v2.4s", False, [D2(2.0), D2(math.inf), D2(1.5), QNS],
   v2=[D2(0.5), 0, D2(1e38), D2(1.0)])
RE("frecps d0, d1, d2", True, [D1(1 / 3)], v2=[D1(3.0)], scalar=True)
RE("frsqrts v0.2d, v1.2d, v2.2d", True, [D1(1.0), 0], v2=[D1(1.0), D1(-math.inf)], rsqrt=True)
RE("frsqrts v0.4s, v1.4s, v2.4s", False, [D2(1.0000001), D2(3.0), D2(math.inf), D2(-2.0)],
   v2=[D2(2.9999), D2(1.0), D2(2.0), SNS], rsqrt=True)
RE("frsqrts d0, d1, d2", True, [D1(1.5e300)], v2=[D1(2e-300)], rsqrt=True, scalar=True)
RE("frsqrts s0, s1, s2", False, [D2(3.0)], v2=[D2(1.0000001)], rsqrt=True, scalar=True, fpcr=RM['M'] << 22)


def gen_ldst2_asm():
    out = []
    slot = [0]

    def put(reg):
        out.append(f"\tstr\t{reg}, [x28, #{8 * slot[0]}]")
        slot[0] += 1

    def emit(lines):
        out.extend("\t" + ln.replace(" ", "\t", 1) for ln in lines)

    for asm, regs, mem, wb, base in LS:
        emit(setv(0, D) + setv(1, A) + setv(2, B) + setv(3, T) +
             ["mov x5, #2", f"add x21, x20, #{base:#x}", "mov x23, x22",
              "stp xzr, xzr, [x22]", "stp xzr, xzr, [x22, #16]",
              "stp xzr, xzr, [x22, #32]", "stp xzr, xzr, [x22, #48]", asm])
        if regs is not None:
            for r in range(4):
                emit([f"mov x1, v{r}.d[0]", f"mov x2, v{r}.d[1]"])
                put("x1")
                put("x2")
            if wb is not None:
                emit(["sub x1, x21, x20"])
                put("x1")
        else:
            for k in range(4):
                emit([f"ldp x1, x2, [x22, #{16 * k}]"])
                put("x1")
                put("x2")
            if wb is not None:
                emit(["sub x1, x23, x22"])
                put("x1")
    return out, slot[0]


def ldst2_expected():
    r = []
    for asm, regs, mem, wb, base in LS:
        if regs is not None:
            for v in regs:
                r += [v & M, v >> 64]
        else:
            r += [int.from_bytes(mem[8 * k:8 * k + 8], 'little') for k in range(8)]
        if wb is not None:
            r.append(wb & M)
    return r


LS_HEAD = """// ldst2.S: LD2-LD4/ST2-ST4 (multiple and single structures) and
// LD2R-LD4R in the AArch64 interpreter: V0-V3 or the stored bytes and the
// written-back base after each. GENERATED by fp_oracle.py --asm-ldst2
// (which also computes the expected values); results go to the UART page
// (0x200 + 8 * n). MMU off: VA == IPA.
	.equ OUT, 0x8000100200      // IPA 2^39 + 0x100000 + 0x200

	.text
	.global _start
_start:
	ldr	x28, =OUT
	adr	x0, vectors
	msr	vbar_el1, x0
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	adr	x20, data
	add	x22, x20, #0x200        // store area (64 bytes)
	add	x24, x20, #0x280        // scratch for moving values in and out
"""


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--asm-fpu':
        body, n = gen_fpu_asm()
        assert n <= 448, n
        data = "\n".join("\t.byte\t" + ", ".join(f"{b:#04x}" for b in MEM[i:i + 16])
                         for i in range(0, len(MEM), 16))
        sys.stdout.write(FPU_HEAD + "\n".join(body) + "\n" +
                         TAIL.format(lit_lo=LIT & M, lit_hi=LIT >> 64, data=data))
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--asm-simd2':
        body, n = gen_simd2_asm()
        assert n <= 448, n
        data = "\n".join("\t.byte\t" + ", ".join(f"{b:#04x}" for b in MEM[i:i + 16])
                         for i in range(0, len(MEM), 16))
        sys.stdout.write(S2_HEAD + "\n".join(body) + "\n" +
                         TAIL.format(lit_lo=LIT & M, lit_hi=LIT >> 64, data=data))
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--simd2':
        for v in simd2_expected():
            print("\t0x%016xull," % v)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--asm-simd3':
        body, n = gen_simd2_asm(S3L)
        assert n <= 448, n
        data = "\n".join("\t.byte\t" + ", ".join(f"{b:#04x}" for b in MEM[i:i + 16])
                         for i in range(0, len(MEM), 16))
        head = S2_HEAD[S2_HEAD.index("\t.equ"):]
        sys.stdout.write("// simd3.S: the rounding, inserting, saturating and narrowing shifts by\n"
                         "// immediate (vector and scalar) in the AArch64 interpreter: V0 and FPSR\n"
                         "// after each. GENERATED by fp_oracle.py --asm-simd3 (which also computes\n"
                         "// the expected values from the instructions' definitions); results go to\n"
                         "// the UART page (0x200 + 8 * n).\n" + head +
                         "\n".join(body) + "\n" +
                         TAIL.format(lit_lo=LIT & M, lit_hi=LIT >> 64, data=data))
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--simd3':
        for v in simd2_expected(S3L):
            print("\t0x%016xull," % v)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--asm-ldst2':
        body, n = gen_ldst2_asm()
        assert n <= 448, n
        data = "\n".join("\t.byte\t" + ", ".join(f"{b:#04x}" for b in MEM[i:i + 16])
                         for i in range(0, len(MEM), 16))
        sys.stdout.write(LS_HEAD + "\n".join(body) + "\n" +
                         TAIL.format(lit_lo=LIT & M, lit_hi=LIT >> 64, data=data))
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--ldst2':
        for v in ldst2_expected():
            print("\t0x%016xull," % v)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--fpu':
        for v in fpu_expected():
            print("\t0x%016xull," % v)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--asm':
        body, n = gen_asm()
        assert n <= 448, n
        data = "\n".join("\t.byte\t" + ", ".join(f"{b:#04x}" for b in MEM[i:i + 16])
                         for i in range(0, len(MEM), 16))
        sys.stdout.write(HEAD.format(x3=X3) + "\n".join(body) + "\n" +
                         TAIL.format(lit_lo=LIT & M, lit_hi=LIT >> 64, data=data))
        return
    for v in expected():
        print("\t0x%016xull," % v)


main()
