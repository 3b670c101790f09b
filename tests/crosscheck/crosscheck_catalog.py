#!/usr/bin/env python3
"""Cross-check fixtures for CATALOG providers (src-tauri/core/src/signature/providers/*.toml)
from the providers' own PyPI libraries: the same format and output directory as crosscheck.py,
except that a fixture names its provider (`"provider": "razorpay"`) instead of a scheme and
options, so the Rust test checks the catalog entry itself (`hookloupe verify --scheme razorpay`
resolves it with provider::find).

Every library here verifies only (none exports a signer a sender would use), so each request is
built with the stdlib the way the provider documents it, and the provider's library must accept
the genuine request and reject every tampered copy (one body byte, wrong secret, stale
timestamp) before anything is written. Library clocks are pinned to NOW.

  razorpay              razorpay             Utility.verify_webhook_signature
  gocardless            gocardless-pro       webhooks.parse
  coinbase_commerce     coinbase-commerce    Webhook.construct_event
  box                   boxsdk (box_sdk_gen) WebhooksManager.validate_message (primary and secondary keys, 10 min, no future)
  workos                workos               webhooks.verify_header (`t=<ms>, v1=<hex>`, ±180 s)
  resend                resend               Webhooks.verify (Svix headers; signed here by svix, as Resend's sender is Svix)
  castle                castle               WebhooksVerify.call
  worldline             connect-sdk-python3  WebhooksHelper.unmarshal (X-GCS-KeyId picks the key)
  pusher                pusher               Pusher.validate_webhook (also checks time_ms in the body, ±300 s)
  polar                 polar-sdk            validate_event (legacy secrets: HMAC keyed with the secret's text)

The npm libraries for catalog providers are in npm/catalog.mjs; the other direction
(`hookloupe sign --scheme <provider>` signs, these libraries verify) is reverse_catalog.py.

Usage: python3 crosscheck_catalog.py OUT_DIR      (the venv of crosscheck.py: requirements.txt)
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import sys
import types
from datetime import datetime, timedelta, timezone
from unittest import mock

import box_sdk_gen.managers.webhooks as box_webhooks
import castle.configuration
import gocardless_pro.errors
import gocardless_pro.webhooks
import polar.webhooks
import pusher
import pusher.authentication_client
import razorpay
import razorpay.errors
import resend.webhooks._webhooks as resend_webhooks
import svix.webhooks
import workos.webhooks._verification as workos_verification
from castle.errors import WebhookVerificationError as CastleVerificationError
from castle.webhooks.verify import WebhooksVerify as CastleVerify
from coinbase_commerce.error import SignatureVerificationError as CoinbaseSignatureError
from coinbase_commerce.webhook import Webhook as CoinbaseWebhook
from polar.v2026_04.webhooks import validate_event as polar_validate_event
from worldline.connect.sdk.communication.request_header import RequestHeader
from worldline.connect.sdk.webhooks.in_memory_secret_key_store import InMemorySecretKeyStore
from worldline.connect.sdk.webhooks.signature_validation_exception import SignatureValidationException
from worldline.connect.sdk.webhooks.webhooks import Webhooks as WorldlineWebhooks

from crosscheck import NOW, hdr_get, wrong_secret

# Non-ASCII and pretty-printed, to show the raw bytes are what is signed.
NOTE = "caf\u00e9 \u2014 \u00fcml\u00e4ut \U0001F600"
ISO_NOW = datetime.fromtimestamp(NOW, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
JSON = ("Content-Type", "application/json")

fixtures = []


def tamper(body):
    """One byte changed: the first letter or digit after the first `:` and the quote that follows
    it, so the body stays well-formed JSON and the libraries that parse it check the signature."""
    i = body.index('"', body.index(":")) + 1
    while not body[i].isalnum():
        i += 1
    return body[:i] + ("X" if body[i] != "X" else "Y") + body[i + 1 :]


def add(name, provider, secrets, url, headers, body, expect, now=NOW, method="POST", verdict=None, options=None):
    """One fixture: crosscheck.py's format with `provider` in place of `scheme`."""
    fixtures.append(
        {
            "name": name,
            "provider": provider,
            "secrets": secrets,
            "options": options or {},
            "now": now,
            "expect": expect,
            "expect_verdict": verdict or ("valid" if expect == "valid" else None),
            "method": method,
            "url": url,
            "headers": [[k.lower(), v] for k, v in headers],
            "body_b64": base64.b64encode(body.encode("utf-8")).decode("ascii"),
        }
    )


