'use strict';
// fg_token: the Java AssignmentToken's format and rules. The interop case reads tokens that the
// Java side signed (cli's NodeAgentInteropTest writes them and names the file in FARMGATE_JAVA_TOKENS).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { verifyToken, signToken } = require('..');

const SECRET = 'a-shared-secret-of-32-bytes-long!';
const NOW = 1_800_000_000_000;

test('a token signed here verifies for its host and carries its client key', () => {
  const t = signToken(SECRET, 'web-1', 'ann', NOW / 1000 + 30);
  assert.deepEqual(verifyToken(t, SECRET, { hostId: 'web-1', nowMillis: NOW }), { valid: true, verdict: 'VALID', clientKey: 'ann' });
  assert.equal(verifyToken(`/chat?x=1&fg_token=${t}`, SECRET, { hostId: 'web-1', nowMillis: NOW }).verdict, 'VALID');
  assert.equal(verifyToken(new URLSearchParams({ fg_token: t }), SECRET, { hostId: 'web-1', nowMillis: NOW }).verdict, 'VALID');
  assert.equal(verifyToken({ fg_token: t }, SECRET, { hostId: 'web-1', nowMillis: NOW }).verdict, 'VALID');
});

test('expiry is judged with the skew allowed, and no further', () => {
  const exp = NOW / 1000;
  const t = signToken(SECRET, 'web-1', '', exp);
  assert.equal(verifyToken(t, SECRET, { hostId: 'web-1', nowMillis: (exp + 5) * 1000 }).verdict, 'VALID');
  assert.equal(verifyToken(t, SECRET, { hostId: 'web-1', nowMillis: (exp + 6) * 1000 }).verdict, 'EXPIRED');
  assert.equal(verifyToken(t, SECRET, { hostId: 'web-1', nowMillis: (exp + 6) * 1000, skewSeconds: 10 }).verdict, 'VALID');
});

test('forged, replayed to another host and malformed tokens are refused', () => {
  const t = signToken(SECRET, 'web-1', '', NOW / 1000 + 30);
  const opts = { hostId: 'web-1', nowMillis: NOW };
  assert.equal(verifyToken(signToken('another-secret-of-32-bytes-long!!', 'web-1', '', NOW / 1000 + 30), SECRET, opts).verdict, 'BAD_SIGNATURE');
  assert.equal(verifyToken(t.replace('v1.web-1.', 'v1.web-2.'), SECRET, { hostId: 'web-2', nowMillis: NOW }).verdict, 'BAD_SIGNATURE');
  assert.equal(verifyToken(t, SECRET, { hostId: 'web-2', nowMillis: NOW }).verdict, 'WRONG_HOST');
  for (const bad of [null, '', 'x', 'v2.web-1..1.AAAA', 'v1.web-1..notanumber.AAAA', 'v1.web-1.%%%.1.AAAA',
    'v1.web-1..99999999999999999999.AAAA', `${t}x!`, 'a'.repeat(1025), 'v1.web-1.1.AAAA']) {
    assert.equal(verifyToken(bad, SECRET, opts).verdict, 'MALFORMED', String(bad).slice(0, 40));
  }
  assert.throws(() => verifyToken(t, 'short', opts), /tokenSecret: 5 bytes \(expected: >= 16\)/);
  assert.throws(() => verifyToken(t, SECRET, {}), /hostId/);
});

test('tokens signed by the Java gateway code verify here, and are refused when expired, forged or for another host', (t) => {
  const file = process.env.FARMGATE_JAVA_TOKENS;
  if (!file) return t.skip('FARMGATE_JAVA_TOKENS not set: run from Maven (cli NodeAgentInteropTest) to check Java-signed tokens');
  const cases = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.ok(cases.tokens.length >= 4);
  for (const c of cases.tokens) {
    const got = verifyToken(c.token, cases.secret, { hostId: c.hostId, nowMillis: cases.nowMillis, skewSeconds: c.skewSeconds });
    assert.equal(got.verdict, c.javaVerdict, `${c.name}: Java says ${c.javaVerdict}, Node says ${got.verdict}`);
    if (got.valid) assert.equal(got.clientKey, c.clientKey);
  }
  const verdicts = new Set(cases.tokens.map((c) => c.javaVerdict));
  for (const v of ['VALID', 'EXPIRED', 'BAD_SIGNATURE', 'WRONG_HOST']) assert.ok(verdicts.has(v), `a ${v} case`);
});
