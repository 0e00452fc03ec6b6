'use strict';
// What the agent needs of a server: how many clients it holds (leaving out those asked to close)
// and a way to close some of them with a close code. One adapter per kind of server.

const SHED_REASON = 'shed: reconnect through the front door';

/** Picks up to `count` of `items` at random (partial Fisher-Yates), so no client is always first. */
function pickRandom(items, count, random) {
  const a = items.slice();
  const n = Math.min(count, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

/** A `ws` WebSocketServer: its tracked clients in state OPEN. */
function wsServer(wss, random) {
  if (!(wss.clients instanceof Set)) {
    throw new TypeError('server: a ws WebSocketServer needs clientTracking: true (the default)');
  }
  const open = () => [...wss.clients].filter((c) => c.readyState === 1);
  return {
    kind: 'ws',
    connections: () => open().length,
    shed: (count, code, reason = SHED_REASON) => {
      const picked = pickRandom(open(), count, random);
      for (const c of picked) c.close(code, reason);
      return picked.length;
    },
  };
}

/**
 * A socket.io Server: its engine.io connections. A shed closes the underlying WebSocket with the
 * code (the client sees "transport close" and reconnects by itself), or, on HTTP long-polling,
 * closes the engine connection, which the client treats the same way.
 */
function socketIoServer(io, random) {
  const engine = io.engine;
  const asked = new WeakSet();
  const open = () => Object.values(engine.clients).filter((c) => c.readyState === 'open' && !asked.has(c));
  return {
    kind: 'socket.io',
    connections: () => open().length,
    shed: (count, code, reason = SHED_REASON) => {
      const picked = pickRandom(open(), count, random);
      for (const c of picked) {
        asked.add(c);
        const t = c.transport;
        if (t && t.name === 'websocket' && t.socket && typeof t.socket.close === 'function') t.socket.close(code, reason);
        else c.close();
      }
      return picked.length;
    },
  };
}

/** Chooses the adapter for `server`: ws, socket.io, or anything with connections() and shed(count, code). */
function adapterFor(server, random) {
  if (server == null || typeof server !== 'object') {
    throw new TypeError('server: not set (expected: a ws WebSocketServer, a socket.io Server or {connections(), shed(count, code)})');
  }
  if (typeof server.connections === 'function' && typeof server.shed === 'function') {
    return { kind: 'custom', connections: () => server.connections(), shed: (n, code, reason) => server.shed(n, code, reason) };
  }
  if (server.engine && server.engine.clients && typeof server.of === 'function') return socketIoServer(server, random);
  if (typeof server.handleUpgrade === 'function' && server.clients !== undefined) return wsServer(server, random);
  throw new TypeError('server: unknown kind (expected: a ws WebSocketServer, a socket.io Server or {connections(), shed(count, code)})');
}

module.exports = { adapterFor, pickRandom, SHED_REASON };
