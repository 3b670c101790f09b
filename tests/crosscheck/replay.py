#!/usr/bin/env python3
"""Replay cross-check: Hookloupe RE-SIGNS stored captures and SENDS them over real HTTP; the
providers' own PyPI libraries verify what arrives.

reverse.py checks what `hookloupe sign` prints; this one checks what `hookloupe replay --resign`
puts on the wire. Per scheme, in a fresh data directory:
1. `hookloupe endpoint add` with the scheme and its secret(s);
2. the real `hookloupe listen --port 0` receives a delivery that is stale or wrongly signed on
   purpose (a genuine signature an hour old where a library can make one, else a wrong one), so
   only re-signing can make it valid; the capture id comes from `x-hookloupe-capture-id`;
3. a target server in this script (http.server on 127.0.0.1, port 0) reads the raw body bytes and
   headers and answers 200 when the provider's library accepts them, 400 when not;
4. `hookloupe replay ID --to TARGET --resign` must exit 0 with the library's "valid", and the same
   replay without `--resign` must be rejected (400, exit 1). Some schemes also replay edited
   (`--body-file`, `--header`, `--remove-header`), rebased (`--keep-path`), with another secret
   (`--secret-index`) or a new message id (`--new-message-id`).
Library clocks are the real clock: replay signs at the moment of sending.

Not here: the npm libraries (GitHub, Shopify, Linear, Zoom), in npm/replay.mjs.

Prints one line per check and exits 1 listing every failure, including a scheme that no check
exercised.

Usage: python3 replay.py HOOKLOUPE_BIN       (the venv of crosscheck.py: requirements.txt)
"""

import contextlib
import hashlib
import http.client
import io
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import mailgun.security
import slack_sdk.signature
import square.utils.webhooks_helper
import standardwebhooks.webhooks
import stripe
import svix.webhooks
from hubspot.exceptions import InvalidSignatureTimestampError
from hubspot.utils.signature import Signature as HubSpotSignature
from paddle_billing.Notifications import Secret as PaddleSecret
from paddle_billing.Notifications import Verifier as PaddleVerifier
from standardwebhooks.exceptions import WebhookVerificationError
from twilio.request_validator import RequestValidator

from crosscheck import BODIES
from reverse import FORM, JSON, CiDict, MultiParams, Signed, describe, hubspot_uri, version

# Every scheme this file replays; a scheme no check reached is a failure.
EXPECTED = {
    "stripe", "standard_webhooks", "svix", "slack", "twilio", "hubspot_v1", "hubspot_v2",
    "hubspot_v3", "square", "paddle", "mailgun",
}
TIMEOUT = 15  # seconds, for every subprocess and HTTP call
# Checks that fail because of a Hookloupe bug not fixed yet: printed as KNOWN BUG, not counted.
# Once one passes, the run fails until it is removed from here.
KNOWN_BUGS = {}

HOOKLOUPE = None
results = []  # (name, scheme, error or None)
exercised = set()


class Received(Signed):
    """What the target server read off the wire (reverse.Signed's accessors)."""

    def __init__(self, method, url, headers, body):
        self.method, self.url, self.headers, self.body = method, url, headers, body


class Target:
    """The provider's receiving app: http.server on 127.0.0.1 port 0, in a thread. `verify(received)`
    is the provider's library; the answer is 200 when it returns True, else 400. Every request is
    recorded as (Received, accepted, error): error is an unexpected exception from the verifier."""

    def __init__(self, verify):
        self.verify = verify
        self.received = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = TIMEOUT  # the socket's: a stalled sender cannot hang the run

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                r = Received(self.command, f"http://{self.headers.get('Host')}{self.path}", list(self.headers.items()), body)
                try:
                    accepted, error = bool(target.verify(r)), None
                except Exception as e:  # noqa: BLE001 — a verifier bug is reported, not taken as a rejection
                    accepted, error = False, "".join(traceback.format_exception_only(e)).strip()
                target.received.append((r, accepted, error))
                reply = json.dumps({"valid": accepted}).encode()
                self.send_response(200 if accepted else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply)
                self.close_connection = True

            do_POST = do_GET = do_PUT = do_PATCH = handle_any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()  # shutdown waits one poll

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def hookloupe(data_dir, *args, stdin=None):
    p = subprocess.run([HOOKLOUPE, "--data-dir", data_dir, "--keyring", "off", *args], input=stdin, capture_output=True, timeout=TIMEOUT * 2)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace").strip()


