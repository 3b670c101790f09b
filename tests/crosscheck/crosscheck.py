#!/usr/bin/env python3
"""Sign webhook requests with each provider's OWN library and write them as fixtures.

Each fixture is one JSON file in the capture shape that `hookloupe verify --request` reads
(method, url, headers as [name, value] pairs, body), plus what the Rust test needs to check it:
scheme, secrets, options, now (Unix seconds), expect ("valid" or "invalid"). For every genuine
request, tampered copies (one body byte changed, wrong secret, stale timestamp) are written too.

Usage: python3 crosscheck.py OUT_DIR
Needs: pip install -r tests/crosscheck/requirements.txt  (stripe standardwebhooks svix slack_sdk twilio)
The Rust side: HOOKLOUPE_CROSSCHECK_DIR=OUT_DIR cargo test -p hookloupe-tests --test it crosscheck
"""

import base64
import json
import os
import sys
from datetime import datetime, timezone
from urllib.parse import urlencode

import slack_sdk.signature
import standardwebhooks
import stripe
import svix.webhooks
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


def with_variants(name, scheme, secret, url, headers, body, options=None, stale_headers=None):
    add(f"{name}-valid", scheme, [secret], url, headers, body, "valid", options)
    add(f"{name}-rotation", scheme, ["not-the-secret-0000000000", secret], url, headers, body, "valid", options)
    add(f"{name}-tampered-body", scheme, [secret], url, headers, tamper(body), "invalid", options, verdict="invalid")
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    add(f"{name}-wrong-secret", scheme, [wrong], url, headers, body, "invalid", options, verdict="invalid")
    if stale_headers is not None:
        add(f"{name}-stale", scheme, [secret], url, stale_headers, body, "invalid", options, verdict="expired")


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


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for f in (stripe_fixtures, standard_webhooks_fixtures, svix_fixtures, slack_fixtures, twilio_fixtures):
        f()
    for fx in fixtures:
        with open(os.path.join(out, fx["name"] + ".json"), "w", encoding="utf-8") as fh:
            json.dump(fx, fh, indent=1, ensure_ascii=False)
    print(f"crosscheck: wrote {len(fixtures)} fixtures to {out}")


if __name__ == "__main__":
    main()
