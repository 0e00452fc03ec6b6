'use strict';
// @farmgate/agent on a real ws server against a real redis-server: registration, kill -9,
// drain, target, Redis outage. Short heartbeats (200 ms, expiry 1 s) keep it to seconds.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { WebSocketServer, WebSocket } = require('ws');
const { startAgent } = require('..');
const { RedisServer, redisServerMissing } = require('./support/redis-server');
const { RegistryView } = require('./support/registry');
const { waitFor } = require('./support/wait');
const { redisOutage } = require('./support/outage');

const skip = redisServerMissing();
const TIMING = { heartbeatIntervalMillis: 200, heartbeatTtlMillis: 1000 };
const quiet = { info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) };
let redis;
let farmNo = 0;

before(async () => {
  if (skip) return;
  redis = await RedisServer.start();
});
after(async () => {
  await redis?.kill();
});

async function wsHost(farm, hostId, options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
  const { port } = wss.address();
  const agent = await startAgent({
    redis: redis.uri, farm, hostId, url: `ws://127.0.0.1:${port}`, address: '127.0.0.1', capacity: 1000,
    server: wss, logger: quiet, ...TIMING, ...options,
  });
  return { wss, port, agent, url: `ws://127.0.0.1:${port}` };
}

/** A client that records how it was closed. */
async function client(url) {
  const ws = new WebSocket(url);
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code, at: Date.now() })));
  await once(ws, 'open');
  return ws;
}

function newFarm() {
  farmNo++;
  return `ws-${process.pid}-${farmNo}`;
}

test('the host appears within one heartbeat with its connection count, and the sequence grows', { skip }, async () => {
  const farm = newFarm();
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const first = await Promise.all([client(url), client(url), client(url)]);
  const agent = await startAgent({ redis: redis.uri, farm, hostId: 'node-1', url, address: '127.0.0.1',
    zone: 'z1', capacity: 500, server: wss, logger: quiet, ...TIMING });
  try {
    // startAgent resolves after the first heartbeat: the host is there already.
    const h = await reader.host('node-1');
    assert.equal(h.connections, 3);
    assert.equal(h.url, url);
    assert.equal(h.zone, 'z1');
    assert.equal(h.capacity, 500);
    assert.equal(h.state, 'active');
    assert.equal(h.v, 1);
    assert.ok(h.cpu >= 0 && h.cpu <= 1);
    assert.equal(await reader.redis.get(`fg:{${farm}}:schema`), '1');
    const ttl = await reader.redis.pttl(`fg:{${farm}}:host:node-1`);
    assert.ok(ttl > 0 && ttl <= 1000, `PX expiry ${ttl}`);
    const more = await Promise.all([client(url), client(url)]);
    const t0 = Date.now();
    const seen = await waitFor(async () => {
      const r = await reader.host('node-1');
      return r.connections === 5 && r;
    }, { timeoutMillis: 2000, what: '5 connections in the heartbeat' });
    assert.ok(Date.now() - t0 <= TIMING.heartbeatIntervalMillis + 150, `took ${Date.now() - t0} ms`);
    assert.ok(seen.sequence > h.sequence);
    assert.ok((await reader.events()).some((e) => e.type === 'join' && e.hostId === 'node-1'));
    for (const ws of [...first, ...more]) ws.close();
  } finally {
    await agent.close();
    wss.close();
  }
  try {
    assert.equal(await reader.host('node-1'), undefined, 'close() removes the heartbeat');
    assert.ok((await reader.events()).some((e) => e.type === 'leave' && e.hostId === 'node-1'));
  } finally {
    reader.close();
  }
});

