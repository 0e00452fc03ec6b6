'use strict';
// The cluster module: workers share one port, so the host is one farm member. The agent runs in
// the primary (`server: clusterPrimary(cluster)`, `cpu: 'host'`); each worker answers it with
// `clusterWorker(wss or io)`. Counts travel over the cluster IPC channel: the primary asks every
// worker for its count whenever the agent reads it and uses the latest answers, minus what it has
// asked a worker to shed since (so a closing client is not shed twice).
const { adapterFor } = require('./adapters');

const TAG = 'farmgate';

/** The primary's side: a server of the agent's `{connections(), shed(count, code)}` kind. */
function clusterPrimary(cluster, random = Math.random) {
  if (!cluster || !cluster.isPrimary) throw new TypeError('cluster: clusterPrimary needs the cluster module in the primary process');
  const counts = new Map(); // worker id -> latest count
  cluster.on('message', (worker, msg) => {
    if (msg && msg[TAG] === 'count' && Number.isInteger(msg.n) && msg.n >= 0) counts.set(worker.id, msg.n);
  });
  cluster.on('exit', (worker) => counts.delete(worker.id));
  const ask = () => {
    for (const w of Object.values(cluster.workers)) {
      if (w && w.isConnected()) w.send({ [TAG]: 'count?' }, () => {});
    }
  };
  return {
    connections() {
      ask();
      let sum = 0;
      for (const n of counts.values()) sum += n;
      return sum;
    },
    shed(count, code, reason) {
      // Take from the busiest workers first; ties broken at random.
      const order = [...counts.entries()].filter(([, n]) => n > 0)
        .map(([id, n]) => ({ id, n, r: random() }))
        .sort((a, b) => b.n - a.n || a.r - b.r);
      let left = count;
      for (let i = 0; left > 0 && order.some((o) => o.n > 0); i = (i + 1) % order.length) {
        const o = order[i];
        if (o.n === 0) continue;
        o.ask = (o.ask || 0) + 1;
        o.n--;
        left--;
      }
      for (const o of order) {
        if (!o.ask) continue;
        counts.set(o.id, o.n);
        const w = cluster.workers[o.id];
        if (w && w.isConnected()) w.send({ [TAG]: 'shed', count: o.ask, code, reason }, () => {});
      }
      return count - left;
    },
  };
}

/** A worker's side: answers the primary's count requests and shed orders for its `server`. */
function clusterWorker(server, random = Math.random) {
  if (typeof process.send !== 'function') throw new TypeError('clusterWorker: not a cluster worker (no IPC channel)');
  const adapter = adapterFor(server, random);
  const report = () => process.send({ [TAG]: 'count', n: adapter.connections() }, () => {});
  const onMessage = (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg[TAG] === 'count?') report();
    else if (msg[TAG] === 'shed' && Number.isInteger(msg.count) && msg.count > 0) {
      adapter.shed(msg.count, msg.code, msg.reason);
      report();
    }
  };
  process.on('message', onMessage);
  report();
  return { stop: () => process.off('message', onMessage) };
}

module.exports = { clusterPrimary, clusterWorker };
