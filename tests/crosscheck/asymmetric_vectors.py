#!/usr/bin/env python3
"""Test vectors for the public-key providers of the catalog
(src-tauri/core/src/signature/providers/asymmetric.toml), made and checked independently of
Hookloupe's Rust code with the `cryptography` package.

- SendGrid and Bridge publish example keys, signatures and bodies (sendgrid-nodejs
  `packages/eventwebhook/src/eventwebhook.spec.js`; Bridge's "Webhook Event Signature
  Verification" test data): this script checks that they verify the way the catalog entry
  says (ECDSA P-256/SHA-256 over `{timestamp}{body}`; RSA-SHA256 PKCS#1 v1.5 over
  SHA-256(`{t}.{body}`), Bridge's "two passes of hashing").
- Telnyx and Fireblocks publish no example signature: the script signs a realistic delivery
  with a key of its own (Ed25519 from a fixed seed; the repository's RSA test key) exactly as
  their official libraries / docs say they sign, and prints the vectors.

Everything is deterministic (Ed25519 and RSA PKCS#1 v1.5 signatures are), so a rerun prints
the same TOML. Run from the repository root:

    python3 tests/crosscheck/asymmetric_vectors.py            # check, then print [[provider.vector]] tables
    python3 tests/crosscheck/asymmetric_vectors.py --check    # check only (exit 1 on a mismatch)

Cross-check with SendGrid's own library (outside the repository, e.g. in /tmp):

    npm install @sendgrid/eventwebhook
    python3 tests/crosscheck/asymmetric_vectors.py --sendgrid-json > sg.json
    node -e 'const {EventWebhook}=require("@sendgrid/eventwebhook"); const ew=new EventWebhook();
      for (const [n,v] of Object.entries(require("./sg.json")))
        console.log(n, ew.verifySignature(ew.convertPublicKeyToECDSA(v.publicKey), v.payload, v.signature, v.timestamp))'
"""

import base64
import hashlib
import json
import pathlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding

ROOT = pathlib.Path(__file__).resolve().parents[2]
RSA_TEST_KEY = ROOT / "src-tauri/core/src/signature/testdata/paybox_test_private.pem"

# --- SendGrid: the official example of sendgrid-nodejs (eventwebhook.spec.js) -------------
SENDGRID_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3G"
    "Rqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
SENDGRID_SIG = (
    "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
)
SENDGRID_TS = "1600112502"
# JSON.stringify([...]) + "\r\n", as the spec builds it.
SENDGRID_BODY = json.dumps(
    [
        {
            "email": "hello@world.com",
            "event": "dropped",
            "reason": "Bounced Address",
            "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
            "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
            "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
            "timestamp": 1600112492,
        }
    ],
    separators=(",", ":"),
) + "\r\n"
# The spec's "should reject for invalid key" key.
SENDGRID_OTHER_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWH"
    "w8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA=="
)

# The spec's multi-event example: events joined by "},\r\n{" and a trailing "\r\n".
SENDGRID_MULTI_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6"
    "cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q=="
)
SENDGRID_MULTI_SIG = (
    "MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5"
)
SENDGRID_MULTI_TS = "1619651159"
SENDGRID_MULTI_BODY = json.dumps(
    [
        {
            "email": "invalid@gmail.com",
            "event": "processed",
            "send_at": 0,
            "sg_event_id": "cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA",
            "sg_message_id": "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0",
            "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>",
            "timestamp": 1619651146,
        },
        {
            "email": "invalid@gmail.com",
            "event": "bounce",
            "ip": "167.89.101.76",
            "reason": "552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp",
            "sg_event_id": "Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w",
            "sg_message_id": "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0",
            "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>",
            "status": "5.2.2",
            "timestamp": 1619651147,
            "tls": 1,
            "type": "blocked",
        },
    ],
    separators=(",", ":"),
).replace("},{", "},\r\n{") + "\r\n"

