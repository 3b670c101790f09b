#!/usr/bin/env python3
"""Sign webhook requests with each provider's OWN library and write them as fixtures.

Each fixture is one JSON file in the capture shape that `hookloupe verify --request` reads
(method, url, headers as [name, value] pairs, body), plus what the Rust test needs to check it:
scheme, secrets, options, now (Unix seconds), expect ("valid" or "invalid"). For every genuine
request, tampered copies (one body byte changed, wrong secret, stale timestamp) are written too.

Two kinds of provider library:
- signers (stripe, standardwebhooks, svix, slack_sdk, twilio, hubspot-api-client): the library
  makes the signature;
- verify-only (squareup, paddle-python-sdk, discord-interactions, mailgun): the request is built
  with the stdlib the way the provider documents it, and the library must accept the genuine
  request and reject every tampered copy before anything is written (`check=` below). Their
  clocks are pinned to NOW so timestamp windows are the library's own.

The npm libraries (GitHub, Linear, Shopify, Zoom) are in npm/crosscheck.mjs, same format.
The other direction (`hookloupe sign` signs, these libraries verify) is reverse.py.

Usage: python3 crosscheck.py OUT_DIR
Needs: pip install -r tests/crosscheck/requirements.txt
The Rust side: HOOKLOUPE_CROSSCHECK_DIR=OUT_DIR cargo test -p hookloupe-tests --test it crosscheck
"""

import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import sys
import types
from datetime import datetime, timezone
from unittest import mock
from urllib.parse import urlencode

import discord_interactions
import hubspot.utils.signature
import mailgun.security
import nacl.signing
import paddle_billing.Notifications.Verifier
import slack_sdk.signature
import square.utils.webhooks_helper
import standardwebhooks
import stripe
import svix.webhooks
from hubspot.exceptions import InvalidSignatureTimestampError
from paddle_billing.Notifications import Secret as PaddleSecret
from paddle_billing.Notifications import Verifier as PaddleVerifier
from twilio.request_validator import RequestValidator

NOW = 1_731_000_000
BODIES = [
    '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}',
    '{\n  "id": "evt_2",\n  "note": "caf\u00e9 \u2014 \u00fcml\u00e4ut \U0001F600",\n  "tags": ["a", "b"]\n}\n',
]

fixtures = []


