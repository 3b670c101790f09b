#!/usr/bin/env node
// Cross-check fixtures for CATALOG providers (src-tauri/core/src/signature/providers/*.toml) from
// the providers' own npm libraries, in the format of ../crosscheck_catalog.py: a fixture names its
// provider (`"provider": "mux"`) instead of a scheme and options, so the Rust test checks the
// catalog entry itself (`hookloupe verify --scheme mux`).
//
//   @sanity/webhook         sanity             signs (encodeSignatureHeader), verifies (isValidSignature; no time window)
//   modern-treasury         modern_treasury    signs (webhooks.getSignature), verifies (webhooks.validateSignature)
//   @mux/mux-node           mux                verify only (webhooks.verifySignature, 300 s, past only)
//   orb-billing             orb                verify only (webhooks.verifySignature; zone-less X-Orb-Timestamp is UTC, ±300 s)
//   openai                  openai             verify only (webhooks.verifySignature, Standard Webhooks, ±300 s)
//   replicate               replicate          verify only (validateWebhook; no time window)
//   @clerk/backend          clerk              verify only (verifyWebhook on a fetch Request, Svix headers, ±300 s)
//   @sendgrid/eventwebhook  sendgrid           verify only (EventWebhook.verifySignature, ECDSA P-256; no time window)
//   telnyx                  telnyx             verify only (webhooks.unwrap, Ed25519, ±300 s)
//
// Verify-only: the request is built with node:crypto the way the provider documents it (key
// pairs made here for the public-key ones), and the library must accept it and reject every
// tampered copy before anything is written. Date.now is pinned to NOW while a library verifies.
//
// Usage: npm ci --prefix tests/crosscheck/npm && node tests/crosscheck/npm/catalog.mjs OUT_DIR

import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { encodeSignatureHeader, isValidSignature } from "@sanity/webhook";
import ModernTreasury from "modern-treasury";
import Mux from "@mux/mux-node";
import Orb from "orb-billing";
import OpenAI from "openai";
import { validateWebhook } from "replicate";
import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";
import sendgrid from "@sendgrid/eventwebhook";
import Telnyx from "telnyx";

export const NOW = 1_731_000_000;
export const NOTE = "caf\u00e9 \u2014 \u00fcml\u00e4ut \u{1F600}";
const ISO_NOW = new Date(NOW * 1000).toISOString().replace(".000Z", "Z");
const JSON_CT = ["Content-Type", "application/json"];

const fixtures = [];

function add(name, provider, secrets, url, headers, body, expect, { now = NOW, method = "POST", verdict = null } = {}) {
  fixtures.push({
    name,
    provider,
    secrets,
    options: {},
    now,
    expect,
    expect_verdict: verdict ?? (expect === "valid" ? "valid" : null),
    method,
    url,
    headers: headers.map(([k, v]) => [k.toLowerCase(), v]),
    body_b64: Buffer.from(body, "utf8").toString("base64"),
  });
}

/** One byte changed (same rule as ../crosscheck_catalog.py): the first letter or digit after
 * the first `:` and the quote that follows it, so the body stays well-formed JSON. */
function tamper(body) {
  let i = body.indexOf('"', body.indexOf(":")) + 1;
  while (!/[A-Za-z0-9]/.test(body[i])) i++;
  return body.slice(0, i) + (body[i] !== "X" ? "X" : "Y") + body.slice(i + 1);
}

function wrongSecret(secret) {
  return secret.slice(0, -4) + (secret.endsWith("AAAA") ? "BBBB" : "AAAA");
}

function assert(cond, msg) {
  if (!cond) throw new Error(`catalog.mjs: ${msg}`);
}

/** Run `f` with Date.now() pinned to NOW. */
export async function atNow(f) {
  const real = Date.now;
  Date.now = () => NOW * 1000;
  try {
    return await f();
  } finally {
    Date.now = real;
  }
}

/** `f()` resolved: true; threw: false (the libraries throw on a bad signature). */
export async function passes(f) {
  try {
    await f();
    return true;
  } catch {
    return false;
  }
}