test('kill -9 of a process running the agent removes its host within the expiry', { skip }, async () => {
  const farm = newFarm();
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'host.js')], {
    env: { ...process.env, FG_REDIS: redis.uri, FG_FARM: farm, FG_HOST_ID: 'doomed-1',
      FG_HEARTBEAT_INTERVAL_MILLIS: '200', FG_HEARTBEAT_TTL_MILLIS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await once(child.stdout, 'data');
    await waitFor(() => reader.host('doomed-1'), { what: 'doomed-1 registered' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await waitFor(async () => (await reader.host('doomed-1')) === undefined,
      { timeoutMillis: 3000, intervalMillis: 10, what: 'doomed-1 expired' });
    const gone = Date.now() - killedAt;
    assert.ok(gone <= 1000 + 100, `gone after ${gone} ms (expiry 1000 ms)`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    reader.close();
  }
});

test('a drain closes each client with 1012, spread over the drain period, and they land on the other host', { skip }, async () => {
  const farm = newFarm();
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const a = await wsHost(farm, 'a', { drainPeriodMillis: 1000 });
  const b = await wsHost(farm, 'b', { drainPeriodMillis: 1000 });
  const moved = [];
  try {
    const clients = await Promise.all(Array.from({ length: 10 }, () => client(a.url)));
    // Each client does what the cooperating client does: on 1012 it asks the registry (here
    // directly, as a gateway would) for an active host and connects there.
    const landed = clients.map((ws) => ws.closed.then(async ({ code, at }) => {
      const hosts = await reader.hosts();
      const target = [...hosts.values()].find((h) => h.state === 'active');
      moved.push(await client(target.url));
      return { code, at, host: target.hostId };
    }));
    await waitFor(async () => (await reader.host('a')).connections === 10, { what: 'a reports 10' });
    const orderedAt = Date.now();
    await reader.setOperator('a', { draining: true });
    const results = await Promise.all(landed);
    assert.deepEqual(results.map((r) => r.code), Array(10).fill(1012));
    assert.deepEqual(results.map((r) => r.host), Array(10).fill('b'));
    const spread = Math.max(...results.map((r) => r.at)) - Math.min(...results.map((r) => r.at));
    assert.ok(spread >= 100, `closes spread over ${spread} ms, not all at once`);
    assert.ok(Math.max(...results.map((r) => r.at)) - orderedAt <= 1000 + 300, 'all closed within the drain period');
    await waitFor(async () => (await reader.host('a')).state === 'draining', { what: 'a says draining' });
    await waitFor(async () => (await reader.host('b')).connections === 10, { what: 'b reports 10' });
    assert.equal(a.agent.shedTotal, 10);
  } finally {
    moved.forEach((ws) => ws.close());
    await Promise.all([a.agent.close(), b.agent.close()]);
    a.wss.close();
    b.wss.close();
    reader.close();
  }
});

test('a target below the count sheds exactly the excess, at most the per-second budget', { skip }, async () => {
  const farm = newFarm();
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const h = await wsHost(farm, 't', { minShedPerSecond: 5, shedFractionPerSecond: 0.05 });
  try {
    const clients = await Promise.all(Array.from({ length: 20 }, () => client(h.url)));
    const closes = [];
    clients.forEach((ws) => ws.closed.then((c) => closes.push(c)));
    const orderedAt = Date.now();
    await reader.setOperator('t', { targetConnections: 12 });
    await waitFor(() => closes.length >= 8, { timeoutMillis: 4000, what: '8 sheds' });
    // Budget: max(5, 5 % of 20) = 5 per one-second window, so 8 take a second window.
    const firstWindow = closes.filter((c) => c.at - orderedAt < 950).length;
    assert.ok(firstWindow <= 5, `${firstWindow} closed in the first window (budget 5)`);
    assert.ok(closes.every((c) => c.code === 1012));
    // Never more than asked: still 12 a few heartbeats later.
    await waitFor(async () => (await reader.host('t')).connections === 12, { what: 'heartbeat says 12' });
    await new Promise((r) => setTimeout(r, 600)); // a quiet period in which nothing more may close
    assert.equal(closes.length, 8);
    assert.equal(h.wss.clients.size, 12);
    assert.equal((await reader.host('t')).connections, 12);
    await waitFor(async () => (await reader.events()).some((e) => e.type === 'shed' && e.hostId === 't'),
      { what: 'a shed event' });
    clients.forEach((ws) => ws.close());
  } finally {
    await reader.setOperator('t', {});
    await h.agent.close();
    h.wss.close();
    reader.close();
  }
});

test('Redis killed and restarted: the server keeps serving and heartbeats resume', { skip }, async () => {
  const farm = newFarm();
  const h = await wsHost(farm, 'o');
  const ws = await client(h.url);
  const echo = async (sock, text) => {
    const got = once(sock, 'message');
    sock.send(text);
    return (await got)[0].toString();
  };
  try {
    // The outage lasts three expiries; the server answers all along, and takes new clients.
    await redisOutage({ redis, agent: h.agent, farm, hostId: 'o',
      talk: async () => assert.equal(await echo(ws, 'still here'), 'still here'),
      join: async () => {
        const late = await client(h.url);
        assert.equal(await echo(late, 'new'), 'new');
        return late;
      } });
  } finally {
    ws.close();
    await h.agent.close();
    h.wss.close();
  }
});
