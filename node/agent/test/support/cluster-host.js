'use strict';
// The cluster module recipe of docs/node.md, as a process: the primary runs @farmgate/agent over
// clusterPrimary(cluster) with whole-host CPU; FG_WORKERS workers share one ws port and answer
// it with clusterWorker(wss). Prints {"port": N} once every worker listens and the agent started.
const cluster = require('node:cluster');
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { startAgent, clusterPrimary, clusterWorker } = require('../..');

const env = process.env;
if (cluster.isPrimary) {
  const workers = Number(env.FG_WORKERS || 2);
  const port = Number(env.FG_PORT);
  let listening = 0;
  const server = clusterPrimary(cluster);
  for (let i = 0; i < workers; i++) cluster.fork({ FG_PORT: String(port) });
  cluster.on('listening', async () => {
    if (++listening < workers) return;
    const agent = await startAgent({ redis: env.FG_REDIS, farm: env.FG_FARM, hostId: env.FG_HOST_ID,
      url: `ws://127.0.0.1:${port}`, address: '127.0.0.1', capacity: 1000, server, cpu: 'host',
      heartbeatIntervalMillis: 200, heartbeatTtlMillis: 1000, drainPeriodMillis: 1000 });
    // After the drain, disconnect() lets each worker finish its close handshakes before it exits.
    agent.handleSignals(() => {
      cluster.disconnect(() => process.exit(0));
      setTimeout(() => process.exit(0), 3000).unref();
    });
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
} else {
  const httpServer = http.createServer();
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`${process.pid}:${d}`)));
  httpServer.listen(Number(env.FG_PORT), '127.0.0.1');
  clusterWorker(wss);
}
