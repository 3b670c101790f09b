#!/usr/bin/env node
// Reverse cross-check (npm): Hookloupe SIGNS, the providers' own npm libraries VERIFY.
// Same idea and output as ../reverse.py: an unsigned request (the bodies crosscheck.mjs uses,
// including a non-ASCII one) is signed by the REAL `hookloupe sign` binary (a subprocess,
// `--now` pinned), then the library must accept it and reject it once one body byte is changed.
// Date.now is pinned to the same instant while a library verifies.
//
//   @octokit/webhooks-methods  github   verify
//   @linear/sdk                linear   LinearWebhookClient.verify (±60 s on webhookTimestamp in the body)
//   @shopify/shopify-api       shopify  shopify.webhooks.validate (classic and Events API headers)
//   @zoom/rivet                zoom     AwsLambdaReceiver (re-serialises the JSON: compact bodies only)
//
// Prints one line per check; exits 1 listing every failure, including a scheme no check reached.
// Usage: npm ci --prefix tests/crosscheck/npm && node tests/crosscheck/npm/reverse.mjs HOOKLOUPE_BIN

import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import "@shopify/shopify-api/adapters/node";
import { shopifyApi, ApiVersion, LogSeverity } from "@shopify/shopify-api";
import { AwsLambdaReceiver } from "@zoom/rivet/meetings";

const NOW = 1_731_000_000;
const BODIES = [
  '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}',
  '{\n  "id": "evt_2",\n  "note": "caf\u00e9 \u2014 \u00fcml\u00e4ut \u{1F600}",\n  "tags": ["a", "b"]\n}\n',
];
const EXPECTED = ["github", "linear", "shopify", "zoom"];

const here = dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
const version = (pkg) => `${pkg} ${lock.packages[`node_modules/${pkg}`]?.version ?? "?"}`;

let HOOKLOUPE;
const results = [];
const exercised = new Set();

function request(url, headers, body, method = "POST") {
  return { method, url, headers, body_b64: Buffer.from(body, "utf8").toString("base64") };
}

function hookloupeSign(scheme, secrets, req, { options = {}, secretIndex = 0 } = {}) {
  const args = ["sign", "--request", "-", "--scheme", scheme, "--now", String(NOW), "--json"];
  for (const s of secrets) args.push(`--secret=${s}`); // `=`: a secret may start with `-`
  for (const [k, v] of Object.entries(options)) args.push(`--option=${k}=${v}`);
  if (secretIndex) args.push("--secret-index", String(secretIndex));
  const p = spawnSync(HOOKLOUPE, args, { input: JSON.stringify(req), timeout: 60_000 });
  if (p.status !== 0) throw new Error(`\`hookloupe sign\` exited ${p.status}: ${String(p.stderr).trim()}`);
  const out = JSON.parse(String(p.stdout));
  return { method: out.method, url: out.url, headers: out.headers, body: Buffer.from(out.body_b64, "base64") };
}

const header = (s, name) => s.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** One byte changed inside the payload (same rule as reverse.py): the first letter or digit
 * after the first `:` or `=`, so the body stays well-formed. */
function tamperBody(body) {
  const starts = [body.indexOf(0x3a), body.indexOf(0x3d)].filter((i) => i >= 0);
  let i = Math.min(...starts);
  while (!/[A-Za-z0-9]/.test(String.fromCharCode(body[i]))) i++;
  const out = Buffer.from(body);
  out[i] = body[i] === 0x58 ? 0x59 : 0x58; // X, or Y when it already is X
  return out;
}

/** Run `f` with Date.now() pinned to NOW. */
async function atNow(f) {
  const real = Date.now;
  Date.now = () => NOW * 1000;
  try {
    return await f();
  } finally {
    Date.now = real;
  }
}

function describe(s) {
  return `${s.method} ${s.url} [${s.headers.map(([k, v]) => `${k}: ${v}`).join(", ")}] body ${JSON.stringify(s.body.toString("utf8").slice(0, 120))}`;
}

