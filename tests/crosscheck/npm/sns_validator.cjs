// Cross-check of the Amazon SNS test deliveries (signature/testdata/network_key_vectors.json,
// made by tests/crosscheck/network_key_vectors.py) with Amazon's own validator, npm
// `sns-validator` 0.3.5 (github.com/aws/aws-js-sns-message-validator): its default host
// pattern accepts the vectors' SigningCertURL, and its certificate download is answered with
// the repository's test certificate (Node's `https.get` replaced before the validator loads,
// so nothing reaches the network). Also checks that a tampered message and a certificate URL
// on a foreign host are refused.
//
//     npm install sns-validator@0.3.5      # in this folder or anywhere on NODE_PATH
//     node tests/crosscheck/npm/sns_validator.cjs
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');
const { EventEmitter } = require('events');

const testdata = path.join(__dirname, '../../../src-tauri/core/src/signature/testdata');
const cert = fs.readFileSync(path.join(testdata, 'network_key_test_cert.pem'), 'utf8');
const vectors = JSON.parse(fs.readFileSync(path.join(testdata, 'network_key_vectors.json'), 'utf8'));

const fetched = [];
https.get = (url, cb) => {
  fetched.push(String(url));
  const res = new EventEmitter();
  res.statusCode = 200;
  const req = new EventEmitter();
  process.nextTick(() => {
    cb(res);
    res.emit('data', Buffer.from(cert));
    res.emit('end');
  });
  return req;
};

const MessageValidator = require('sns-validator');
const validator = new MessageValidator();
const validate = (body) => new Promise((resolve) => validator.validate(body, (err) => resolve(err ? err.message : 'valid')));

(async () => {
  let passed = 0;
  let failed = 0;
  const expect = (name, got, want) => {
    const ok = want === 'valid' ? got === 'valid' : got !== 'valid';
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${got}`);
    ok ? passed++ : failed++;
  };
  for (const v of vectors.filter((v) => v.provider === 'amazon_sns')) {
    // sns-validator 0.3.5 signs UnsubscribeConfirmation with the Notification keys (no Token),
    // unlike the AWS documentation and the PHP validator: it cannot check that message type.
    if (JSON.parse(v.body).Type === 'UnsubscribeConfirmation') {
      console.log(`skip ${v.name}: sns-validator 0.3.5 leaves Token out of UnsubscribeConfirmation`);
      continue;
    }
    expect(v.name, await validate(v.body), 'valid');
    const tampered = JSON.parse(v.body);
    tampered.Message += ' ';
    expect(`${v.name} (tampered)`, await validate(JSON.stringify(tampered)), 'invalid');
  }
  const foreign = JSON.parse(vectors[0].body);
  foreign.SigningCertURL = 'https://sns.us-west-2.amazonaws.com.evil.example/x.pem';
  const before = fetched.length;
  expect('foreign certificate host', await validate(JSON.stringify(foreign)), 'invalid');
  if (fetched.length !== before) {
    console.log('FAIL the foreign certificate URL was fetched');
    failed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
