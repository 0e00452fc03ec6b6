'use strict';
// The pure shedding policy, with a seeded random source and a hand-driven clock.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ShedPacer, DrainSchedule, DecayingAverage } = require('../src/policy');
const { parseProcStat } = require('../src/cpu');
const { validate } = require('../src/config');
const { decodeOperatorState } = require('../src/agent');

function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('the pacer sheds at most its budget per window and never more than the excess', () => {
  const p = new ShedPacer(0.05, 1, seeded(1));
  let open = 1000;
  const perWindow = [];
  for (let now = 0; now < 10_000; now += 100) {
    if (now % 1000 === 0) perWindow.push(0);
    const n = p.shedNow(now, open, 880);
    perWindow[perWindow.length - 1] += n;
    open -= n;
  }
  assert.equal(open, 880);
  assert.ok(perWindow.every((n) => n <= 50), JSON.stringify(perWindow));
  assert.equal(p.shedNow(20_000, 880, 880), 0);
});

test('a drain sheds everyone by 80 % of the period, spread, and late arrivals at once', () => {
  const d = new DrainSchedule(0, 100, 1000, seeded(2));
  let shed = 0;
  let firstAt = -1;
  for (let now = 0; now < 800; now += 100) {
    const n = d.shedNow(now, 100 - shed);
    if (n > 0 && firstAt < 0) firstAt = now;
    shed += n;
  }
  assert.ok(shed < 100 && shed > 50, `${shed} before the spread ends`);
  assert.equal(d.shedNow(800, 100 - shed + 3), 100 - shed + 3);
  assert.ok(!d.over(999) && d.over(1000));
});

test('the CPU average decays by half-life, whatever the sampling rate', () => {
  const a = new DecayingAverage(1000);
  a.add(1, 0);
  assert.equal(a.add(0, 1000), 0.5);
  assert.equal(a.add(0, 1000), 0.5, 'a sample from the same moment changes nothing');
  assert.ok(Math.abs(a.add(0, 3000) - 0.125) < 1e-12);
});

test('/proc/stat: idle and iowait are idle, the rest up to steal is busy', () => {
  const r = parseProcStat('cpu  100 10 50 1000 40 5 5 2 7 0\ncpu0 1 2 3 4\n');
  assert.equal(r.busyNanos, (100 + 10 + 50 + 5 + 5 + 2) * 10_000_000);
  assert.equal(r.availableNanos, (100 + 10 + 50 + 5 + 5 + 2 + 1000 + 40) * 10_000_000);
  assert.throws(() => parseProcStat('intr 1 2 3'), /no aggregate cpu line/);
});

test('options are checked once, and a refusal names the field and the range', () => {
  const ok = { redis: 'redis://127.0.0.1:6379', farm: 'chat', hostId: 'web-1', url: 'ws://10.0.0.5:9001',
    address: '10.0.0.5', capacity: 100, server: {} };
  assert.equal(validate(ok).heartbeatTtlMillis, 3000);
  assert.throws(() => validate({ ...ok, capacity: 0 }), /^RangeError: capacity: 0 \(expected: > 0\)$/);
  assert.throws(() => validate({ ...ok, hostId: 'Web_1' }), /hostId: "Web_1"/);
  assert.throws(() => validate({ ...ok, heartbeatTtlMillis: 1000 }), /heartbeatTtlMillis: 1000 \(expected: > heartbeatIntervalMillis, 1000\)/);
  assert.throws(() => validate({ ...ok, redis: 'http://x' }), /redis: /);
  assert.throws(() => validate({ ...ok, address: 'example.com' }), /address: /);
});

test('operator records are read as docs/registry.md defines them; an unusable one is refused', () => {
  assert.deepEqual({ ...decodeOperatorState('{"v":1,"draining":true,"weight":2.5,"targetConnections":7}') },
    { draining: true, weight: 2.5, targetConnections: 7, updatedAtMillis: 0 });
  assert.equal(decodeOperatorState(null).draining, false);
  for (const bad of ['{', '{"v":2,"draining":true,"weight":1,"targetConnections":-1}', '{"v":1,"draining":"yes","weight":1,"targetConnections":-1}',
    '{"v":1,"draining":false,"weight":0,"targetConnections":-1}', '[]', 'x'.repeat(17 * 1024)]) {
    assert.equal(decodeOperatorState(bad), null, bad.slice(0, 40));
  }
});