async function check(name, scheme, library, req, verify, { secrets, ...signOpts }) {
  exercised.add(scheme);
  try {
    const signed = hookloupeSign(scheme, secrets, req, signOpts);
    if (!(await atNow(() => verify(signed)))) throw new Error(`${library} REJECTS the request Hookloupe signed: ${describe(signed)}`);
    const tampered = { ...signed, body: tamperBody(signed.body) };
    if (tampered.body.equals(signed.body)) throw new Error("the tampered copy is identical");
    if (await atNow(() => verify(tampered))) throw new Error(`${library} accepts the request with one body byte changed`);
  } catch (e) {
    results.push({ name, error: e.message });
    console.log(`FAIL reverse ${name}: ${e.message}`);
    return;
  }
  results.push({ name, error: null });
  console.log(`reverse ${name}: accepted by ${library}, tampered rejected`);
}

async function githubChecks() {
  const secret = "gh-crosscheck-It's a Secret to Everybody";
  const lib = version("@octokit/webhooks-methods");
  const verify = async (s) => {
    try {
      return await octokitVerify(secret, s.body.toString("utf8"), header(s, "X-Hub-Signature-256"));
    } catch {
      return false;
    }
  };
  const formBody = "payload=" + encodeURIComponent(BODIES[1]);
  for (const [i, body] of [...BODIES, formBody].entries()) {
    const ct = body === formBody ? "application/x-www-form-urlencoded" : "application/json";
    const hdr = [["Content-Type", ct], ["X-GitHub-Event", "push"], ["X-GitHub-Delivery", `72d3162e-cc78-11e3-81ab-4c9367dc095${i}`]];
    await check(`github-${i}`, "github", lib, request("https://example.com/github", hdr, body), verify, { secrets: [secret] });
  }
  // A captured delivery re-signed: both the sha256 header and the legacy sha1 one were present.
  const captured = [["Content-Type", "application/json"], ["X-Hub-Signature", "sha1=" + "0".repeat(40)], ["X-Hub-Signature-256", "sha256=" + "0".repeat(64)]];
  await check("github-resign", "github", lib, request("https://example.com/github", captured, BODIES[0]), verify, { secrets: [secret] });
}

async function linearChecks() {
  const secret = "lin_wh_crosscheck_Qm9vZ2llV29vZ2llQm9vZ2llV29v";
  const lib = version("@linear/sdk");
  const verify = (s) => {
    try {
      return new LinearWebhookClient(secret).verify(s.body, header(s, "Linear-Signature"), header(s, "Linear-Timestamp"));
    } catch {
      return false; // the SDK throws on a bad signature or timestamp
    }
  };
  const bodyAt = (ts, i) =>
    i === 0
      ? JSON.stringify({ action: "create", type: "Issue", data: { id: "9d0c7f1e", title: "Crosscheck", priority: 2 }, url: "https://linear.app/acme/issue/ENG-1", webhookTimestamp: ts * 1000 })
      : `{\n  "action": "update",\n  "type": "Comment",\n  "data": {"body": "caf\u00e9 \u2014 \u{1F600}"},\n  "webhookTimestamp": ${ts * 1000}\n}\n`;
  const hdr = (ts) => [
    ["Content-Type", "application/json; charset=utf-8"],
    ["Linear-Delivery", "234d1a4e-b617-4388-90fe-adc3633d6b72"],
    ["Linear-Event", "Issue"],
    ["Linear-Timestamp", String(ts * 1000)],
  ];
  for (const i of [0, 1]) {
    await check(`linear-${i}`, "linear", lib, request("https://example.com/linear", hdr(NOW), bodyAt(NOW, i)), verify, { secrets: [secret] });
  }
  // A captured delivery re-signed an hour later (what `hookloupe show ID --json | hookloupe sign` does):
  // Linear's sender puts the send time in the signed body, so signing at --now must too.
  await check("linear-resign-captured", "linear", lib, request("https://example.com/linear", hdr(NOW - 3600), bodyAt(NOW - 3600, 1)), verify, { secrets: [secret] });
}

