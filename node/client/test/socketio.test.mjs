// The socket.io recipe (examples/socket.io.mjs, quoted in docs/client.md) with a real socket.io client against two
// real socket.io servers as the farm's hosts behind the fake gateway of farm.mjs: a drain moves the client.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { farmSocket } from "../examples/socket.io.mjs";
import { AssignServer, until } from "./farm.mjs";

const running = [];

afterEach(async () => {
  for (const close of running.splice(0).reverse()) {
    await close();
  }
});

/** A socket.io server on 127.0.0.1 that records who connected (with which fg_token) and what they said. */
async function host(hostId) {
  const http = createServer();
  const io = new Server(http);
  const h = { hostId, io, draining: false, tokens: [], said: [] };
  io.on("connection", (socket) => {
    h.tokens.push(socket.handshake.query.fg_token);
    socket.on("chat", (text) => {
      h.said.push(text);
      socket.emit("echo", hostId + ": " + text);
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  h.url = "http://127.0.0.1:" + http.address().port;
  running.push(() => new Promise((resolve) => io.close(() => resolve())));
  return h;
}

async function farm() {
  const hosts = [await host("host-a"), await host("host-b")];
  const gateway = await AssignServer.start(hosts);
  running.push(() => gateway.close());
  return { hosts, gateway };
}

function client(gateway, options = {}) {
  const socket = farmSocket([gateway.uri], options, 100, 200);
  const echoes = [];
  socket.on("echo", (text) => echoes.push(text)); // attached once: it survives the move
  running.push(async () => socket.disconnect());
  return { socket, echoes };
}

for (const [how, drain, options] of [
  ["the host closes the connection (transport close), WebSocket only",
    (io) => io.sockets.sockets.forEach((s) => s.conn.close()), { transports: ["websocket"] }],
  ["the host disconnects the socket (io server disconnect), polling first",
    (io) => io.disconnectSockets(true), {}],
]) {
  test("a drain moves a socket.io client to the other host through the gateway when " + how, async () => {
    const { hosts: [a, b], gateway } = await farm();
    const { socket, echoes } = client(gateway, options);
    await until(() => socket.connected, "connected");
    socket.emit("chat", "one");
    await until(() => echoes.length === 1, "the first echo");

    gateway.hold();
    a.draining = true;
    drain(a.io);
    await until(() => gateway.requests === 2, "the client asking the gateway again");
    assert.equal(socket.connected, false);
    socket.emit("chat", "two"); // socket.io buffers it until connected
    gateway.release();

    await until(() => echoes.length === 2, "the second echo");
    assert.deepEqual(echoes, ["host-a: one", "host-b: two"]);
    assert.deepEqual(a.said, ["one"]);
    assert.deepEqual(b.said, ["two"]);
    assert.deepEqual(a.tokens, ["tok-host-a-1"]);
    assert.deepEqual(b.tokens, ["tok-host-b-2"], "the new host got the new assignment's token");
    assert.equal(a.io.engine.clientsCount, 0);
  });
}

test("a 503 from the gateway is waited out, then the socket connects", async () => {
  const { hosts: [a], gateway } = await farm();
  gateway.unavailable = 1;
  gateway.retryAfter = "1";
  const started = Date.now();
  const { socket } = client(gateway);

  await until(() => socket.connected, "connected", 5000);
  assert.ok(Date.now() - started >= 1000, "waited the Retry-After");
  assert.equal(gateway.requests, 2);
  assert.deepEqual(a.tokens, ["tok-host-a-2"]);
});

test("docs/client.md quotes the recipe as it is tested", () => {
  const recipe = readFileSync(new URL("../examples/socket.io.mjs", import.meta.url), "utf8")
    .split("\n").filter((line) => !line.startsWith("// ")).join("\n").trim();
  const docs = readFileSync(new URL("../../../docs/client.md", import.meta.url), "utf8");
  assert.ok(docs.includes(recipe), "docs/client.md lacks the recipe of examples/socket.io.mjs:\n" + recipe);
});
