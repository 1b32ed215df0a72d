#!/usr/bin/python3
"""An independent verifier for RMM 1.0 CCA attestation tokens.

Independent of librmm's encoder: another language, another CBOR library
(Debian's python3-cbor2), and two ECDSA implementations (python3-cryptography,
which is OpenSSL, and the pure-Python python3-ecdsa). It checks

  1. the tag-399 collection {44234: platform token, 44241: realm token};
  2. the realm token: a tagged COSE_Sign1, protected header {1: -35}, the
     eight 1.0 realm claims with their exact types and sizes, the realm
     profile "tag:arm.com,2023:realm#1.0.0", the RAK as an EC2 P-384 COSE_Key;
  3. the realm signature (ES384, raw r||s over the Sig_structure), with both
     ECDSA implementations;
  4. the platform token: a tagged COSE_Sign1 whose signature verifies with the
     platform attestation key given (--iak, a PEM key);
  5. the binding: platform challenge == H_44240(realm claim 44237);
  6. with --expect FILE.json: challenge, rpv, rim, rem[4], hash_algo and
     (optionally) the platform token bytes equal the given values (hex).

--mutate additionally checks that every single-byte change of the token
(three different changes at each offset) is rejected. --print prints the
decoded claims. Exit status 0 when every check passes.
"""
import argparse
import hashlib
import io
import json
import sys

import cbor2
import ecdsa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

REALM_PROFILE = "tag:arm.com,2023:realm#1.0.0"
PLATFORM_PROFILE = "tag:arm.com,2023:cca_platform#1.0.0"
REALM_CLAIMS = {10, 44235, 44236, 44237, 44238, 44239, 44240}
PLATFORM_CLAIMS = {265, 10, 2396, 256, 2401, 2395, 2399, 2402}
HASH_SIZE = {"sha-256": 32, "sha-512": 64}
COSE_ALGS = {-35: (ec.SECP384R1(), hashes.SHA384(), 48), -7: (ec.SECP256R1(), hashes.SHA256(), 32),
             -36: (ec.SECP521R1(), hashes.SHA512(), 66)}


class Reject(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Reject(what)


def decode_all(data):
    """Decode exactly one CBOR item that fills 'data'."""
    fp = io.BytesIO(data)
    item = cbor2.CBORDecoder(fp).decode()
    need(fp.tell() == len(data), "trailing bytes after a CBOR item")
    return item


def sign1(data, what):
    """A tagged COSE_Sign1: (protected bytes, protected map, payload, signature)."""
    t = decode_all(data)
    need(isinstance(t, cbor2.CBORTag) and t.tag == 18, what + ": not a tag-18 COSE_Sign1")
    need(isinstance(t.value, list) and len(t.value) == 4, what + ": COSE_Sign1 is not 4 items")
    prot, unprot, payload, sig = t.value
    need(isinstance(prot, bytes) and isinstance(unprot, dict) and isinstance(payload, bytes)
         and isinstance(sig, bytes), what + ": COSE_Sign1 item types")
    pmap = decode_all(prot)
    need(isinstance(pmap, dict) and set(pmap) == {1}, what + ": protected header is not {1: alg}")
    return prot, pmap, payload, sig


def tbs(prot, payload):
    return cbor2.dumps(["Signature1", prot, b"", payload])


def verify_es(pub, alg, prot, payload, sig, what, pure=True):
    """Verify a raw r||s COSE signature with cryptography (and python3-ecdsa)."""
    need(alg in COSE_ALGS, what + ": unsupported alg %r" % alg)
    curve, hsh, n = COSE_ALGS[alg]
    need(len(sig) == 2 * n, what + ": signature is not r||s of %d bytes" % (2 * n))
    r, s = int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big")
    msg = tbs(prot, payload)
    try:
        pub.verify(encode_dss_signature(r, s), msg, ec.ECDSA(hsh))
    except InvalidSignature:
        raise Reject(what + ": signature does not verify (cryptography)")
    if pure:
        nums = pub.public_numbers()
        ecurve = {48: ecdsa.NIST384p, 32: ecdsa.NIST256p, 66: ecdsa.NIST521p}[n]
        hf = {48: hashlib.sha384, 32: hashlib.sha256, 66: hashlib.sha512}[n]
        vk = ecdsa.VerifyingKey.from_string(nums.x.to_bytes(n, "big") + nums.y.to_bytes(n, "big"),
                                            curve=ecurve, hashfunc=hf)
        try:
            vk.verify(sig, msg)
        except ecdsa.BadSignatureError:
            raise Reject(what + ": signature does not verify (python3-ecdsa)")


def cose_key(data):
    k = decode_all(data)
    need(isinstance(k, dict) and k.get(1) == 2 and k.get(-1) == 2, "RAK: not an EC2 P-384 COSE_Key")
    need(set(k) <= {1, -1, -2, -3, 2, 3}, "RAK: unexpected COSE_Key parameters (a private key?)")
    x, y = k.get(-2), k.get(-3)
    need(isinstance(x, bytes) and isinstance(y, bytes) and len(x) == 48 and len(y) == 48,
         "RAK: x and y are not 48 bytes")
    return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                         ec.SECP384R1()).public_key()