async function shopifyChecks() {
  const secret = "shpss_crosscheck_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const lib = version("@shopify/shopify-api");
  const api = shopifyApi({
    apiKey: "crosscheck-api-key",
    apiSecretKey: secret,
    scopes: ["read_orders"],
    hostName: "example.com",
    apiVersion: ApiVersion.October24,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: () => {} },
  });
  const verify = async (s) => {
    const rawRequest = { method: s.method, url: "/shopify", headers: Object.fromEntries(s.headers.map(([k, v]) => [k.toLowerCase(), v])) };
    const res = await api.webhooks.validate({ rawBody: s.body.toString("utf8"), rawRequest, rawResponse: {} });
    return res.valid === true;
  };
  const classic = [
    ["Content-Type", "application/json"],
    ["X-Shopify-Topic", "orders/create"],
    ["X-Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["X-Shopify-API-Version", "2024-10"],
    ["X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"],
  ];
  const events = [
    ["Content-Type", "application/json"],
    ["Shopify-Topic", "orders/create"],
    ["Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["Shopify-API-Version", "2025-10"],
    ["Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd044"],
    ["Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b6"],
  ];
  for (const [i, body] of BODIES.entries()) {
    await check(`shopify-${i}`, "shopify", lib, request("https://example.com/shopify", classic, body), verify, { secrets: [secret] });
    await check(`shopify-events-${i}`, "shopify", lib, request("https://example.com/shopify", events, body), verify, { secrets: [secret] });
  }
  // Captured deliveries re-signed: the stale HMAC header they carry must be the one replaced.
  const stale = "A".repeat(43) + "=";
  await check("shopify-resign", "shopify", lib, request("https://example.com/shopify", [...classic, ["X-Shopify-Hmac-Sha256", stale]], BODIES[1]), verify, { secrets: [secret] });
  await check("shopify-events-resign", "shopify", lib, request("https://example.com/shopify", [...events, ["Shopify-Hmac-Sha256", stale]], BODIES[1]), verify, { secrets: [secret] });
}

async function zoomChecks() {
  const secret = "zoom_crosscheck_secret_token_Zm9vYmFyYmF6";
  const lib = version("@zoom/rivet");
  const verify = async (s) => {
    const handler = new AwsLambdaReceiver({ webhooksSecretToken: secret }).start();
    const debug = console.debug;
    console.debug = () => {};
    try {
      const res = await handler({ headers: Object.fromEntries(s.headers), body: s.body.toString("utf8"), isBase64Encoded: false }, {});
      return res.statusCode === 200;
    } finally {
      console.debug = debug;
    }
  };
  const bodies = [
    JSON.stringify({ event: "meeting.started", event_ts: NOW * 1000, payload: { account_id: "AAAAAABBBB", object: { id: "1234567890", topic: "Caf\u00e9 \u2014 \u{1F600}" } } }),
    JSON.stringify({ payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: NOW * 1000, event: "endpoint.url_validation" }),
  ];
  for (const [i, body] of bodies.entries()) {
    await check(`zoom-${i}`, "zoom", lib, request("https://example.com/zoom", [["Content-Type", "application/json; charset=utf-8"]], body), verify, { secrets: [secret] });
  }
}

async function main() {
  if (process.argv.length !== 3) {
    console.error("usage: node reverse.mjs HOOKLOUPE_BIN");
    process.exit(2);
  }
  HOOKLOUPE = resolve(process.argv[2]);
  accessSync(HOOKLOUPE, constants.X_OK);
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), "hookloupe-reverse-"));
  process.env.HOOKLOUPE_DATA_DIR = dataDir; // `sign` opens no database; belt and braces
  try {
    for (const f of [githubChecks, linearChecks, shopifyChecks, zoomChecks]) await f();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const failures = results.filter((r) => r.error).map((r) => [r.name, r.error]);
  for (const s of EXPECTED) if (!exercised.has(s)) failures.push([s, "no check exercised this scheme"]);
  const ok = results.filter((r) => !r.error).length;
  console.log(`reverse (npm): ${ok} of ${results.length} checks passed over ${EXPECTED.filter((s) => exercised.has(s)).length} schemes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.error(`reverse (npm): ${failures.length} FAILED:`);
    for (const [n, e] of failures) console.error(`  ${n}: ${e}`);
    process.exit(1);
  }
}

await main();
