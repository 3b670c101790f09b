#!/usr/bin/env python3
"""Test data for the providers whose verification key is a certificate published at a URL
the delivery names (Amazon SNS `SigningCertURL`, PayPal `PAYPAL-CERT-URL`;
src-tauri/core/src/signature/providers/network_keys.toml), made and checked independently of
Hookloupe's Rust code with the `cryptography` package.

- PayPal's official SDKs ship one real delivery (paypal/PayPal-Python-SDK
  `test/unit_tests/notifications_test.py`, paypal/PayPal-node-SDK `test/notification.js`) and
  the node SDK's mocks the sandbox certificate it was signed with
  (`test/mocks/notification.js`, CERT-360caa42-fca2a594-a5cafa77): this script checks that
  the delivery verifies the way the catalog says (RSA-SHA256 PKCS#1 v1.5 over
  `transmission_id|transmission_time|webhook_id|crc32(body)`, the CRC32 in decimal).
- Amazon publishes no signed example (its documentation's signatures start with `EXAMPLE`):
  the script makes a self-signed certificate for the repository's RSA test key
  (signature/testdata/paybox_test_private.pem) and signs realistic SNS messages exactly as
  the AWS documentation ("Verifying the signatures of Amazon SNS messages") and the official
  validators (aws-js-sns-message-validator, aws-php-sns-message-validator) say: SignatureVersion
  1 = SHA1withRSA, 2 = SHA256withRSA, over `Key\\nValue\\n` for Message, MessageId, Subject (if
  present), Timestamp, TopicArn, Type (Notification) or Message, MessageId, SubscribeURL,
  Timestamp, Token, TopicArn, Type (Subscription/UnsubscribeConfirmation). It also signs one
  PayPal delivery with that key.

RSA PKCS#1 v1.5 signatures are deterministic and the certificate's fields are fixed, so a
rerun writes the same files. Run from the repository root:

    python3 tests/crosscheck/network_key_vectors.py           # check, write testdata, print TOML vectors
    python3 tests/crosscheck/network_key_vectors.py --check   # check the committed files only (exit 1 on a mismatch)

Written: signature/testdata/network_key_test_cert.pem (the certificate) and
signature/testdata/network_key_vectors.json (the deliveries, read by the Rust unit tests and
tests/it/network_keys.rs).

Cross-check with Amazon's own validator (outside the repository, e.g. in /tmp): `npm install
sns-validator@0.3.5`, then tests/crosscheck/npm/sns_validator.cjs (see its header).
"""

import base64
import datetime
import json
import pathlib
import sys
import zlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "src-tauri/core/src/signature/testdata"
KEY = TESTDATA / "paybox_test_private.pem"
CERT = TESTDATA / "network_key_test_cert.pem"
VECTORS = TESTDATA / "network_key_vectors.json"
PAYPAL_SANDBOX_CERT = TESTDATA / "paypal_sandbox_cert_2015.pem"

SNS_CERT_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem"
PAYPAL_CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-hookloupe"
TOPIC = "arn:aws:sns:us-west-2:123456789012:orders"
SUBSCRIPTION = TOPIC + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"
SNS_UA = "Amazon Simple Notification Service Agent"

NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
CONFIRMATION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]


def key():
    return serialization.load_pem_private_key(KEY.read_bytes(), password=None)


