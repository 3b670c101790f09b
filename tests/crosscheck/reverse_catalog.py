#!/usr/bin/env python3
"""Reverse cross-check for CATALOG providers: `hookloupe sign --scheme <provider id>` SIGNS (the
catalog entry's preset, resolved by the CLI), the provider's own PyPI library VERIFIES, and
must reject the request once one body byte is changed. The machinery (subprocess signing,
`--now` pinned, one line per check) is reverse.py's; the libraries are crosscheck_catalog.py's,
with their clocks pinned the same way.

A check listed in KNOWN_DIVERGENCES (run through known_check) is a catalog defect this script
found and reported: its failure is printed as KNOWN and does not fail the run, but a pass does
(the defect is fixed: remove the entry), so the list cannot go stale.

Usage: python3 reverse_catalog.py HOOKLOUPE_BIN       (the venv of crosscheck.py: requirements.txt)
"""

import base64
import contextlib
import io
import json
import os
import sys
import tempfile
import time
import types

import box_sdk_gen.managers.webhooks as box_webhooks
import castle.configuration
import gocardless_pro.errors
import gocardless_pro.webhooks
import polar.webhooks
import pusher
import razorpay
import razorpay.errors
import resend.webhooks._webhooks as resend_webhooks
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

import reverse
from crosscheck import NOW
from crosscheck_catalog import ISO_NOW, JSON, NOTE, clocks
from reverse import CiDict, check, request, version

# Every catalog provider with a PyPI library that verifies (and that Hookloupe can sign).
EXPECTED = {"razorpay", "gocardless", "coinbase_commerce", "box", "workos", "resend", "castle", "worldline", "pusher", "polar"}

# check name → why the provider's library rejects what the catalog entry signs.
KNOWN_DIVERGENCES = {
    "workos-0": "the entry signs `t=<ms>,v1=<hex>`; WorkOS sends `t=<ms>, v1=<hex>` and workos-python's verify_header "
    "splits on \", \" (kv_separator must be one character today)",
    "workos-1": "same as workos-0",
}


def known_check(name, *args, **kwargs):
    """reverse.check for a name in KNOWN_DIVERGENCES: its `FAIL` line is held back (main prints
    the KNOWN line instead), so a green log holds no FAIL."""
    if name not in KNOWN_DIVERGENCES:
        return check(name, *args, **kwargs)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        check(name, *args, **kwargs)
    if not reverse.results[-1][2]:
        print(out.getvalue(), end="")


def pretty(first_key, first_value, rest):
    """A pretty-printed, non-ASCII body whose first value is a string (what the tamper changes)."""
    return '{\n  "%s": "%s",\n%s\n}\n' % (first_key, first_value, rest)


