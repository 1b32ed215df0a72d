#!/usr/bin/env python3
"""Write seed inputs for the fuzz harnesses in their byte encoding (see
fuzz_common.h and rmi_fuzzer.c): command index byte, then one selector byte
per argument. Seeds build realms, RTTs, DATA and RECs and run them, so the
fuzzers start from deep states. Run from the repository root."""
import os, random

CMD = {n: i for i, n in enumerate([
    "VERSION", "FEATURES", "DELEGATE", "UNDELEGATE", "REALM_CREATE", "ACTIVATE", "REALM_DESTROY",
    "AUX_COUNT", "RTT_CREATE", "RTT_DESTROY", "DATA_CREATE_UNKNOWN", "DATA_DESTROY", "READ_ENTRY",
    "DATA_CREATE", "REC_CREATE", "REC_DESTROY", "REC_ENTER", "MAP_UNPROT", "UNMAP", "PSCI_COMPLETE",
    "FOLD", "INIT_RIPAS", "SET_RIPAS"])}
IPA = {0: 0, 0x1000: 1, 0x2000: 2, 0x3000: 3, 0x200000: 4, "U": 8, "U+0x1000": 9, 0x40000000: 6}
LVL = {0: 1, 1: 2, 2: 3, 3: 4}
SRC, RUN, NS0, REC0, REC1, DESC = 72, 0, 0, 0, 1, 1

def op(name, *args, cpu=0):
    return bytes([CMD[name] | (cpu << 7)] + list(args))

def build_realm(rd=0, roots=(2, 3)):
    s = op("VERSION", 0) + op("DELEGATE", rd)
    for r in roots:
        s += op("DELEGATE", r)
    s += op("REALM_CREATE", rd, NS0)
    s += op("DELEGATE", 4) + op("RTT_CREATE", rd, 4, IPA[0], LVL[2])
    s += op("DELEGATE", 5) + op("RTT_CREATE", rd, 5, IPA[0], LVL[3])
    return s

def seeds_rmi():
    out = {}
    s = build_realm()
    s += op("DELEGATE", 24) + op("DATA_CREATE_UNKNOWN", 0, 24, IPA[0x0])
    s += op("DELEGATE", 25) + op("DATA_CREATE", 0, 25, IPA[0x1000], SRC, 1)
    s += op("INIT_RIPAS", 0, IPA[0x2000], IPA[0x3000])
    for a in range(32, 48):
        s += op("DELEGATE", a)
    s += op("DELEGATE", 26) + op("REC_CREATE", 0, 26, 0) + op("ACTIVATE", 0)
    s += op("DELEGATE", 6) + op("RTT_CREATE", 0, 6, IPA["U"], LVL[2])
    s += op("DELEGATE", 7) + op("RTT_CREATE", 0, 7, IPA["U"], LVL[3])
    s += op("MAP_UNPROT", 0, IPA["U+0x1000"], LVL[3], DESC)
    for _ in range(6):
        s += op("REC_ENTER", 26, RUN, cpu=1) + op("REC_ENTER", 26, RUN)
    out["build_and_run"] = s
    t = build_realm()
    t += op("DELEGATE", 24) + op("DATA_CREATE_UNKNOWN", 0, 24, IPA[0x1000])
    t += op("DATA_DESTROY", 0, IPA[0x1000]) + op("UNDELEGATE", 24)
    t += op("RTT_DESTROY", 0, IPA[0], LVL[3]) + op("FOLD", 0, IPA[0], LVL[3])
    t += op("RTT_DESTROY", 0, IPA[0], LVL[2]) + op("REALM_DESTROY", 0)
    for g in (0, 2, 3, 4, 5):
        t += op("UNDELEGATE", g)
    out["build_and_teardown"] = t
    return out

def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpora")
    rmi = seeds_rmi()
    for d in ("rmi", "rmi_diff"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        for name, data in rmi.items():
            if d == "rmi_diff":
                # the differential harness maps other commands onto the first 13
                data = bytes(data)
            open(os.path.join(root, d, "seed_" + name), "wb").write(data)
    rng = random.Random(1)
    os.makedirs(os.path.join(root, "rsi"), exist_ok=True)
    for i in range(4):
        open(os.path.join(root, "rsi", "seed_random%d" % i), "wb").write(
            bytes(rng.randrange(256) for _ in range(600)))
    # a guest that makes one of each RSI call in order, host answering yes
    g = b""
    for k in range(39):
        g += bytes([5, 3, 0]) + bytes([k % 20]) + bytes([k % 17] * 4)
    open(os.path.join(root, "rsi", "seed_each_call"), "wb").write(g * 2 + bytes([0, 1] * 32))
    open(os.path.join(root, "rsi", "seed_attest"), "wb").write(seed_attest())

def seed_attest():
    """RSI fuzzer: REC 0 requests a token (INIT, CONTINUE into DATA at 0x1000,
    in two chunks, then once too often, then into RIPAS RAM that is not
    mapped), REC 1 waits; the host enters REC 0 first with an interrupt
    pending (the signing step is interrupted), then without."""
    FID = {"INIT": 4, "CONTINUE": 5, "EXTEND": 3}
    VAL = {0: 0, 1: 1, 8: 4, 64: 5, 0x10000: 7, 0x1000: 8, 0x20000: 10}
    def val(a):  # a pool index, or 0xf8 and the value itself
        return bytes([VAL[a]]) if a in VAL else bytes([0xf8]) + a.to_bytes(8, "little")
    def smc(fid, *args):
        return (bytes([3, 3, 0, FID[fid]]) + b"".join(val(a) for a in args) +
                bytes(4 - len(args)))
    wfi = bytes([5, 0, 0])
    rec0 = (smc("EXTEND", 1, 8, 64) + smc("INIT", 1, 8, 64, 0x1000) +
            smc("CONTINUE", 0x1000, 0, 0x1000) + smc("CONTINUE", 0x1000, 0, 64) +
            smc("CONTINUE", 0x1000, 64, 0x1000 - 64) + smc("CONTINUE", 0x1000, 0, 0x1000) +
            smc("INIT", 0, 0, 0, 0) + smc("CONTINUE", 0x10000, 0, 0x1000) +
            smc("CONTINUE", 0x10000, 0, 0x1000))
    rec0 += wfi * (39 - 9)
    rec1 = wfi * 39
    host = bytes([4]) + bytes([0, 1]) * 16
    return rec0 + rec1 + host

if __name__ == "__main__":
    main()