def add_endpoint(data_dir, name, scheme, secrets, options=None):
    args = ["endpoint", "add", name, "--path", f"/{name}", "--scheme", scheme]
    args += [f"--secret={s}" for s in secrets]  # `=`: a secret may start with `-`
    args += [f"--option={k}={v}" for k, v in (options or {}).items()]
    rc, _, err = hookloupe(data_dir, *args)
    if rc != 0:
        raise AssertionError(f"`hookloupe endpoint add` exited {rc}: {err}")


@contextlib.contextmanager
def listener(data_dir):
    """The real `hookloupe listen --port 0`; yields its base URL; stopped by its PID."""
    p = subprocess.Popen(
        [HOOKLOUPE, "--data-dir", data_dir, "--keyring", "off", "listen", "--port", "0", "--json"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    lines = queue.Queue()

    def drain():  # keeps reading so the listener never blocks on a full stderr pipe
        for line in p.stderr:
            lines.put(line.decode(errors="replace"))
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline, seen = time.monotonic() + TIMEOUT, []
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"`hookloupe listen` printed no URL within {TIMEOUT} s: {''.join(seen)!r}") from None
            if line is None:
                raise AssertionError(f"`hookloupe listen` exited {p.wait(TIMEOUT)}: {''.join(seen)!r}")
            seen.append(line)
            m = re.search(r"Listening on (http://127\.0\.0\.1:\d+)", line)
            if m:
                break
        yield m.group(1)
    finally:
        p.terminate()
        try:
            p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(TIMEOUT)


def deliver(url, headers, body, method="POST"):
    """Sends the captured delivery to the listener; returns the capture id it answered with."""
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=TIMEOUT)
    try:
        conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=body.encode() if isinstance(body, str) else body, headers=dict(headers))
        res = conn.getresponse()
        res.read()
        cid = res.getheader("x-hookloupe-capture-id")
        if res.status != 200 or not cid:
            raise AssertionError(f"the listener answered {res.status} without a capture id")
        return cid
    finally:
        conn.close()


def replay(data_dir, capture_id, to, flags, stdin=None):
    """`hookloupe replay ID --to URL FLAGS --json`: (exit code, the attempt's JSON or None, stderr)."""
    rc, out, err = hookloupe(data_dir, "replay", capture_id, "--to", to, "--timeout", f"{TIMEOUT}s", "--json", *flags, stdin=stdin)
    lines = out.strip().splitlines()
    return rc, json.loads(lines[-1]) if lines else None, err


def fail(name, scheme, detail):
    results.append((name, scheme, detail))
    print(f"FAIL replay {name}: {detail}")


def replay_check(name, scheme, library, ctx, flags, *, to=None, accepted=True, stdin=None, target=None, inspect=None):
    """Replays the capture with `flags` to `to` (default: the target's URL + the endpoint path).
    accepted=True: the library must accept what arrived and replay must exit 0; False: the library
    must reject it (the target answers 400) and replay must exit 1. `inspect(received, attempt)`
    checks more (what arrived, warnings) and raises AssertionError."""
    exercised.add(scheme)
    target = target or ctx["target"]
    to = to or target.url + ctx["path"]
    try:
        target.received.clear()
        rc, attempt, err = replay(ctx["dir"], ctx["id"], to, flags, stdin)
        if rc == 2 or len(target.received) != 1:
            raise AssertionError(f"`hookloupe replay` exited {rc} and {len(target.received)} request(s) arrived: {err}")
        r, ok, error = target.received[0]
        if error:
            raise AssertionError(f"the verifier raised {error} on: {describe(r)}")
        if accepted and not ok:
            raise AssertionError(f"{library} REJECTS the replay: {describe(r)}")
        if not accepted and ok:
            raise AssertionError(f"{library} ACCEPTS the replay sent as captured: {describe(r)}")
        if rc != (0 if accepted else 1) or attempt.get("status") != (200 if accepted else 400):
            raise AssertionError(f"`hookloupe replay` exited {rc} with status {attempt.get('status')} (expected {0 if accepted else 1}): {err}")
        if inspect:
            inspect(r, attempt)
    except Exception as e:  # noqa: BLE001 — every failure is reported, then the run fails
        detail = str(e) if isinstance(e, AssertionError) else "".join(traceback.format_exception_only(e)).strip()
        if name in KNOWN_BUGS:
            print(f"KNOWN BUG replay {name}: {KNOWN_BUGS[name]}: {detail}")
        else:
            fail(name, scheme, detail)
        return
    if name in KNOWN_BUGS:
        fail(name, scheme, f"passes now: remove it from KNOWN_BUGS ({KNOWN_BUGS[name]})")
        return
    results.append((name, scheme, None))
    how = " ".join("FILE" if os.path.isabs(f) else f for f in flags) or "as captured"
    if accepted:
        print(f"replay {name}: {how}, accepted by {library} over HTTP (200, exit 0)")
    else:
        print(f"replay {name}: {how}, rejected by {library} over HTTP (400, exit 1)")


