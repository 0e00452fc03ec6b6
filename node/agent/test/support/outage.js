'use strict';
// The Redis outage scenario both server kinds go through: Redis is killed for three expiries (1 s
// each) while a client keeps talking to the server and a new client joins, then restarted empty.
const assert = require('node:assert/strict');
const { RegistryView } = require('./registry');
const { waitFor } = require('./wait');

/**
 * @param redis     the RedisServer
 * @param agent     the host's agent
 * @param farm, hostId  whose heartbeat must come back
 * @param talk      async () => void: one round trip with an existing client (asserts the answer)
 * @param join      async () => client: a new client that completed a round trip
 */
async function redisOutage({ redis, agent, farm, hostId, talk, join }) {
  await redis.kill();
  const downAt = Date.now();
  await waitFor(() => agent.failedHeartbeats >= 2, { what: 'failed heartbeats counted' });
  while (Date.now() - downAt < 3000) {
    await talk();
    await new Promise((r) => setTimeout(r, 250));
  }
  const late = await join();
  const before = agent.lastPublished.sequence;
  await redis.restart();
  const reader = new RegistryView(redis.uri, farm);
  try {
    await reader.ready();
    const backAt = Date.now();
    const back = await waitFor(() => reader.host(hostId), { timeoutMillis: 3000, what: 'heartbeat after restart' });
    assert.ok(Date.now() - backAt <= 1500, `back after ${Date.now() - backAt} ms`);
    assert.ok(back.sequence > before, 'the sequence kept growing');
    assert.equal(back.connections, 2);
  } finally {
    reader.close();
    late.close();
  }
}

module.exports = { redisOutage };