/** The genuine request, with a rotated-out secret first, and tampered copies (crosscheck.mjs's
 * variants). `check(headers, body, secret)` is the provider's library; `wrong` and `rotatedOut`
 * replace the mangled text secret for public keys (another key pair's public key). */
async function withVariants(name, provider, secret, url, headers, body, check, { staleHeaders = null, staleIsPolicy = false, wrong = wrongSecret(secret), rotatedOut = "not-the-secret-0000000000" } = {}) {
  const lib = (h, b, s) => atNow(() => check(h, b, s));
  assert(await lib(headers, body, secret), `${name}: the provider's library rejects the genuine request`);
  assert(!(await lib(headers, tamper(body), secret)), `${name}: the library accepts a tampered body`);
  assert(!(await lib(headers, body, wrong)), `${name}: the library accepts a wrong secret`);
  if (staleHeaders) {
    const ok = await lib(staleHeaders, body, secret);
    assert(ok === staleIsPolicy, `${name}: stale request, unexpected library verdict ${ok}`);
  }
  add(`${name}-valid`, provider, [secret], url, headers, body, "valid");
  add(`${name}-rotation`, provider, [rotatedOut, secret], url, headers, body, "valid");
  add(`${name}-tampered-body`, provider, [secret], url, headers, tamper(body), "invalid", { verdict: "invalid" });
  add(`${name}-wrong-secret`, provider, [wrong], url, headers, body, "invalid", { verdict: "invalid" });
  if (staleHeaders) add(`${name}-stale`, provider, [secret], url, staleHeaders, body, "invalid", { verdict: "expired" });
}

const header = (headers, name) => headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
const hexHmac = (key, msg) => createHmac("sha256", key).update(msg, "utf8").digest("hex");
const b64Hmac = (key, msg) => createHmac("sha256", key).update(msg, "utf8").digest("base64");
/** A compact realistic body and a pretty-printed non-ASCII one (first value a string: what tamper changes). */
const twoBodies = (compact, prettyRest) => [JSON.stringify(compact), `{\n  ${prettyRest},\n  "note": "${NOTE}"\n}\n`];

async function sanityFixtures() {
  // `t=<ms>,v1=<unpadded base64url HMAC-SHA256 of t.body>`; the library has no freshness window.
  const secret = "sanity-crosscheck-secret-Wk9yQm";
  const check = (headers, body, secret) => isValidSignature(body, header(headers, "sanity-webhook-signature"), secret);
  const hdr = async (body, atMs) => [JSON_CT, ["sanity-project-id", "3do82whm"], ["sanity-dataset", "production"], ["sanity-operation", "update"],
    ["sanity-webhook-id", "bN1Zb3lSbWmxYqQ6"], ["sanity-webhook-signature", await encodeSignatureHeader(body, atMs, secret)]];
  const bodies = twoBodies({ _id: "movie_10681", _type: "movie", _updatedAt: ISO_NOW, title: "WALL\u00b7E" }, '"_id": "movie_10682",\n  "_type": "movie"');
  for (const [i, body] of bodies.entries()) {
    await withVariants(`sanity-${i}`, "sanity", secret, "https://example.com/sanity", await hdr(body, NOW * 1000), body, check,
      { staleHeaders: await hdr(body, (NOW - 3600) * 1000), staleIsPolicy: true });
  }
}

async function modernTreasuryFixtures() {
  // Hex HMAC-SHA256 of the raw body in X-Signature, made by the SDK's own getSignature.
  const secret = "mt_webhook_key_crosscheck_3f9a1c7e";
  const client = (key) => new ModernTreasury({ apiKey: "crosscheck", organizationID: "crosscheck", webhookKey: key });
  const check = (headers, body, secret) => client(secret).webhooks.validateSignature(body, Object.fromEntries(headers), { key: secret });
  const bodies = twoBodies(
    { event: "completed", data: { id: "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", object: "payment_order", amount: 4200, currency: "USD", status: "completed" } },
    '"event": "failed",\n  "data": {"object": "payment_order"}',
  );
  for (const [i, body] of bodies.entries()) {
    const hdr = [JSON_CT, ["X-Webhook-ID", `5f1c0e2a-crss-chck-0000-00000000000${i}`], ["X-Signature", client(secret).webhooks.getSignature(body, { key: secret })]];
    await withVariants(`modern-treasury-${i}`, "modern_treasury", secret, "https://example.com/modern-treasury", hdr, body, check);
  }
}