def certificate(k) -> bytes:
    """A self-signed certificate for the test key, with fixed fields (so the same bytes each run)."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hookloupe test certificate (not Amazon, not PayPal)"),
        x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(k.public_key())
        .serial_number(0x5E5E_0001)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
        .not_valid_after(datetime.datetime(2045, 1, 1, tzinfo=datetime.timezone.utc))
        .sign(k, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def sns_string_to_sign(msg: dict) -> bytes:
    keys = NOTIFICATION_KEYS if msg["Type"] == "Notification" else CONFIRMATION_KEYS
    return "".join(f"{k}\n{msg[k]}\n" for k in keys if msg.get(k) is not None).encode()


def sns_body(msg: dict) -> str:
    """The body as SNS writes it: one `"Key" : "value"` per line, two-space indent."""
    lines = [f"  {json.dumps(k)} : {json.dumps(v, ensure_ascii=False)}" for k, v in msg.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def sns_vector(k, name, fields, version, now):
    msg = dict(fields)
    algo = hashes.SHA1() if version == "1" else hashes.SHA256()
    msg["SignatureVersion"] = version
    msg["Signature"] = base64.b64encode(k.sign(sns_string_to_sign(msg), padding.PKCS1v15(), algo)).decode()
    msg["SigningCertURL"] = SNS_CERT_URL
    if msg["Type"] == "Notification":
        msg["UnsubscribeURL"] = f"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={SUBSCRIPTION}"
    headers = [
        ["x-amz-sns-message-type", msg["Type"]],
        ["x-amz-sns-message-id", msg["MessageId"]],
        ["x-amz-sns-topic-arn", TOPIC],
    ]
    if msg["Type"] != "SubscriptionConfirmation":
        headers.append(["x-amz-sns-subscription-arn", SUBSCRIPTION])
    headers += [["Content-Type", "text/plain; charset=UTF-8"], ["User-Agent", SNS_UA]]
    return {"name": name, "provider": "amazon_sns", "cert_url": SNS_CERT_URL, "now": now, "secret": "",
            "headers": headers, "body": sns_body(msg)}


def crc32(body: str) -> int:
    return zlib.crc32(body.encode()) & 0xFFFFFFFF


def paypal_message(tid, time, webhook_id, body) -> bytes:
    return f"{tid}|{time}|{webhook_id}|{crc32(body)}".encode()


def paypal_vector(k, name, webhook_id, now):
    tid = "8c4b6a20-9e0f-11f0-9d43-43a5c5b8f5e1"
    time = "2025-11-24T16:00:00Z"
    body = ('{"id":"WH-2WR32451HC0233532-67976317FL4543714","event_version":"1.0","create_time":"2025-11-24T15:59:58.411Z",'
            '"resource_type":"capture","resource_version":"2.0","event_type":"PAYMENT.CAPTURE.COMPLETED",'
            '"summary":"Payment completed for $ 30.0 USD","resource":{"id":"42311647XV020574X","status":"COMPLETED",'
            '"amount":{"currency_code":"USD","value":"30.00"},"final_capture":true},'
            '"links":[{"href":"https://api.paypal.com/v1/notifications/webhooks-events/WH-2WR32451HC0233532-67976317FL4543714","rel":"self","method":"GET"}]}')
    sig = base64.b64encode(k.sign(paypal_message(tid, time, webhook_id, body), padding.PKCS1v15(), hashes.SHA256())).decode()
    headers = [
        ["Content-Type", "application/json"],
        ["User-Agent", "PayPal/AUHD-214.0-58843960"],
        ["PAYPAL-AUTH-ALGO", "SHA256withRSA"],
        ["PAYPAL-AUTH-VERSION", "v2"],
        ["PAYPAL-CERT-URL", PAYPAL_CERT_URL],
        ["PAYPAL-TRANSMISSION-ID", tid],
        ["PAYPAL-TRANSMISSION-SIG", sig],
        ["PAYPAL-TRANSMISSION-TIME", time],
    ]
    return {"name": name, "provider": "paypal", "cert_url": PAYPAL_CERT_URL, "now": now, "secret": webhook_id,
            "headers": headers, "body": body}


def vectors(k):
    notification = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Subject": "Order shipped",
        "Message": "{\"order\":\"A-1001\",\"status\":\"shipped\",\"note\":\"line one\\nline two, “quoted” — done\"}",
        "Timestamp": "2025-11-24T16:00:00.123Z",
    }
    no_subject = {k2: v for k2, v in notification.items() if k2 != "Subject"}
    no_subject["MessageId"] = "6d4a8a5e-1f43-4a0e-9d0a-3b2f0b1f6c77"
    token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582a"
    confirm = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": token,
        "TopicArn": TOPIC,
        "Message": f"You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": f"https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={token}",
        "Timestamp": "2025-11-24T15:58:00.751Z",
    }
    unsubscribe = dict(confirm)
    unsubscribe.update({
        "Type": "UnsubscribeConfirmation",
        "MessageId": "47138184-6831-46b8-8f7c-afc488602d7d",
        "Message": f"You have chosen to deactivate subscription {SUBSCRIPTION}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
        "Timestamp": "2025-11-24T16:30:41.581Z",
    })
    return [
        sns_vector(k, "sns_notification_v1", notification, "1", 1764000010),
        sns_vector(k, "sns_notification_v2_no_subject", no_subject, "2", 1764000010),
        sns_vector(k, "sns_subscription_confirmation_v1", confirm, "1", 1763999890),
        sns_vector(k, "sns_unsubscribe_confirmation_v2", unsubscribe, "2", 1764001850),
        paypal_vector(k, "paypal_sha256", "8PT597110X687430LKGECATA", 1764000005),
    ]


def check_vector(cert_pem: bytes, v):
    """Verifies a vector from its own bytes, as a receiver would (not from the fields above)."""
    pub = x509.load_pem_x509_certificate(cert_pem).public_key()
    h = {n.lower(): val for n, val in v["headers"]}
    if v["provider"] == "amazon_sns":
        msg = json.loads(v["body"])
        algo = hashes.SHA1() if msg["SignatureVersion"] == "1" else hashes.SHA256()
        pub.verify(base64.b64decode(msg["Signature"]), sns_string_to_sign(msg), padding.PKCS1v15(), algo)
    else:
        m = paypal_message(h["paypal-transmission-id"], h["paypal-transmission-time"], v["secret"], v["body"])
        pub.verify(base64.b64decode(h["paypal-transmission-sig"]), m, padding.PKCS1v15(), hashes.SHA256())


def check_paypal_official():
    """The official SDKs' delivery, with the sandbox certificate of the node SDK's mocks."""
    body = ('{"id":"WH-0G2756385H040842W-5Y612302CV158622M","create_time":"2015-05-18T15:45:13Z","resource_type":"sale","event_type":"PAYMENT.SALE.COMPLETED","summary":"Payment completed for $ 20.0 USD","resource":{"id":"4EU7004268015634R","create_time":"2015-05-18T15:44:02Z","update_time":"2015-05-18T15:44:21Z","amount":{"total":"20.00","currency":"USD"},"payment_mode":"INSTANT_TRANSFER","state":"completed","protection_eligibility":"ELIGIBLE","protection_eligibility_type":"ITEM_NOT_RECEIVED_ELIGIBLE,UNAUTHORIZED_PAYMENT_ELIGIBLE","parent_payment":"PAY-86C81811X5228590KKVNARQQ","transaction_fee":{"value":"0.88","currency":"USD"},"links":[{"href":"https://api.sandbox.paypal.com/v1/payments/sale/4EU7004268015634R","rel":"self","method":"GET"},{"href":"https://api.sandbox.paypal.com/v1/payments/sale/4EU7004268015634R/refund","rel":"refund","method":"POST"},{"href":"https://api.sandbox.paypal.com/v1/payments/payment/PAY-86C81811X5228590KKVNARQQ","rel":"parent_payment","method":"GET"}]},"links":[{"href":"https://api.sandbox.paypal.com/v1/notifications/webhooks-events/WH-0G2756385H040842W-5Y612302CV158622M","rel":"self","method":"GET"},{"href":"https://api.sandbox.paypal.com/v1/notifications/webhooks-events/WH-0G2756385H040842W-5Y612302CV158622M/resend","rel":"resend","method":"POST"}]}')
    sig = "thy4/U002quzxFavHPwbfJGcc46E8rc5jzgyeafWm5mICTBdY/8rl7WJpn8JA0GKA+oDTPsSruqusw+XXg5RLAP7ip53Euh9Xu3UbUhQFX7UgwzE2FeYoY6lyRMiiiQLzy9BvHfIzNIVhPad4KnC339dr6y2l+mN8ALgI4GCdIh3/SoJO5wE64Bh/ueWtt8EVuvsvXfda2Le5a2TrOI9vLEzsm9GS79hAR/5oLexNz8UiZr045Mr5ObroH4w4oNfmkTaDk9Rj0G19uvISs5QzgmBpauKr7Nw++JI0pr/v5mFctQkoWJSGfBGzPRXawrvIIVHQ9Wer48GR2g9ZiApWg=="
    cert = x509.load_pem_x509_certificate(PAYPAL_SANDBOX_CERT.read_bytes())
    m = paypal_message("dfb3be50-fd74-11e4-8bf3-77339302725b", "2015-05-18T15:45:13Z", "4JH86294D6297924G", body)
    assert m.endswith(b"|2771810304"), m
    cert.public_key().verify(base64.b64decode(sig), m, padding.PKCS1v15(), hashes.SHA256())


def toml_vector(v) -> str:
    def s(x):
        return json.dumps(x, ensure_ascii=False)
    headers = ", ".join(f"[{s(n)}, {s(val)}]" for n, val in v["headers"])
    return (
        "[[provider.vector]]\n"
        f"note = {s('made by tests/crosscheck/network_key_vectors.py (' + v['name'] + '), signed with the repository test key; its certificate is signature/testdata/network_key_test_cert.pem')}\n"
        f"secret = {s(v['secret'])}\nnow = {v['now']}\nheaders = [{headers}]\nbody = {s(v['body'])}\nexpect = \"valid\"\n"
    )


def main():
    k = key()
    cert_pem = certificate(k)
    vs = vectors(k)
    for v in vs:
        check_vector(cert_pem, v)
    check_paypal_official()
    text = json.dumps(vs, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        ok = CERT.read_bytes() == cert_pem and VECTORS.read_text() == text
        print("network key vectors: " + ("1 passed, 0 failed" if ok else "0 passed, 1 failed (rerun without --check)"))
        sys.exit(0 if ok else 1)
    CERT.write_bytes(cert_pem)
    VECTORS.write_text(text)
    for v in vs:
        print(f"# {v['provider']}")
        print(toml_vector(v))


if __name__ == "__main__":
    main()