def with_variants(name, provider, secret, url, headers, body, check, stale_headers=None, stale_body=None, stale_is_policy=False):
    """The genuine request, with a rotated-out secret first, and tampered copies; `check(headers,
    body, secret) -> bool` is the provider's library, which must agree before anything is written.
    stale_is_policy: the library has no freshness window, so a stale copy is a valid signature
    that only the inspector's replay window makes `expired`."""
    wrong = wrong_secret(secret)
    stale = stale_headers is not None or stale_body is not None
    assert check(headers, body, secret), f"{name}: the provider's library rejects the genuine request"
    assert not check(headers, tamper(body), secret), f"{name}: the library accepts a tampered body"
    assert not check(headers, body, wrong), f"{name}: the library accepts a wrong secret"
    if stale:
        ok = check(stale_headers or headers, stale_body or body, secret)
        assert ok == stale_is_policy, f"{name}: stale request, unexpected library verdict {ok}"
    add(f"{name}-valid", provider, [secret], url, headers, body, "valid")
    add(f"{name}-rotation", provider, ["not-the-secret-0000000000", secret], url, headers, body, "valid")
    add(f"{name}-tampered-body", provider, [secret], url, headers, tamper(body), "invalid", verdict="invalid")
    add(f"{name}-wrong-secret", provider, [wrong], url, headers, body, "invalid", verdict="invalid")
    if stale:
        add(f"{name}-stale", provider, [secret], url, stale_headers or headers, stale_body or body, "invalid", verdict="expired")


def hex_hmac(key, msg):
    return hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()


def b64_hmac(key, msg):
    key = key if isinstance(key, bytes) else key.encode()
    return base64.b64encode(hmac.new(key, msg.encode(), hashlib.sha256).digest()).decode()


@contextlib.contextmanager
def clocks(now=NOW):
    """Pin the wall clock the libraries read to `now`."""
    at = types.SimpleNamespace(time=lambda: float(now))
    with (
        mock.patch.object(box_webhooks, "get_epoch_time_in_seconds", lambda: now),
        mock.patch.object(workos_verification, "time", at),
        mock.patch.object(resend_webhooks, "time", at),
        mock.patch.object(polar.webhooks, "time", at),
        mock.patch.object(pusher.authentication_client, "time", at),
    ):
        yield