async function muxFixtures() {
  // `Mux-Signature: t=<s>,v1=<hex HMAC-SHA256 of t.body>`; 300 s, past only.
  const secret = "mux_whsec_crosscheck_4bS9dL2qV7";
  const mux = new Mux({ tokenId: "crosscheck", tokenSecret: "crosscheck" });
  const check = (headers, body, secret) => passes(() => mux.webhooks.verifySignature(body, Object.fromEntries(headers), secret));
  const hdr = (body, at) => [JSON_CT, ["Mux-Signature", `t=${at},v1=${hexHmac(secret, `${at}.${body}`)}`]];
  const bodies = twoBodies(
    { type: "video.asset.ready", object: { type: "asset", id: "0201p02fGKPE7MrbC269XRD7LpcHhrmbu0002" }, id: "3a56ac3d-33da-4366-855b-f592d898409d", created_at: ISO_NOW },
    '"type": "video.asset.errored",\n  "object": {"type": "asset"}',
  );
  for (const [i, body] of bodies.entries()) {
    await withVariants(`mux-${i}`, "mux", secret, "https://example.com/mux", hdr(body, NOW), body, check, { staleHeaders: hdr(body, NOW - 3600) });
  }
}

async function orbFixtures() {
  // `X-Orb-Signature: v1=<hex HMAC-SHA256 of v1:<X-Orb-Timestamp>:body>`; Orb's timestamp has
  // no zone (UTC) and milliseconds; ±300 s.
  const secret = "orb_whsec_crosscheck_c-UGKYdnhHh436B";
  const orb = new Orb({ apiKey: "crosscheck" });
  const check = (headers, body, secret) => passes(() => orb.webhooks.verifySignature(body, Object.fromEntries(headers), secret));
  const ts = (at) => new Date(at * 1000).toISOString().replace("Z", "");
  const hdr = (body, at) => [JSON_CT, ["X-Orb-Timestamp", ts(at)], ["X-Orb-Signature", "v1=" + hexHmac(secret, `v1:${ts(at)}:${body}`)]];
  const bodies = twoBodies(
    { id: "o4mmewpfNNTnjfZc", created_at: ISO_NOW, type: "customer.created", properties: {}, customer: { id: "XimGiw3pnsgusvc3", external_customer_id: "acme-corp" } },
    '"id": "9VwMiN3E3tUE8hJF",\n  "type": "invoice.issued"',
  );
  for (const [i, body] of bodies.entries()) {
    await withVariants(`orb-${i}`, "orb", secret, "https://example.com/orb", hdr(body, NOW), body, check, { staleHeaders: hdr(body, NOW - 3600) });
  }
}

/** Standard Webhooks / Svix headers signed with node:crypto (base64 HMAC-SHA256 of id.ts.body, key = the decoded whsec_). */
function standardHeaders(prefix, secret, msgId, at, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return [[`${prefix}-id`, msgId], [`${prefix}-timestamp`, String(at)], [`${prefix}-signature`, "v1," + createHmac("sha256", key).update(`${msgId}.${at}.${body}`, "utf8").digest("base64")]];
}