def razorpay_checks():
    secret = "rzp_whsec_crosscheck_Qm9vZ2llV29v"

    def verify(s):
        try:
            return razorpay.Utility(None).verify_webhook_signature(s.text, s.header("X-Razorpay-Signature"), secret)
        except razorpay.errors.SignatureVerificationError:
            return False

    bodies = [
        json.dumps({"entity": "event", "event": "payment.captured", "payload": {"payment": {"entity": {"id": "pay_DESlfW9H8K9uqM", "amount": 100}}}}),
        pretty("entity", "event", '  "event": "payment.failed",\n  "payload": {"payment": {"entity": {"description": "%s"}}}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"razorpay-{i}", "razorpay", version("razorpay"), request("https://example.com/razorpay", [JSON], body), verify, secrets=[secret])


def gocardless_checks():
    secret = "ED7D658C-CRSS-CHCK-948B-3973214F2D49"

    def verify(s):
        try:
            return isinstance(gocardless_pro.webhooks.parse(s.body, secret, s.header("Webhook-Signature")), list)
        except gocardless_pro.errors.InvalidSignatureError:
            return False

    ua = ("User-Agent", "gocardless-webhook-service/1.1")
    bodies = [
        json.dumps({"events": [{"id": "EV00BD05S5VM2T", "resource_type": "payments", "action": "confirmed", "links": {"payment": "PM0001"}}]}),
        '{\n  "events": [\n    {"id": "EV2", "resource_type": "mandates", "details": {"description": "%s"}}\n  ]\n}\n' % NOTE,
    ]
    for i, body in enumerate(bodies):
        check(f"gocardless-{i}", "gocardless", version("gocardless-pro"), request("https://example.com/gocardless", [JSON, ua], body), verify, secrets=[secret])


def coinbase_commerce_checks():
    secret = "30291a20-crss-chck-9b0f-e6e7b123c0bf"

    def verify(s):
        try:
            CoinbaseWebhook.construct_event(s.text, s.header("X-CC-Webhook-Signature"), secret)
            return True
        except CoinbaseSignatureError:
            return False

    bodies = [
        json.dumps({"scheduled_for": ISO_NOW, "attempt_number": 1, "event": {"type": "charge:confirmed", "data": {"code": "66BEOV2A"}}}),
        pretty("scheduled_for", ISO_NOW, '  "event": {"type": "charge:failed", "data": {"description": "%s"}}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"coinbase-commerce-{i}", "coinbase_commerce", version("coinbase-commerce"), request("https://example.com/coinbase", [JSON], body), verify, secrets=[secret])


def box_checks():
    primary = "BoxPrimaryKeyCrosscheck0123456789"
    lib = version("boxsdk")

    def verify(s):
        with clocks():
            return box_webhooks.WebhooksManager.validate_message(s.text, {k.lower(): v for k, v in s.headers}, primary)

    # Box's version and algorithm headers come with every delivery (the library requires them).
    hdr = [JSON, ("BOX-DELIVERY-ID", "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f"), ("BOX-SIGNATURE-ALGORITHM", "HmacSHA256"), ("BOX-SIGNATURE-VERSION", "1")]
    bodies = [
        json.dumps({"type": "webhook_event", "trigger": "FILE.UPLOADED", "source": {"id": "1234567", "type": "file", "name": "invoice.pdf"}}),
        pretty("type", "webhook_event", '  "trigger": "FILE.RENAMED",\n  "source": {"type": "file", "name": "%s.pdf"}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"box-{i}", "box", lib, request("https://example.com/box", hdr, body), verify, secrets=[primary])
    # A captured delivery re-signed: both signature headers and the old delivery time are replaced.
    captured = hdr + [("BOX-DELIVERY-TIMESTAMP", "2020-01-01T00:00:00-07:00"), ("BOX-SIGNATURE-PRIMARY", "A" * 43 + "="), ("BOX-SIGNATURE-SECONDARY", "B" * 43 + "=")]
    check("box-resign", "box", lib, request("https://example.com/box", captured, bodies[0]), verify, secrets=[primary])


def workos_checks():
    secret = "wos_whsec_crosscheck_9QnE4sVb2xLk7TzR"

    def verify(s):
        with clocks():
            try:
                workos_verification.verify_header(event_body=s.body, event_signature=s.header("WorkOS-Signature"), secret=secret, tolerance=180)
                return True
            except ValueError:
                return False

    bodies = [
        json.dumps({"id": "event_01FAEAJCR3ZBZ30D8BD1924TVG", "event": "dsync.user.created", "data": {"object": "directory_user", "first_name": "Blair"}}),
        pretty("event", "user.updated", '  "data": {"first_name": "%s"}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        known_check(f"workos-{i}", "workos", version("workos"), request("https://example.com/workos", [JSON], body), verify, secrets=[secret])


def resend_checks():
    secret = "whsec_" + base64.b64encode(b"resend-crosscheck-key-32-bytes!!").decode()

    def verify(s):
        h = {"id": s.header("svix-id"), "timestamp": s.header("svix-timestamp"), "signature": s.header("svix-signature")}
        with clocks():
            try:
                resend_webhooks.Webhooks.verify({"payload": s.text, "headers": h, "webhook_secret": secret})
                return True
            except ValueError:
                return False

    ua = ("User-Agent", "Svix-Webhooks/1.77.0")
    bodies = [
        json.dumps({"type": "email.delivered", "created_at": ISO_NOW, "data": {"email_id": "56761188-7520-42d8-8898-ff6fc54ce618", "to": ["delivered@resend.dev"]}}),
        pretty("type", "email.bounced", '  "data": {"email_id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", "subject": "%s"}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"resend-{i}", "resend", version("resend"), request("https://example.com/resend", [JSON, ua], body), verify, secrets=[secret],
              message_id=f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4R{i}")
    # Re-signed from a capture: the message id comes from its svix-id header.
    old = [JSON, ua, ("svix-id", "msg_fromheader0001"), ("svix-timestamp", "1700000000"), ("svix-signature", "v1,AAAA")]
    check("resend-resign", "resend", version("resend"), request("https://example.com/resend", old, bodies[0]), verify, secrets=[secret])


def castle_checks():
    secret = "castle_api_secret_crosscheck_7f3e9a1c"
    config = castle.configuration.Configuration()
    config.api_secret = secret

    def verify(s):
        try:
            CastleVerify.call(types.SimpleNamespace(headers=CiDict(s.headers), data=s.body), config)
            return True
        except CastleVerificationError:
            return False

    bodies = [
        json.dumps({"api_version": "v1", "type": "$incident.confirmed", "data": {"id": "test", "user_id": "user-1017"}}),
        pretty("type", "$review.opened", '  "data": {"location": {"city": "%s"}}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"castle-{i}", "castle", version("castle"), request("https://example.com/castle", [JSON], body), verify, secrets=[secret])


def worldline_checks():
    secret, key_id = "hello+world+crosscheck", "crosscheck-key-id"
    store = InMemorySecretKeyStore.instance()
    helper = WorldlineWebhooks.v1().create_helper(store)

    def verify(s):
        store.store_secret_key(key_id, secret)
        try:
            helper.unmarshal(s.body, [RequestHeader(k, v) for k, v in s.headers])
            return True
        except SignatureValidationException:
            return False

    kid = ("X-GCS-KeyId", key_id)
    bodies = [
        json.dumps({"apiVersion": "v1", "id": "8ee793f6-4553-4749-85dc-f2ef095c5ab0", "type": "payment.paid", "payment": {"id": "000002", "status": "PAID"}}),
        pretty("apiVersion", "v1", '  "type": "payment.rejected",\n  "payment": {"statusOutput": {"errors": [{"message": "%s"}]}}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"worldline-{i}", "worldline", version("connect-sdk-python3"), request("https://example.com/worldline", [JSON, kid], body), verify, secrets=[secret])


def pusher_checks():
    secret, app_key = "7ad3773142a6692b25b8", "5b5a3a6b0ff6b6e2d5c1"
    client = pusher.Pusher(app_id="1234", key=app_key, secret=secret, cluster="eu")

    def verify(s):
        with clocks():
            return client.validate_webhook(s.header("X-Pusher-Key"), s.header("X-Pusher-Signature"), s.text) is not None

    key = ("X-Pusher-Key", app_key)
    # The library wants `time_ms` within 300 s of now inside the (signed) body.
    bodies = [
        json.dumps({"time_ms": NOW * 1000, "events": [{"name": "channel_occupied", "channel": "private-orders-42"}]}),
        '{\n  "time_ms": %d,\n  "events": [{"name": "client_event", "channel": "private-chat-7", "data": "%s"}]\n}\n' % (NOW * 1000, NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"pusher-{i}", "pusher", version("pusher"), request("https://example.com/pusher", [JSON, key], body), verify, secrets=[secret])


def polar_checks():
    secret = "polar_whs_crosscheck_Jm4kT8vQ2rXz6YbN1cL0pW"

    def verify(s):
        with clocks():
            try:
                polar_validate_event(s.body, {k: v for k, v in s.headers}, secret)
            except polar.webhooks.PolarWebhookVerificationError:
                return False
            except polar.webhooks.PolarWebhookError:
                pass  # raised only after the signature verified: the payload is not a full typed event
        return True

    ua = ("User-Agent", "polar.sh webhooks")
    bodies = [
        json.dumps({"type": "customer.deleted", "timestamp": ISO_NOW, "data": {"id": "992fae2a-2a17-4b7a-8d9e-e287cf90131b"}}),
        pretty("type", "order.paid", '  "data": {"id": "5f2b3c1a", "description": "%s"}' % NOTE),
    ]
    for i, body in enumerate(bodies):
        check(f"polar-{i}", "polar", version("polar-sdk"), request("https://example.com/polar", [JSON, ua], body), verify, secrets=[secret],
              message_id=f"msg_polar_crosscheck_{i}")


CHECKS = (
    razorpay_checks, gocardless_checks, coinbase_commerce_checks, box_checks, workos_checks,
    resend_checks, castle_checks, worldline_checks, pusher_checks, polar_checks,
)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    reverse.HOOKLOUPE = os.path.abspath(sys.argv[1])
    if not os.access(reverse.HOOKLOUPE, os.X_OK):
        sys.exit(f"reverse_catalog.py: {reverse.HOOKLOUPE} is not an executable")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["HOOKLOUPE_DATA_DIR"] = data_dir  # `sign` opens no database; belt and braces
        for f in CHECKS:
            with contextlib.redirect_stderr(io.StringIO()):  # the libraries' own warnings
                f()
    failures, known = [], []
    for name, _, error in reverse.results:
        if name in KNOWN_DIVERGENCES:
            if error:
                known.append(name)
                print(f"KNOWN reverse {name}: {KNOWN_DIVERGENCES[name]}")
            else:
                failures.append((name, "passes now: the catalog defect is fixed, remove it from KNOWN_DIVERGENCES"))
        elif error:
            failures.append((name, error))
    for provider in sorted(EXPECTED - reverse.exercised):
        failures.append((provider, "no check exercised this provider"))
    ok = sum(1 for _, _, e in reverse.results if not e)
    print(
        f"reverse (catalog, PyPI): {ok} of {len(reverse.results)} checks passed ({len(known)} known divergences) over "
        f"{len(reverse.exercised & EXPECTED)} providers in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    if failures:
        print(f"reverse (catalog, PyPI): {len(failures)} FAILED:", file=sys.stderr)
        for n, e in failures:
            print(f"  {n}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
