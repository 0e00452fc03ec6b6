'use strict';
// @farmgate/agent on real socket.io servers: registration with the right count, a drain that
// moves socket.io clients to the other host, a target that sheds exactly the excess.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { once } = require('node:events');
const { Server } = require('socket.io');
const { io: connect } = require('socket.io-client');
const { startAgent } = require('..');
const { RedisServer, redisServerMissing } = require('./support/redis-server');
const { RegistryView } = require('./support/registry');
const { waitFor } = require('./support/wait');
const { redisOutage } = require('./support/outage');

const skip = redisServerMissing();
const quiet = { info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) };
let redis;

before(async () => {
  if (!skip) redis = await RedisServer.start();
});
after(async () => {
  await redis?.kill();
});

async function ioHost(farm, hostId, options = {}) {
  const httpServer = http.createServer();
  const server = new Server(httpServer);
  server.on('connection', (s) => s.on('chat', (m, ack) => ack({ from: hostId, m })));
  await new Promise((r) => httpServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${httpServer.address().port}`;
  const agent = await startAgent({ redis: redis.uri, farm, hostId, url, address: '127.0.0.1', capacity: 1000, server,
    logger: quiet, heartbeatIntervalMillis: 200, heartbeatTtlMillis: 1000, drainPeriodMillis: 1000, ...options });
  return { server, httpServer, url, agent, async stop() {
    await agent.close();
    server.close();
  } };
}

/** A socket.io client on the WebSocket transport; resolves once connected. */
async function ioClient(url) {
  const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await once(socket, 'connect');
  return socket;
}

test('a socket.io host appears with its connection count and sheds exactly down to a target', async (t) => {
  if (skip) return t.skip(skip);
  const farm = `io-${process.pid}-1`;
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const h = await ioHost(farm, 'io-1', { minShedPerSecond: 10 });
  const clients = await Promise.all(Array.from({ length: 6 }, () => ioClient(h.url)));
  try {
    await waitFor(async () => (await reader.host('io-1'))?.connections === 6, { timeoutMillis: 1000, what: '6 connections' });
    const reasons = [];
    clients.forEach((s) => s.on('disconnect', (reason) => reasons.push(reason)));
    await reader.setOperator('io-1', { targetConnections: 4 });
    await waitFor(() => reasons.length === 2, { what: '2 sheds' });
    await waitFor(async () => (await reader.host('io-1')).connections === 4, { what: 'heartbeat says 4' });
    await new Promise((r) => setTimeout(r, 500)); // a quiet period in which nothing more may close
    assert.equal(reasons.length, 2);
    // "transport close", not "io server disconnect": socket.io's client reconnects by itself after it.
    assert.deepEqual(reasons, ['transport close', 'transport close']);
    assert.equal(h.server.engine.clientsCount, 4);
  } finally {
    clients.forEach((s) => s.close());
    await reader.setOperator('io-1', {});
    await h.stop();
    reader.close();
  }
});

test('a drain moves every socket.io client to the other host', async (t) => {
  if (skip) return t.skip(skip);
  const farm = `io-${process.pid}-2`;
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const a = await ioHost(farm, 'io-a');
  const b = await ioHost(farm, 'io-b');
  const sockets = [];
  try {
    // Each client, when its connection drops, asks the registry (as the gateway would answer
    // /v1/assign) for an active host and connects there.
    const moved = [];
    for (let i = 0; i < 8; i++) {
      const s = await ioClient(a.url);
      sockets.push(s);
      moved.push(new Promise((resolve) => s.once('disconnect', async (reason) => {
        const target = [...(await reader.hosts()).values()].find((h) => h.state === 'active');
        const next = await ioClient(target.url);
        sockets.push(next);
        const reply = await next.emitWithAck('chat', 'hello');
        resolve({ reason, host: reply.from });
      })));
    }
    await waitFor(async () => (await reader.host('io-a')).connections === 8, { what: 'io-a reports 8' });
    await reader.setOperator('io-a', { draining: true });
    const results = await Promise.all(moved);
    assert.deepEqual(results.map((r) => r.host), Array(8).fill('io-b'));
    assert.ok(results.every((r) => r.reason === 'transport close'), JSON.stringify(results));
    await waitFor(async () => (await reader.host('io-b')).connections === 8, { what: 'io-b reports 8' });
    assert.equal((await reader.host('io-a')).state, 'draining');
  } finally {
    sockets.forEach((s) => s.close());
    await Promise.all([a.stop(), b.stop()]);
    reader.close();
  }
});

test('kill -9 of a socket.io host removes it within the expiry', async (t) => {
  if (skip) return t.skip(skip);
  const path = require('node:path');
  const { spawn } = require('node:child_process');
  const farm = `io-${process.pid}-3`;
  const reader = new RegistryView(redis.uri, farm);
  await reader.ready();
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'host.js')], {
    env: { ...process.env, FG_REDIS: redis.uri, FG_FARM: farm, FG_HOST_ID: 'io-doomed', FG_KIND: 'socket.io',
      FG_HEARTBEAT_INTERVAL_MILLIS: '200', FG_HEARTBEAT_TTL_MILLIS: '1000' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const [line] = await once(child.stdout, 'data');
    const { port } = JSON.parse(String(line));
    const s = await ioClient(`http://127.0.0.1:${port}`);
    await waitFor(async () => (await reader.host('io-doomed'))?.connections === 1, { what: 'io-doomed with 1 client' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await waitFor(async () => (await reader.host('io-doomed')) === undefined,
      { timeoutMillis: 3000, intervalMillis: 10, what: 'io-doomed expired' });
    assert.ok(Date.now() - killedAt <= 1100, `gone after ${Date.now() - killedAt} ms (expiry 1000 ms)`);
    s.close();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    reader.close();
  }
});

test('Redis killed and restarted: the socket.io server keeps serving and heartbeats resume', async (t) => {
  if (skip) return t.skip(skip);
  const farm = `io-${process.pid}-4`;
  const h = await ioHost(farm, 'io-o');
  const s = await ioClient(h.url);
  try {
    await redisOutage({ redis, agent: h.agent, farm, hostId: 'io-o',
      talk: async () => assert.equal((await s.timeout(1000).emitWithAck('chat', 'still here')).m, 'still here'),
      join: async () => {
        const late = await ioClient(h.url);
        assert.equal((await late.timeout(1000).emitWithAck('chat', 'new')).from, 'io-o');
        return late;
      } });
  } finally {
    s.close();
    await h.stop();
  }
});