async function openaiFixtures() {
  const secret = "whsec_" + Buffer.from("openai-crosscheck-key-32-bytes!!").toString("base64");
  const client = new OpenAI({ apiKey: "sk-crosscheck" });
  const check = (headers, body, secret) => passes(() => client.webhooks.verifySignature(body, Object.fromEntries(headers), secret));
  const ua = ["User-Agent", "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"];
  const bodies = twoBodies({ object: "event", id: "evt_685343a1381c819085d44c354e1b330e", type: "response.completed", created_at: NOW, data: { id: "resp_abc123" } },
    '"object": "event",\n  "type": "batch.failed"');
  for (const [i, body] of bodies.entries()) {
    const hdr = (at) => [JSON_CT, ua, ...standardHeaders("webhook", secret, `wh_685342e6c53c8190a1be43f081506c5${i}`, at, body)];
    await withVariants(`openai-${i}`, "openai", secret, "https://example.com/openai", hdr(NOW), body, check, { staleHeaders: hdr(NOW - 3600) });
  }
}

async function replicateFixtures() {
  // Standard Webhooks; validateWebhook checks no timestamp (the stale copy is inspector policy).
  const secret = "whsec_" + Buffer.from("replicate-crosscheck-key-32bytes").toString("base64");
  const check = (headers, body, secret) =>
    validateWebhook({ id: header(headers, "webhook-id"), timestamp: header(headers, "webhook-timestamp"), signature: header(headers, "webhook-signature"), body, secret });
  const bodies = twoBodies(
    { id: "ufawqhfynnddngldkgtslldrkq", model: "black-forest-labs/flux-schnell", status: "succeeded", created_at: ISO_NOW,
      urls: { get: "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq" } },
    '"id": "rrr4z55ocneqzikepnug6xezpe",\n  "status": "failed",\n  "urls": {"get": "https://api.replicate.com/v1/predictions/rrr4z55ocneqzikepnug6xezpe"}',
  );
  for (const [i, body] of bodies.entries()) {
    const hdr = (at) => [JSON_CT, ...standardHeaders("webhook", secret, `msg_replicate_crosscheck_${i}`, at, body)];
    await withVariants(`replicate-${i}`, "replicate", secret, "https://example.com/replicate", hdr(NOW), body, check, { staleHeaders: hdr(NOW - 3600), staleIsPolicy: true });
  }
}

async function clerkFixtures() {
  // Svix headers; Clerk's verifyWebhook reads them off a fetch Request and checks ±300 s.
  const secret = "whsec_" + Buffer.from("clerk-crosscheck-key-32-bytes!!!").toString("base64");
  const url = "https://example.com/clerk";
  const check = (headers, body, signingSecret) =>
    passes(() => clerkVerifyWebhook(new Request(url, { method: "POST", headers, body }), { signingSecret }));
  const ua = ["User-Agent", "Svix-Webhooks/1.77.0"];
  const bodies = twoBodies(
    { data: { id: "user_29w83sxmDNGwOuEthce5gg56FcC", object: "user", first_name: "Jon", email_addresses: [{ email_address: "jon@example.com" }] },
      object: "event", type: "user.created", timestamp: NOW * 1000, instance_id: "ins_2sd4Hq4FjcQ3m8QR2fVhrzWUs1d" },
    '"object": "event",\n  "type": "user.updated",\n  "instance_id": "ins_2sd4Hq4FjcQ3m8QR2fVhrzWUs1d"',
  );
  for (const [i, body] of bodies.entries()) {
    const hdr = (at) => [JSON_CT, ua, ...standardHeaders("svix", secret, `msg_2sd4Hq4FjcQ3m8QR2fVhrzWUs1${i}`, at, body)];
    await withVariants(`clerk-${i}`, "clerk", secret, url, hdr(NOW), body, check, { staleHeaders: hdr(NOW - 3600) });
  }
}

