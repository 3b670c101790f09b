#!/usr/bin/env python3
"""Reverse cross-check: Hookloupe SIGNS, the providers' own PyPI libraries VERIFY.

The forward cross-check (crosscheck.py) has the libraries sign or verify requests that
`hookloupe verify --request` must agree with. This one goes the other way, for every scheme
whose library can verify: an unsigned request (the same kinds of bodies, including a non-ASCII
one; form bodies for Slack and Twilio; URLs with `public_url` for the URL-signed schemes) is
signed by the REAL `hookloupe sign` binary (a subprocess, `--now` pinned), then the provider's
library must accept the signed request, and reject it once one body byte is changed. Library
clocks are pinned to the same instant, the way crosscheck.py pins them.

Not here: Discord and Paybox RSA (only the sender holds the private key: `hookloupe sign`
refuses them, which is checked); the npm libraries (GitHub, Linear, Shopify, Zoom),
which are in npm/reverse.mjs.

Prints one line per check and exits 1 listing every failure, including a scheme that no check
exercised.

Usage: python3 reverse.py HOOKLOUPE_BIN       (the venv of crosscheck.py: requirements.txt)
"""

import base64
import contextlib
import importlib.metadata
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import types
from datetime import datetime
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

import mailgun.security
import slack_sdk.signature
import square.utils.webhooks_helper
import standardwebhooks.webhooks
import stripe
import stripe._webhook  # stripe imports it lazily; its clock is pinned below
import svix.webhooks
from hubspot.exceptions import InvalidSignatureTimestampError
from hubspot.utils.signature import Signature as HubSpotSignature
from paddle_billing.Notifications import Secret as PaddleSecret
from paddle_billing.Notifications import Verifier as PaddleVerifier
from standardwebhooks.exceptions import WebhookVerificationError
from twilio.request_validator import RequestValidator, get_signature_algorithm

from crosscheck import BODIES, NOW, library_clock

# Every scheme with a PyPI library that verifies; a scheme no check reached is a failure.
EXPECTED = {
    "stripe", "standard_webhooks", "svix", "slack", "twilio", "hubspot_v1", "hubspot_v2",
    "hubspot_v3", "square", "paddle", "mailgun",
}

HOOKLOUPE = None
results = []  # (name, scheme, error or None)
exercised = set()


def version(dist):
    return f"{dist} {importlib.metadata.version(dist)}"


class Signed:
    """The request `hookloupe sign --json` printed (the capture shape)."""

    def __init__(self, out):
        self.method = out["method"]
        self.url = out["url"]
        self.headers = [(k, v) for k, v in out["headers"]]
        self.body = base64.b64decode(out["body_b64"])

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_dict(self):
        return {k: v for k, v in self.headers}

    def with_body(self, body):
        c = Signed.__new__(Signed)
        c.method, c.url, c.headers, c.body = self.method, self.url, list(self.headers), body
        return c


class CiDict(dict):
    """Header lookup that ignores case, as web frameworks provide it."""

    def __init__(self, pairs):
        super().__init__((k.lower(), v) for k, v in pairs)

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())


class MultiParams(dict):
    """Form parameters with repeated names, the Django `getlist` way twilio-python reads them."""

    def __init__(self, pairs):
        super().__init__()
        self._lists = {}
        for k, v in pairs:
            self._lists.setdefault(k, []).append(v)
            self[k] = v

    def getlist(self, key):
        return self._lists[key]


