'use strict';
// The agent's options, validated once; messages name the field and the expected range, as the Java AgentConfig's do.
const net = require('node:net');

const DEFAULTS = Object.freeze({
  zone: '',
  weight: 1,
  heartbeatIntervalMillis: 1000,
  heartbeatTtlMillis: 3000,
  cpuHalfLifeMillis: 10000,
  drainPeriodMillis: 30000,
  shedFractionPerSecond: 0.05,
  minShedPerSecond: 1,
  shedTickMillis: 100,
  commandTimeoutMillis: 1000,
  eventStreamMaxLength: 10000,
  cpu: 'process',
});

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function fail(field, value, expected) {
  throw new RangeError(`${field}: ${JSON.stringify(value)} (expected: ${expected})`);
}

function validate(options) {
  if (options == null || typeof options !== 'object') throw new TypeError('options: not set (expected: an object)');
  const c = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) c[k] = v;
  if (typeof c.redis !== 'string' || !/^(redis|rediss|redis-sentinel|rediss-sentinel|redis-cluster|rediss-cluster):\/\//.test(c.redis)) {
    fail('redis', c.redis, 'redis://, rediss://, redis-sentinel:// or redis-cluster:// URI');
  }
  if (typeof c.farm !== 'string' || !NAME.test(c.farm)) fail('farm', c.farm, "1-63 of a-z, 0-9 and '-'");
  if (typeof c.hostId !== 'string' || !NAME.test(c.hostId)) {
    fail('hostId', c.hostId, "1-63 of a-z, 0-9 and '-', not starting or ending with '-'");
  }
  let url;
  try {
    url = new URL(c.url);
  } catch {
    url = null;
  }
  if (!url || !['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) || !url.hostname) {
    fail('url', c.url, 'ws://, wss://, http:// or https:// with a host');
  }
  if (typeof c.address !== 'string' || net.isIP(c.address) === 0) fail('address', c.address, 'an IPv4 or IPv6 literal');
  if (typeof c.zone !== 'string' || c.zone.length > 64) fail('zone', c.zone, 'a string of at most 64 characters');
  const int = (f, min, max = 2 ** 31 - 1, expected = `an integer in [${min}, ${max}]`) => {
    if (!Number.isInteger(c[f]) || c[f] < min || c[f] > max) fail(f, c[f], expected);
  };
  int('capacity', 1, 2 ** 31 - 1, '> 0');
  if (typeof c.weight !== 'number' || !(c.weight > 0 && c.weight <= 1000)) fail('weight', c.weight, 'in (0, 1000]');
  int('heartbeatIntervalMillis', 1, 2 ** 31 - 1, '> 0');
  if (!Number.isInteger(c.heartbeatTtlMillis) || c.heartbeatTtlMillis <= c.heartbeatIntervalMillis) {
    fail('heartbeatTtlMillis', c.heartbeatTtlMillis, `> heartbeatIntervalMillis, ${c.heartbeatIntervalMillis}`);
  }
  int('cpuHalfLifeMillis', 1, 2 ** 31 - 1, '> 0');
  int('drainPeriodMillis', 1, 2 ** 31 - 1, '> 0');
  if (typeof c.shedFractionPerSecond !== 'number' || !(c.shedFractionPerSecond > 0 && c.shedFractionPerSecond <= 1)) {
    fail('shedFractionPerSecond', c.shedFractionPerSecond, 'in (0, 1]');
  }
  int('minShedPerSecond', 1, 2 ** 31 - 1, '>= 1');
  int('shedTickMillis', 1, 1000);
  int('commandTimeoutMillis', 1, 2 ** 31 - 1, '> 0');
  int('eventStreamMaxLength', 1, 2 ** 31 - 1, '> 0');
  if (c.cpu !== 'process' && c.cpu !== 'host') fail('cpu', c.cpu, "'process' or 'host'");
  if (c.random !== undefined && typeof c.random !== 'function') fail('random', typeof c.random, 'a function returning [0, 1)');
  if (c.clock !== undefined && typeof c.clock !== 'function') fail('clock', typeof c.clock, 'a function returning epoch millis');
  return Object.freeze(c);
}

module.exports = { validate, DEFAULTS };
