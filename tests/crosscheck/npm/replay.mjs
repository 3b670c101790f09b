#!/usr/bin/env node
// Replay cross-check (npm): Hookloupe RE-SIGNS stored captures and SENDS them over real HTTP;
// the providers' own npm libraries verify what arrives. Same idea and output as ../replay.py:
// per scheme, in a fresh data directory, `hookloupe endpoint add` with the scheme and secret;
// the real `hookloupe listen --port 0` captures a delivery that is stale or wrongly signed on
// purpose (only re-signing can make it valid); a target server in this script (node:http on
// 127.0.0.1, port 0) reads the raw body and headers and answers 200 when the library accepts
// them, 400 when not; `hookloupe replay ID --to TARGET --resign` must exit 0 with the library's
// "valid", and the same replay without `--resign` must be rejected (400, exit 1). Some schemes
// also replay edited (`--body-file`, `--header`) or rebased (`--keep-path`). Library clocks are
// the real clock: replay signs at the moment of sending.
//
//   @octokit/webhooks-methods  github   verify
//   @shopify/shopify-api       shopify  shopify.webhooks.validate (classic and Events API headers)
//   @linear/sdk                linear   LinearWebhookClient.verify (±60 s on webhookTimestamp in the body)
//   @zoom/rivet                zoom     AwsLambdaReceiver (re-serialises the JSON: compact bodies only)
//
// Every hookloupe call is asynchronous (the target server answers from this same event loop).
// Prints one line per check; exits 1 listing every failure, including a scheme no check reached.
// Usage: npm ci --prefix tests/crosscheck/npm && node tests/crosscheck/npm/replay.mjs HOOKLOUPE_BIN

import { execFile, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import "@shopify/shopify-api/adapters/node";
import { shopifyApi, ApiVersion, LogSeverity } from "@shopify/shopify-api";
import { AwsLambdaReceiver } from "@zoom/rivet/meetings";

const BODIES = [
  '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}',
  '{\n  "id": "evt_2",\n  "note": "caf\u00e9 \u2014 \u00fcml\u00e4ut \u{1F600}",\n  "tags": ["a", "b"]\n}\n',
];
const EXPECTED = ["github", "shopify", "linear", "zoom"];
const TIMEOUT = 15_000; // ms, for every subprocess and HTTP call
const JSON_CT = ["Content-Type", "application/json"];

const here = dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
const version = (pkg) => `${pkg} ${lock.packages[`node_modules/${pkg}`]?.version ?? "?"}`;

let HOOKLOUPE;
const results = [];
const exercised = new Set();
const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;

const header = (r, name) => r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

function describe(r) {
  return `${r.method} ${r.url} [${r.headers.map(([k, v]) => `${k}: ${v}`).join(", ")}] body ${JSON.stringify(r.body.toString("utf8").slice(0, 120))}`;
}

/** `hookloupe ARGS` (async): { code, stdout, stderr }. */
function hookloupe(dataDir, args, stdin) {
  return new Promise((done) => {
    const child = execFile(HOOKLOUPE, ["--data-dir", dataDir, "--keyring", "off", ...args], { timeout: TIMEOUT * 2, encoding: "utf8" }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : `${err.code ?? ""} ${err.signal ?? ""}`.trim()) : 0, stdout, stderr: stderr.trim() }),
    );
    child.stdin.end(stdin ?? "");
  });
}

async function addEndpoint(dataDir, name, scheme, secrets, options = {}) {
  const args = ["endpoint", "add", name, "--path", `/${name}`, "--scheme", scheme];
  for (const s of secrets) args.push(`--secret=${s}`); // `=`: a secret may start with `-`
  for (const [k, v] of Object.entries(options)) args.push(`--option=${k}=${v}`);
  const p = await hookloupe(dataDir, args);
  if (p.code !== 0) throw new Error(`\`hookloupe endpoint add\` exited ${p.code}: ${p.stderr}`);
}

