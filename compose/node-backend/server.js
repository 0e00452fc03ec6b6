'use strict';
// The classic Node.js WebSocket server of the blog posts (npm `ws`), made part of a farmgate farm
// by @farmgate/agent running in-process (node/agent; docs/node.md): it heartbeats this host's
// connection count and CPU to Redis, obeys drains and targets by closing clients with 1012
// (Service Restart: cooperating clients reconnect through the gateway and land on another host),
// and on SIGTERM drains every client over DRAIN_PERIOD_MILLIS before the host leaves the farm.
// No sidecar and no shed hook: those remain for backends in other languages (docs/agent.md).

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const { startAgent, verifyToken } = require('@farmgate/agent');

const env = process.env;
const PORT = Number(env.PORT || 8080);
const HOST_ID = env.HOST_ID || `node-${PORT}`;
const TOKEN_SECRET = env.FARMGATE_TOKEN_SECRET || '';

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    const draining = agent ? agent.draining : false;
    res.writeHead(draining ? 503 : 200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ status: draining ? 'draining' : 'ok', clients: wss.clients.size }));
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: httpServer });
let agent = null;

// A small chat: every message goes to every client of this host, tagged with the host id.
wss.on('connection', (ws, req) => {
  ws.on('error', () => {}); // a broken client must not take the process down
  if (agent && agent.draining) {
    ws.close(1012, 'draining: reconnect through the front door');
    return;
  }
  if (TOKEN_SECRET) {
    // The gateway signs each assignment (fg_token); refuse clients that skipped it or replay one.
    const check = verifyToken(req.url, TOKEN_SECRET, { hostId: HOST_ID });
    if (!check.valid) {
      ws.close(1008, `fg_token ${check.verdict.toLowerCase()}`);
      return;
    }
  }
  ws.on('message', (data, isBinary) => {
    const frame = isBinary ? data : JSON.stringify({ from: HOST_ID, body: data.toString() });
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(frame);
    }
  });
});

httpServer.listen(PORT, env.LISTEN_HOST || '0.0.0.0', async () => {
  agent = await startAgent({
    redis: env.FARMGATE_REDIS || 'redis://127.0.0.1:6379',
    farm: env.FARMGATE_FARM || 'demo',
    hostId: HOST_ID,
    url: env.FARMGATE_URL || `ws://127.0.0.1:${PORT}`,
    address: env.FARMGATE_ADDRESS || '127.0.0.1',
    zone: env.FARMGATE_ZONE || '',
    capacity: Number(env.FARMGATE_CAPACITY || 10000),
    drainPeriodMillis: Number(env.FARMGATE_DRAIN_PERIOD_MILLIS || 30000),
    server: wss,
  });
  // SIGTERM/SIGINT: drain (1012 to every client, spread over the drain period), leave the farm, exit.
  agent.handleSignals(() => {
    wss.close();
    httpServer.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref(); // close handshakes get 3 s at most
  });
  console.log(`${HOST_ID}: ws://0.0.0.0:${PORT}, in farm ${agent.config.farm}`);
});