@contextlib.contextmanager
def captured(name, scheme, verify, *, secrets, headers, body, options=None, suffix="", method="POST"):
    """A fresh data dir with endpoint `name` (path /name), the stale delivery captured at
    /name + suffix by the real listener, and a target server running `verify`. Yields the
    context replay_check takes, or None after reporting a setup failure."""
    with tempfile.TemporaryDirectory(prefix="hookloupe-replay-") as data_dir:
        try:
            add_endpoint(data_dir, name, scheme, secrets, options)
            with listener(data_dir) as url:
                cid = deliver(url + f"/{name}" + suffix, headers, body, method)
        except Exception as e:  # noqa: BLE001
            exercised.add(scheme)
            fail(f"{name}-capture", scheme, str(e) if isinstance(e, AssertionError) else "".join(traceback.format_exception_only(e)).strip())
            yield None
            return
        with Target(verify) as target:
            yield {"dir": data_dir, "id": cid, "path": f"/{name}" + suffix, "target": target}


def both(name, scheme, library, ctx):
    """The two checks every scheme gets: re-signed → accepted; as captured → rejected."""
    replay_check(f"{name}-resign", scheme, library, ctx, ["--resign"])
    replay_check(f"{name}-as-captured", scheme, library, ctx, [], accepted=False)


def header_is(name, value):
    def inspect(r, _):
        if r.header(name) != value:
            raise AssertionError(f"{name} arrived as {r.header(name)!r}, expected {value!r}")

    return inspect


def body_is(body):
    def inspect(r, _):
        if r.body != body:
            raise AssertionError(f"the body arrived as {r.body[:120]!r}, expected {body[:120]!r}")

    return inspect


def path_is(path):
    def inspect(r, _):
        if urlsplit(r.url).path + (f"?{urlsplit(r.url).query}" if urlsplit(r.url).query else "") != path:
            raise AssertionError(f"arrived at {r.url}, expected the path {path}")

    return inspect


def warned(code):
    def inspect(_, attempt):
        codes = [w["code"] for w in attempt.get("warnings", [])]
        if code not in codes:
            raise AssertionError(f"no {code} warning (warnings: {codes})")

    return inspect


HOUR_AGO = lambda: int(time.time()) - 3600  # noqa: E731


def stripe_replays():
    secret, new = "whsec_crosscheck_4eC39HqLyjWDarjtT1zdp7dc", "whsec_crosscheck_rotated_in_9f8e7d6c5b4a"
    lib = version("stripe")

    def verify_with(key):
        def verify(r):
            try:
                stripe.Webhook.construct_event(r.text, r.header("Stripe-Signature"), key)  # default 300 s tolerance
                return True
            except stripe.SignatureVerificationError:
                return False

        return verify

    # A genuine delivery, an hour old: only its age makes it invalid.
    stale = stripe.WebhookSignature.generate_signature_header(BODIES[0], secret, timestamp=HOUR_AGO())
    hdr = [JSON, ("Stripe-Signature", stale)]
    with captured("stripe", "stripe", verify_with(secret), secrets=[secret, new], headers=hdr, body=BODIES[0]) as ctx:
        if not ctx:
            return
        replay_check("stripe-resign", "stripe", lib, ctx, ["--resign"], inspect=body_is(BODIES[0].encode()))
        replay_check("stripe-as-captured", "stripe", lib, ctx, [], accepted=False, inspect=warned("stale_signature"))
        edited = BODIES[1].encode()
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(edited)
            f.flush()
            replay_check("stripe-edited-body", "stripe", lib, ctx, ["--body-file", f.name, "--resign"], inspect=body_is(edited))
            replay_check("stripe-edited-body-not-resigned", "stripe", lib, ctx, ["--body-file", f.name], accepted=False)
        t = ctx["target"]
        replay_check("stripe-keep-path", "stripe", lib, ctx, ["--keep-path", "--resign"], to=t.url + "/base", inspect=path_is("/base/stripe"))
        with Target(verify_with(new)) as t2:
            replay_check("stripe-secret-index-1", "stripe", lib, ctx, ["--resign", "--secret-index", "1"], target=t2)
            replay_check("stripe-secret-index-0-other-key", "stripe", lib, ctx, ["--resign"], target=t2, accepted=False)