# A SendGrid-shaped delivery signed here with a fixed P-256 key (deterministic ECDSA,
# RFC 6979), to cross-check Hookloupe and @sendgrid/eventwebhook on a vector neither published.
SENDGRID_OWN_D = int.from_bytes(hashlib.sha256(b"hookloupe sendgrid test key").digest(), "big")
SENDGRID_OWN_TS = "1764000000"
SENDGRID_OWN_BODY = json.dumps(
    [
        {"email": "ada@example.com", "event": "delivered", "response": "250 OK", "sg_event_id": "ZGVsaXZlcmVkLTAtMjE0NzQ4MzY0Nw",
         "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
         "timestamp": 1763999990},
    ],
    separators=(",", ":"),
) + "\r\n"

# --- Bridge: the test data of apidocs.bridge.xyz "Webhook Event Signature Verification" ---
BRIDGE_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtqsEE4eI7EmzhcquGJXt\n"
    "LX9PMK0UH6Kl1WIR21sv8HtueG8BuvvpP3MiN7ltzmIhS8KaynCjN4l+620PnXeu\n"
    "xWG+CSnEdkinL9hCqbEid5vv9zl0j9LWiJx3FkKHqADU7cgm46aa8dKUdIQYF2X+\n"
    "O7WmyLkC4wUM/mWhBPMsIQBznashRMZxx7XJjsVp27ACUE4eNIjEXbVYN6U8jSbU\n"
    "hG++CfL8xXu+GHDqKmFE6Po6HnuURvLFVnCtE3mXXBcVFlPy+octfx8nOMLT3X8O\n"
    "9UehIigJ34o2yMm/Fq3HUJzg2BsiAiGgtr0vmeoV9Q7upSNj9TuOumAzZFi4pYA+\n"
    "qwIDAQAB\n"
    "-----END PUBLIC KEY-----\n"
)
BRIDGE_HEADER = (
    "t=1705854411204,v0=jz/0dmHJ63FAzacGutrDTEoq+iSz/PHm/ugdooXDQu5NwuVIT2LmZGjsnCsBHgR9Py6OBP9zurzW4dHgygU4EDqm"
    "MPTUOvhvndYb4lWt+TY66LihaFI2whL6DAf/jb1QjYjNU0A6x9SLzC45dgE6X7zTDUM+2Z+scG/WEQf6SxQMt4E2sEipl5PqMK5lYUe3o"
    "tdJV+X2c9D64bGwCEE7QSia+Vhozg8QNOQEk/rdz2IEONIg6oC43CeiN4E2kF9XLAGuy9uAHx9O9OJH5ZPLJZjyo4VcXYeWQgxaQ1gZ1Qu"
    "6hEEzgiPSff/1nou58dm4bIIazgCWli/mO0NyGcpfFw=="
)
BRIDGE_BODY = '{"message":"Hello World!"}'

# --- Telnyx: signed here, as telnyx-node's src/lib/webhooks.ts verifies -------------------
TELNYX_SEED = bytes(range(1, 33))
TELNYX_TS = "1764000000"
TELNYX_BODY = json.dumps(
    {
        "data": {
            "event_type": "message.received",
            "id": "b301ed3f-1490-491f-995f-6e64e69674d4",
            "occurred_at": "2025-11-24T16:00:00.000+00:00",
            "payload": {"direction": "inbound", "from": {"phone_number": "+13125550001"},
                        "text": "Hello from Telnyx!", "type": "SMS"},
            "record_type": "event",
        },
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"},
    },
    separators=(",", ":"),
)

# --- Fireblocks: signed here, as the docs say (Base64(RSA512(key, SHA512(eventBody)))) -----
FIREBLOCKS_BODY = json.dumps(
    {
        "type": "TRANSACTION_STATUS_UPDATED",
        "tenantId": "6f4c7c3e-2f61-4bba-9d0c-0e7f1b3f5a21",
        "timestamp": 1764000000000,
        "data": {"id": "c6ab2f1e-8d55-4a4e-a0b4-2f7a3c9d1e10", "status": "COMPLETED", "assetId": "ETH_TEST5",
                 "amount": 0.01, "operation": "TRANSFER"},
    },
    separators=(",", ":"),
)

