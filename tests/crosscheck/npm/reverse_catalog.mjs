#!/usr/bin/env node
// Reverse cross-check for CATALOG providers (npm): `hookloupe sign --scheme <provider id>` SIGNS
// (the catalog entry's preset, resolved by the CLI), the provider's own npm library VERIFIES, and
// must reject the request once one body byte is changed. Same machinery and output as
// reverse.mjs; the libraries are catalog.mjs's, with Date.now pinned to NOW.
//
//   @sanity/webhook  sanity   isValidSignature (the header must be exactly `t=<ms>,v1=<base64url>`)
//   modern-treasury  modern_treasury  webhooks.validateSignature
//   @mux/mux-node    mux      webhooks.verifySignature
//   orb-billing      orb      webhooks.verifySignature
//   openai           openai   webhooks.verifySignature
//   replicate        replicate  validateWebhook
//   @clerk/backend   clerk    verifyWebhook
//   SendGrid and Telnyx sign with a private key only the sender holds: `hookloupe sign` must
//   refuse them (exit 2, cannot_sign), which is checked.
//
// Prints one line per check; exits 1 listing every failure, including a provider no check reached.
// Usage: npm ci --prefix tests/crosscheck/npm && node tests/crosscheck/npm/reverse_catalog.mjs HOOKLOUPE_BIN

import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { isValidSignature } from "@sanity/webhook";
import ModernTreasury from "modern-treasury";
import Mux from "@mux/mux-node";
import Orb from "orb-billing";
import OpenAI from "openai";
import { validateWebhook } from "replicate";
import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";

import { NOTE, NOW, atNow, passes } from "./catalog.mjs";

const EXPECTED = ["sanity", "modern_treasury", "mux", "orb", "openai", "replicate", "clerk"];
const JSON_CT = ["Content-Type", "application/json"];

const here = dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
const version = (pkg) => `${pkg} ${lock.packages[`node_modules/${pkg}`]?.version ?? "?"}`;

let HOOKLOUPE;
const results = [];
const exercised = new Set();

function request(url, headers, body, method = "POST") {
  return { method, url, headers, body_b64: Buffer.from(body, "utf8").toString("base64") };
}

function hookloupe(args, input) {
  return spawnSync(HOOKLOUPE, args, { input: JSON.stringify(input), timeout: 60_000 });
}

function hookloupeSign(provider, secrets, req, { messageId = null } = {}) {
  const args = ["sign", "--request", "-", "--scheme", provider, "--now", String(NOW), "--json"];
  for (const s of secrets) args.push(`--secret=${s}`); // `=`: a secret may start with `-`
  if (messageId) args.push(`--message-id=${messageId}`);
  const p = hookloupe(args, req);
  if (p.status !== 0) throw new Error(`\`hookloupe sign\` exited ${p.status}: ${String(p.stderr).trim()}`);
  const out = JSON.parse(String(p.stdout));
  return { method: out.method, url: out.url, headers: out.headers, body: Buffer.from(out.body_b64, "base64") };
}

const header = (s, name) => s.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
const text = (s) => s.body.toString("utf8");

/** One byte changed inside the payload (same rule as reverse.mjs). */
function tamperBody(body) {
  const starts = [body.indexOf(0x3a), body.indexOf(0x3d)].filter((i) => i >= 0);
  let i = Math.min(...starts);
  while (!/[A-Za-z0-9]/.test(String.fromCharCode(body[i]))) i++;
  const out = Buffer.from(body);
  out[i] = body[i] === 0x58 ? 0x59 : 0x58;
  return out;
}

function describe(s) {
  return `${s.method} ${s.url} [${s.headers.map(([k, v]) => `${k}: ${v}`).join(", ")}] body ${JSON.stringify(text(s).slice(0, 120))}`;
}