def standard_webhooks_replays():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    lib = version("standardwebhooks")
    msg_id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"

    def verify(r):
        try:
            standardwebhooks.webhooks.Webhook(secret).verify(r.body, r.header_dict(), json_parse=False)
            return True
        except WebhookVerificationError:
            return False

    ts = HOUR_AGO()
    sig = standardwebhooks.webhooks.Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), BODIES[1])
    hdr = [JSON, ("webhook-id", msg_id), ("webhook-timestamp", str(ts)), ("webhook-signature", sig)]
    with captured("sw", "standard_webhooks", verify, secrets=[secret], headers=hdr, body=BODIES[1]) as ctx:
        if not ctx:
            return
        replay_check("standard-webhooks-resign", "standard_webhooks", lib, ctx, ["--resign"], inspect=header_is("webhook-id", msg_id))
        replay_check("standard-webhooks-as-captured", "standard_webhooks", lib, ctx, [], accepted=False, inspect=warned("stale_signature"))

        def new_id(r, _):
            if not r.header("webhook-id") or r.header("webhook-id") == msg_id:
                raise AssertionError(f"webhook-id arrived as {r.header('webhook-id')!r}: not a new message id")

        replay_check("standard-webhooks-new-message-id", "standard_webhooks", lib, ctx, ["--resign", "--new-message-id"], inspect=new_id)
        edited = BODIES[0].encode()
        replay_check("standard-webhooks-body-stdin", "standard_webhooks", lib, ctx, ["--body-file", "-", "--resign"], stdin=edited, inspect=body_is(edited))


