'use strict';
// A backend host in a process of its own: a ws or socket.io server on a free port with
// @farmgate/agent in-process. Prints one JSON line {"port": N} once the first heartbeat was sent.
// Settings from the environment (FG_REDIS, FG_FARM, FG_HOST_ID, FG_KIND = ws | socket.io, timings;
// FG_AGENT=off runs the server alone; with FG_TOKEN_SECRET a ws client without a valid fg_token is
// closed with 1008 and the verdict as reason). Used by the kill -9 test here, the mixed Java+Node farm
// test in cli/ and bench/agent.sh.
const http = require('node:http');
const { startAgent, verifyToken } = require('../..');

async function main() {
  const env = process.env;
  const kind = env.FG_KIND || 'ws';
  const httpServer = http.createServer((req, res) => res.writeHead(404).end());
  let server;
  if (kind === 'socket.io') {
    const { Server } = require('socket.io');
    server = new Server(httpServer);
    server.on('connection', (socket) => socket.on('chat', (msg) => socket.emit('chat', msg)));
  } else {
    const { WebSocketServer } = require('ws');
    server = new WebSocketServer({ server: httpServer });
    // Enough of docs/client.md's chat protocol for farmgate loadgen: a chat frame comes back with "from".
    server.on('connection', (ws, req) => {
      if (env.FG_TOKEN_SECRET) {
        const check = verifyToken(req.url, env.FG_TOKEN_SECRET, { hostId: env.FG_HOST_ID });
        if (!check.valid) {
          ws.close(1008, `fg_token ${check.verdict}`);
          return;
        }
      }
      ws.on('message', (data) => {
        let frame;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          frame = { type: 'chat', body: data.toString() };
        }
        ws.send(JSON.stringify({ ...frame, from: env.FG_HOST_ID }));
      });
    });
  }
  await new Promise((r) => httpServer.listen(0, '127.0.0.1', r));
  const { port } = httpServer.address();
  const num = (name, fallback) => (env[name] ? Number(env[name]) : fallback);
  if (env.FG_AGENT === 'off') {
    process.stdout.write(`${JSON.stringify({ port })}\n`);
    return;
  }
  const agent = await startAgent({
    redis: env.FG_REDIS,
    farm: env.FG_FARM || 'demo',
    hostId: env.FG_HOST_ID,
    url: `ws://127.0.0.1:${port}`,
    address: '127.0.0.1',
    capacity: num('FG_CAPACITY', 10000),
    heartbeatIntervalMillis: num('FG_HEARTBEAT_INTERVAL_MILLIS', 1000),
    heartbeatTtlMillis: num('FG_HEARTBEAT_TTL_MILLIS', 3000),
    drainPeriodMillis: num('FG_DRAIN_PERIOD_MILLIS', 30000),
    server,
  });
  agent.handleSignals(() => {
    httpServer.close();
    process.exit(0);
  });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((e) => {
  process.stderr.write(`host failed: ${e.stack || e}\n`);
  process.exit(1);
});
