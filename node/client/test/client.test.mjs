// @farmgate/client in Node (the 'ws' WebSocket on Node 20, the global one on Node 22+) against the farm of
// farm.mjs: real HTTP and WebSocket servers on 127.0.0.1.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { WebSocket as WsWebSocket } from "ws";
import { FarmgateClient, assignedUrl, comparePositions } from "../index.mjs";
import { startFarm, until } from "./farm.mjs";

// Which WebSocket the clients use: the 'ws' package (what Node 20 and 21 fall back on), or, with
// FARMGATE_TEST_WEBSOCKET=global, the global one (Node 22+; Node 20 with --experimental-websocket), which
// global-websocket.test.mjs runs this file with.
const WEBSOCKET = process.env.FARMGATE_TEST_WEBSOCKET === "global" ? globalThis.WebSocket : WsWebSocket;
assert.equal(typeof WEBSOCKET, "function", "a WebSocket for FARMGATE_TEST_WEBSOCKET=" + process.env.FARMGATE_TEST_WEBSOCKET);
const FAST = { firstRetryWindowMs: 100, lostHostRetryWindowMs: 200, initialRetryDelayMs: 50, maxRetryDelayMs: 200,
  WebSocket: WEBSOCKET };
const running = [];

/** A started client recording what it heard. */
function client(farm, options = {}) {
  const events = { connected: [], messages: [], retries: [], disconnects: [], gaps: [], failovers: [], failed: [] };
  const c = new FarmgateClient({
    gateways: [farm.gateway.uri],
    ...FAST,
    onConnected: (a) => events.connected.push(a.hostId),
    onMessage: (m) => events.messages.push(m),
    onRetry: (delay, why) => events.retries.push({ delay, why }),
    onDisconnected: (code, reason) => events.disconnects.push(code),
    onGap: (gap) => events.gaps.push(gap),
    onFailover: (from, to) => events.failovers.push(from + " -> " + to),
    onFailed: (why) => events.failed.push(why),
    ...options,
  });
  c.events = events;
  running.push(c);
  c.start();
  return c;
}

async function farmOf(...args) {
  const farm = await startFarm(...args);
  running.push(farm);
  return farm;
}

afterEach(async () => {
  for (const thing of running.splice(0).reverse()) {
    await thing.close();
  }
});

const ids = (c) => c.events.messages.filter((m) => m.type === "chat").map((m) => m.id);
const positions = (c) => c.events.messages.filter((m) => m.pos !== null).map((m) => m.pos);

/** Two hosts, an observer client on host-a and the client under test, c, on host-b; both open. */
async function observedFarm(positionFirst) {
  const farm = await farmOf();
  const [a, b] = farm.backends;
  a.positionFirst = positionFirst;
  b.positionFirst = positionFirst;
  const observer = client(farm);
  const c = client(farm);
  await until(() => observer.state === "open" && c.state === "open", "both open");
  return { farm, a, b, observer, c };
}

/** Drains host with the gateway held, so that c waits between hosts while the observer sends count messages. */
async function sendWhileAway(farm, host, c, observer, count, beforeRelease = () => {}) {
  farm.gateway.hold();
  host.draining = true;
  host.closeAll(1012, "drain");
  await until(() => c.state === "connecting", "c between hosts");
  const expected = ids(observer).length + count;
  const missed = [];
  for (let i = 0; i < count; i++) {
    missed.push(observer.send("while away " + i));
  }
  await until(() => ids(observer).length === expected, "the observer has all");
  beforeRelease();
  farm.gateway.release();
  return missed;
}