/** The real `hookloupe listen --port 0`; `f(baseUrl)` runs while it listens; stopped by its PID. */
async function withListener(dataDir, f) {
  const child = spawn(HOOKLOUPE, ["--data-dir", dataDir, "--keyring", "off", "listen", "--port", "0", "--json"], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((done) => child.once("exit", done));
  try {
    const url = await new Promise((done, fail) => {
      let seen = "";
      const timer = setTimeout(() => fail(new Error(`\`hookloupe listen\` printed no URL within ${TIMEOUT / 1000} s: ${JSON.stringify(seen)}`)), TIMEOUT);
      child.stderr.on("data", (chunk) => {
        seen += chunk; // keeps reading so the listener never blocks on a full stderr pipe
        const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`\`hookloupe listen\` exited ${code}: ${JSON.stringify(seen)}`));
      });
    });
    return await f(url);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Sends the captured delivery to the listener; returns the capture id it answered with. */
async function deliver(url, headers, body) {
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT) });
  await res.arrayBuffer();
  const id = res.headers.get("x-hookloupe-capture-id");
  if (res.status !== 200 || !id) throw new Error(`the listener answered ${res.status} without a capture id`);
  return id;
}

/** The provider's receiving app: node:http on 127.0.0.1 port 0. `verify(received)` is the
 * provider's library; 200 when it returns true, else 400. Every request is recorded as
 * { r, accepted, error }: error is an unexpected exception from the verifier. */
async function startTarget(verify) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const r = { method: req.method, url: `http://${req.headers.host}${req.url}`, headers, body: Buffer.concat(chunks) };
      let accepted = false;
      let error = null;
      try {
        accepted = (await verify(r)) === true;
      } catch (e) {
        error = `${e?.name ?? "Error"}: ${e?.message ?? e}`; // a verifier bug is reported, not taken as a rejection
      }
      received.push({ r, accepted, error });
      const reply = JSON.stringify({ valid: accepted });
      res.writeHead(accepted ? 200 : 400, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(reply), Connection: "close" });
      res.end(reply);
    });
  });
  server.requestTimeout = TIMEOUT;
  server.headersTimeout = TIMEOUT;
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
  };
}

function fail(name, error) {
  results.push({ name, error });
  console.log(`FAIL replay ${name}: ${error}`);
}

/** Replays the capture with `flags` to `to` (default: the target's URL + the endpoint path).
 * accepted=true: the library must accept what arrived and replay must exit 0; false: the
 * library must reject it (the target answers 400) and replay must exit 1. `inspect(r, attempt)`
 * checks more and throws. */
async function replayCheck(name, scheme, library, ctx, flags, { to, accepted = true, stdin, target, inspect } = {}) {
  exercised.add(scheme);
  target ??= ctx.target;
  to ??= target.url + ctx.path;
  try {
    target.received.length = 0;
    const p = await hookloupe(ctx.dir, ["replay", ctx.id, "--to", to, "--timeout", `${TIMEOUT / 1000}s`, "--json", ...flags], stdin);
    const lines = p.stdout.trim().split("\n").filter(Boolean);
    const attempt = lines.length ? JSON.parse(lines.at(-1)) : {};
    if (p.code === 2 || target.received.length !== 1) throw new Error(`\`hookloupe replay\` exited ${p.code} and ${target.received.length} request(s) arrived: ${p.stderr}`);
    const { r, accepted: ok, error } = target.received[0];
    if (error) throw new Error(`the verifier raised ${error} on: ${describe(r)}`);
    if (accepted && !ok) throw new Error(`${library} REJECTS the replay: ${describe(r)}`);
    if (!accepted && ok) throw new Error(`${library} ACCEPTS the replay sent as captured: ${describe(r)}`);
    if (p.code !== (accepted ? 0 : 1) || attempt.status !== (accepted ? 200 : 400)) {
      throw new Error(`\`hookloupe replay\` exited ${p.code} with status ${attempt.status} (expected ${accepted ? 0 : 1}): ${p.stderr}`);
    }
    if (inspect) inspect(r, attempt);
  } catch (e) {
    fail(name, e.message);
    return;
  }
  results.push({ name, error: null });
  const how = flags.map((f) => (f.startsWith("/") ? "FILE" : f)).join(" ") || "as captured";
  console.log(`replay ${name}: ${how}, ${accepted ? "accepted" : "rejected"} by ${library} over HTTP (${accepted ? "200, exit 0" : "400, exit 1"})`);
}

/** A fresh data dir with endpoint `name` (path /name), the delivery captured by the real
 * listener at /name + suffix, and a target server running `verify`; `f(ctx)` runs the checks. */