def add(name, scheme, secrets, url, headers, body, expect, options=None, now=NOW, method="POST", verdict=None):
    """expect: "valid" or "invalid" (anything but valid); verdict: the exact verdict, when known."""
    fixtures.append(
        {
            "name": name,
            "scheme": scheme,
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


def tamper(body):
    """One byte changed inside the payload."""
    i = body.index(":") + 2 if ":" in body else body.index("=") + 1
    return body[:i] + ("X" if body[i] != "X" else "Y") + body[i + 1 :]


def wrong_secret(secret):
    return secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")


def with_variants(
    name, scheme, secret, url, headers, body, options=None, stale_headers=None, check=None, stale_is_policy=False, method="POST"
):
    """The genuine request, the same with a rotated-out secret first, and tampered copies.

    check(headers, body, secret) -> bool runs the provider's verifier (verify-only libraries):
    it must accept the genuine request and reject each tampered copy, or nothing is written.
    stale_is_policy: the library has no freshness window (Discord, Zoom), so the stale copy is
    a valid signature that only the inspector's replay window turns into `expired`.
    """
    wrong = wrong_secret(secret)
    if check is not None:
        assert check(headers, body, secret), f"{name}: the provider's library rejects the genuine request"
        assert not check(headers, tamper(body), secret), f"{name}: the library accepts a tampered body"
        assert not check(headers, body, wrong), f"{name}: the library accepts a wrong secret"
        if stale_headers is not None:
            assert check(stale_headers, body, secret) == stale_is_policy, f"{name}: stale request, unexpected library verdict"
    add(f"{name}-valid", scheme, [secret], url, headers, body, "valid", options, method=method)
    add(f"{name}-rotation", scheme, ["not-the-secret-0000000000", secret], url, headers, body, "valid", options, method=method)
    add(f"{name}-tampered-body", scheme, [secret], url, headers, tamper(body), "invalid", options, method=method, verdict="invalid")
    add(f"{name}-wrong-secret", scheme, [wrong], url, headers, body, "invalid", options, method=method, verdict="invalid")
    if stale_headers is not None:
        add(f"{name}-stale", scheme, [secret], url, stale_headers, body, "invalid", options, method=method, verdict="expired")


def hdr_get(headers, name):
    return next((v for k, v in headers if k.lower() == name.lower()), None)


@contextlib.contextmanager
def library_clock(now=NOW):
    """Pin the verify-only libraries' clocks to `now` (they read the wall clock)."""

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(now, tz=tz)

    with (
        # `paddle_billing.Notifications.Verifier` is also the class's name in the package: use the module.
        mock.patch.object(sys.modules["paddle_billing.Notifications.Verifier"], "time", lambda: float(now)),
        mock.patch.object(hubspot.utils.signature, "datetime", FrozenDatetime),
        mock.patch.object(mailgun.security, "time", types.SimpleNamespace(time=lambda: float(now))),
    ):
        yield


def stripe_fixtures():
    secret = "whsec_crosscheck_4eC39HqLyjWDarjtT1zdp7dc"
    for i, body in enumerate(BODIES):
        h = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=NOW)
        old = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=NOW - 3600)
        hdr = lambda v: [("Content-Type", "application/json"), ("Stripe-Signature", v)]
        with_variants(f"stripe-{i}", "stripe", secret, "https://example.com/stripe", hdr(h), body, stale_headers=hdr(old))
        # The library's own verifier agrees with what we wrote.
        stripe.WebhookSignature.verify_header(body, h, secret, tolerance=None)


def standard_webhooks_fixtures():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    for i, body in enumerate(BODIES):
        wh = standardwebhooks.Webhook(secret)
        msg_id = f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W{i}"
        at = datetime.fromtimestamp(NOW, tz=timezone.utc)
        sig = wh.sign(msg_id, at, body)
        old = wh.sign(msg_id, datetime.fromtimestamp(NOW - 3600, tz=timezone.utc), body)
        hdr = lambda s, t: [
            ("Content-Type", "application/json"),
            ("webhook-id", msg_id),
            ("webhook-timestamp", str(t)),
            ("webhook-signature", s),
        ]
        with_variants(
            f"standard-webhooks-{i}",
            "standard_webhooks",
            secret,
            "https://example.com/sw",
            hdr(sig, NOW),
            body,
            stale_headers=hdr(old, NOW - 3600),
        )


def svix_fixtures():
    secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    for i, body in enumerate(BODIES):
        wh = svix.webhooks.Webhook(secret)
        msg_id = f"msg_p5jXN8AQM9LWM0D4loKWxJek{i}"
        sig = wh.sign(msg_id, datetime.fromtimestamp(NOW, tz=timezone.utc), body)
        old = wh.sign(msg_id, datetime.fromtimestamp(NOW - 3600, tz=timezone.utc), body)
        hdr = lambda s, t: [
            ("Content-Type", "application/json"),
            ("svix-id", msg_id),
            ("svix-timestamp", str(t)),
            ("svix-signature", s),
        ]
        with_variants(
            f"svix-{i}", "svix", secret, "https://example.com/svix", hdr(sig, NOW), body, stale_headers=hdr(old, NOW - 3600)
        )
        # Two signatures in one header (key rotation on Svix's side): any may match.
        other = svix.webhooks.Webhook("whsec_" + base64.b64encode(b"another-key-32-bytes-long-000000").decode()).sign(
            msg_id, datetime.fromtimestamp(NOW, tz=timezone.utc), body
        )
        add(f"svix-{i}-two-signatures", "svix", [secret], "https://example.com/svix", hdr(other + " " + sig, NOW), body, "valid")