/** A seeded uniform [0, 1) source (mulberry32), so that a failing random scenario can be run again. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertIncreasing(list) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(comparePositions(list[i - 1], list[i]) < 0, `positions out of order: ${list[i - 1]} then ${list[i]}`);
  }
}

test("asks the gateway, connects to the assigned host with its token, and has its message confirmed once", async () => {
  const farm = await farmOf();
  const c = client(farm);
  await until(() => c.state === "open", "open");

  const id = c.send({ text: "hello" });

  await until(() => c.stats().confirmed === 1, "confirmed");
  assert.deepEqual(c.events.connected, ["host-a"]);
  assert.equal(farm.backends[0].queries[0].get("fg_token"), "tok-host-a-1");
  assert.equal(farm.backends[0].queries[0].get("resume"), null, "the first connection has nothing to resume");
  assert.deepEqual(ids(c), [id]);
  assert.deepEqual(c.events.messages[0].body, { text: "hello" });
  assert.equal(c.stats().pending, 0);
  assert.equal(c.position(), c.events.messages[0].pos);
});

test("a 1012 moves it to another host and the unconfirmed messages are resent there, in order, once", async () => {
  const farm = await farmOf();
  const [a] = farm.backends;
  const c = client(farm);
  await until(() => c.state === "open", "open");
  a.dropAll = true;
  const sent = [c.send(1), c.send(2), c.send(3)];
  await until(() => a.dropped === 3, "host-a swallowing three");

  a.draining = true;
  a.closeAll(1012, "drain");

  await until(() => c.stats().confirmed === 3, "three confirmed on host-b");
  assert.deepEqual(c.events.connected, ["host-a", "host-b"]);
  assert.deepEqual(farm.room.accepted, sent, "the room accepted them in the order they were sent");
  assert.deepEqual(ids(c), sent);
  assert.equal(c.stats().resent, 3);
  assert.equal(c.stats().reconnects["service-restart"], 1);
  assert.deepEqual(c.events.disconnects, [1012]);
  assert.ok(c.events.retries[0].delay >= 0 && c.events.retries[0].delay < FAST.firstRetryWindowMs,
    "first retry within the window: " + c.events.retries[0].delay);
});

test("a lost host (1006, no close frame) and a 1001 spread the first retry over lostHostRetryWindowMs, a 1012 over "
  + "firstRetryWindowMs", async () => {
  const farm = await farmOf();
  const [a, b] = farm.backends;
  // Every draw at the middle of [0, 1): each first retry is half its window.
  const c = client(farm, { firstRetryWindowMs: 100, lostHostRetryWindowMs: 600, random: () => 0.5 });
  await until(() => c.state === "open", "open on host-a");

  a.draining = true;
  a.closeAll(1012, "drain");
  await until(() => c.state === "open" && c.events.connected.length === 2, "moved to host-b");
  a.draining = false;
  b.draining = true;
  b.terminateAll();
  await until(() => c.state === "open" && c.events.connected.length === 3, "back on host-a after host-b was lost");
  b.draining = false;
  a.draining = true;
  a.closeAll(1001, "stopping");
  await until(() => c.state === "open" && c.events.connected.length === 4, "on host-b after host-a stopped");

  assert.deepEqual(c.events.connected, ["host-a", "host-b", "host-a", "host-b"]);
  assert.deepEqual(c.events.disconnects, [1012, 1006, 1001]);
  assert.deepEqual(c.events.retries.map((r) => r.delay), [50, 300, 300]);
  assert.deepEqual(c.stats().reconnects, { "service-restart": 1, "try-again-later": 0, "going-away": 1, "abnormal": 1 });
});

test("the default windows: 5 s after a 1012, 10 s after a lost host", () => {
  const c = new FarmgateClient({ gateway: "http://x", WebSocket: WEBSOCKET });
  assert.equal(c.firstRetryWindowMs, 5000);
  assert.equal(c.lostHostRetryWindowMs, 10000);
});

test("messages sent while between hosts are queued and sent once connected", async () => {
  const farm = await farmOf();
  const c = client(farm);
  await until(() => c.state === "open", "open");
  farm.gateway.hold();
  farm.backends[0].draining = true;
  farm.backends[0].closeAll(1012, "drain");
  await until(() => farm.gateway.requests === 2, "the reconnect asking the gateway");

  const queued = [c.send("away 1"), c.send("away 2")];
  assert.equal(c.state, "connecting");
  assert.equal(c.stats().pending, 2);
  assert.deepEqual(farm.room.accepted, []);
  farm.gateway.release();

  await until(() => c.stats().confirmed === 2, "both confirmed");
  assert.deepEqual(farm.room.accepted, queued);
  queued.forEach((id) => assert.equal(farm.room.offered.get(id), 1, id + " offered once"));
});

test("an inbound message repeated without a position is delivered once (by id), with one by position once too", async () => {
  const farm = await farmOf(["host-a"]);
  const c = client(farm);
  await until(() => c.state === "open", "open");
  const [socket] = farm.backends[0].connections;

  socket.send(JSON.stringify({ type: "chat", id: "other-1", body: "x" }));
  socket.send(JSON.stringify({ type: "chat", id: "other-1", body: "x" }));
  const pos = farm.room.publish({ type: "chat", id: "other-2", body: "y" });
  socket.send(JSON.stringify({ type: "chat", id: "other-2", body: "y", pos }));
  socket.send("not json");
  socket.send(JSON.stringify({ type: "chat", id: "other-3", pos: "12.5" }));
  socket.send(JSON.stringify({ type: "chat", id: "other-4", body: "z" }));

  await until(() => ids(c).includes("other-4"), "the last one");
  assert.deepEqual(ids(c), ["other-1", "other-2", "other-4"]);
  assert.equal(c.stats().duplicatesDropped, 2);
  assert.equal(c.stats().malformedDropped, 2, "the text that is not JSON and the position that is not one");
});

test("a gateway that cannot be reached moves it to the next one, which it keeps asking first", async () => {
  const farm = await farmOf();
  const dead = await deadAddress();
  const c = client(farm, { gateways: [dead, farm.gateway.uri] });

  await until(() => c.state === "open", "open");
  assert.deepEqual(c.events.failovers, [dead + " -> " + farm.gateway.uri]);
  farm.backends[0].closeAll(1012, "drain");
  await until(() => c.events.connected.length === 2, "reconnected");
  assert.equal(c.stats().gatewayFailovers, 1, "the reconnect asked the gateway that answered last");
});

test("a 503 waits at least its Retry-After, a quarter more at most, and is counted", async () => {
  const farm = await farmOf();
  farm.gateway.unavailable = 1;
  farm.gateway.retryAfter = "1";
  const c = client(farm);

  await until(() => c.state === "open", "open", 5000);
  assert.equal(c.stats().noHostAnswers, 1);
  assert.equal(c.stats().failedAttempts, 1);
  const delay = c.events.retries[0].delay;
  assert.ok(delay >= 1000 && delay <= 1250, "delay after the 503: " + delay);
});

for (const positionFirst of [false, true]) {
  test("resume: what was broadcast while it was between hosts is replayed in order, nothing missed or doubled"
    + (positionFirst ? " (position frame before the replay)" : ""), async () => {
    const { farm, a, b, observer, c } = await observedFarm(positionFirst);
    const before = [observer.send("before 1"), observer.send("before 2")];
    await until(() => ids(c).length === 2, "c has the first two");

    const missed = await sendWhileAway(farm, b, c, observer, 12);

    await until(() => ids(c).length === 14, "c has all");
    const after = [observer.send("after")];
    await until(() => ids(c).length === 15, "c has the live one too");

    assert.equal(a.queries[a.queries.length - 1].get("resume"), c.events.messages[1].pos,
      "resumed after the last position delivered on host-b");
    assert.deepEqual(ids(c), [...before, ...missed, ...after]);
    assertIncreasing(positions(c));
    assert.deepEqual(positions(c), farm.room.log.map((e) => e.pos));
    assert.equal(c.stats().resumes, 1);
    assert.equal(c.stats().gaps, 0);
    assert.equal(c.stats().duplicatesDropped, 0);
    assert.equal(c.position(), farm.room.last());
  });
}

test("resume: a host lost halfway through a replay that followed its position frame: resumed after the last delivered",
  async () => {
    const { farm, a, b, observer, c } = await observedFarm(true);
    const missed = await sendWhileAway(farm, b, c, observer, 8, () => { a.replayThenClose = 3; });

    await until(() => ids(c).length === 8 && c.state === "open", "c has all", 10000);
    assert.deepEqual(ids(c), missed);
    assert.deepEqual(c.events.disconnects, [1012, 1012]);
    const resumes = a.queries.slice(1).map((q) => q.get("resume"));
    assert.deepEqual(resumes, ["0-0", c.events.messages[2].pos],
      "c left an empty room (0-0); it resumed next after the third message, not at the position frame's");
    assert.equal(c.stats().duplicatesDropped, 0);
  });

for (const seed of [1, 2, 3]) {
  test("resume, seed " + seed + ": moves at random moments under live traffic, sloppy seams, either position order: "
    + "every client delivers the room's log once, in order", async () => {
    const random = seeded(seed);
    const farm = await farmOf(["host-a", "host-b", "host-c"]);
    const clients = [0, 1, 2, 3, 4, 5].map(() => client(farm, { random: seeded(seed * 100 + random() * 100) }));
    await until(() => clients.every((c) => c.state === "open"), "all open");
    const start = farm.room.last();
    const sent = [];
    for (let move = 0; move < 6; move++) {
      const host = farm.backends[Math.floor(random() * 3)];
      farm.backends.forEach((b) => {
        b.draining = b === host;
        b.replayOverlap = Math.floor(random() * 3);
        b.positionFirst = random() < 0.5;
      });
      host.closeAll(1012, "move " + move);
      for (let i = 0; i < 5; i++) {
        sent.push(clients[Math.floor(random() * clients.length)].send("m" + move + "." + i));
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 30))); // live traffic meanwhile
      }
    }
    farm.backends.forEach((b) => { b.draining = false; });
    await until(() => clients.every((c) => c.state === "open" && c.stats().pending === 0
      && ids(c).length === sent.length), "every message everywhere", 15000);

    const log = farm.room.log.filter((e) => comparePositions(e.pos, start) > 0).map((e) => e.pos);
    clients.forEach((c, i) => {
      assert.deepEqual(positions(c), log, "client " + i + ": the room's log, once, in order");
      assert.deepEqual([...ids(c)].sort(), [...sent].sort(), "client " + i + ": every message");
      assert.equal(c.stats().gaps, 0);
    });
    assert.deepEqual([...farm.room.accepted].sort(), [...sent].sort(), "every message accepted once by the room");
  });
}

test("resume: a replay that repeats what was delivered already is dropped by position and counted", async () => {
  const farm = await farmOf();
  const [a, b] = farm.backends;
  a.replayOverlap = 3;
  b.replayOverlap = 3;
  const c = client(farm);
  await until(() => c.state === "open", "open");
  const sent = [c.send(1), c.send(2), c.send(3), c.send(4)];
  await until(() => ids(c).length === 4, "four delivered");

  a.closeAll(1012, "drain");
  await until(() => c.stats().resumes === 1 && c.state === "open", "resumed on host-b");
  const next = c.send(5);
  await until(() => ids(c).length === 5, "the next one");

  assert.deepEqual(ids(c), [...sent, next]);
  assert.equal(c.stats().duplicatesDropped, 3, "the three replayed before the resume position");
  assertIncreasing(positions(c));
});

test("resume: a room that no longer holds everything missed sends a gap, reported and counted", async () => {
  const farm = await farmOf(["host-a", "host-b"], { retention: 4 });
  const [, b] = farm.backends;
  const observer = client(farm);
  const c = client(farm);
  await until(() => observer.state === "open" && c.state === "open", "both open");
  observer.send("seen");
  await until(() => ids(c).length === 1, "c has the first");
  const requested = c.position();

  const missed = await sendWhileAway(farm, b, c, observer, 7);

  await until(() => c.stats().gaps === 1 && ids(c).length === 5, "gap and the retained four");
  assert.deepEqual(c.events.gaps, [{ requested, oldest: farm.room.log[0].pos }]);
  assert.deepEqual(ids(c).slice(1), missed.slice(3), "the four the room still holds, in order");
  assertIncreasing(positions(c));
});

test("resume: a refused position (1008) is a gap; it reconnects once without resume, no loop", async () => {
  const farm = await farmOf();
  const [a, b] = farm.backends;
  const c = client(farm);
  await until(() => c.state === "open", "open");
  c.send("before the reset");
  await until(() => ids(c).length === 1, "delivered");
  const requested = c.position();

  farm.room.reset(); // the room's stream started over: the client's position is ahead of it
  a.closeAll(1012, "drain");

  await until(() => c.events.connected.length === 3 && c.state === "open", "open again, without resume");
  assert.deepEqual(c.events.connected, ["host-a", "host-b", "host-a"]);
  assert.equal(b.queries[0].get("resume"), requested);
  assert.equal(a.queries[1].get("resume"), null, "the reconnect after the refusal resumes nothing");
  assert.deepEqual(c.events.disconnects, [1012, 1008]);
  assert.deepEqual(c.events.gaps, [{ requested, oldest: null, reason: "bad resume position" }]);
  assert.equal(c.stats().resumesRefused, 1);
  assert.equal(c.stats().gaps, 1);

  const fresh = c.send("after the reset");
  await until(() => ids(c).length === 2, "delivered after the reset");
  assert.equal(ids(c)[1], fresh, "positions lower than before the reset are delivered: the old ones were forgotten");
});

test("resume: a host that refuses every connection with 1008 ends the session after one retry", async () => {
  const farm = await farmOf(["host-a"]);
  const [a] = farm.backends;
  const c = client(farm);
  await until(() => c.state === "open", "open");
  c.send("x");
  await until(() => ids(c).length === 1, "delivered");

  a.refuseAll = 1008;
  a.closeAll(1012, "drain");

  await until(() => c.state === "closed", "closed");
  assert.deepEqual(c.events.disconnects, [1012, 1008, 1008]);
  assert.equal(farm.gateway.requests, 3, "first connection, the resume, the fresh one: nothing more");
  assert.equal(c.stats().resumesRefused, 1);
});

test("assignedUrl: the assigned host's http URL with its token, past a gateway that resets, which it then skips", async () => {
  const farm = await farmOf();
  let resets = 0;
  const resetting = createServer((socket) => {
    resets++;
    socket.destroy();
  });
  await new Promise((resolve) => resetting.listen(0, "127.0.0.1", resolve));
  running.push({ close: () => new Promise((resolve) => resetting.close(resolve)) });
  const gateways = ["http://127.0.0.1:" + resetting.address().port, farm.gateway.uri];

  const first = await assignedUrl(gateways, { path: "/chat" });
  const second = await assignedUrl(gateways);

  assert.equal(first, farm.backends[0].url.replace("ws:", "http:") + "/chat?fg_token=tok-host-a-1");
  assert.equal(second, farm.backends[1].url.replace("ws:", "http:") + "/?fg_token=tok-host-b-2");
  assert.equal(resets, 1, "the second call asked the gateway that answered first");
  farm.gateway.unavailable = 1;
  farm.gateway.retryAfter = "7";
  await assert.rejects(assignedUrl(gateways), (e) => e.status === 503 && e.retryAfterMs === 7000);
});

test("a 1008 on a resumed connection that was working is the end of the session, as without resume", async () => {
  const farm = await farmOf();
  const [a] = farm.backends;
  const c = client(farm);
  await until(() => c.state === "open", "open");
  c.send("x");
  await until(() => ids(c).length === 1, "delivered");
  a.closeAll(1012, "drain");
  await until(() => c.stats().resumes === 1 && c.state === "open", "resumed");
  c.send("y");
  await until(() => ids(c).length === 2, "delivered after the resume");

  farm.backends.forEach((b) => b.closeAll(1008, "policy violation"));

  await until(() => c.state === "closed", "closed");
  assert.equal(c.stats().resumesRefused, 0);
  assert.equal(c.stats().gaps, 0);
  assert.equal(farm.gateway.requests, 2);
});

test("positions compare as pairs of unsigned integers, not as strings", () => {
  assert.ok(comparePositions("1700000000000-9", "1700000000000-10") < 0);
  assert.ok(comparePositions("999-5", "1000-0") < 0);
  assert.ok(comparePositions("18446744073709551615-2", "18446744073709551615-1") > 0);
  assert.equal(comparePositions("007-1", "7-1"), 0);
  assert.throws(() => comparePositions("1-2", "1.5-2"), /position: 1.5-2 \(expected: <digits>-<digits>\)/);
});

test("bad options are refused naming the option", () => {
  assert.throws(() => new FarmgateClient({ gateways: [] }), /gateways: \[\] \(expected: a non-empty array/);
  assert.throws(() => new FarmgateClient({ gateway: "http://x", path: "chat" }), /path: chat \(expected/);
  assert.throws(() => new FarmgateClient({ gateway: "http://x", firstRetryWindowMs: -1 }),
    /firstRetryWindowMs: -1 \(expected: a number >= 0\)/);
  assert.throws(() => new FarmgateClient({ gateway: "http://x", lostHostRetryWindowMs: -1 }),
    /lostHostRetryWindowMs: -1 \(expected: a number >= 0\)/);
  assert.throws(() => new FarmgateClient({ gateway: "http://x", lostHostRetryWindowMs: "10s" }),
    /lostHostRetryWindowMs: 10s \(expected: a number >= 0\)/);
});

/** A base URL where nothing listens (connections are refused). */
async function deadAddress() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  return "http://127.0.0.1:" + port;
}
