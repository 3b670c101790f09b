#!/usr/bin/env python3
"""Test vectors for the field-built and JWT providers of the catalog
(src-tauri/core/src/signature/providers/fields_and_jwt.toml), made and checked independently
of Hookloupe's Rust code with the standard library and `cryptography`.

- Adyen publishes example keys and signatures in its official library's tests
  (Adyen/adyen-node-api-library `src/__tests__/hmacValidator.spec.ts`): this script checks
  them the way the catalog entry says (HMAC-SHA256, hex-decoded key, 8 fields joined by `:`,
  base64), and the Banking/Management webhook (HMAC of the raw body) likewise.
- Plivo's SDKs test V2 with one example (plivo-python `tests/resources/test_signature.py`,
  plivo-node `test/utils.js`); V3 has none, so V3 vectors are signed here as
  `plivo.utils.signature_v3` builds the URL.
- Contentful, Hygraph, FusionAuth, Wix and monday.com publish no example signed with a known
  key: the script signs realistic deliveries the way their official libraries verify them
  (`@contentful/node-apps-toolkit` `signRequest`, `@hygraph/utils`
  `generateWebhookSignature`, FusionAuth's signing docs, Wix's JWT docs, monday.com's
  authorization-header docs). JWTs with a public key use the repository's RSA test key.

Everything is deterministic, so a rerun prints the same TOML. Run from the repository root:

    python3 tests/crosscheck/fields_and_jwt_vectors.py            # check, then print [[provider.vector]] tables
    python3 tests/crosscheck/fields_and_jwt_vectors.py --json     # the vectors as JSON, for the npm cross-check

Cross-check with the providers' own libraries (outside the repository, e.g. in /tmp):

    npm install @contentful/node-apps-toolkit @hygraph/utils plivo jsonwebtoken @adyen/api-library
    python3 tests/crosscheck/fields_and_jwt_vectors.py --json > v.json
    NODE_PATH=$PWD/node_modules node tests/crosscheck/fields_and_jwt_check.mjs v.json   # every line AGREE
    pip install plivo && python3 tests/crosscheck/fields_and_jwt_vectors.py --plivo-sdk
"""

import base64
import hashlib
import hmac
import json
import pathlib
import sys
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = pathlib.Path(__file__).resolve().parents[2]
RSA_TEST_KEY = ROOT / "src-tauri/core/src/signature/testdata/paybox_test_private.pem"


