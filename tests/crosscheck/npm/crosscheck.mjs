#!/usr/bin/env node
// Cross-check fixtures from the providers' own npm libraries, in the same format and the same
// output directory as ../crosscheck.py (read that file's docstring for the fixture format).
//
//   @octokit/webhooks-methods  GitHub X-Hub-Signature-256   signs (sign) and verifies (verify)
//   @linear/sdk                Linear-Signature              verify only (LinearWebhookClient.verify)
//   @shopify/shopify-api       X-Shopify-Hmac-Sha256 and     verify only (shopify.webhooks.validate)
//                              the Events API's Shopify-Hmac-Sha256
//   @zoom/rivet                x-zm-signature                verify only (AwsLambdaReceiver)
//
// Verify-only: the request is built with node:crypto the way the provider documents it, and the
// library must accept it and reject every tampered copy before anything is written. Clocks the
// libraries read (Date.now) are pinned to NOW.
//
// Usage: npm ci --prefix tests/crosscheck/npm && node tests/crosscheck/npm/crosscheck.mjs OUT_DIR

import { createHmac } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import "@shopify/shopify-api/adapters/node";
import { shopifyApi, ApiVersion, LogSeverity } from "@shopify/shopify-api";
import { AwsLambdaReceiver } from "@zoom/rivet/meetings";

const NOW = 1_731_000_000;
const BODIES = [
  '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}',
  '{\n  "id": "evt_2",\n  "note": "caf\u00e9 \u2014 \u00fcml\u00e4ut \u{1F600}",\n  "tags": ["a", "b"]\n}\n',
];

const fixtures = [];

function add(name, scheme, secrets, url, headers, body, expect, { options = {}, now = NOW, method = "POST", verdict = null } = {}) {
  fixtures.push({
    name,
    scheme,
    secrets,
    options,
    now,
    expect,
    expect_verdict: verdict ?? (expect === "valid" ? "valid" : null),
    method,
    url,
    headers: headers.map(([k, v]) => [k.toLowerCase(), v]),
    body_b64: Buffer.from(body, "utf8").toString("base64"),
  });
}

/** One byte changed inside the payload (same rule as crosscheck.py). */
function tamper(body) {
  const i = body.includes(":") ? body.indexOf(":") + 2 : body.indexOf("=") + 1;
  return body.slice(0, i) + (body[i] !== "X" ? "X" : "Y") + body.slice(i + 1);
}

function wrongSecret(secret) {
  return secret.slice(0, -4) + (secret.endsWith("AAAA") ? "BBBB" : "AAAA");
}

function assert(cond, msg) {
  if (!cond) throw new Error(`crosscheck.mjs: ${msg}`);
}

/** Same variants as crosscheck.py's with_variants; `check(headers, body, secret)` (may be async)
 * runs the provider's verifier. staleIsPolicy: the library has no freshness window. */
async function withVariants(name, scheme, secret, url, headers, body, { options = {}, staleHeaders = null, staleBody = null, check = null, staleIsPolicy = false } = {}) {
  const wrong = wrongSecret(secret);
  const stale = staleHeaders !== null || staleBody !== null;
  if (check) {
    assert(await check(headers, body, secret), `${name}: the provider's library rejects the genuine request`);
    assert(!(await check(headers, tamper(body), secret)), `${name}: the library accepts a tampered body`);
    assert(!(await check(headers, body, wrong)), `${name}: the library accepts a wrong secret`);
    if (stale) {
      const ok = await check(staleHeaders ?? headers, staleBody ?? body, secret);
      assert(ok === staleIsPolicy, `${name}: stale request, unexpected library verdict ${ok}`);
    }
  }
  add(`${name}-valid`, scheme, [secret], url, headers, body, "valid", { options });
  add(`${name}-rotation`, scheme, ["not-the-secret-0000000000", secret], url, headers, body, "valid", { options });
  add(`${name}-tampered-body`, scheme, [secret], url, headers, tamper(body), "invalid", { options, verdict: "invalid" });
  add(`${name}-wrong-secret`, scheme, [wrong], url, headers, body, "invalid", { options, verdict: "invalid" });
  if (stale) {
    add(`${name}-stale`, scheme, [secret], url, staleHeaders ?? headers, staleBody ?? body, "invalid", { options, verdict: "expired" });
  }
}

