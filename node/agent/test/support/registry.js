'use strict';
// Reads the farm the way the gateway's SnapshotSource does (ZRANGE hosts, MGET host keys) and
// writes operator state the way OperatorStore does (HSET the record, PUBLISH the host id on the nudge channel).
const Redis = require('ioredis');

class RegistryView {
  constructor(uri, farm) {
    this.farm = farm;
    this.redis = new Redis(uri, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: false });
    this.redis.on('error', () => {});
    this.p = `fg:{${farm}}:`;
  }

  ready() {
    return this.redis.status === 'ready' ? Promise.resolve() : new Promise((r) => this.redis.once('ready', r));
  }

  /** hostId -> heartbeat record, for hosts whose key still exists. */
  async hosts() {
    const ids = await this.redis.zrange(`${this.p}hosts`, 0, 10000);
    if (ids.length === 0) return new Map();
    const values = await this.redis.mget(ids.map((id) => `${this.p}host:${id}`));
    const out = new Map();
    ids.forEach((id, i) => {
      if (values[i] !== null) out.set(id, JSON.parse(values[i]));
    });
    return out;
  }

  async host(id) {
    return (await this.hosts()).get(id);
  }

  async setOperator(hostId, { draining = false, weight = 1, targetConnections = -1 } = {}) {
    const record = JSON.stringify({ v: 1, draining, weight, targetConnections, updatedAtMillis: Date.now() });
    await this.redis.hset(`${this.p}operator`, hostId, record);
    await this.redis.publish(`${this.p}nudge`, hostId);
  }

  async events() {
    const entries = await this.redis.xrange(`${this.p}events`, '-', '+');
    return entries.map(([, f]) => Object.fromEntries(f.reduce((a, v, i) => (i % 2 ? a : [...a, [v, f[i + 1]]]), [])));
  }

  close() {
    this.redis.disconnect();
  }
}

module.exports = { RegistryView };