def b64(b):
    return base64.b64encode(b).decode()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def hmac256(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


# --- Adyen ---------------------------------------------------------------------------------

ADYEN_KEY = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00"
ADYEN_FIELDS = ["pspReference", "originalReference", "merchantAccountCode", "merchantReference",
                "amount.value", "amount.currency", "eventCode", "success"]


def adyen_data(item):
    def get(path):
        v = item
        for k in path.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        return "" if v is None else (("true" if v else "false") if isinstance(v, bool) else str(v))
    return ":".join(get(f) for f in ADYEN_FIELDS)


def adyen_item(event_code, sig):
    return {"NotificationRequestItem": {
        "additionalData": {"hmacSignature": sig},
        "amount": {"currency": "EUR", "value": 1000},
        "eventCode": event_code,
        "eventDate": "2019-09-21T11:45:24.637Z",
        "merchantAccountCode": "merchantAccount",
        "merchantReference": "reference",
        "originalReference": "originalReference",
        "paymentMethod": "VISA",
        "pspReference": "pspReference",
        "reason": "reason",
        "success": "true",
    }}


def adyen():
    out = []
    for code, sig, note in [
        ("REPORT_AVAILABLE", "ZNBPtI+oDyyRrLyD1XirkKnQgIAlFc07Vj27TeHsDRE=", "'should have valid hmac'"),
        ("EVENT", "ipnxGCaUZ4l8TUW75a71/ghd2Fe5ffvX0pV4TLTntIc=", "'should have valid notification request item HMAC'"),
    ]:
        item = adyen_item(code, sig)
        data = adyen_data(item["NotificationRequestItem"])
        check(f"adyen {code} data", data == f"pspReference:originalReference:merchantAccount:reference:1000:EUR:{code}:true")
        check(f"adyen {code}", b64(hmac256(bytes.fromhex(ADYEN_KEY), data.encode())) == sig)
        out.append(vector(f"Adyen/adyen-node-api-library src/__tests__/hmacValidator.spec.ts, {note} (key and signature from the test)",
                          ADYEN_KEY, 1764000000, [["Content-Type", "application/json"]],
                          compact({"live": "false", "notificationItems": [item]})))
    bad = adyen_item("EVENT", "notValidSign")
    out.append(vector("hmacValidator.spec.ts, the same item with `notValidSign` as its signature", ADYEN_KEY, 1764000000,
                      [["Content-Type", "application/json"]], compact({"live": "false", "notificationItems": [bad]}), "invalid"))
    return out


ADYEN_PLATFORM_KEY = "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB"
ADYEN_PLATFORM_SIG = "UVBzHbDayhfT1XgaRGAkuKvxwoxrLoVCBdfi3WZU8lI="


def adyen_platform(mock_body):
    check("adyen platform (banking) vector", b64(hmac256(bytes.fromhex(ADYEN_PLATFORM_KEY), mock_body.encode())) == ADYEN_PLATFORM_SIG)
    headers = [["Content-Type", "application/json"], ["HmacSignature", ADYEN_PLATFORM_SIG], ["Protocol", "HmacSHA256"]]
    return [
        vector("Adyen/adyen-node-api-library hmacValidator.spec.ts, 'should validate Banking webhook correctly' (src/__mocks__/notification/accountHolderCreated.json)",
               ADYEN_PLATFORM_KEY, 1764000000, headers, mock_body),
        vector("the same delivery checked with the Payments test key of the same spec", ADYEN_KEY, 1764000000, headers, mock_body, "invalid"),
    ]


# --- Contentful ----------------------------------------------------------------------------

CONTENTFUL_SECRET = "hookloupe-contentful-example-secret-0123456789abcdef0123456789ab"
assert len(CONTENTFUL_SECRET) == 64


def js_escape(s, keep):
    return "".join(c if (c.isascii() and c.isalnum()) or c in keep else "".join(f"%{b:02X}" for b in c.encode()) for c in s)


def contentful_path(uri):
    parts = uri.split("?")
    pathname, search = parts[0], (parts[1] if len(parts) > 1 else "")
    escaped = js_escape(search, "-_.!~*'()")
    return js_escape(f"{pathname}?{escaped}" if escaped else pathname, "-_.!~*'();,/?:@&=+$#")


def contentful_sign(method, path, headers, body, ts):
    """@contentful/node-apps-toolkit signRequest: returns the three headers it adds."""
    h = {k.lower().strip(): v.strip() for k, v in headers.items()}
    names = sorted(set(h) | {"x-contentful-signed-headers", "x-contentful-timestamp"})
    h["x-contentful-timestamp"] = str(ts)
    h["x-contentful-signed-headers"] = ",".join(names)
    joined = ";".join(f"{k}:{h[k]}" for k in sorted(h))
    msg = "\n".join([method, contentful_path(path), joined, body])
    return {
        "x-contentful-signature": hmac.new(CONTENTFUL_SECRET.encode(), msg.encode(), hashlib.sha256).hexdigest(),
        "x-contentful-signed-headers": h["x-contentful-signed-headers"],
        "x-contentful-timestamp": str(ts),
    }


CONTENTFUL_BODY = compact({"metadata": {"tags": []}, "sys": {"type": "Entry", "id": "5KsDBWseXY6QegucYAoacS", "space": {"sys": {"type": "Link", "linkType": "Space", "id": "yadj1kx9rmg0"}}, "environment": {"sys": {"id": "master", "type": "Link", "linkType": "Environment"}}, "contentType": {"sys": {"type": "Link", "linkType": "ContentType", "id": "post"}}, "revision": 3, "createdAt": "2025-11-24T15:59:50.000Z", "updatedAt": "2025-11-24T16:00:00.000Z"}, "fields": {"title": {"en-US": "Hello, Hookloupe"}}})


def contentful():
    out = []
    cases = [
        ("POST", "/webhooks/contentful", {"X-Contentful-Topic": "ContentManagement.Entry.publish", "X-Contentful-Webhook-Name": "Hookloupe"}, CONTENTFUL_BODY, 1764000000123),
        ("POST", "/webhooks/contentful?env=master&hook=a%20b", {"X-Contentful-Topic": "ContentManagement.Entry.publish", "X-Contentful-CRN": "crn:contentful:::content:spaces/yadj1kx9rmg0/environments/master/entries/5KsDBWseXY6QegucYAoacS"}, CONTENTFUL_BODY, 1764000000456),
    ]
    for method, path, extra, body, ts in cases:
        signed = contentful_sign(method, path, extra, body, ts)
        headers = [["Content-Type", "application/vnd.contentful.management.v1+json"]] + [[k, v] for k, v in extra.items()]
        headers += [["X-Contentful-Signature", signed["x-contentful-signature"]], ["X-Contentful-Signed-Headers", signed["x-contentful-signed-headers"]], ["X-Contentful-Timestamp", signed["x-contentful-timestamp"]]]
        # The path as it is on the wire (percent-encoded): what the sender signs and what a
        # receiver's `req.url` holds.
        url = "https://example.com" + path
        out.append(vector(f"signed as @contentful/node-apps-toolkit signRequest signs ({'query escaped twice, ' if '?' in path else ''}verified with its verifyRequest)",
                          CONTENTFUL_SECRET, ts // 1000 + 5, headers, body, url=url, path=path, method=method))
    tampered = dict(out[0])
    tampered["headers"] = [[k, ("ContentManagement.Entry.unpublish" if k == "X-Contentful-Topic" else v)] for k, v in out[0]["headers"]]
    tampered["note"] = "the first delivery with its signed `X-Contentful-Topic` changed"
    tampered["expect"] = "invalid"
    out.append(tampered)
    return out


# --- Hygraph -------------------------------------------------------------------------------

HYGRAPH_SECRET = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx"  # the example secret of @hygraph/utils' README and tests


def hygraph_sign(raw, env, ts):
    payload = json.dumps({"Body": raw, "EnvironmentName": env, "TimeStamp": ts}, separators=(",", ":"), ensure_ascii=False)
    return f"sign={b64(hmac256(HYGRAPH_SECRET.encode(), payload.encode()))}, env={env}, t={ts}"


def hygraph():
    raw = compact({"operation": "publish", "data": {"__typename": "Post", "id": "clx1abcde0001", "stage": "PUBLISHED", "title": "Hello \"Hookloupe\"", "updatedAt": "2025-11-24T16:00:00.000000+00:00"}})
    out = []
    for env, ts in [("master", 1764000000456), ("staging", 1764000001000)]:
        out.append(vector("signed as @hygraph/utils generateWebhookSignature signs (rawPayload; the secret of its README); verified with its verifyWebhookSignature",
                          HYGRAPH_SECRET, ts // 1000 + 5, [["Content-Type", "application/json"], ["gcms-signature", hygraph_sign(raw, env, ts)]], raw))
    out.append(vector("the first delivery with another title in its body",
                      HYGRAPH_SECRET, 1764000005, [["Content-Type", "application/json"], ["gcms-signature", hygraph_sign(raw, "master", 1764000000456)]], raw.replace("Hello", "Bye"), "invalid"))
    return out


# --- Plivo ---------------------------------------------------------------------------------

PLIVO_TOKEN = "MjExYjBkNTc4ZGE2MDNhZDRmYTg5MzhhYTQ0NDBi"


def plivo_v3(method, url, params, nonce, token=PLIVO_TOKEN):
    """plivo.utils.signature_v3: construct_get_url / construct_post_url, then `.{nonce}`."""
    u = urllib.parse.urlsplit(url)
    base = urllib.parse.urlunsplit((u.scheme, u.netloc, u.path, "", ""))
    query = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    q = "&".join(f"{k}={v}" for k, v in sorted(query))
    if method == "GET":
        s = base + ("?" + q if q else "")
    else:
        s = base
        if q or params:
            s += "?" + q
        if q and params:
            s += "."
        s += "".join(f"{k}{v}" for k, v in sorted(params))
    return b64(hmac256(token.encode(), f"{s}.{nonce}".encode()))


def plivo():
    out = []
    form = [("CallUUID", "d4d7f0a2-2f3b-4c55-9a0e-8f3c1b2a7e10"), ("CallStatus", "ringing"), ("Direction", "inbound"),
            ("Event", "StartApp"), ("From", "14155550100"), ("To", "14155550199"), ("CallerName", "+14155550100")]
    body = urllib.parse.urlencode(form)
    nonce = "05429567804466091622"
    url = "https://example.com/plivo/answer"
    sig = plivo_v3("POST", url, form, nonce)
    headers = [["Content-Type", "application/x-www-form-urlencoded"], ["X-Plivo-Signature-V3", sig], ["X-Plivo-Signature-Ma-V3", plivo_v3("POST", url, form, nonce, "main-account-token-not-configured")], ["X-Plivo-Signature-V3-Nonce", nonce]]
    out.append(vector("signed as plivo-python validate_v3_signature (construct_post_url) verifies; also verified by plivo-node validateV3Signature", PLIVO_TOKEN, 1764000000, headers, body, url=url, params=form, nonce=nonce, method="POST"))
    gurl = "https://example.com/plivo/hangup?CallUUID=d4d7f0a2&HangupCause=NORMAL_CLEARING&Duration=42"
    gsig = plivo_v3("GET", gurl, [], nonce)
    out.append(vector("a GET callback (query sorted as k=v pairs), as construct_get_url builds it", PLIVO_TOKEN, 1764000000,
                      [["X-Plivo-Signature-V3", f"{plivo_v3('GET', gurl, [], nonce, 'rotated-out-token')},{gsig}"], ["X-Plivo-Signature-V3-Nonce", nonce]], "", url=gurl, params=[], nonce=nonce, method="GET"))
    tampered = body.replace("ringing", "in-progress")
    out.append(vector("the POST delivery with its `CallStatus` changed", PLIVO_TOKEN, 1764000000, headers, tampered, "invalid", url=url))
    return out


def plivo_v2():
    sig = b64(hmac256(b"my_auth_token", b"https://answer.url12345"))
    check("plivo v2 official vector", sig == "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=")
    headers = [["X-Plivo-Signature-V2", sig], ["X-Plivo-Signature-V2-Nonce", "12345"]]
    return [
        vector("plivo-python tests/resources/test_signature.py and plivo-node test/utils.js: validate_signature('https://answer.url', '12345', …, 'my_auth_token') is True", "my_auth_token", 1764000000, headers, "", url="https://answer.url", method="GET"),
        vector("the same tests: with 'my_auth_tokens' it is False", "my_auth_tokens", 1764000000, headers, "", "invalid", url="https://answer.url", method="GET"),
    ]


# --- JWTs ----------------------------------------------------------------------------------

def jwt_hs256(header, claims, secret):
    signing_input = f"{b64url(compact(header).encode())}.{b64url(compact(claims).encode())}"
    return f"{signing_input}.{b64url(hmac256(secret.encode(), signing_input.encode()))}"


def rsa_key():
    return serialization.load_pem_private_key(RSA_TEST_KEY.read_bytes(), password=None)


def jwt_rs256(header, claims):
    signing_input = f"{b64url(compact(header).encode())}.{b64url(compact(claims).encode())}"
    sig = rsa_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(sig)}"


def rsa_public_pem():
    return rsa_key().public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


FUSIONAUTH_SECRET = "GcU4KpS8sXz1qDnBgWvR6tYhLmQ2aE9o"


def fusionauth():
    body = compact({"event": {"type": "user.create", "id": "8e8e8b39-5a14-4b4c-a3f0-2c1a7d5e9f01", "createInstant": 1764000000000, "tenantId": "6b40f9d6-cfd8-4312-bff8-b082ad45e93c", "info": {"ipAddress": "203.0.113.7"}, "user": {"id": "00000000-0000-0001-0000-000000000001", "email": "ada@example.com", "active": True}}})
    claims = {"request_body_sha256": b64(hashlib.sha256(body.encode()).digest())}
    header = {"alg": "HS256", "typ": "JWT", "kid": "1f4e7c9a-0b2d-4e6f-8a1c-3d5b7e9f0a2c"}
    token = jwt_hs256(header, claims, FUSIONAUTH_SECRET)
    h = [["Content-Type", "application/json"], ["X-FusionAuth-Signature-JWT", token]]
    return [
        vector("signed as FusionAuth's 'Sign Webhooks' docs describe (HMAC key, `request_body_sha256` = base64 SHA-256 of the body); verified with npm jsonwebtoken", FUSIONAUTH_SECRET, 1764000000, h, body),
        vector("the same token over another body", FUSIONAUTH_SECRET, 1764000000, h, body.replace("ada@", "eve@"), "invalid"),
    ]


def wix():
    data = compact({"data": compact({"createdEvent": {"entity": {"_id": "8f4c2b1e-1a2b-4c3d-9e8f-0a1b2c3d4e5f", "number": "10042", "status": "APPROVED"}}}), "instanceId": "c2a0d4e6-2b3c-4d5e-8f9a-1b2c3d4e5f60", "eventType": "wix.ecom.v1.order_approved"})
    claims = {"data": data, "iat": 1764000000, "exp": 1764003600}
    token = jwt_rs256({"kid": "qG1kD2dz", "alg": "RS256"}, claims)
    h = [["Content-Type", "text/plain; charset=utf-8"]]
    return [
        vector("made by tests/crosscheck/fields_and_jwt_vectors.py with the repository's RSA test key: a body that is an RS256 JWT {data, iat, exp}, as Wix's webhook docs describe; verified with npm jsonwebtoken", rsa_public_pem(), 1764000010, h, token),
        vector("the same token with its claims changed (the signature no longer matches)", rsa_public_pem(), 1764000010, h,
               token.split(".")[0] + "." + b64url(compact(dict(claims, exp=1764999999)).encode()) + "." + token.split(".")[2], "invalid"),
    ]


def wix_psp():
    body = compact({"wixTransactionId": "ab7f3c2e-9d4b-4a1f-8e6c-5b3a2d1c0f9e", "wixMerchantId": "0fd7a2c4-6e8b-4d1a-9c3e-7b5f2a1d8e6c", "paymentMethod": "creditCard", "merchantCredentials": {"merchantId": "merchant-4242"}, "order": {"id": "ORD-10042", "description": {"totalAmount": 4200, "currency": "EUR"}}, "mode": "live"})
    claims = {"data": {"SHA256": hashlib.sha256(body.encode()).hexdigest()}, "iat": 1764000000, "exp": 1764000100}
    token = jwt_rs256({"kid": "qG1kD2dz", "alg": "RS256"}, claims)
    h = [["Content-Type", "application/json; charset=utf-8"], ["Digest", f"JWT={token}"]]
    return [
        vector("made with the repository's RSA test key as Wix's 'Validate Endpoint Requests' page describes (Digest: JWT=…, `data.SHA256` = hex SHA-256 of the raw body, exp = iat + 100 as in its example); verified with npm jsonwebtoken", rsa_public_pem(), 1764000010, h, body),
        vector("the same request with another amount", rsa_public_pem(), 1764000010, h, body.replace("4200", "4300"), "invalid"),
    ]


MONDAY_SECRET = "f0c1a6e3b2d94e5f8a7b6c5d4e3f2a1b"


def monday():
    body = compact({"payload": {"blockKind": "action", "credentialsValues": {}, "inboundFieldValues": {"boardId": 3712345678, "itemId": 3712349999, "text": "Hello from Hookloupe"}, "inputFields": {"boardId": 3712345678, "itemId": 3712349999, "text": "Hello from Hookloupe"}, "recipeId": 30440660, "integrationId": 398759485}, "runtimeMetadata": {"actionUuid": "1f6129e75d7b78b77179061ab026bbab", "triggerUuid": "b644926b34fbabf3547bd1bc38ad6cdb"}})
    claims = {"accountId": 1825529, "userId": 4012689, "aud": "https://example.com/monday/action", "exp": 1764000300, "shortLivedToken": "eyJhbGciOiJIUzI1NiJ9.short-lived.placeholder", "iat": 1764000000}
    token = jwt_hs256({"alg": "HS256", "typ": "JWT"}, claims, MONDAY_SECRET)
    h = [["Content-Type", "application/json"], ["Authorization", token]]
    return [
        vector("signed as monday.com's 'Authorization header' page describes (HS256 with the app's Signing Secret; its example claims); verified with npm jsonwebtoken", MONDAY_SECRET, 1764000010, h, body, url="https://example.com/monday/action"),
        vector("the same token checked with the app's Client Secret instead", "not-the-signing-secret", 1764000010, h, body, "invalid", url="https://example.com/monday/action"),
    ]


# --- output --------------------------------------------------------------------------------

FAILED = []


def check(what, ok):
    if not ok:
        FAILED.append(what)


def vector(note, secret, now, headers, body, expect="valid", url=None, **extra):
    v = {"note": note, "secret": secret, "now": now, "headers": headers, "body": body, "expect": expect}
    if url:
        v["url"] = url
    if "method" in extra:
        v["method"] = extra.pop("method")
    v["extra"] = extra
    return v


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def to_toml(v):
    lines = ["[[provider.vector]]", f"note = {toml_str(v['note'])}", f"secret = {toml_str(v['secret'])}", f"now = {v['now']}"]
    if "method" in v:
        lines.append(f"method = {toml_str(v['method'])}")
    if "url" in v:
        lines.append(f"url = {toml_str(v['url'])}")
    lines.append("headers = [" + ", ".join(f"[{toml_str(k)}, {toml_str(x)}]" for k, x in v["headers"]) + "]")
    lines.append(f"body = {toml_str(v['body'])}")
    lines.append(f"expect = {toml_str(v['expect'])}")
    return "\n".join(lines)


def main():
    import tomllib
    # The Banking webhook of Adyen's test mock is kept (byte for byte) in the catalog entry itself.
    path = ROOT / "src-tauri/core/src/signature/providers/fields_and_jwt.toml"
    if "--mock" in sys.argv:
        mock = pathlib.Path(sys.argv[sys.argv.index("--mock") + 1]).read_text()
    else:
        catalog = tomllib.loads(path.read_text())
        mock = next(v["body"] for p in catalog["provider"] if p["id"] == "adyen_platform" for v in p.get("vector", []))
    groups = {
        "adyen": adyen(), "adyen_platform": adyen_platform(mock), "contentful": contentful(), "hygraph": hygraph(),
        "plivo": plivo(), "plivo_v2": plivo_v2(), "fusionauth": fusionauth(), "wix": wix(), "wix_psp": wix_psp(), "monday": monday(),
    }
    if FAILED:
        print("FAILED: " + ", ".join(FAILED), file=sys.stderr)
        sys.exit(1)
    if "--plivo-sdk" in sys.argv:
        # PyPI plivo's own validators (pip install plivo): every Plivo vector must get its verdict.
        from plivo.utils import validate_signature, validate_v3_signature
        for x in groups["plivo"]:
            h = {k.lower(): val for k, val in x["headers"]}
            params = {} if x.get("method") == "GET" else dict(urllib.parse.parse_qsl(x["body"]))
            ok = validate_v3_signature(x.get("method", "POST"), x["url"], h["x-plivo-signature-v3-nonce"], x["secret"], h["x-plivo-signature-v3"], params)
            check(f"plivo sdk: {x['note']}", ok == (x["expect"] == "valid"))
        for x in groups["plivo_v2"]:
            h = {k.lower(): val for k, val in x["headers"]}
            ok = validate_signature(x["url"], h["x-plivo-signature-v2-nonce"], h["x-plivo-signature-v2"], x["secret"])
            check(f"plivo sdk v2: {x['note']}", ok == (x["expect"] == "valid"))
        if FAILED:
            print("FAILED: " + ", ".join(FAILED), file=sys.stderr)
            sys.exit(1)
        print("plivo SDK agrees", file=sys.stderr)
        return
    if "--json" in sys.argv:
        print(json.dumps(groups, indent=1, ensure_ascii=False))
        return
    if "--check" in sys.argv:
        print("all checks passed", file=sys.stderr)
        return
    for name, vs in groups.items():
        print(f"# --- {name}")
        for v in vs:
            print(to_toml(v))
            print()


if __name__ == "__main__":
    main()