const header = (headers, name) => headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** Run `f` with Date.now() pinned to `now` (seconds). */
async function atTime(now, f) {
  const real = Date.now;
  Date.now = () => now * 1000;
  try {
    return await f();
  } finally {
    Date.now = real;
  }
}

async function githubFixtures() {
  const secret = "gh-crosscheck-It's a Secret to Everybody";
  const check = async (headers, body, secret) => {
    try {
      return await octokitVerify(secret, body, header(headers, "X-Hub-Signature-256"));
    } catch {
      return false;
    }
  };
  const formBody = "payload=" + encodeURIComponent(BODIES[0]);
  for (const [i, body] of [...BODIES, formBody].entries()) {
    const sig = await octokitSign(secret, body);
    const ct = body === formBody ? "application/x-www-form-urlencoded" : "application/json";
    const hdr = [["Content-Type", ct], ["X-GitHub-Event", "push"], ["X-GitHub-Delivery", `72d3162e-cc78-11e3-81ab-4c9367dc095${i}`], ["X-Hub-Signature-256", sig]];
    await withVariants(`github-${i}`, "github", secret, "https://example.com/github", hdr, body, { check });
  }
  // GitHub's documented example.
  const docSig = await octokitSign("It's a Secret to Everybody", "Hello, World!");
  assert(docSig === "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "GitHub's documented example");
  add("github-docs-example-valid", "github", ["It's a Secret to Everybody"], "https://example.com/github", [["X-Hub-Signature-256", docSig]], "Hello, World!", "valid");
}

async function linearFixtures() {
  // HMAC-SHA256 hex of the raw body; freshness from `webhookTimestamp` (ms) inside the signed body, ±60 s.
  const secret = "lin_wh_crosscheck_Qm9vZ2llV29vZ2llQm9vZ2llV29v";
  const check = (headers, body, secret) =>
    atTime(NOW, () => {
      try {
        return new LinearWebhookClient(secret).verify(Buffer.from(body, "utf8"), header(headers, "Linear-Signature"), header(headers, "Linear-Timestamp"));
      } catch {
        return false;
      }
    });
  const bodyAt = (ts, i) =>
    i === 0
      ? JSON.stringify({ action: "create", type: "Issue", data: { id: "9d0c7f1e", title: "Crosscheck", priority: 2 }, url: "https://linear.app/acme/issue/ENG-1", webhookTimestamp: ts * 1000 })
      : `{\n  "action": "update",\n  "type": "Comment",\n  "data": {"body": "caf\u00e9 \u2014 \u{1F600}"},\n  "webhookTimestamp": ${ts * 1000}\n}\n`;
  const hdr = (body, headerTs = NOW) => [
    ["Content-Type", "application/json; charset=utf-8"],
    ["Linear-Delivery", "234d1a4e-b617-4388-90fe-adc3633d6b72"],
    ["Linear-Event", "Issue"],
    ["Linear-Timestamp", String(headerTs * 1000)],
    ["Linear-Signature", createHmac("sha256", secret).update(body).digest("hex")],
  ];
  const url = "https://example.com/linear";
  for (const i of [0, 1]) {
    const body = bodyAt(NOW, i);
    const stale = bodyAt(NOW - 3600, i);
    await withVariants(`linear-${i}`, "linear", secret, url, hdr(body), body, { staleHeaders: hdr(stale), staleBody: stale, check });
  }
  // The SDK trusts only the signed body timestamp: a fresh Linear-Timestamp header does not save a stale body.
  const stale = bodyAt(NOW - 3600, 0);
  assert(!(await check(hdr(stale, NOW), stale, secret)), "linear: stale body with a fresh header");
  add("linear-stale-body-fresh-header", "linear", [secret], url, hdr(stale, NOW), stale, "invalid", { verdict: "expired" });
  // ±60 s in both directions.
  for (const [skew, expect] of [[-50, "valid"], [50, "valid"], [-90, "invalid"], [90, "invalid"]]) {
    const body = bodyAt(NOW + skew, 0);
    assert((await check(hdr(body), body, secret)) === (expect === "valid"), `linear: ${skew} s`);
    add(`linear-${skew > 0 ? "future" : "past"}-${Math.abs(skew)}s`, "linear", [secret], url, hdr(body), body, expect, { verdict: expect === "valid" ? "valid" : "expired" });
  }
  // No webhookTimestamp at all: the SDK rejects the delivery even though the HMAC matches.
  const bare = JSON.stringify({ action: "create", type: "Issue", data: { id: "9d0c7f1e" } });
  assert(!(await check(hdr(bare), bare, secret)), "linear: missing webhookTimestamp");
  add("linear-missing-webhook-timestamp", "linear", [secret], url, hdr(bare), bare, "invalid");
}

async function shopifyFixtures() {
  // Base64 HMAC-SHA256 of the raw body with the app's client secret. Classic webhooks use
  // X-Shopify-* headers; the newer Events API the same names without `X-`.
  const secret = "shpss_crosscheck_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const apis = new Map();
  const api = (secret) => {
    if (!apis.has(secret)) {
      apis.set(
        secret,
        shopifyApi({
          apiKey: "crosscheck-api-key",
          apiSecretKey: secret,
          scopes: ["read_orders"],
          hostName: "example.com",
          apiVersion: ApiVersion.October24,
          isEmbeddedApp: false,
          logger: { level: LogSeverity.Error, log: () => {} },
        }),
      );
    }
    return apis.get(secret);
  };
  const check = async (headers, body, secret) => {
    const rawRequest = { method: "POST", url: "/shopify", headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])) };
    const res = await api(secret).webhooks.validate({ rawBody: body, rawRequest, rawResponse: {} });
    return res.valid === true;
  };
  const hmac = (body) => createHmac("sha256", secret).update(body, "utf8").digest("base64");
  const classic = (body) => [
    ["Content-Type", "application/json"],
    ["X-Shopify-Topic", "orders/create"],
    ["X-Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["X-Shopify-API-Version", "2024-10"],
    ["X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"],
    ["X-Shopify-Triggered-At", "2024-11-07T17:20:00Z"],
    ["X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5"],
    ["X-Shopify-Hmac-Sha256", hmac(body)],
  ];
  const events = (body) => [
    ["Content-Type", "application/json"],
    ["Shopify-Topic", "orders/create"],
    ["Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["Shopify-API-Version", "2025-10"],
    ["Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd044"],
    ["Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b6"],
    ["Shopify-Handle", "order-created"],
    ["Shopify-Action", "create"],
    ["Shopify-Hmac-Sha256", hmac(body)],
  ];
  for (const [i, body] of BODIES.entries()) {
    await withVariants(`shopify-${i}`, "shopify", secret, "https://example.com/shopify", classic(body), body, { check });
    await withVariants(`shopify-events-${i}`, "shopify", secret, "https://example.com/shopify", events(body), body, { check });
  }
}

async function zoomFixtures() {
  // `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the app's Secret Token.
  // Rivet re-serializes the parsed JSON (JSON.stringify) before checking, so only compact bodies
  // (what Zoom sends) verify with it; Rivet has no freshness window (the stale copy is inspector policy).
  const secret = "zoom_crosscheck_secret_token_Zm9vYmFyYmF6";
  const check = async (headers, body, secret) => {
    const handler = new AwsLambdaReceiver({ webhooksSecretToken: secret }).start();
    const debug = console.debug;
    console.debug = () => {};
    try {
      const res = await handler({ headers: Object.fromEntries(headers), body, isBase64Encoded: false }, {});
      return res.statusCode === 200;
    } finally {
      console.debug = debug;
    }
  };
  const hdr = (ts, body) => [
    ["Content-Type", "application/json; charset=utf-8"],
    ["x-zm-request-timestamp", String(ts)],
    ["x-zm-signature", "v0=" + createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")],
  ];
  const bodies = [
    JSON.stringify({ event: "meeting.started", event_ts: NOW * 1000, payload: { account_id: "AAAAAABBBB", object: { id: "1234567890", topic: "Caf\u00e9 crosscheck" } } }),
    JSON.stringify({ payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: NOW * 1000, event: "endpoint.url_validation" }),
  ];
  for (const [i, body] of bodies.entries()) {
    await withVariants(`zoom-${i}`, "zoom", secret, "https://example.com/zoom", hdr(NOW, body), body, { staleHeaders: hdr(NOW - 3600, body), check, staleIsPolicy: true });
  }
}

async function main() {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node crosscheck.mjs OUT_DIR");
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  for (const f of [githubFixtures, linearFixtures, shopifyFixtures, zoomFixtures]) {
    await f();
  }
  for (const fx of fixtures) {
    writeFileSync(join(out, `${fx.name}.json`), JSON.stringify(fx, null, 1));
  }
  console.log(`crosscheck (npm): wrote ${fixtures.length} fixtures to ${out}`);
}

await main();