def verify(token, iak, pure=True):
    """Every structural and cryptographic check; returns (realm claims, platform claims)."""
    top = decode_all(token)
    need(isinstance(top, cbor2.CBORTag) and top.tag == 399, "not a tag-399 collection")
    need(isinstance(top.value, dict) and set(top.value) == {44234, 44241},
         "collection keys are not {44234, 44241}")
    plat_b, realm_b = top.value[44234], top.value[44241]
    need(isinstance(plat_b, bytes) and isinstance(realm_b, bytes), "collection values are not bstr")

    prot, pmap, payload, sig = sign1(realm_b, "realm token")
    need(pmap[1] == -35, "realm token: alg is not ES384")
    need(prot == bytes.fromhex("a1013822"), "realm token: protected header is not a1013822")
    c = decode_all(payload)
    need(isinstance(c, dict), "realm claims are not a map")
    keys = set(c)
    need(REALM_CLAIMS <= keys and keys <= REALM_CLAIMS | {265},
         "realm claims are not the 1.0 set: %s" % sorted(keys))
    need(c.get(265, REALM_PROFILE) == REALM_PROFILE, "realm profile is not realm#1.0.0")
    need(265 in c, "realm profile missing: a COSE_Key RAK needs it")
    need(isinstance(c[10], bytes) and len(c[10]) == 64, "challenge is not 64 bytes")
    need(isinstance(c[44235], bytes) and len(c[44235]) == 64, "RPV is not 64 bytes")
    need(c[44236] in HASH_SIZE, "hash algorithm is not sha-256/sha-512")
    need(c[44240] in HASH_SIZE, "RAK hash algorithm is not sha-256/sha-512")
    hl = HASH_SIZE[c[44236]]
    need(isinstance(c[44238], bytes) and len(c[44238]) == hl, "RIM size does not match the hash")
    rem = c[44239]
    need(isinstance(rem, list) and len(rem) == 4 and
         all(isinstance(m, bytes) and len(m) == hl for m in rem), "REMs are not 4 x hash size")
    need(isinstance(c[44237], bytes), "RAK claim is not a bstr")
    rak = cose_key(c[44237])
    verify_es(rak, -35, prot, payload, sig, "realm token", pure)

    pprot, ppmap, ppayload, psig = sign1(plat_b, "platform token")
    p = decode_all(ppayload)
    need(isinstance(p, dict) and PLATFORM_CLAIMS <= set(p), "platform claims incomplete")
    need(p[265] == PLATFORM_PROFILE, "platform profile is not cca_platform#1.0.0")
    if iak is not None:
        verify_es(iak, ppmap[1], pprot, ppayload, psig, "platform token", pure)
    binder = hashlib.new(c[44240].replace("-", ""), c[44237]).digest()
    need(p[10] == binder, "platform challenge is not H(RAK): the tokens are not bound")
    return c, p, plat_b


def check_expect(c, plat_b, exp):
    def eq(name, got, want):
        need(got == want, "%s: token has %s, expected %s" % (name, got.hex() if isinstance(got, bytes)
                                                             else got, want.hex() if isinstance(
                                                                 want, bytes) else want))
    hl = HASH_SIZE[c[44236]]
    if "hash_algo" in exp:
        eq("hash algorithm", c[44236], exp["hash_algo"])
    if "challenge" in exp:
        eq("challenge", c[10], bytes.fromhex(exp["challenge"]))
    if "rpv" in exp:
        eq("rpv", c[44235], bytes.fromhex(exp["rpv"]))
    if "rim" in exp:
        eq("rim", c[44238], bytes.fromhex(exp["rim"])[:hl])
    for i, m in enumerate(exp.get("rem", [])):
        eq("rem%d" % i, c[44239][i], bytes.fromhex(m)[:hl])
    if "platform_token" in exp:
        eq("platform token", plat_b, bytes.fromhex(exp["platform_token"]))


def show(c, p):
    names = {265: "profile", 10: "challenge", 44235: "personalization value", 44236: "hash algorithm",
             44240: "RAK hash algorithm", 44237: "RAK (COSE_Key)", 44238: "RIM", 44239: "REMs"}
    print("realm claims:")
    for k in (265, 10, 44235, 44236, 44240, 44237, 44238, 44239):
        v = c.get(k)
        if isinstance(v, list):
            v = ", ".join(m.hex() for m in v)
        elif isinstance(v, bytes):
            v = v.hex()
        print("  %-6d %-22s %s" % (k, names[k], v))
    print("platform: profile %s, challenge %s, lifecycle 0x%x, %d software components" %
          (p[265], p[10].hex(), p[2395], len(p[2399])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("token")
    ap.add_argument("--iak", help="PEM key (public or private) of the platform attestation key")
    ap.add_argument("--expect", help="JSON file of expected claim values (hex)")
    ap.add_argument("--mutate", action="store_true", help="every single-byte change must fail")
    ap.add_argument("--print", action="store_true", help="print the decoded claims")
    a = ap.parse_args()
    token = open(a.token, "rb").read()
    iak = None
    if a.iak:
        pem = open(a.iak, "rb").read()
        try:
            iak = serialization.load_pem_private_key(pem, None).public_key()
        except ValueError:
            iak = serialization.load_pem_public_key(pem)
    try:
        c, p, plat_b = verify(token, iak)
        if a.expect:
            check_expect(c, plat_b, json.load(open(a.expect)))
    except Reject as e:
        print("%s: REJECTED: %s" % (a.token, e))
        return 1
    if a.print:
        show(c, p)
    print("%s: OK (%d bytes; both signatures, binding%s)" %
          (a.token, len(token), ", expected claims" if a.expect else ""))
    if a.mutate:
        accepted = []
        for i in range(len(token)):
            for x in (0x01, 0x80, 0xff):
                m = bytearray(token)
                m[i] ^= x
                try:
                    verify(bytes(m), iak, pure=False)
                    accepted.append((i, x))
                except Exception:
                    pass
        if accepted:
            print("%s: %d single-byte changes were ACCEPTED, e.g. offset %d ^ 0x%02x" %
                  (a.token, len(accepted), accepted[0][0], accepted[0][1]))
            return 1
        print("%s: all %d single-byte changes rejected" % (a.token, 3 * len(token)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