def razorpay_fixtures():
    """Hex HMAC-SHA256 of the raw body in X-Razorpay-Signature."""
    secret = "rzp_whsec_crosscheck_Qm9vZ2llV29v"
    utility = razorpay.Utility(None)

    def check(headers, body, secret):
        try:
            return utility.verify_webhook_signature(body, hdr_get(headers, "X-Razorpay-Signature"), secret)
        except razorpay.errors.SignatureVerificationError:
            return False

    bodies = [
        json.dumps({"entity": "event", "account_id": "acc_BFQ7uQEaa7j2z7", "event": "payment.captured", "contains": ["payment"],
                    "payload": {"payment": {"entity": {"id": "pay_DESlfW9H8K9uqM", "amount": 100, "currency": "INR", "status": "captured"}}}, "created_at": NOW},
                   separators=(",", ":")),
        '{\n  "entity": "event",\n  "event": "payment.failed",\n  "payload": {"payment": {"entity": {"description": "%s"}}}\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        hdr = [JSON, ("X-Razorpay-Event-Id", f"Hn1ukn2d32Fqw{i}"), ("X-Razorpay-Signature", hex_hmac(secret, body))]
        with_variants(f"razorpay-{i}", "razorpay", secret, "https://example.com/razorpay", hdr, body, check)


def gocardless_fixtures():
    """Hex HMAC-SHA256 of the raw body in Webhook-Signature; the body is an `events` batch."""
    secret = "ED7D658C-CRSS-CHCK-948B-3973214F2D49"

    def check(headers, body, secret):
        try:
            return isinstance(gocardless_pro.webhooks.parse(body, secret, hdr_get(headers, "Webhook-Signature")), list)
        except gocardless_pro.errors.InvalidSignatureError:
            return False

    bodies = [
        json.dumps({"events": [{"id": "EV00BD05S5VM2T", "created_at": ISO_NOW, "resource_type": "payments", "action": "confirmed",
                                "links": {"payment": "PM0001"}, "details": {"origin": "gocardless", "cause": "payment_confirmed"}}],
                    "meta": {"webhook_id": "WB0001"}}, separators=(",", ":")),
        '{\n  "events": [\n    {"id": "EV2", "resource_type": "mandates", "action": "created", "details": {"description": "%s"}}\n  ]\n}\n' % NOTE,
    ]
    ua = ("User-Agent", "gocardless-webhook-service/1.1")
    for i, body in enumerate(bodies):
        hdr = [JSON, ua, ("Origin", "https://api.gocardless.com"), ("Webhook-Signature", hex_hmac(secret, body))]
        with_variants(f"gocardless-{i}", "gocardless", secret, "https://example.com/gocardless", hdr, body, check)


def coinbase_commerce_fixtures():
    """Hex HMAC-SHA256 of the raw body in X-CC-Webhook-Signature; the library wants an `event`."""
    secret = "30291a20-crss-chck-9b0f-e6e7b123c0bf"

    def check(headers, body, secret):
        try:
            CoinbaseWebhook.construct_event(body, hdr_get(headers, "X-CC-Webhook-Signature"), secret)
            return True
        except CoinbaseSignatureError:
            return False

    bodies = [
        json.dumps({"id": 1, "scheduled_for": ISO_NOW, "attempt_number": 1,
                    "event": {"id": "24934862-d980-46cb-9402-43c81b0cdba6", "resource": "event", "type": "charge:confirmed", "api_version": "2018-03-22",
                              "created_at": ISO_NOW, "data": {"code": "66BEOV2A", "name": "The Sovereign Individual", "pricing_type": "no_price"}}},
                   separators=(",", ":")),
        '{\n  "scheduled_for": "%s",\n  "attempt_number": 2,\n  "event": {"type": "charge:failed", "data": {"description": "%s"}}\n}\n' % (ISO_NOW, NOTE),
    ]
    for i, body in enumerate(bodies):
        hdr = [JSON, ("X-CC-Webhook-Signature", hex_hmac(secret, body))]
        with_variants(f"coinbase-commerce-{i}", "coinbase_commerce", secret, "https://example.com/coinbase", hdr, body, check)


def box_fixtures():
    """Base64 HMAC-SHA256 of body || BOX-DELIVERY-TIMESTAMP, once per signature key (primary and
    secondary headers); the library also wants the version and algorithm headers, and rejects
    deliveries older than 10 minutes or dated in the future."""
    primary, secondary = "BoxPrimaryKeyCrosscheck0123456789", "BoxSecondaryKeyCrosscheck987654321"

    def box_headers(body, at, keys=(primary, secondary)):
        # Box writes the delivery time with its own offset (`2020-01-01T00:00:00-07:00`).
        ts = datetime.fromtimestamp(at, tz=timezone(timedelta(hours=-7))).isoformat()
        hdr = [JSON, ("BOX-DELIVERY-ID", "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f"), ("BOX-DELIVERY-TIMESTAMP", ts),
               ("BOX-SIGNATURE-ALGORITHM", "HmacSHA256"), ("BOX-SIGNATURE-VERSION", "1")]
        for name, key in zip(("BOX-SIGNATURE-PRIMARY", "BOX-SIGNATURE-SECONDARY"), keys):
            hdr.append((name, b64_hmac(key, body + ts)))
        return hdr

    def check_keys(headers, body, primary_key, secondary_key=None):
        lower = {k.lower(): v for k, v in headers}
        with clocks():
            return box_webhooks.WebhooksManager.validate_message(body, lower, primary_key, secondary_key=secondary_key)

    check = lambda headers, body, key: check_keys(headers, body, key)
    bodies = [
        json.dumps({"type": "webhook_event", "id": "5b5b1f7d-8c4c-4e2a-b1a3-7e2f3b1e9c11", "created_at": ISO_NOW, "trigger": "FILE.UPLOADED",
                    "webhook": {"id": "12345", "type": "webhook"}, "source": {"id": "1234567", "type": "file", "name": "invoice.pdf"}}, separators=(",", ":")),
        '{\n  "type": "webhook_event",\n  "trigger": "FILE.RENAMED",\n  "source": {"type": "file", "name": "%s.pdf"}\n}\n' % NOTE,
    ]
    url = "https://example.com/box"
    for i, body in enumerate(bodies):
        with_variants(f"box-{i}", "box", primary, url, box_headers(body, NOW), body, check, stale_headers=box_headers(body, NOW - 3600))
    # The secondary key alone (Box's key rotation): only the secondary header matches.
    body = bodies[0]
    hdr = box_headers(body, NOW)
    assert check_keys(hdr, body, wrong_secret(primary), secondary) and not check_keys(hdr, body, wrong_secret(primary), wrong_secret(secondary))
    add("box-secondary-key-valid", "box", [secondary], url, hdr, body, "valid")
    # 8 minutes old is inside Box's 10-minute window.
    late = box_headers(body, NOW - 480)
    assert check(late, body, primary)
    add("box-8-minutes-late-valid", "box", [primary], url, late, body, "valid")


def workos_fixtures():
    """`WorkOS-Signature: t=<ms>, v1=<hex HMAC-SHA256 of t.body>` (comma AND space, as WorkOS sends
    it and as workos-python requires); ±180 s."""
    secret = "wos_whsec_crosscheck_9QnE4sVb2xLk7TzR"

    def hdr(body, at_ms):
        return [JSON, ("WorkOS-Signature", f"t={at_ms}, v1={hex_hmac(secret, f'{at_ms}.{body}')}")]

    def check(headers, body, secret):
        with clocks():
            try:
                workos_verification.verify_header(event_body=body.encode(), event_signature=hdr_get(headers, "WorkOS-Signature"), secret=secret, tolerance=180)
                return True
            except ValueError:
                return False

    bodies = [
        json.dumps({"id": "event_01FAEAJCR3ZBZ30D8BD1924TVG", "event": "dsync.user.created", "data": {"id": "directory_user_01FAEAJCR3ZBZ30D8BD1924TVG",
                    "object": "directory_user", "first_name": "Blair", "last_name": "Lunchford"}, "created_at": ISO_NOW}, separators=(",", ":")),
        '{\n  "event": "user.updated",\n  "data": {"first_name": "%s"}\n}\n' % NOTE,
    ]
    url = "https://example.com/workos"
    for i, body in enumerate(bodies):
        with_variants(f"workos-{i}", "workos", secret, url, hdr(body, NOW * 1000), body, check, stale_headers=hdr(body, (NOW - 3600) * 1000))
    # 150 s either way is inside the window; 200 s is not.
    body = bodies[0]
    for skew, expect in ((-150, "valid"), (-200, "invalid")):
        h = hdr(body, (NOW + skew) * 1000)
        assert check(h, body, secret) == (expect == "valid")
        add(f"workos-{-skew}s-late", "workos", [secret], url, h, body, expect, verdict=None if expect == "valid" else "expired")


def resend_fixtures():
    """Resend delivers through Svix: svix-id/-timestamp/-signature, base64 HMAC-SHA256 of
    `id.timestamp.body` keyed with the decoded whsec_ secret; ±300 s."""
    secret = "whsec_" + base64.b64encode(b"resend-crosscheck-key-32-bytes!!").decode()

    def hdr(body, at, msg_id):
        sig = svix.webhooks.Webhook(secret).sign(msg_id, datetime.fromtimestamp(at, tz=timezone.utc), body)
        return [JSON, ("User-Agent", "Svix-Webhooks/1.77.0"), ("svix-id", msg_id), ("svix-timestamp", str(at)), ("svix-signature", sig)]

    def check(headers, body, secret):
        h = {"id": hdr_get(headers, "svix-id"), "timestamp": hdr_get(headers, "svix-timestamp"), "signature": hdr_get(headers, "svix-signature")}
        with clocks():
            try:
                resend_webhooks.Webhooks.verify({"payload": body, "headers": h, "webhook_secret": secret})
                return True
            except ValueError:
                return False

    bodies = [
        json.dumps({"type": "email.delivered", "created_at": ISO_NOW, "data": {"email_id": "56761188-7520-42d8-8898-ff6fc54ce618",
                    "from": "Acme <onboarding@resend.dev>", "to": ["delivered@resend.dev"], "subject": "Sending this example"}}, separators=(",", ":")),
        '{\n  "type": "email.bounced",\n  "data": {"email_id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", "subject": "%s"}\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        msg_id = f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4R{i}"
        with_variants(f"resend-{i}", "resend", secret, "https://example.com/resend", hdr(body, NOW, msg_id), body, check,
                      stale_headers=hdr(body, NOW - 3600, msg_id))


def castle_fixtures():
    """Base64 HMAC-SHA256 of the raw body with the API secret in X-Castle-Signature."""
    secret = "castle_api_secret_crosscheck_7f3e9a1c"

    def check(headers, body, secret):
        config = castle.configuration.Configuration()
        config.api_secret = secret
        # What the library reads off a Flask/Django request: `headers` and the raw `data`.
        webhook = types.SimpleNamespace(headers={k: v for k, v in headers}, data=body.encode())
        try:
            CastleVerify.call(webhook, config)
            return True
        except CastleVerificationError:
            return False

    bodies = [
        json.dumps({"api_version": "v1", "app_id": "12345", "type": "$incident.confirmed", "created_at": ISO_NOW,
                    "data": {"id": "test", "device_token": "token", "user_id": "user-1017", "trigger": "$login.succeeded"}}, separators=(",", ":")),
        '{\n  "type": "$review.opened",\n  "data": {"location": {"city": "%s"}}\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        hdr = [JSON, ("X-Castle-Signature", b64_hmac(secret, body))]
        with_variants(f"castle-{i}", "castle", secret, "https://example.com/castle", hdr, body, check)


def worldline_fixtures():
    """Base64 HMAC-SHA256 of the raw body in X-GCS-Signature, keyed with the secret whose id is in
    X-GCS-KeyId (Hookloupe takes the secrets as a list and ignores the key id)."""
    secret, key_id = "hello+world+crosscheck", "crosscheck-key-id"
    helper = WorldlineWebhooks.v1().create_helper(InMemorySecretKeyStore.instance())

    def check(headers, body, secret):
        InMemorySecretKeyStore.instance().store_secret_key(key_id, secret)
        try:
            helper.unmarshal(body.encode(), [RequestHeader(k, v) for k, v in headers])
            return True
        except SignatureValidationException:
            return False

    bodies = [
        json.dumps({"apiVersion": "v1", "id": "8ee793f6-4553-4749-85dc-f2ef095c5ab0", "created": "2024-11-07T18:20:00.000+0100", "merchantId": "20000",
                    "type": "payment.paid", "payment": {"id": "00000200000143570012", "status": "PAID",
                                                        "paymentOutput": {"amountOfMoney": {"amount": 1000, "currencyCode": "EUR"}}}}, separators=(",", ":")),
        '{\n  "apiVersion": "v1",\n  "id": "e5f7e2a4",\n  "type": "payment.rejected",\n  "payment": {"id": "000002", "status": "REJECTED", "statusOutput": {"errors": [{"message": "%s"}]}}\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        hdr = [JSON, ("X-GCS-KeyId", key_id), ("X-GCS-Signature", b64_hmac(secret, body))]
        with_variants(f"worldline-{i}", "worldline", secret, "https://example.com/worldline", hdr, body, check)


def pusher_fixtures():
    """Hex HMAC-SHA256 of the raw body with the app secret in X-Pusher-Signature, the app key in
    X-Pusher-Key. The library also rejects a body whose `time_ms` is more than 300 s off; the
    catalog entry has no such check (the time is inside the body), so no stale copy is written:
    the library's own rejection of one is asserted instead."""
    secret, app_key = "7ad3773142a6692b25b8", "5b5a3a6b0ff6b6e2d5c1"

    def check(headers, body, secret):
        client = pusher.Pusher(app_id="1234", key=app_key, secret=secret, cluster="eu")
        with clocks():
            return client.validate_webhook(hdr_get(headers, "X-Pusher-Key"), hdr_get(headers, "X-Pusher-Signature"), body) is not None

    def body_at(at_ms, i):
        if i == 0:
            return json.dumps({"time_ms": at_ms, "events": [{"name": "channel_occupied", "channel": "private-orders-42"}]}, separators=(",", ":"))
        return '{\n  "time_ms": %d,\n  "events": [{"name": "client_event", "channel": "private-chat-7", "event": "client-typing", "data": "%s"}]\n}\n' % (at_ms, NOTE)

    url = "https://example.com/pusher"
    for i in (0, 1):
        body = body_at(NOW * 1000, i)
        hdr = [JSON, ("X-Pusher-Key", app_key), ("X-Pusher-Signature", hex_hmac(secret, body))]
        with_variants(f"pusher-{i}", "pusher", secret, url, hdr, body, check)
        stale = body_at((NOW - 3600) * 1000, i)
        assert not check([hdr[0], hdr[1], ("X-Pusher-Signature", hex_hmac(secret, stale))], stale, secret), "pusher: stale time_ms accepted"


def polar_fixtures():
    """Standard Webhooks headers, base64 HMAC-SHA256 of `id.timestamp.body` keyed with the
    secret's TEXT (Polar's legacy secrets; newer whsec_ ones are plain Standard Webhooks); ±300 s."""
    secret = "polar_whs_crosscheck_Jm4kT8vQ2rXz6YbN1cL0pW"

    def hdr(body, at, msg_id):
        return [JSON, ("User-Agent", "polar.sh webhooks"), ("webhook-id", msg_id), ("webhook-timestamp", str(at)),
                ("webhook-signature", "v1," + b64_hmac(secret, f"{msg_id}.{at}.{body}"))]

    def check(headers, body, secret):
        with clocks():
            try:
                polar_validate_event(body, {k: v for k, v in headers}, secret)
            except polar.webhooks.PolarWebhookVerificationError:
                return False
            except polar.webhooks.PolarWebhookError:
                pass  # raised only after the signature verified: the payload is not a full typed event
        return True

    bodies = [
        json.dumps({"type": "customer.deleted", "timestamp": ISO_NOW, "data": {"id": "992fae2a-2a17-4b7a-8d9e-e287cf90131b", "email": "ada@example.com"}},
                   separators=(",", ":")),
        '{\n  "type": "order.paid",\n  "data": {"id": "5f2b3c1a", "description": "%s"}\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        msg_id = f"msg_polar_crosscheck_{i}"
        with_variants(f"polar-{i}", "polar", secret, "https://example.com/polar", hdr(body, NOW, msg_id), body, check,
                      stale_headers=hdr(body, NOW - 3600, msg_id))


GENERATORS = (
    razorpay_fixtures, gocardless_fixtures, coinbase_commerce_fixtures, box_fixtures, workos_fixtures,
    resend_fixtures, castle_fixtures, worldline_fixtures, pusher_fixtures, polar_fixtures,
)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for f in GENERATORS:
        f()
    for fx in fixtures:
        with open(os.path.join(out, "catalog-" + fx["name"] + ".json"), "w", encoding="utf-8") as fh:
            json.dump(fx, fh, indent=1, ensure_ascii=False)
    providers = sorted({fx["provider"] for fx in fixtures})
    print(f"crosscheck (catalog, PyPI): wrote {len(fixtures)} fixtures for {len(providers)} providers to {out}: {', '.join(providers)}")


if __name__ == "__main__":
    main()
