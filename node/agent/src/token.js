'use strict';
// fg_token, the gateway's signed assignment: v1.<hostId>.<base64url(clientKey)>.<expiresAtSeconds>.<base64url(HMAC-SHA256)>
// with the MAC over everything before the last dot. Same verdicts and order of checks as the Java
// AssignmentToken/TokenCheck, so a token means the same on every backend.
const crypto = require('node:crypto');

const MIN_SECRET_BYTES = 16;
const DEFAULT_SKEW_SECONDS = 5;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function secretBytes(secret) {
  const bytes = Buffer.isBuffer(secret) ? secret : Buffer.from(String(secret), 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new RangeError(`tokenSecret: ${bytes.length} bytes (expected: >= ${MIN_SECRET_BYTES})`);
  }
  return bytes;
}

// Strict base64url as Java's URL decoder reads it: the alphabet, optional correct padding.
function decodeBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*(={0,2})$/.test(text)) return null;
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) return null;
  if (bare.length !== text.length && text.length % 4 !== 0) return null;
  return Buffer.from(bare, 'base64url');
}

function parseLong(text) {
  if (!/^[+-]?\d{1,19}$/.test(text)) return null;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

function mac(key, body) {
  return crypto.createHmac('sha256', key).update(body, 'utf8').digest();
}

/** Signs a token as a gateway does (for tests and for gateways written in JavaScript). */
function signToken(secret, hostId, clientKey, expiresAtSeconds) {
  const body = `v1.${hostId}.${Buffer.from(clientKey || '', 'utf8').toString('base64url')}.${expiresAtSeconds}`;
  return `${body}.${mac(secretBytes(secret), body).toString('base64url')}`;
}

/** The fg_token in `query`: a token string, URLSearchParams, a URL or request path with a query, or an object. */
function tokenOf(query) {
  if (query == null) return null;
  if (query instanceof URLSearchParams) return query.get('fg_token');
  if (query instanceof URL) return query.searchParams.get('fg_token');
  if (typeof query === 'string') {
    const q = query.indexOf('?');
    if (q >= 0) return new URLSearchParams(query.slice(q + 1)).get('fg_token');
    return query.startsWith('fg_token=') ? new URLSearchParams(query).get('fg_token') : query;
  }
  if (typeof query === 'object') {
    const t = query.fg_token;
    return Array.isArray(t) ? t[0] : t ?? null;
  }
  return null;
}

/**
 * Checks the fg_token presented to host `options.hostId`. Returns
 * `{valid, verdict, clientKey}`; verdict is VALID, MALFORMED, BAD_SIGNATURE, WRONG_HOST or EXPIRED.
 */
function verifyToken(query, secret, options = {}) {
  const { hostId, skewSeconds = DEFAULT_SKEW_SECONDS, nowMillis = Date.now() } = options;
  if (typeof hostId !== 'string' || hostId === '') throw new TypeError('hostId: not set (expected: this host\'s id)');
  if (!(Number.isInteger(skewSeconds) && skewSeconds >= 0)) {
    throw new RangeError(`skewSeconds: ${skewSeconds} (expected: an integer >= 0)`);
  }
  const key = secretBytes(secret);
  const verdict = (v, clientKey = null) => ({ valid: v === 'VALID', verdict: v, clientKey });
  const token = tokenOf(query);
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return verdict('MALFORMED');
  const lastDot = token.lastIndexOf('.');
  if (lastDot <= 0) return verdict('MALFORMED');
  const body = token.slice(0, lastDot);
  const parts = body.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return verdict('MALFORMED');
  const presented = decodeBase64Url(token.slice(lastDot + 1));
  const clientKey = decodeBase64Url(parts[2]);
  const expiresAt = parseLong(parts[3]);
  if (presented === null || clientKey === null || expiresAt === null) return verdict('MALFORMED');
  const expected = mac(key, body);
  if (presented.length !== expected.length || !crypto.timingSafeEqual(presented, expected)) {
    return verdict('BAD_SIGNATURE');
  }
  if (parts[1] !== hostId) return verdict('WRONG_HOST');
  const nowSeconds = BigInt(Math.floor(nowMillis / 1000));
  if (nowSeconds > expiresAt + BigInt(skewSeconds)) return verdict('EXPIRED');
  return verdict('VALID', clientKey.toString('utf8'));
}

module.exports = { verifyToken, signToken, MIN_SECRET_BYTES, DEFAULT_SKEW_SECONDS };
