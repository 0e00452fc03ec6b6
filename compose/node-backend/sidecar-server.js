'use strict';
// The classic Node.js WebSocket server of the blog posts (npm `ws`), made to cooperate with farmgate
// through the SIDECAR agent and a shed hook: the pattern for a backend in any language (the Kubernetes
// example, deploy/kubernetes/overlays/example/backend.yaml, runs it). server.js beside it is the same
// server with @farmgate/agent in-process, the way to do it in Node.js (docs/node.md).
//
// The farmgate sidecar agent (`farmgate agent`, in this container's network namespace) counts the
// ESTABLISHED connections on PORT and heartbeats them to Redis. When the rebalancer or an operator
// asks this host to give up clients, the agent calls the shed hook below:
//
//   POST http://127.0.0.1:HOOK_PORT/farmgate/shed   {"count": N, "closeCode": 1012}
//
// and the server closes at most N of its open clients with that code (1012, Service Restart):
// cooperating clients reconnect through the gateway and land on another host (docs/agent.md).
// The hook listens on loopback and on a port of its own, so its calls are not counted as clients.

const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const PORT = Number(process.env.PORT || 8080);
const HOOK_PORT = Number(process.env.HOOK_PORT || PORT + 1);
const HOOK_HOST = process.env.HOOK_HOST || '127.0.0.1';
const HOST_ID = process.env.HOST_ID || `node-${PORT}`;
// On SIGTERM the agent drains this host through the hook; the server waits that long for it.
const DRAIN_WAIT_MS = Number(process.env.DRAIN_WAIT_MS || 35000);
const MAX_HOOK_BODY_BYTES = 1024;

let stopping = false;
const wss = new WebSocketServer({ port: PORT });

// A small chat: every message goes to every client of this host, tagged with the host id.
wss.on('connection', (ws) => {
  if (stopping) {
    ws.close(1012, 'draining: reconnect through the front door');
    return;
  }
  ws.on('message', (data, isBinary) => {
    const frame = isBinary ? data : JSON.stringify({ from: HOST_ID, body: data.toString() });
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(frame);
    }
  });
  ws.on('error', () => {}); // a broken client must not take the process down
});

/** Closes at most `count` open clients (never ones already closing) with `closeCode`; returns how many. */
function shed(count, closeCode) {
  let closed = 0;
  for (const ws of wss.clients) {
    if (closed >= count) break;
    if (ws.readyState !== WebSocket.OPEN) continue; // already closing: it was asked before
    ws.close(closeCode, 'shed: reconnect through the front door');
    closed++;
  }
  return closed;
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** The hook's request body as {count, closeCode}, or a string saying what is wrong with it. */
function parseShed(text) {
  let order;
  try {
    order = JSON.parse(text);
  } catch (e) {
    return 'body: not JSON';
  }
  if (order === null || typeof order !== 'object') return 'body: expected an object';
  const { count, closeCode } = order;
  if (!Number.isInteger(count) || count < 0) return `count: ${count} (expected: an integer >= 0)`;
  // 1000 and 3000-4999 are the codes an application may send; anything else would make ws throw.
  if (!Number.isInteger(closeCode) || !(closeCode === 1000 || (closeCode >= 1012 && closeCode <= 1014)
      || (closeCode >= 3000 && closeCode <= 4999))) {
    return `closeCode: ${closeCode} (expected: 1012, 1013, 1000 or 3000-4999)`;
  }
  return { count, closeCode };
}

const hook = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    return reply(res, stopping ? 503 : 200, { status: stopping ? 'draining' : 'ok', clients: wss.clients.size });
  }
  if (req.method !== 'POST' || req.url !== '/farmgate/shed') return reply(res, 404, { error: 'not found' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > MAX_HOOK_BODY_BYTES) req.destroy();
  });
  req.on('end', () => {
    const order = parseShed(body);
    if (typeof order === 'string') return reply(res, 400, { error: order });
    reply(res, 200, { closed: shed(order.count, order.closeCode) });
  });
});
hook.listen(HOOK_PORT, HOOK_HOST);

wss.on('listening', () => {
  console.log(`${HOST_ID}: ws://0.0.0.0:${PORT}, shed hook http://${HOOK_HOST}:${HOOK_PORT}/farmgate/shed`);
});

// SIGTERM: take no new clients and let the agent (stopped at the same time) drain the open ones
// through the hook; whatever is left after DRAIN_WAIT_MS gets 1012 here, then the process exits.
function stop() {
  if (stopping) return;
  stopping = true;
  console.log(`${HOST_ID}: stopping, ${wss.clients.size} clients to drain`);
  const deadline = Date.now() + DRAIN_WAIT_MS;
  const timer = setInterval(() => {
    if (wss.clients.size > 0 && Date.now() < deadline) return;
    clearInterval(timer);
    shed(Infinity, 1012);
    wss.close(() => hook.close(() => process.exit(0)));
    setTimeout(() => process.exit(0), 3000).unref(); // close handshakes get 3 s at most
  }, 250);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