def hookloupe_sign(scheme, secrets, request, options=None, secret_index=0, message_id=None, token=None):
    args = [HOOKLOUPE, "sign", "--request", "-", "--scheme", scheme, "--now", str(NOW), "--json"]
    args += [f"--secret={s}" for s in secrets]  # `=`: a secret may start with `-`
    args += [f"--option={k}={v}" for k, v in (options or {}).items()]
    if secret_index:
        args += ["--secret-index", str(secret_index)]
    if message_id:
        args.append(f"--message-id={message_id}")
    if token:
        args.append(f"--token={token}")
    p = subprocess.run(args, input=json.dumps(request).encode(), capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"`hookloupe sign` exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    return Signed(json.loads(p.stdout))


def request(url, headers, body, method="POST"):
    body = body.encode("utf-8") if isinstance(body, str) else body
    return {"method": method, "url": url, "headers": [list(h) for h in headers], "body_b64": base64.b64encode(body).decode()}


def tamper_body(body):
    """One byte changed inside the payload: the first letter or digit after the first `:` or `=`,
    so JSON and form bodies stay well-formed and the library checks the signature, not the syntax."""
    starts = [i for i in (body.find(b":"), body.find(b"=")) if i >= 0]
    i = min(starts)
    while not chr(body[i]).isalnum():
        i += 1
    return body[:i] + (b"X" if body[i : i + 1] != b"X" else b"Y") + body[i + 1 :]


def check(name, scheme, library, req, verify, *, secrets, options=None, secret_index=0, message_id=None, token=None, tamper=None):
    """Sign `req` with `hookloupe sign`, then `verify(signed)` (the library) must be True, and
    False once `tamper(signed)` changed one body byte (default: tamper_body)."""
    exercised.add(scheme)
    try:
        signed = hookloupe_sign(scheme, secrets, req, options, secret_index, message_id, token)
        if not verify(signed):
            raise AssertionError(f"{library} REJECTS the request Hookloupe signed: {describe(signed)}")
        tampered = tamper(signed) if tamper else signed.with_body(tamper_body(signed.body))
        assert tampered.body != signed.body, "the tampered copy is identical"
        if verify(tampered):
            raise AssertionError(f"{library} accepts the request with one body byte changed")
    except Exception as e:  # noqa: BLE001 — every failure is reported, then the run fails
        detail = str(e) if isinstance(e, AssertionError) else "".join(traceback.format_exception_only(e)).strip()
        results.append((name, scheme, detail))
        print(f"FAIL reverse {name}: {detail}")
        return
    results.append((name, scheme, None))
    print(f"reverse {name}: accepted by {library}, tampered rejected")


def describe(signed):
    hs = ", ".join(f"{k}: {v}" for k, v in signed.headers)
    return f"{signed.method} {signed.url} [{hs}] body {signed.body[:120]!r}"


@contextlib.contextmanager
def clocks():
    """crosscheck.py's library_clock (Paddle, HubSpot, Mailgun) plus Stripe and Standard
    Webhooks / Svix, whose verifiers also read the wall clock."""

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(NOW, tz=tz)

    with (
        library_clock(),
        mock.patch.object(stripe._webhook, "time", types.SimpleNamespace(time=lambda: float(NOW))),
        mock.patch.object(standardwebhooks.webhooks, "datetime", FrozenDatetime),
    ):
        yield


JSON = ("Content-Type", "application/json")
FORM = ("Content-Type", "application/x-www-form-urlencoded")


def stripe_checks():
    secret = "whsec_crosscheck_4eC39HqLyjWDarjtT1zdp7dc"

    def verify(s):
        with clocks():
            try:
                # construct_event: the library's usual entry point, default 300 s tolerance.
                stripe.Webhook.construct_event(s.text, s.header("Stripe-Signature"), secret)
                return True
            except stripe.SignatureVerificationError:
                return False

    for i, body in enumerate(BODIES):
        check(f"stripe-{i}", "stripe", version("stripe"), request("https://example.com/stripe", [JSON], body), verify, secrets=[secret])
    # A captured delivery re-signed: the old Stripe-Signature is replaced; the second secret signs.
    old = [JSON, ("Stripe-Signature", "t=1700000000,v1=" + "0" * 64)]
    check(
        "stripe-resign-secret-index-1", "stripe", version("stripe"),
        request("https://example.com/stripe", old, BODIES[0]), verify,
        secrets=["whsec_rotated_out_000000000000000", secret], secret_index=1,
    )


def standard_webhooks_checks():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    def verify(s):
        with clocks():
            try:
                standardwebhooks.webhooks.Webhook(secret).verify(s.body, s.header_dict(), json_parse=False)
                return True
            except WebhookVerificationError:
                return False

    for i, body in enumerate(BODIES):
        check(
            f"standard-webhooks-{i}", "standard_webhooks", version("standardwebhooks"),
            request("https://example.com/sw", [JSON], body), verify, secrets=[secret], message_id=f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W{i}",
        )
    # The message id from the request's own webhook-id header (no --message-id).
    old = [JSON, ("webhook-id", "msg_fromheader0001"), ("webhook-timestamp", "1700000000"), ("webhook-signature", "v1,AAAA")]
    check("standard-webhooks-id-from-header", "standard_webhooks", version("standardwebhooks"), request("https://example.com/sw", old, BODIES[0]), verify, secrets=[secret])


def svix_checks():
    secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

    def verify(s):
        with clocks():
            try:
                svix.webhooks.Webhook(secret).verify(s.body, s.header_dict())
                return True
            except WebhookVerificationError:
                return False

    for i, body in enumerate(BODIES):
        check(
            f"svix-{i}", "svix", version("svix"), request("https://example.com/svix", [JSON], body), verify,
            secrets=[secret], message_id=f"msg_p5jXN8AQM9LWM0D4loKWxJek{i}",
        )
    # A Svix-powered sender using the webhook-* header names: re-signed in place.
    old = [JSON, ("webhook-id", "msg_webhookheaders01"), ("webhook-timestamp", "1700000000"), ("webhook-signature", "v1,AAAA")]
    check("svix-webhook-headers", "svix", version("svix"), request("https://example.com/svix", old, BODIES[1]), verify, secrets=[secret])


def slack_checks():
    secret = "8f742231b10e8888abcd99yyyzzz85a5"

    class Clock:
        def now(self):
            return float(NOW)

    def verify(s):
        v = slack_sdk.signature.SignatureVerifier(secret, clock=Clock())
        return v.is_valid(s.body, s.header("X-Slack-Request-Timestamp"), s.header("X-Slack-Signature"))

    form = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=caf%C3%A9+94070"
    for i, body in enumerate(BODIES + [form]):
        ct = FORM if body is form else JSON
        check(f"slack-{i}", "slack", version("slack_sdk"), request("https://example.com/slack", [ct], body), verify, secrets=[secret])


def twilio_checks():
    token = "12345678901234567890123456789012"
    lib = version("twilio")

    def verify_at(called_url):
        """`called_url(signed)`: the URL Twilio requested, as the receiving app reconstructs it."""

        def verify(s):
            algorithm = get_signature_algorithm(s.header("X-Twilio-Webhooks-Signature-Settings"))
            ct = (s.header("Content-Type") or "").split(";")[0].strip().lower()
            # Form callbacks: the decoded POST parameters; any other body: the raw text (bodySHA256).
            params = MultiParams(parse_qsl(s.text, keep_blank_values=True)) if ct == FORM[1] else s.text
            return RequestValidator(token).validate(called_url(s), params, s.header("X-Twilio-Signature"), algorithm)

        return verify

    as_received = verify_at(lambda s: s.url)

    def behind_proxy(public):
        # The proxy forwards the query Twilio sent (the configured one, plus bodySHA256 for JSON).
        def called(s):
            q = urlsplit(s.url).query
            if "?" not in public:
                return public + ("?" + q if q else "")
            # The configured URL has its own query: Twilio appends bodySHA256 to it.
            extra = [(k, v) for k, v in parse_qsl(q, keep_blank_values=True) if k == "bodySHA256"]
            return public + ("&" + urlencode(extra) if extra else "")

        return verify_at(called)

    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212", "Body": "Caf\u00e9 \u2014 \U0001F600"}
    form = urlencode(params)
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    check("twilio-form", "twilio", lib, request(url, [FORM], form), as_received, secrets=[token])
    repeated = form + "&MediaUrl=https%3A%2F%2Fa.example%2F2&MediaUrl=https%3A%2F%2Fa.example%2F1"
    check("twilio-form-repeated-params", "twilio", lib, request(url, [FORM], repeated), as_received, secrets=[token])
    settings = ("X-Twilio-Webhooks-Signature-Settings", "key=webhooks_sharedkey_crosscheck,algorithm=HMAC_SHA256")
    check("twilio-form-hmac-sha256", "twilio", lib, request(url, [FORM, settings], form), as_received, secrets=[token])
    local = "http://127.0.0.1:4665/twilio/sms?foo=1&bar=2"
    check(
        "twilio-form-public-url", "twilio", lib, request(local, [FORM], form), behind_proxy("https://mycompany.com/myapp.php"),
        secrets=[token], options={"public_url": "https://mycompany.com/myapp.php"},
    )
    for i, body in enumerate(BODIES):
        # JSON: Hookloupe adds bodySHA256 to the URL, the signature covers the URL only.
        check(f"twilio-json-{i}", "twilio", lib, request("https://mycompany.com/hook?x=1", [JSON], body), as_received, secrets=[token])
    check(
        "twilio-json-public-url", "twilio", lib, request("http://127.0.0.1:4665/twilio/hook", [JSON], BODIES[1]),
        behind_proxy("https://mycompany.com/hook"), secrets=[token], options={"public_url": "https://mycompany.com/hook"},
    )
    check(
        "twilio-json-public-url-with-query", "twilio", lib, request("http://127.0.0.1:4665/twilio/hook?foo=1", [JSON], BODIES[0]),
        behind_proxy("https://mycompany.com/hook?foo=1"), secrets=[token], options={"public_url": "https://mycompany.com/hook?foo=1"},
    )


HUBSPOT_DECODE = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


def hubspot_uri(url):
    """The v3 URI as HubSpot's docs say to rebuild it: these escapes decoded, others kept
    (hubspot-api-client leaves this to the caller)."""
    out, i = [], 0
    while i < len(url):
        esc = url[i : i + 3].upper()
        if url[i] == "%" and esc in HUBSPOT_DECODE:
            out.append(HUBSPOT_DECODE[esc])
            i += 3
        else:
            out.append(url[i])
            i += 1
    return "".join(out)


def hubspot_checks():
    secret = "5f3c2a1e-crss-chck-9d8e-7b6a5c4d3e2f"
    lib = version("hubspot-api-client")
    Sig = HubSpotSignature

    def v1(s):
        return Sig.is_valid(s.header("X-HubSpot-Signature"), secret, s.text, signature_version="v1")

    def v2_at(uri):
        return lambda s: Sig.is_valid(s.header("X-HubSpot-Signature"), secret, s.text, http_uri=uri or s.url, http_method=s.method, signature_version="v2")

    def v3_at(uri):
        def verify(s):
            with clocks():
                try:
                    return Sig.is_valid(
                        s.header("X-HubSpot-Signature-v3"), secret, s.text, hubspot_uri(uri or s.url), s.method, "v3", s.header("X-HubSpot-Request-Timestamp")
                    )
                except InvalidSignatureTimestampError:
                    return False

        return verify

    local = "http://127.0.0.1:4665/hubspot?portalId=62515"
    public = "https://example.com/hubspot?portalId=62515"
    for i, body in enumerate(BODIES):
        check(f"hubspot-v1-{i}", "hubspot_v1", lib, request("https://example.com/hubspot/v1", [JSON], body), v1, secrets=[secret])
        check(f"hubspot-v2-{i}", "hubspot_v2", lib, request("https://example.com/hubspot/v2?portalId=62515", [JSON], body), v2_at(None), secrets=[secret])
        check(f"hubspot-v3-{i}", "hubspot_v3", lib, request("https://example.com/hubspot/v3?portalId=62515", [JSON], body), v3_at(None), secrets=[secret])
    check("hubspot-v2-public-url", "hubspot_v2", lib, request(local, [JSON], BODIES[1]), v2_at(public), secrets=[secret], options={"public_url": public})
    check("hubspot-v3-public-url", "hubspot_v3", lib, request(local, [JSON], BODIES[1]), v3_at(public), secrets=[secret], options={"public_url": public})
    wire = "https://example.com/hubspot/v3?redirect=https%3A%2F%2Fapp.example.com%2Fcb%3Fa%3D1&q=caf%C3%A9%20x"
    check("hubspot-v3-encoded-uri", "hubspot_v3", lib, request(wire, [JSON], BODIES[0]), v3_at(None), secrets=[secret])
    check("hubspot-v3-get", "hubspot_v3", lib, request("https://example.com/hubspot/v3?portalId=62515&objectId=7", [], "", method="GET"), v3_at(None),
          secrets=[secret], tamper=lambda s: s.with_body(b"{}"))


def square_checks():
    key = "Ibxx_5AKakO-crosscheck-Dw"
    notification_url = "https://example.com/square/hook?merchant=MLEFBHHSJGVHD"
    lib = version("squareup")

    def verify_at(url):
        return lambda s: square.utils.webhooks_helper.verify_signature(
            request_body=s.text, signature_header=s.header("x-square-hmacsha256-signature"), signature_key=key, notification_url=url or s.url
        )

    bodies = BODIES + ['{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","data":{"note":"a \\u003e b \\u0026 c"}}']
    for i, body in enumerate(bodies):
        check(f"square-{i}", "square", lib, request(notification_url, [JSON], body), verify_at(None), secrets=[key])
    local = "http://127.0.0.1:4665/square/hook?merchant=MLEFBHHSJGVHD"
    check(
        "square-public-url", "square", lib, request(local, [JSON], BODIES[1]), verify_at(notification_url),
        secrets=[key], options={"public_url": notification_url},
    )


class PaddleRequest:
    def __init__(self, s):
        self.headers = CiDict(s.headers)
        self.body = s.body


def paddle_checks():
    secret = "pdl_ntfset_01hcrosscheck000000000000_Xk4rFz0bK7mQ2vN5sT8wY1uC"

    def verify(s):
        with clocks():
            try:
                return PaddleVerifier().verify(PaddleRequest(s), [PaddleSecret(secret)])
            except ConnectionRefusedError:  # the SDK raises when every secret fails
                return False

    for i, body in enumerate(BODIES):
        check(f"paddle-{i}", "paddle", version("paddle-python-sdk"), request("https://example.com/paddle", [JSON], body), verify, secrets=[secret])


def mailgun_checks():
    """The signature lives in the body and covers only timestamp + token: Hookloupe rewrites the
    body's `signature` block (JSON) or fields (form); the tampered copy changes one byte of the
    token in the body (a changed event-data byte stays valid, by Mailgun's design)."""
    key = "mgsk-crosscheck-7c1e4b2a9f0d3e8c6b5a4f3e2d1c0b9a"
    token = "6b1c9f0e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d"
    lib = version("mailgun")

    def fields(s):
        try:
            sig = json.loads(s.body)["signature"]
            return sig.get("timestamp"), sig.get("token"), sig.get("signature")
        except ValueError:
            f = dict(parse_qsl(s.text))
            return f.get("timestamp"), f.get("token"), f.get("signature")

    def verify(s):
        ts, tok, sig = fields(s)
        if not (ts and tok and sig):
            raise AssertionError(f"no timestamp/token/signature in the signed body: {s.body[:200]!r}")
        with clocks():
            return mailgun.security.SecurityGuard.verify_webhook(key, tok, ts, sig)

    def tamper_token(s):
        i = s.body.index(token.encode()) + 5
        return s.with_body(s.body[:i] + (b"0" if s.body[i : i + 1] != b"0" else b"1") + s.body[i + 1 :])

    event = {"event": "delivered", "id": "CPgfbmQMTCKtHW6uIWtuVe", "recipient": "alice@example.com", "message": {"headers": {"subject": "Caf\u00e9 \u2014 \U0001F600"}}}
    # JSON, token given with --token (no signature block yet).
    body = json.dumps({"event-data": event}, ensure_ascii=False)
    check("mailgun-json-token-option", "mailgun", lib, request("https://example.com/mailgun", [JSON], body), verify, secrets=[key], token=token, tamper=tamper_token)
    # JSON re-signed: a captured delivery's stale signature block; the token is reused.
    stale = json.dumps({"signature": {"token": token, "timestamp": "1700000000", "signature": "0" * 64}, "event-data": event}, ensure_ascii=False)
    check("mailgun-json-resign", "mailgun", lib, request("https://example.com/mailgun", [JSON], stale), verify, secrets=[key], tamper=tamper_token)
    # Legacy form-encoded webhook: top-level fields.
    form = urlencode({"event": "delivered", "recipient": "alice@example.com", "subject": "Caf\u00e9", "token": token})
    check("mailgun-form", "mailgun", lib, request("https://example.com/mailgun", [FORM], form), verify, secrets=[key], tamper=tamper_token)


def cannot_sign_refused():
    """Discord and Paybox RSA cannot be signed: the endpoint holds only the public key, so
    `hookloupe sign` must refuse them (exit 2, `cannot_sign`) rather than make something up."""
    for scheme, secret in (("discord", "ab" * 32), ("paybox", "-----BEGIN PUBLIC KEY-----")):
        p = subprocess.run(
            [HOOKLOUPE, "sign", "--request", "-", "--scheme", scheme, f"--secret={secret}", "--json"],
            input=json.dumps(request("https://example.com/hook", [JSON], '{"type":1}')).encode(),
            capture_output=True, timeout=60,
        )
        err = p.stderr.decode(errors="replace").strip()
        if p.returncode != 2 or '"cannot_sign"' not in err:
            results.append((f"{scheme}-cannot-sign", scheme, f"expected exit 2 with cannot_sign, got {p.returncode}: {err}"))
            print(f"FAIL reverse {scheme}-cannot-sign: exit {p.returncode}: {err}")
        else:
            print(f"reverse {scheme}: skipped, hookloupe refuses with cannot_sign (only the sender holds the private key)")


def main():
    global HOOKLOUPE
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    HOOKLOUPE = os.path.abspath(sys.argv[1])
    if not os.access(HOOKLOUPE, os.X_OK):
        sys.exit(f"reverse.py: {HOOKLOUPE} is not an executable")
    os.environ.pop("TEST_MODE", None)  # paddle-python-sdk turns its time check off under TEST_MODE
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["HOOKLOUPE_DATA_DIR"] = data_dir  # `sign` opens no database; belt and braces
        for f in (stripe_checks, standard_webhooks_checks, svix_checks, slack_checks, twilio_checks, hubspot_checks, square_checks, paddle_checks, mailgun_checks, cannot_sign_refused):
            with contextlib.redirect_stderr(io.StringIO()):  # the libraries' own warnings
                f()
    failures = [(n, e) for n, _, e in results if e]
    missing = sorted(EXPECTED - exercised)
    for scheme in missing:
        failures.append((scheme, "no check exercised this scheme"))
    ok = sum(1 for _, _, e in results if not e)
    print(f"reverse (PyPI): {ok} of {len(results)} checks passed over {len(exercised & EXPECTED)} schemes in {time.monotonic() - started:.1f} s", flush=True)
    if failures:
        print(f"reverse (PyPI): {len(failures)} FAILED:", file=sys.stderr)
        for n, e in failures:
            print(f"  {n}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