async function check(name, provider, library, req, verify, { secrets, ...signOpts }) {
  exercised.add(provider);
  try {
    const signed = hookloupeSign(provider, secrets, req, signOpts);
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

/** A compact body and a pretty-printed non-ASCII one. */
const twoBodies = (compact, prettyRest) => [JSON.stringify(compact), `{\n  ${prettyRest},\n  "note": "${NOTE}"\n}\n`];

async function sanityChecks() {
  const secret = "sanity-crosscheck-secret-Wk9yQm";
  const verify = (s) => isValidSignature(text(s), header(s, "sanity-webhook-signature"), secret);
  const hdr = [JSON_CT, ["sanity-project-id", "3do82whm"], ["sanity-dataset", "production"], ["sanity-webhook-id", "bN1Zb3lSbWmxYqQ6"]];
  const bodies = twoBodies({ _id: "movie_10681", _type: "movie", title: "WALL\u00b7E" }, '"_id": "movie_10682",\n  "_type": "movie"');
  for (const [i, body] of bodies.entries()) {
    await check(`sanity-${i}`, "sanity", version("@sanity/webhook"), request("https://example.com/sanity", hdr, body), verify, { secrets: [secret] });
  }
  // A captured delivery re-signed: its old signature header is replaced.
  const captured = [...hdr, ["sanity-webhook-signature", "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0"]];
  await check("sanity-resign", "sanity", version("@sanity/webhook"), request("https://example.com/sanity", captured, bodies[0]), verify, { secrets: [secret] });
}

async function modernTreasuryChecks() {
  const secret = "mt_webhook_key_crosscheck_3f9a1c7e";
  const client = new ModernTreasury({ apiKey: "crosscheck", organizationID: "crosscheck", webhookKey: secret });
  const verify = (s) => client.webhooks.validateSignature(text(s), Object.fromEntries(s.headers), { key: secret });
  const bodies = twoBodies({ event: "completed", data: { object: "payment_order", amount: 4200, currency: "USD" } }, '"event": "failed",\n  "data": {"object": "payment_order"}');
  for (const [i, body] of bodies.entries()) {
    const hdr = [JSON_CT, ["X-Webhook-ID", `5f1c0e2a-crss-chck-0000-00000000000${i}`]];
    await check(`modern-treasury-${i}`, "modern_treasury", version("modern-treasury"), request("https://example.com/modern-treasury", hdr, body), verify, { secrets: [secret] });
  }
}

async function muxChecks() {
  const secret = "mux_whsec_crosscheck_4bS9dL2qV7";
  const mux = new Mux({ tokenId: "crosscheck", tokenSecret: "crosscheck" });
  const verify = (s) => passes(() => mux.webhooks.verifySignature(text(s), Object.fromEntries(s.headers), secret));
  const bodies = twoBodies({ type: "video.asset.ready", object: { type: "asset", id: "0201p02fGKPE7MrbC269XRD7LpcHhrmbu0002" } }, '"type": "video.asset.errored",\n  "object": {"type": "asset"}');
  for (const [i, body] of bodies.entries()) {
    await check(`mux-${i}`, "mux", version("@mux/mux-node"), request("https://example.com/mux", [JSON_CT], body), verify, { secrets: [secret] });
  }
}

async function orbChecks() {
  const secret = "orb_whsec_crosscheck_c-UGKYdnhHh436B";
  const orb = new Orb({ apiKey: "crosscheck" });
  const verify = (s) => passes(() => orb.webhooks.verifySignature(text(s), Object.fromEntries(s.headers), secret));
  const bodies = twoBodies({ id: "o4mmewpfNNTnjfZc", type: "customer.created", customer: { id: "XimGiw3pnsgusvc3" } }, '"id": "9VwMiN3E3tUE8hJF",\n  "type": "invoice.issued"');
  for (const [i, body] of bodies.entries()) {
    await check(`orb-${i}`, "orb", version("orb-billing"), request("https://example.com/orb", [JSON_CT], body), verify, { secrets: [secret] });
  }
  // Re-signed from a capture: Orb's zone-less timestamp and old signature are replaced.
  const captured = [JSON_CT, ["X-Orb-Timestamp", "2024-03-27T15:42:29.551"], ["X-Orb-Signature", "v1=" + "0".repeat(64)]];
  await check("orb-resign", "orb", version("orb-billing"), request("https://example.com/orb", captured, bodies[0]), verify, { secrets: [secret] });
}

async function openaiChecks() {
  const secret = "whsec_" + Buffer.from("openai-crosscheck-key-32-bytes!!").toString("base64");
  const client = new OpenAI({ apiKey: "sk-crosscheck" });
  const verify = (s) => passes(() => client.webhooks.verifySignature(text(s), Object.fromEntries(s.headers), secret));
  const ua = ["User-Agent", "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"];
  const bodies = twoBodies({ object: "event", id: "evt_685343a1381c819085d44c354e1b330e", type: "response.completed", data: { id: "resp_abc123" } }, '"object": "event",\n  "type": "batch.failed"');
  for (const [i, body] of bodies.entries()) {
    await check(`openai-${i}`, "openai", version("openai"), request("https://example.com/openai", [JSON_CT, ua], body), verify,
      { secrets: [secret], messageId: `wh_685342e6c53c8190a1be43f081506c5${i}` });
  }
}

async function replicateChecks() {
  const secret = "whsec_" + Buffer.from("replicate-crosscheck-key-32bytes").toString("base64");
  const verify = (s) => validateWebhook({ id: header(s, "webhook-id"), timestamp: header(s, "webhook-timestamp"), signature: header(s, "webhook-signature"), body: text(s), secret });
  const bodies = twoBodies({ id: "ufawqhfynnddngldkgtslldrkq", status: "succeeded", urls: { get: "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq" } },
    '"id": "rrr4z55ocneqzikepnug6xezpe",\n  "status": "failed"');
  for (const [i, body] of bodies.entries()) {
    await check(`replicate-${i}`, "replicate", version("replicate"), request("https://example.com/replicate", [JSON_CT], body), verify,
      { secrets: [secret], messageId: `msg_replicate_crosscheck_${i}` });
  }
}

async function clerkChecks() {
  const secret = "whsec_" + Buffer.from("clerk-crosscheck-key-32-bytes!!!").toString("base64");
  const url = "https://example.com/clerk";
  const verify = (s) => passes(() => clerkVerifyWebhook(new Request(url, { method: "POST", headers: s.headers, body: s.body }), { signingSecret: secret }));
  const ua = ["User-Agent", "Svix-Webhooks/1.77.0"];
  const bodies = twoBodies({ data: { id: "user_29w83sxmDNGwOuEthce5gg56FcC", object: "user" }, object: "event", type: "user.created", instance_id: "ins_2sd4Hq4FjcQ3m8QR2fVhrzWUs1d" },
    '"object": "event",\n  "type": "user.updated"');
  for (const [i, body] of bodies.entries()) {
    // Clerk's deliveries carry their svix-id; hookloupe reuses it as the message id.
    const hdr = [JSON_CT, ua, ["svix-id", `msg_2sd4Hq4FjcQ3m8QR2fVhrzWUs1${i}`]];
    await check(`clerk-${i}`, "clerk", version("@clerk/backend"), request(url, hdr, body), verify, { secrets: [secret] });
  }
}

/** SendGrid and Telnyx: the endpoint holds only the public key, so `hookloupe sign` must refuse. */
function cannotSignRefused() {
  for (const [provider, key] of [["sendgrid", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="],
    ["telnyx", "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="]]) {
    const p = hookloupe(["sign", "--request", "-", "--scheme", provider, `--secret=${key}`, "--json"], request("https://example.com/hook", [JSON_CT], '{"type":1}'));
    const err = String(p.stderr).trim();
    if (p.status !== 2 || !err.includes('"cannot_sign"')) {
      results.push({ name: `${provider}-cannot-sign`, error: `expected exit 2 with cannot_sign, got ${p.status}: ${err}` });
      console.log(`FAIL reverse ${provider}-cannot-sign: exit ${p.status}: ${err}`);
    } else {
      console.log(`reverse ${provider}: skipped, hookloupe refuses with cannot_sign (only the sender holds the private key)`);
    }
  }
}

async function main() {
  if (process.argv.length !== 3) {
    console.error("usage: node reverse_catalog.mjs HOOKLOUPE_BIN");
    process.exit(2);
  }
  HOOKLOUPE = resolve(process.argv[2]);
  accessSync(HOOKLOUPE, constants.X_OK);
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), "hookloupe-reverse-catalog-"));
  process.env.HOOKLOUPE_DATA_DIR = dataDir; // `sign` opens no database; belt and braces
  try {
    for (const f of [sanityChecks, modernTreasuryChecks, muxChecks, orbChecks, openaiChecks, replicateChecks, clerkChecks]) await f();
    cannotSignRefused();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const failures = results.filter((r) => r.error).map((r) => [r.name, r.error]);
  for (const p of EXPECTED) if (!exercised.has(p)) failures.push([p, "no check exercised this provider"]);
  const ok = results.filter((r) => !r.error).length;
  console.log(`reverse (catalog, npm): ${ok} of ${results.length} checks passed over ${EXPECTED.filter((p) => exercised.has(p)).length} providers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.error(`reverse (catalog, npm): ${failures.length} FAILED:`);
    for (const [n, e] of failures) console.error(`  ${n}: ${e}`);
    process.exit(1);
  }
}

await main();
