'use strict';
// The registry connection: ioredis, configured the way docs/registry.md asks of every client
// (fail fast while disconnected, reconnect by itself with jittered backoff capped at 1 s,
// command timeouts), for one server, Sentinel or Cluster.
const Redis = require('ioredis');

function decode(text) {
  return text === undefined || text === '' ? undefined : decodeURIComponent(text);
}

/** Splits a registry URI into ioredis's shape. Exported for tests; never logs the password. */
function parseRedisUri(uri) {
  const m = /^(redis|rediss|redis-sentinel|rediss-sentinel|redis-cluster|rediss-cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/#?]+)(?:\/(\d+))?(?:#(.+))?$/.exec(uri);
  if (!m) throw new RangeError(`redis: '${redacted(uri)}' (expected: redis://[[user]:password@]host[:port][/db], redis-sentinel://…#master or redis-cluster://host:port,…)`);
  const [, scheme, user, password, hosts, db, master] = m;
  const tls = scheme.startsWith('rediss');
  const kind = scheme.endsWith('sentinel') ? 'sentinel' : scheme.endsWith('cluster') ? 'cluster' : 'single';
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const nodes = hosts.split(',').map((h) => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    if (!hm) throw new RangeError(`redis: bad host '${h}'`);
    return { host: hm[1].replace(/^\[|\]$/g, ''), port: hm[2] ? Number(hm[2]) : defaultPort };
  });
  if (kind === 'sentinel' && !master) throw new RangeError('redis: a redis-sentinel:// URI needs #masterName');
  return { kind, tls, username: decode(user), password: decode(password), db: db ? Number(db) : 0, nodes, master };
}

function redacted(uri) {
  return String(uri).replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function retryStrategy(times) {
  // Jittered backoff capped at one heartbeat interval's worth (1 s): back before the key expires.
  return Math.min(1000, 50 * 2 ** Math.min(times, 5)) * (0.5 + Math.random() / 2);
}

/** Opens a client for `uri`; `extra` goes into ioredis's options (e.g. `{tls: {ca}}`). */
function openRedis(uri, commandTimeoutMillis, extra = {}) {
  const p = parseRedisUri(uri);
  const common = {
    username: p.username,
    password: p.password,
    db: p.db,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMillis,
    connectTimeout: commandTimeoutMillis,
    retryStrategy,
    ...(p.tls ? { tls: {} } : {}),
    ...extra,
  };
  if (p.kind === 'cluster') {
    return new Redis.Cluster(p.nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      slotsRefreshInterval: 30000,
      redisOptions: common,
    });
  }
  if (p.kind === 'sentinel') {
    return new Redis({ ...common, sentinels: p.nodes, name: p.master, sentinelRetryStrategy: retryStrategy });
  }
  return new Redis({ ...common, host: p.nodes[0].host, port: p.nodes[0].port });
}

module.exports = { openRedis, parseRedisUri, redacted };
