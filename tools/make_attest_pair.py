#!/usr/bin/python3
"""Make a second, independent attestation test pair (our own, not published
elsewhere): a fresh P-384 RAK, a fresh P-384 platform attestation key, and a
platform token signed by it whose challenge is SHA-256 of the RAK's COSE_Key.
The other claims are those of the public test platform token, with another
instance id. Writes, into the directory given:
  second-rak-p384.bin, second-platform-token.cbor, second-platform-key.pem
Run once; the outputs are committed as test data (unit/attest/data/)."""
import hashlib
import os
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def main():
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    base = os.path.join(here, "..", "unit", "attest", "data", "platform-token.cbor")
    claims = cbor2.loads(cbor2.loads(open(base, "rb").read()).value[2])

    rak = ec.generate_private_key(ec.SECP384R1())
    n = rak.public_key().public_numbers()
    cose_key = cbor2.dumps({1: 2, -1: 2, -2: n.x.to_bytes(48, "big"), -3: n.y.to_bytes(48, "big")})
    assert len(cose_key) == 107
    claims[10] = hashlib.sha256(cose_key).digest()
    claims[256] = bytes([1]) + os.urandom(32)
    payload = cbor2.dumps(claims)

    iak = ec.generate_private_key(ec.SECP384R1())
    prot = cbor2.dumps({1: -35})
    r, s = decode_dss_signature(iak.sign(cbor2.dumps(["Signature1", prot, b"", payload]),
                                         ec.ECDSA(hashes.SHA384())))
    token = cbor2.dumps(cbor2.CBORTag(18, [prot, {}, payload,
                                          r.to_bytes(48, "big") + s.to_bytes(48, "big")]))
    open(os.path.join(out, "second-rak-p384.bin"), "wb").write(
        rak.private_numbers().private_value.to_bytes(48, "big"))
    open(os.path.join(out, "second-platform-token.cbor"), "wb").write(token)
    open(os.path.join(out, "second-platform-key.pem"), "wb").write(
        iak.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()))


if __name__ == "__main__":
    main()