async function sendgridFixtures() {
  // ECDSA P-256/SHA-256 over `{timestamp}{body}`, signature base64 DER, key base64 SPKI DER
  // (`MFkw…`, as SendGrid shows it); the library has no freshness window.
  const keyPair = () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    return { privateKey, b64: publicKey.export({ type: "spki", format: "der" }).toString("base64") };
  };
  const [key, other, old] = [keyPair(), keyPair(), keyPair()];
  const ew = new sendgrid.EventWebhook();
  const check = (headers, body, publicKey) => {
    const h = (n) => header(headers, n);
    return ew.verifySignature(ew.convertPublicKeyToECDSA(publicKey), body, h("X-Twilio-Email-Event-Webhook-Signature"), h("X-Twilio-Email-Event-Webhook-Timestamp"));
  };
  const hdr = (body, at) => [JSON_CT, ["X-Twilio-Email-Event-Webhook-Timestamp", String(at)],
    ["X-Twilio-Email-Event-Webhook-Signature", cryptoSign("sha256", Buffer.from(`${at}${body}`, "utf8"), key.privateKey).toString("base64")]];
  // SendGrid posts a JSON array of events followed by CRLF.
  const bodies = [
    JSON.stringify([{ email: "ada@example.com", timestamp: NOW - 10, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>", event: "delivered", sg_event_id: "ZGVsaXZlcmVk", response: "250 OK" }]) + "\r\n",
    `[{"email":"ada@example.com","event":"bounce","reason":"${NOTE}"},\r\n{"email":"bob@example.com","event":"processed"}]\r\n`,
  ];
  for (const [i, body] of bodies.entries()) {
    await withVariants(`sendgrid-${i}`, "sendgrid", key.b64, "https://example.com/sendgrid", hdr(body, NOW), body, check,
      { staleHeaders: hdr(body, NOW - 3600), staleIsPolicy: true, wrong: other.b64, rotatedOut: old.b64 });
  }
}

/** An Ed25519 key pair from a fixed 32-byte seed (PKCS#8 wrapping of the raw seed). */
function ed25519FromSeed(seed) {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
  const raw = createPublicKey(privateKey).export({ type: "spki", format: "der" }).subarray(-32);
  return { privateKey, b64: raw.toString("base64") };
}

async function telnyxFixtures() {
  // Ed25519 over `{timestamp}|{body}`, base64 signature, key = 32 raw bytes base64; ±300 s.
  const seed = (s) => createHmac("sha256", "hookloupe crosscheck").update(s).digest();
  const [key, other, old] = ["telnyx", "telnyx-other", "telnyx-old"].map((s) => ed25519FromSeed(seed(s)));
  const telnyx = new Telnyx({ apiKey: "KEY_crosscheck" });
  const check = (headers, body, publicKey) => passes(() => telnyx.webhooks.unwrap(body, { headers: Object.fromEntries(headers), key: publicKey }));
  const hdr = (body, at) => [JSON_CT, ["telnyx-timestamp", String(at)], ["telnyx-signature-ed25519", cryptoSign(null, Buffer.from(`${at}|${body}`, "utf8"), key.privateKey).toString("base64")]];
  const bodies = twoBodies(
    { data: { event_type: "message.received", id: "b301ed3f-1490-491f-995f-6e64e69674d4", occurred_at: ISO_NOW, payload: { direction: "inbound", text: "Hello from Telnyx!", type: "SMS" }, record_type: "event" },
      meta: { attempt: 1, delivered_to: "https://example.com/webhooks" } },
    '"record_type": "event",\n  "data": {"event_type": "call.initiated"}',
  );
  for (const [i, body] of bodies.entries()) {
    await withVariants(`telnyx-${i}`, "telnyx", key.b64, "https://example.com/telnyx", hdr(body, NOW), body, check,
      { staleHeaders: hdr(body, NOW - 3600), wrong: other.b64, rotatedOut: old.b64 });
  }
}

const GENERATORS = [sanityFixtures, modernTreasuryFixtures, muxFixtures, orbFixtures, openaiFixtures, replicateFixtures, clerkFixtures, sendgridFixtures, telnyxFixtures];

async function main() {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node catalog.mjs OUT_DIR");
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  for (const f of GENERATORS) await f();
  for (const fx of fixtures) writeFileSync(join(out, `catalog-${fx.name}.json`), JSON.stringify(fx, null, 1));
  const providers = [...new Set(fixtures.map((f) => f.provider))].sort();
  console.log(`crosscheck (catalog, npm): wrote ${fixtures.length} fixtures for ${providers.length} providers to ${out}: ${providers.join(", ")}`);
}

// Run only as a script: reverse_catalog.mjs imports the shared helpers above.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