def slack_fixtures():
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    for i, body in enumerate(BODIES + ["token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070"]):
        v = slack_sdk.signature.SignatureVerifier(secret)
        sig = v.generate_signature(timestamp=str(NOW), body=body)
        old = v.generate_signature(timestamp=str(NOW - 3600), body=body)
        ct = "application/x-www-form-urlencoded" if body.startswith("token=") else "application/json"
        hdr = lambda s, t: [("Content-Type", ct), ("X-Slack-Request-Timestamp", str(t)), ("X-Slack-Signature", s)]
        with_variants(
            f"slack-{i}", "slack", secret, "https://example.com/slack", hdr(sig, NOW), body, stale_headers=hdr(old, NOW - 3600)
        )


def twilio_fixtures():
    token = "12345678901234567890123456789012"
    validator = RequestValidator(token)
    # Form-encoded callback: the signature covers the URL and the sorted POST parameters.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}
    body = urlencode(params)
    sig = validator.compute_signature(url, params)
    assert validator.validate(url, params, sig)
    hdr = [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", sig)]
    add("twilio-form-valid", "twilio", [token], url, hdr, body, "valid")
    add("twilio-form-rotation", "twilio", ["00000000000000000000000000000000", token], url, hdr, body, "valid")
    add("twilio-form-tampered-body", "twilio", [token], url, hdr, body.replace("1234", "9999", 1), "invalid")
    add("twilio-form-wrong-secret", "twilio", ["12345678901234567890123456789099"], url, hdr, body, "invalid")
    add("twilio-form-other-url", "twilio", [token], "https://mycompany.com/myapp.php?foo=1&bar=3", hdr, body, "invalid")
    # JSON body: the URL carries bodySHA256 and the signature covers the URL only.
    jbody = BODIES[0]
    jurl = "https://mycompany.com/hook?" + urlencode({"bodySHA256": validator.compute_hash(jbody)})
    jsig = validator.compute_signature(jurl, {})
    assert validator.validate(jurl, jbody, jsig)
    jhdr = [("Content-Type", "application/json"), ("X-Twilio-Signature", jsig)]
    add("twilio-json-valid", "twilio", [token], jurl, jhdr, jbody, "valid")
    add("twilio-json-tampered-body", "twilio", [token], jurl, jhdr, tamper(jbody), "invalid")


def hubspot_fixtures():
    """hubspot-api-client signs all three versions (Signature.get_signature) and checks them (is_valid)."""
    Sig = hubspot.utils.signature.Signature
    secret = "5f3c2a1e-crss-chck-9d8e-7b6a5c4d3e2f"
    ct = ("Content-Type", "application/json")
    for i, body in enumerate(BODIES):
        # v1: SHA-256 of client_secret || body (a plain hash, not an HMAC).
        url = "https://example.com/hubspot/v1"
        sig = Sig.get_signature(secret, body, "v1")
        assert Sig.is_valid(sig, secret, body, signature_version="v1")
        hdr = [ct, ("X-HubSpot-Signature", sig), ("X-HubSpot-Signature-Version", "v1")]
        with_variants(f"hubspot-v1-{i}", "hubspot_v1", secret, url, hdr, body)
        # v2: SHA-256 of client_secret || method || uri || body.
        url = "https://example.com/hubspot/v2?portalId=62515"
        sig = Sig.get_signature(secret, body, "v2", http_uri=url, http_method="POST")
        assert Sig.is_valid(sig, secret, body, http_uri=url, http_method="POST", signature_version="v2")
        hdr = [ct, ("X-HubSpot-Signature", sig), ("X-HubSpot-Signature-Version", "v2")]
        with_variants(f"hubspot-v2-{i}", "hubspot_v2", secret, url, hdr, body)
        # v3: base64 HMAC-SHA256 of method || uri || body || timestamp (ms), 5 minutes, past only.
        url = "https://example.com/hubspot/v3?portalId=62515"

        def v3(ts_ms, uri=url, body=body):
            return [ct, ("X-HubSpot-Signature-v3", Sig.get_signature(secret, body, "v3", uri, "POST", str(ts_ms))), ("X-HubSpot-Request-Timestamp", str(ts_ms))]

        def check(headers, body, secret, uri=url):
            ts = hdr_get(headers, "X-HubSpot-Request-Timestamp")
            with library_clock():
                try:
                    return Sig.is_valid(hdr_get(headers, "X-HubSpot-Signature-v3"), secret, body, uri, "POST", "v3", ts)
                except InvalidSignatureTimestampError:
                    return False

        with_variants(f"hubspot-v3-{i}", "hubspot_v3", secret, url, v3(NOW * 1000), body, stale_headers=v3((NOW - 3600) * 1000), check=check)
    # v3 with percent-encoded characters in the URL: HubSpot signs the URI with `%3A`, `%2F`, `%3F`,
    # `%40`, `%21`, `%24`, `%27`, `%28`, `%29`, `%2A`, `%2C`, `%3B` decoded (others stay encoded);
    # the library leaves that decoding to the caller, so it gets the decoded form here.
    body = BODIES[0]
    wire = "https://example.com/hubspot/v3?redirect=https%3A%2F%2Fapp.example.com%2Fcb%3Fa%3D1&q=caf%C3%A9%20x"
    signed_uri = "https://example.com/hubspot/v3?redirect=https://app.example.com/cb?a%3D1&q=caf%C3%A9%20x"
    hdr = [ct, ("X-HubSpot-Signature-v3", Sig.get_signature(secret, body, "v3", signed_uri, "POST", str(NOW * 1000))), ("X-HubSpot-Request-Timestamp", str(NOW * 1000))]
    with library_clock():
        assert Sig.is_valid(hdr_get(hdr, "X-HubSpot-Signature-v3"), secret, body, signed_uri, "POST", "v3", str(NOW * 1000))
    add("hubspot-v3-encoded-uri-valid", "hubspot_v3", [secret], wire, hdr, body, "valid")
    # A timestamp in the future passes (the library only checks the age).
    future = [ct, ("X-HubSpot-Signature-v3", Sig.get_signature(secret, body, "v3", url, "POST", str((NOW + 600) * 1000))), ("X-HubSpot-Request-Timestamp", str((NOW + 600) * 1000))]
    assert check(future, body, secret)
    add("hubspot-v3-future-timestamp-valid", "hubspot_v3", [secret], url, future, body, "valid")


def square_fixtures():
    """squareup verifies only (verify_signature): base64 HMAC-SHA256 of notification URL || body."""
    key = "Ibxx_5AKakO-crosscheck-Dw"
    notification_url = "https://example.com/square/hook?merchant=MLEFBHHSJGVHD"

    def square_sign(key, url, body):
        return base64.b64encode(hmac.new(key.encode(), (url + body).encode(), hashlib.sha256).digest()).decode()

    def check(headers, body, key, url=notification_url):
        return square.utils.webhooks_helper.verify_signature(
            request_body=body, signature_header=hdr_get(headers, "x-square-hmacsha256-signature"), signature_key=key, notification_url=url
        )

    bodies = BODIES + ['{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","data":{"note":"a \\u003e b \\u0026 c"}}']
    for i, body in enumerate(bodies):
        hdr = [("Content-Type", "application/json"), ("x-square-hmacsha256-signature", square_sign(key, notification_url, body))]
        with_variants(f"square-{i}", "square", key, notification_url, hdr, body, check=check)
        if i == 0:
            # Received behind a proxy/tunnel: the signature covers the URL configured at Square (public_url).
            add("square-0-behind-proxy-valid", "square", [key], "http://127.0.0.1:4665/square/hook?merchant=MLEFBHHSJGVHD", hdr, body, "valid", {"public_url": notification_url})
            assert not check(hdr, body, key, "http://127.0.0.1:4665/square/hook?merchant=MLEFBHHSJGVHD")
            add("square-0-behind-proxy-no-public-url", "square", [key], "http://127.0.0.1:4665/square/hook?merchant=MLEFBHHSJGVHD", hdr, body, "invalid")


class PaddleRequest:
    def __init__(self, headers, body):
        self.headers = dict(headers)  # the SDK looks up the exact key `Paddle-Signature`
        self.body = body.encode("utf-8")


def paddle_fixtures():
    """paddle-python-sdk verifies only (Verifier): `ts=…;h1=<hex HMAC-SHA256 of ts:body>`, ±5 s."""
    secret = "pdl_ntfset_01hcrosscheck000000000000_Xk4rFz0bK7mQ2vN5sT8wY1uC"

    def paddle_sign(secret, ts, body, extra_secrets=()):
        hs = [hmac.new(s.encode(), f"{ts}:{body}".encode(), hashlib.sha256).hexdigest() for s in (*extra_secrets, secret)]
        return f"ts={ts};" + ";".join(f"h1={h}" for h in hs)

    def check(headers, body, secret):
        with library_clock():
            try:
                return PaddleVerifier().verify(PaddleRequest(headers, body), [PaddleSecret(secret)])
            except ConnectionRefusedError:  # the SDK raises when every secret fails
                return False

    hdr = lambda v: [("Content-Type", "application/json"), ("Paddle-Signature", v)]
    for i, body in enumerate(BODIES):
        with_variants(
            f"paddle-{i}", "paddle", secret, "https://example.com/paddle",
            hdr(paddle_sign(secret, NOW, body)), body, stale_headers=hdr(paddle_sign(secret, NOW - 3600, body)), check=check,
        )
        # Paddle rotating the secret: one h1 per active secret in the same header.
        two = hdr(paddle_sign(secret, NOW, body, extra_secrets=["pdl_ntfset_old_secret"]))
        assert check(two, body, secret)
        add(f"paddle-{i}-two-signatures", "paddle", [secret], "https://example.com/paddle", two, body, "valid")
    # 4 s late is inside the SDK's 5 s window; 6 s late is outside.
    body = BODIES[0]
    for late, expect, verdict in ((4, "valid", None), (6, "invalid", "expired")):
        h = hdr(paddle_sign(secret, NOW - late, body))
        assert check(h, body, secret) == (expect == "valid")
        add(f"paddle-{late}s-late", "paddle", [secret], "https://example.com/paddle", h, body, expect, verdict=verdict)


def discord_fixtures():
    """discord-interactions verifies only (verify_key): Ed25519 over timestamp || body, signed
    here with PyNaCl (which the library uses) from a fixed seed; the 'secret' is the public key."""
    signing = nacl.signing.SigningKey(hashlib.sha256(b"hookloupe crosscheck discord seed").digest())
    public_key = signing.verify_key.encode().hex()

    def discord_sign(ts, body):
        return signing.sign(f"{ts}{body}".encode()).signature.hex()

    def check(headers, body, key):
        return discord_interactions.verify_key(
            body.encode(), hdr_get(headers, "X-Signature-Ed25519"), hdr_get(headers, "X-Signature-Timestamp"), key
        )

    hdr = lambda sig, ts: [("Content-Type", "application/json"), ("X-Signature-Ed25519", sig), ("X-Signature-Timestamp", str(ts))]
    with contextlib.redirect_stdout(io.StringIO()):  # verify_key prints the exception it swallows
        for i, body in enumerate(BODIES + ['{"type":1}']):
            with_variants(
                f"discord-{i}", "discord", public_key, "https://example.com/discord",
                hdr(discord_sign(NOW, body), NOW), body,
                stale_headers=hdr(discord_sign(NOW - 3600, body), NOW - 3600), check=check, stale_is_policy=True,
            )


def mailgun_fixtures():
    """mailgun (SecurityGuard.verify_webhook) verifies only: hex HMAC-SHA256 of timestamp || token,
    carried in the body. The event data is NOT covered, so changing it keeps the signature valid."""
    key = "mgsk-crosscheck-7c1e4b2a9f0d3e8c6b5a4f3e2d1c0b9a"
    parent_key = "mgsk-parent-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    token = "6b1c9f0e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d"

    def mg_sign(key, ts, token):
        return hmac.new(key.encode(), f"{ts}{token}".encode(), hashlib.sha256).hexdigest()

    def check(ts, token, sig, key):
        with library_clock():
            return mailgun.security.SecurityGuard.verify_webhook(key, token, ts, sig)

    def json_body(ts, token, sig, recipient="alice@example.com", parent=None):
        s = {"token": token, "timestamp": str(ts), "signature": sig}
        if parent:
            s["parent-signature"] = parent
        return json.dumps({"signature": s, "event-data": {"event": "delivered", "id": "CPgfbmQMTCKtHW6uIWtuVe", "recipient": recipient}})

    url = "https://example.com/mailgun"
    ct = [("Content-Type", "application/json")]
    sig = mg_sign(key, NOW, token)
    assert check(NOW, token, sig, key)
    body = json_body(NOW, token, sig)
    add("mailgun-json-valid", "mailgun", [key], url, ct, body, "valid")
    add("mailgun-json-rotation", "mailgun", ["not-the-secret-0000000000", key], url, ct, body, "valid")
    # Event data changed: the signature does not cover it, and the library agrees (it never sees it).
    add("mailgun-json-event-data-changed-valid", "mailgun", [key], url, ct, json_body(NOW, token, sig, recipient="mallory@example.com"), "valid")
    # Token changed: covered.
    bad_token = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert not check(NOW, bad_token, sig, key)
    add("mailgun-json-tampered-token", "mailgun", [key], url, ct, json_body(NOW, bad_token, sig), "invalid", verdict="invalid")
    assert not check(NOW, token, sig, wrong_secret(key))
    add("mailgun-json-wrong-secret", "mailgun", [wrong_secret(key)], url, ct, body, "invalid", verdict="invalid")
    stale_sig = mg_sign(key, NOW - 3600, token)
    assert mailgun.security.SecurityGuard.verify_webhook(key, token, NOW - 3600, stale_sig, max_age_seconds=0)
    assert not check(NOW - 3600, token, stale_sig, key)  # the library's own window is 900 s
    add("mailgun-json-stale", "mailgun", [key], url, ct, json_body(NOW - 3600, token, stale_sig), "invalid", verdict="expired")
    # Subaccount: `parent-signature` is the same construction with the parent account's key.
    psig = mg_sign(parent_key, NOW, token)
    assert check(NOW, token, psig, parent_key)
    add("mailgun-json-parent-signature-valid", "mailgun", [parent_key], url, ct, json_body(NOW, token, sig, parent=psig), "valid")
    # Legacy form-encoded webhook: top-level timestamp / token / signature fields.
    form = urlencode({"event": "delivered", "recipient": "alice@example.com", "timestamp": str(NOW), "token": token, "signature": sig})
    fct = [("Content-Type", "application/x-www-form-urlencoded")]
    add("mailgun-form-valid", "mailgun", [key], url, fct, form, "valid")
    add("mailgun-form-tampered-token", "mailgun", [key], url, fct, form.replace(token, bad_token), "invalid", verdict="invalid")
    add("mailgun-form-wrong-secret", "mailgun", [wrong_secret(key)], url, fct, form, "invalid", verdict="invalid")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for f in (
        stripe_fixtures,
        standard_webhooks_fixtures,
        svix_fixtures,
        slack_fixtures,
        twilio_fixtures,
        hubspot_fixtures,
        square_fixtures,
        paddle_fixtures,
        discord_fixtures,
        mailgun_fixtures,
    ):
        f()
    for fx in fixtures:
        with open(os.path.join(out, fx["name"] + ".json"), "w", encoding="utf-8") as fh:
            json.dump(fx, fh, indent=1, ensure_ascii=False)
    print(f"crosscheck: wrote {len(fixtures)} fixtures to {out}")


if __name__ == "__main__":
    main()