async function captured(name, scheme, verify, { secrets, headers, body, options, suffix = "" }, f) {
  const dir = mkdtempSync(join(tmpdir(), "hookloupe-replay-"));
  try {
    let id;
    try {
      await addEndpoint(dir, name, scheme, secrets, options);
      id = await withListener(dir, (url) => deliver(`${url}/${name}${suffix}`, headers, body));
    } catch (e) {
      exercised.add(scheme);
      fail(`${name}-capture`, e.message);
      return;
    }
    const target = await startTarget(verify);
    try {
      await f({ dir, id, path: `/${name}${suffix}`, target });
    } finally {
      await target.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The two checks every scheme gets: re-signed → accepted; as captured → rejected. */
async function both(name, scheme, library, ctx) {
  await replayCheck(`${name}-resign`, scheme, library, ctx, ["--resign"]);
  await replayCheck(`${name}-as-captured`, scheme, library, ctx, [], { accepted: false });
}

const bodyIs = (body) => (r) => {
  if (!r.body.equals(Buffer.from(body))) throw new Error(`the body arrived as ${JSON.stringify(r.body.toString("utf8").slice(0, 120))}`);
};
const headerIs = (name, value) => (r) => {
  if (header(r, name) !== value) throw new Error(`${name} arrived as ${JSON.stringify(header(r, name))}, expected ${JSON.stringify(value)}`);
};
const pathIs = (path) => (r) => {
  const u = new URL(r.url);
  if (u.pathname + u.search !== path) throw new Error(`arrived at ${r.url}, expected the path ${path}`);
};

async function githubReplays() {
  const secret = "gh-crosscheck-It's a Secret to Everybody";
  const lib = version("@octokit/webhooks-methods");
  const verify = async (r) => {
    try {
      return await octokitVerify(secret, r.body.toString("utf8"), header(r, "X-Hub-Signature-256"));
    } catch {
      return false;
    }
  };
  // A genuine delivery signed with the secret the endpoint had before it was rotated.
  const old = await octokitSign("gh-crosscheck-the-previous-secret", BODIES[0]);
  const hdr = [JSON_CT, ["X-GitHub-Event", "push"], ["X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"], ["X-Hub-Signature-256", old]];
  await captured("github", "github", verify, { secrets: [secret], headers: hdr, body: BODIES[0] }, async (ctx) => {
    await both("github", "github", lib, ctx);
    const file = join(ctx.dir, "edited.json");
    writeFileSync(file, BODIES[1]);
    await replayCheck("github-edited-body", "github", lib, ctx, ["--body-file", file, "--resign"], { inspect: bodyIs(BODIES[1]) });
    await replayCheck("github-edited-body-not-resigned", "github", lib, ctx, ["--body-file", file], { accepted: false });
    await replayCheck("github-keep-path", "github", lib, ctx, ["--keep-path", "--resign"], { to: `${ctx.target.url}/base`, inspect: pathIs("/base/github") });
  });
}

async function shopifyReplays() {
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
  const verify = async (r) => {
    const rawRequest = { method: r.method, url: new URL(r.url).pathname, headers: Object.fromEntries(r.headers.map(([k, v]) => [k.toLowerCase(), v])) };
    const res = await api.webhooks.validate({ rawBody: r.body.toString("utf8"), rawRequest, rawResponse: {} });
    return res.valid === true;
  };
  const stale = "A".repeat(43) + "=";
  const classic = [
    JSON_CT,
    ["X-Shopify-Topic", "orders/create"],
    ["X-Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["X-Shopify-API-Version", "2024-10"],
    ["X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"],
    ["X-Shopify-Hmac-Sha256", stale],
  ];
  await captured("shopify", "shopify", verify, { secrets: [secret], headers: classic, body: BODIES[1] }, async (ctx) => {
    await both("shopify", "shopify", lib, ctx);
    await replayCheck("shopify-edited-header", "shopify", lib, ctx, ["--header", "X-Shopify-Topic: orders/updated", "--resign"], {
      inspect: headerIs("X-Shopify-Topic", "orders/updated"),
    });
  });
  const events = [
    JSON_CT,
    ["Shopify-Topic", "orders/create"],
    ["Shopify-Shop-Domain", "crosscheck.myshopify.com"],
    ["Shopify-API-Version", "2025-10"],
    ["Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd044"],
    ["Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b6"],
    ["Shopify-Hmac-Sha256", stale],
  ];
  await captured("shopify", "shopify", verify, { secrets: [secret], headers: events, body: BODIES[0] }, async (ctx) => {
    await both("shopify-events", "shopify", lib, ctx);
  });
}

async function linearReplays() {
  const secret = "lin_wh_crosscheck_Qm9vZ2llV29vZ2llQm9vZ2llV29v";
  const lib = version("@linear/sdk");
  const verify = (r) => {
    try {
      return new LinearWebhookClient(secret).verify(r.body, header(r, "Linear-Signature"), header(r, "Linear-Timestamp"));
    } catch {
      return false; // the SDK throws on a bad signature or timestamp
    }
  };
  // A genuine delivery an hour old: Linear puts the send time in the signed body, so re-signing must rewrite it.
  const ts = hourAgo() * 1000;
  const body = `{\n  "action": "update",\n  "type": "Comment",\n  "data": {"body": "caf\u00e9 \u2014 \u{1F600}"},\n  "webhookTimestamp": ${ts}\n}\n`;
  const hdr = [
    ["Content-Type", "application/json; charset=utf-8"],
    ["Linear-Delivery", "234d1a4e-b617-4388-90fe-adc3633d6b72"],
    ["Linear-Event", "Comment"],
    ["Linear-Timestamp", String(ts)],
    ["Linear-Signature", createHmac("sha256", secret).update(body).digest("hex")],
  ];
  await captured("linear", "linear", verify, { secrets: [secret], headers: hdr, body }, async (ctx) => {
    await both("linear", "linear", lib, ctx);
  });
}

async function zoomReplays() {
  const secret = "zoom_crosscheck_secret_token_Zm9vYmFyYmF6";
  const lib = version("@zoom/rivet");
  const verify = async (r) => {
    const handler = new AwsLambdaReceiver({ webhooksSecretToken: secret }).start();
    const debug = console.debug;
    console.debug = () => {};
    try {
      const res = await handler({ headers: Object.fromEntries(r.headers.map(([k, v]) => [k.toLowerCase(), v])), body: r.body.toString("utf8"), isBase64Encoded: false }, {});
      return res.statusCode === 200;
    } finally {
      console.debug = debug;
    }
  };
  // Rivet has no freshness window: the captured delivery is signed with another app's token.
  const ts = hourAgo();
  const body = JSON.stringify({ event: "meeting.started", event_ts: ts * 1000, payload: { account_id: "AAAAAABBBB", object: { id: "1234567890", topic: "Caf\u00e9 \u2014 \u{1F600}" } } });
  const hdr = [
    ["Content-Type", "application/json; charset=utf-8"],
    ["x-zm-request-timestamp", String(ts)],
    ["x-zm-signature", "v0=" + createHmac("sha256", "another-apps-secret-token").update(`v0:${ts}:${body}`).digest("hex")],
  ];
  await captured("zoom", "zoom", verify, { secrets: [secret], headers: hdr, body }, async (ctx) => {
    await both("zoom", "zoom", lib, ctx);
  });
}

async function main() {
  if (process.argv.length !== 3) {
    console.error("usage: node replay.mjs HOOKLOUPE_BIN");
    process.exit(2);
  }
  HOOKLOUPE = resolve(process.argv[2]);
  accessSync(HOOKLOUPE, constants.X_OK);
  delete process.env.HOOKLOUPE_DATA_DIR; // every call passes its own --data-dir
  const started = performance.now();
  for (const f of [githubReplays, shopifyReplays, linearReplays, zoomReplays]) await f();
  const failures = results.filter((r) => r.error).map((r) => [r.name, r.error]);
  for (const s of EXPECTED) if (!exercised.has(s)) failures.push([s, "no check exercised this scheme"]);
  const ok = results.filter((r) => !r.error).length;
  console.log(`replay (npm): ${ok} of ${results.length} checks passed over ${EXPECTED.filter((s) => exercised.has(s)).length} schemes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.error(`replay (npm): ${failures.length} FAILED:`);
    for (const [n, e] of failures) console.error(`  ${n}: ${e}`);
    process.exit(1);
  }
}

await main();
