// Cross-check of tests/crosscheck/fields_and_jwt_vectors.py's vectors with the providers' own
// npm libraries (the Python ones for Plivo are in the generator's docstring). Not part of the
// npm/ package: run it where those libraries are installed, e.g.
//   cd /tmp/x && npm install @contentful/node-apps-toolkit @hygraph/utils plivo jsonwebtoken @adyen/api-library
//   python3 <repo>/tests/crosscheck/fields_and_jwt_vectors.py --json > v.json
//   NODE_PATH=/tmp/x/node_modules node <repo>/tests/crosscheck/fields_and_jwt_check.mjs v.json
// Every line must say AGREE (the library's verdict is the vector's `expect`).
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';
const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), 'x.js'));
const { verifyRequest } = require('@contentful/node-apps-toolkit');
const { verifyWebhookSignature } = require('@hygraph/utils');
const plivo = require('plivo');
const jwt = require('jsonwebtoken');
const { hmacValidator } = require('@adyen/api-library');
const crypto = require('crypto');
const v = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const H = (x) => Object.fromEntries(x.headers.map(([k, val]) => [k.toLowerCase(), val]));
const out = (name, i, ok, expect) => { const agree = ok === (expect === 'valid'); if (!agree) process.exitCode = 1; console.log(`${agree ? 'AGREE' : 'DISAGREE'} ${name}[${i}] lib=${ok} expect=${expect}`); };
// Adyen
v.adyen.forEach((x, i) => { const item = JSON.parse(x.body).notificationItems[0].NotificationRequestItem; const ok = new hmacValidator().validateHMAC(item, x.secret); out('adyen', i, ok, x.expect); });
v.adyen_platform.forEach((x, i) => { const ok = new hmacValidator().validateHMACSignature(x.secret, H(x).hmacsignature, x.body); out('adyen_platform', i, ok, x.expect); });
// Contentful (TTL 0: the vectors are old; freshness is checked by Hookloupe's own test)
v.contentful.forEach((x, i) => { const u = new URL(x.url); let ok; try { ok = verifyRequest(x.secret, { method: x.method || 'POST', path: u.pathname + u.search, headers: H(x), body: x.body }, 0); } catch (e) { ok = false; } out('contentful', i, ok, x.expect); });
// Hygraph (the library checks no time; vector 2 is invalid only by Hookloupe's replay window)
v.hygraph.forEach((x, i) => { const ok = verifyWebhookSignature({ rawPayload: x.body, signature: H(x)['gcms-signature'], secret: x.secret }); out('hygraph', i, ok, x.expect); });
// Plivo V3 and V2
v.plivo.forEach((x, i) => { const h = H(x); const params = x.method === 'GET' ? {} : Object.fromEntries(new URLSearchParams(x.body)); const ok = plivo.validateV3Signature(x.method || 'POST', x.url, h['x-plivo-signature-v3-nonce'], x.secret, h['x-plivo-signature-v3'], params); out('plivo', i, ok, x.expect); });
v.plivo_v2.forEach((x, i) => { const h = H(x); const ok = plivo.validateSignature(x.url, h['x-plivo-signature-v2-nonce'], h['x-plivo-signature-v2'], x.secret); out('plivo_v2', i, ok, x.expect); });
// JWTs (clockTimestamp = the vector's now)
const jv = (tok, key, now, algs) => { try { return jwt.verify(tok, key, { algorithms: algs, clockTimestamp: now }); } catch (e) { return null; } };
v.fusionauth.forEach((x, i) => { const c = jv(H(x)['x-fusionauth-signature-jwt'], x.secret, x.now, ['HS256']); const ok = !!c && c.request_body_sha256 === crypto.createHash('sha256').update(x.body).digest('base64'); out('fusionauth', i, ok, x.expect); });
v.wix.forEach((x, i) => { const ok = !!jv(x.body, x.secret, x.now, ['RS256']); out('wix', i, ok, x.expect); });
v.wix_psp.forEach((x, i) => { const c = jv(H(x).digest.replace(/^JWT=/, ''), x.secret, x.now, ['RS256']); const ok = !!c && c.data.SHA256 === crypto.createHash('sha256').update(x.body).digest('hex'); out('wix_psp', i, ok, x.expect); });
v.monday.forEach((x, i) => { const ok = !!jv(H(x).authorization, x.secret, x.now, ['HS256']); out('monday', i, ok, x.expect); });
if (process.exitCode) process.exit(process.exitCode);