def svix_replays():
    secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

    def verify(r):
        try:
            svix.webhooks.Webhook(secret).verify(r.body, r.header_dict())
            return True
        except WebhookVerificationError:
            return False

    hdr = [JSON, ("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("svix-timestamp", str(HOUR_AGO())), ("svix-signature", "v1,AAAA")]
    with captured("svix", "svix", verify, secrets=[secret], headers=hdr, body=BODIES[0]) as ctx:
        if ctx:
            both("svix", "svix", version("svix"), ctx)


def slack_replays():
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    lib = version("slack_sdk")

    def verify(r):
        v = slack_sdk.signature.SignatureVerifier(secret)  # the real clock, 5 min window
        return v.is_valid(r.body, r.header("X-Slack-Request-Timestamp"), r.header("X-Slack-Signature"))

    form = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=caf%C3%A9+94070"
    ts = str(HOUR_AGO())
    sig = slack_sdk.signature.SignatureVerifier(secret).generate_signature(timestamp=ts, body=form)
    hdr = [FORM, ("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig), ("X-Slack-Retry-Num", "1")]
    with captured("slack", "slack", verify, secrets=[secret], headers=hdr, body=form) as ctx:
        if not ctx:
            return
        replay_check("slack-resign", "slack", lib, ctx, ["--resign"], inspect=body_is(form.encode()))
        replay_check("slack-as-captured", "slack", lib, ctx, [], accepted=False, inspect=warned("stale_signature"))

        def edited_headers(r, _):
            if r.header("X-Slack-Retry-Num") is not None or r.header("X-Replayed-By") != "hookloupe":
                raise AssertionError(f"headers not edited as asked: {r.headers}")

        replay_check(
            "slack-edited-headers", "slack", lib, ctx,
            ["--remove-header", "X-Slack-Retry-Num", "--header", "X-Replayed-By: hookloupe", "--resign"], inspect=edited_headers,
        )


def twilio_replays():
    """Signed over the URL the request arrives at: the target's, then the rebased one."""
    token = "12345678901234567890123456789012"
    lib = version("twilio")

    def verify(r):
        ct = (r.header("Content-Type") or "").split(";")[0].strip().lower()
        params = MultiParams(parse_qsl(r.text, keep_blank_values=True)) if ct == FORM[1] else r.text
        return RequestValidator(token).validate(r.url, params, r.header("X-Twilio-Signature"))

    form = urlencode({"CallSid": "CA1234567890ABCDE", "From": "+12349013030", "To": "+18005551212", "Body": "Caf\u00e9 \u2014 \U0001F600"})
    hdr = [FORM, ("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    with captured("twilio", "twilio", verify, secrets=[token], headers=hdr, body=form, suffix="/sms?foo=1&bar=2",
                  options={"public_url": "https://mycompany.com/myapp.php?foo=1&bar=2"}) as ctx:
        if not ctx:
            return
        both("twilio-form", "twilio", lib, ctx)
        t = ctx["target"]
        replay_check("twilio-form-keep-path", "twilio", lib, ctx, ["--keep-path", "--resign"], to=t.url + "/base", inspect=path_is("/base/twilio/sms?foo=1&bar=2"))
    # JSON: the signature covers the URL, whose bodySHA256 parameter covers the body. Captured with
    # the right bodySHA256 and a wrong signature; re-signing a changed body must update both.
    sha = hashlib.sha256(BODIES[1].encode()).hexdigest()
    hdr = [JSON, ("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    with captured("twilio", "twilio", verify, secrets=[token], headers=hdr, body=BODIES[1], suffix=f"/hook?x=1&bodySHA256={sha}") as ctx:
        if not ctx:
            return
        both("twilio-json", "twilio", lib, ctx)

        def body_sha(r, _):
            sums = [v for k, v in parse_qsl(urlsplit(r.url).query) if k == "bodySHA256"]
            if sums != [hashlib.sha256(r.body).hexdigest()]:
                raise AssertionError(f"the URL it arrived at does not carry one bodySHA256 of the body sent: {r.url}")

        replay_check("twilio-json-keep-path", "twilio", lib, ctx, ["--keep-path", "--resign"], to=ctx["target"].url, inspect=body_sha)
        edited, base = BODIES[0].encode(), ctx["target"].url
        replay_check("twilio-json-edited-body", "twilio", lib, ctx, ["--body-file", "-", "--resign"], to=base + "/twilio/hook?x=1", stdin=edited, inspect=body_sha)
        # The capture's query carries the bodySHA256 of the body it came with (KNOWN_BUGS).
        replay_check("twilio-json-edited-body-keep-path", "twilio", lib, ctx, ["--keep-path", "--body-file", "-", "--resign"], to=base, stdin=edited, inspect=body_sha)


def hubspot_replays():
    secret = "5f3c2a1e-crss-chck-9d8e-7b6a5c4d3e2f"
    lib = version("hubspot-api-client")
    Sig = HubSpotSignature

    def v1(r):
        return Sig.is_valid(r.header("X-HubSpot-Signature"), secret, r.text, signature_version="v1")

    def v2(r):
        return Sig.is_valid(r.header("X-HubSpot-Signature"), secret, r.text, http_uri=r.url, http_method=r.method, signature_version="v2")

    def v3(r):
        try:
            return Sig.is_valid(r.header("X-HubSpot-Signature-v3"), secret, r.text, hubspot_uri(r.url), r.method, "v3", r.header("X-HubSpot-Request-Timestamp"))
        except InvalidSignatureTimestampError:
            return False

    wrong = "0" * 64
    with captured("hubspot1", "hubspot_v1", v1, secrets=[secret], headers=[JSON, ("X-HubSpot-Signature", wrong)], body=BODIES[0]) as ctx:
        if ctx:
            both("hubspot-v1", "hubspot_v1", lib, ctx)
    with captured("hubspot2", "hubspot_v2", v2, secrets=[secret], headers=[JSON, ("X-HubSpot-Signature", wrong)], body=BODIES[1], suffix="?portalId=62515") as ctx:
        if ctx:
            both("hubspot-v2", "hubspot_v2", lib, ctx)
    hdr = [JSON, ("X-HubSpot-Signature-v3", "A" * 43 + "="), ("X-HubSpot-Request-Timestamp", str(HOUR_AGO() * 1000))]
    with captured("hubspot3", "hubspot_v3", v3, secrets=[secret], headers=hdr, body=BODIES[1], suffix="?portalId=62515&redirect=https%3A%2F%2Fa.example%2Fcb") as ctx:
        if not ctx:
            return
        both("hubspot-v3", "hubspot_v3", lib, ctx)
        t = ctx["target"]
        replay_check(
            "hubspot-v3-keep-path", "hubspot_v3", lib, ctx, ["--keep-path", "--resign"], to=t.url + "/base/",
            inspect=path_is("/base/hubspot3?portalId=62515&redirect=https%3A%2F%2Fa.example%2Fcb"),
        )


def square_replays():
    key = "Ibxx_5AKakO-crosscheck-Dw"

    def verify(r):
        return square.utils.webhooks_helper.verify_signature(
            request_body=r.text, signature_header=r.header("x-square-hmacsha256-signature"), signature_key=key, notification_url=r.url
        )

    hdr = [JSON, ("x-square-hmacsha256-signature", "A" * 43 + "=")]
    with captured("square", "square", verify, secrets=[key], headers=hdr, body=BODIES[0], suffix="/hook?merchant=MLEFBHHSJGVHD",
                  options={"public_url": "https://example.com/square/hook?merchant=MLEFBHHSJGVHD"}) as ctx:
        if not ctx:
            return
        both("square", "square", version("squareup"), ctx)
        replay_check("square-keep-path", "square", version("squareup"), ctx, ["--keep-path", "--resign"], to=ctx["target"].url + "/base",
                     inspect=path_is("/base/square/hook?merchant=MLEFBHHSJGVHD"))


class PaddleRequest:
    def __init__(self, r):
        self.headers = CiDict(r.headers)
        self.body = r.body


def paddle_replays():
    secret = "pdl_ntfset_01hcrosscheck000000000000_Xk4rFz0bK7mQ2vN5sT8wY1uC"

    def verify(r):
        try:
            return PaddleVerifier().verify(PaddleRequest(r), [PaddleSecret(secret)])  # 5 s drift allowed
        except ConnectionRefusedError:  # the SDK raises when every secret fails
            return False

    hdr = [JSON, ("Paddle-Signature", f"ts={HOUR_AGO()};h1={'0' * 64}")]
    with captured("paddle", "paddle", verify, secrets=[secret], headers=hdr, body=BODIES[1]) as ctx:
        if ctx:
            both("paddle", "paddle", version("paddle-python-sdk"), ctx)


def mailgun_replays():
    """The signature is in the body: re-signing rewrites its `signature` block."""
    key = "mgsk-crosscheck-7c1e4b2a9f0d3e8c6b5a4f3e2d1c0b9a"
    token = "6b1c9f0e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d"

    def verify(r):
        sig = json.loads(r.body)["signature"]
        try:
            return mailgun.security.SecurityGuard.verify_webhook(key, sig["token"], sig["timestamp"], sig["signature"])
        except ValueError:  # a timestamp out of bounds
            return False

    event = {"event": "delivered", "id": "CPgfbmQMTCKtHW6uIWtuVe", "recipient": "alice@example.com", "message": {"headers": {"subject": "Caf\u00e9 \u2014 \U0001F600"}}}
    stale = json.dumps({"signature": {"token": token, "timestamp": str(HOUR_AGO()), "signature": "0" * 64}, "event-data": event}, ensure_ascii=False)
    with captured("mailgun", "mailgun", verify, secrets=[key], headers=[JSON], body=stale) as ctx:
        if ctx:
            both("mailgun", "mailgun", version("mailgun"), ctx)


def main():
    global HOOKLOUPE
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    HOOKLOUPE = os.path.abspath(sys.argv[1])
    if not os.access(HOOKLOUPE, os.X_OK):
        sys.exit(f"replay.py: {HOOKLOUPE} is not an executable")
    os.environ.pop("TEST_MODE", None)  # paddle-python-sdk turns its time check off under TEST_MODE
    os.environ.pop("HOOKLOUPE_DATA_DIR", None)  # every call passes its own --data-dir
    started = time.monotonic()
    for f in (stripe_replays, standard_webhooks_replays, svix_replays, slack_replays, twilio_replays, hubspot_replays, square_replays, paddle_replays, mailgun_replays):
        with contextlib.redirect_stderr(io.StringIO()):  # the libraries' own warnings
            f()
    failures = [(n, e) for n, _, e in results if e]
    missing = sorted(EXPECTED - exercised)
    for scheme in missing:
        failures.append((scheme, "no check exercised this scheme"))
    ok = sum(1 for _, _, e in results if not e)
    print(f"replay (PyPI): {ok} of {len(results)} checks passed over {len(exercised & EXPECTED)} schemes in {time.monotonic() - started:.1f} s", flush=True)
    if failures:
        print(f"replay (PyPI): {len(failures)} FAILED:", file=sys.stderr)
        for n, e in failures:
            print(f"  {n}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