FAILURES = []


def check(what, ok):
    print(f"# {'ok  ' if ok else 'FAIL'} {what}", file=sys.stderr)
    if not ok:
        FAILURES.append(what)


def ecdsa_ok(spki_b64, sig_b64, msg):
    key = serialization.load_der_public_key(base64.b64decode(spki_b64))
    try:
        key.verify(base64.b64decode(sig_b64), msg, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def toml_str(s):
    """A TOML basic string (escapes \\r, \\n, quotes)."""
    return json.dumps(s, ensure_ascii=False)


def vector(note, secret, now, headers, body, expect="valid"):
    lines = ["[[provider.vector]]", f"note = {toml_str(note)}", f"secret = {toml_str(secret)}", f"now = {now}"]
    lines.append("headers = [" + ", ".join(f"[{toml_str(n)}, {toml_str(v)}]" for n, v in headers) + "]")
    lines.append(f"body = {toml_str(body)}")
    lines.append(f'expect = "{expect}"')
    return "\n".join(lines)


def main():
    out = []

    # SendGrid
    msg = (SENDGRID_TS + SENDGRID_BODY).encode()
    check("sendgrid official vector verifies", ecdsa_ok(SENDGRID_KEY, SENDGRID_SIG, msg))
    check("sendgrid official vector fails with the spec's other key", not ecdsa_ok(SENDGRID_OTHER_KEY, SENDGRID_SIG, msg))
    check("sendgrid signature is DER (starts with SEQUENCE)", base64.b64decode(SENDGRID_SIG)[0] == 0x30)
    sg_headers = [
        ("Content-Type", "application/json"),
        ("X-Twilio-Email-Event-Webhook-Signature", SENDGRID_SIG),
        ("X-Twilio-Email-Event-Webhook-Timestamp", SENDGRID_TS),
    ]
    out.append(("sendgrid", vector("sendgrid-nodejs eventwebhook.spec.js, 'should verify a valid single event signature'",
                                   SENDGRID_KEY, int(SENDGRID_TS) + 10, sg_headers, SENDGRID_BODY)))
    mmsg = (SENDGRID_MULTI_TS + SENDGRID_MULTI_BODY).encode()
    check("sendgrid official multi-event vector verifies", ecdsa_ok(SENDGRID_MULTI_KEY, SENDGRID_MULTI_SIG, mmsg))
    out.append(("sendgrid", vector("sendgrid-nodejs eventwebhook.spec.js, 'should verify a valid multi event signature'",
                                   SENDGRID_MULTI_KEY, int(SENDGRID_MULTI_TS) + 10,
                                   [("Content-Type", "application/json"),
                                    ("X-Twilio-Email-Event-Webhook-Signature", SENDGRID_MULTI_SIG),
                                    ("X-Twilio-Email-Event-Webhook-Timestamp", SENDGRID_MULTI_TS)],
                                   SENDGRID_MULTI_BODY)))
    own = ec.derive_private_key(SENDGRID_OWN_D, ec.SECP256R1())
    own_spki = base64.b64encode(own.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    own_sig = base64.b64encode(own.sign((SENDGRID_OWN_TS + SENDGRID_OWN_BODY).encode(),
                                        ec.ECDSA(hashes.SHA256(), deterministic_signing=True))).decode()
    check("sendgrid own vector verifies", ecdsa_ok(own_spki, own_sig, (SENDGRID_OWN_TS + SENDGRID_OWN_BODY).encode()))
    own_vec = dict(publicKey=own_spki, payload=SENDGRID_OWN_BODY, signature=own_sig, timestamp=SENDGRID_OWN_TS)
    out.append(("sendgrid", vector("made by tests/crosscheck/asymmetric_vectors.py (ECDSA P-256 over `{timestamp}{body}`); also verified by @sendgrid/eventwebhook 8",
                                   own_spki, int(SENDGRID_OWN_TS) + 10,
                                   [("Content-Type", "application/json"),
                                    ("X-Twilio-Email-Event-Webhook-Signature", own_sig),
                                    ("X-Twilio-Email-Event-Webhook-Timestamp", SENDGRID_OWN_TS)],
                                   SENDGRID_OWN_BODY)))
    out.append(("sendgrid", vector("sendgrid-nodejs eventwebhook.spec.js, 'should reject for invalid key'",
                                   SENDGRID_OTHER_KEY, int(SENDGRID_TS) + 10, sg_headers, SENDGRID_BODY, "invalid")))

    # Bridge
    t, sig = BRIDGE_HEADER[2:].split(",v0=")
    key = serialization.load_pem_public_key(BRIDGE_KEY.encode())
    signed = f"{t}.{BRIDGE_BODY}".encode()
    sig = base64.b64decode(sig)

    def rsa_ok(k, data, alg):
        try:
            k.verify(sig, data, padding.PKCS1v15(), alg)
            return True
        except InvalidSignature:
            return False

    check("bridge official vector verifies over SHA-256({t}.{body}) (two passes)",
          rsa_ok(key, hashlib.sha256(signed).digest(), hashes.SHA256()))
    check("bridge official vector does NOT verify over {t}.{body} hashed once", not rsa_ok(key, signed, hashes.SHA256()))
    out.append(("bridge_xyz", vector("test data on apidocs.bridge.xyz, Webhook Event Signature Verification",
                                     BRIDGE_KEY, int(t) // 1000 + 10,
                                     [("Content-Type", "application/json"), ("X-Webhook-Signature", BRIDGE_HEADER)],
                                     BRIDGE_BODY)))

    # Telnyx
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(TELNYX_SEED)
    raw_pub = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    tsig = base64.b64encode(sk.sign(f"{TELNYX_TS}|{TELNYX_BODY}".encode())).decode()
    sk.public_key().verify(base64.b64decode(tsig), f"{TELNYX_TS}|{TELNYX_BODY}".encode())
    check("telnyx vector verifies", True)
    out.append(("telnyx", vector("made by tests/crosscheck/asymmetric_vectors.py (Ed25519 over `{timestamp}|{body}`, as telnyx-node verifies)",
                                 base64.b64encode(raw_pub).decode(), int(TELNYX_TS) + 10,
                                 [("Content-Type", "application/json"), ("telnyx-signature-ed25519", tsig),
                                  ("telnyx-timestamp", TELNYX_TS)],
                                 TELNYX_BODY)))

    # Fireblocks
    rsa_key = serialization.load_pem_private_key(RSA_TEST_KEY.read_bytes(), password=None)
    fsig = rsa_key.sign(FIREBLOCKS_BODY.encode(), padding.PKCS1v15(), hashes.SHA512())
    rsa_key.public_key().verify(fsig, FIREBLOCKS_BODY.encode(), padding.PKCS1v15(), hashes.SHA512())
    check("fireblocks vector verifies", True)
    fpub = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    out.append(("fireblocks", vector("made by tests/crosscheck/asymmetric_vectors.py with the repository's RSA test key (RSA-SHA512 over the raw body, as Fireblocks' docs say)",
                                     fpub, 1764000010,
                                     [("Content-Type", "application/json"), ("Fireblocks-Signature", base64.b64encode(fsig).decode())],
                                     FIREBLOCKS_BODY)))

    if "--sendgrid-json" in sys.argv:
        # For the cross-check with the official npm package (see the README line in the docstring).
        official = dict(publicKey=SENDGRID_KEY, payload=SENDGRID_BODY, signature=SENDGRID_SIG, timestamp=SENDGRID_TS)
        multi = dict(publicKey=SENDGRID_MULTI_KEY, payload=SENDGRID_MULTI_BODY, signature=SENDGRID_MULTI_SIG,
                     timestamp=SENDGRID_MULTI_TS)
        print(json.dumps({"official": official, "multi": multi, "own": own_vec}))
        return
    if "--check" not in sys.argv:
        for provider, text in out:
            print(f"# {provider}\n{text}\n")
    if FAILURES:
        print(f"{len(FAILURES)} checks failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
