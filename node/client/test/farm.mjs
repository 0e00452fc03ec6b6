// A small farm on 127.0.0.1 for the tests: a fake gateway answering GET /v1/assign (real HTTP server), and chat
// backends (real 'ws' servers) sharing one room that follow docs/client.md's six rules and the resume protocol
// (docs/client.md, "Resume"): positions "<ms>-<seq>", a position frame, replay after resume=, gap, 1008.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { comparePositions } from "../index.mjs";

/** Polls cond every 10 ms until it is truthy; fails with what after timeoutMs. */
export async function until(cond, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error("timed out waiting for " + what);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One chat room, as a Redis stream would hold it: positions share one millisecond part, so the sequence soon
 * passes 9 -> 10 (a string comparison would order them wrongly); at most `retention` entries are kept.
 */
export class Room {
  constructor({ retention = 1000, ms = 1700000000000, seq = 7 } = {}) {
    this.retention = retention;
    this.ms = ms;
    this.seq = seq;
    this.log = [];             // [{pos, text}] retained, oldest first
    this.trimmedUpTo = null;   // the newest position trimmed away
    this.seen = new Set();
    this.accepted = [];        // chat ids in the order the room accepted them
    this.offered = new Map();  // id -> times a chat frame with it arrived
    this.live = new Set();     // open connections of every backend
  }

  last() {
    return this.log.length > 0 ? this.log[this.log.length - 1].pos : (this.trimmedUpTo || "0-0");
  }

  /** Stamps the frame with the next position, keeps it (trimming to the retention) and sends it to everyone. */
  publish(frame) {
    const pos = this.ms + "-" + (++this.seq);
    const text = JSON.stringify({ ...frame, pos });
    this.log.push({ pos, text });
    while (this.log.length > this.retention) {
      this.trimmedUpTo = this.log.shift().pos;
    }
    for (const socket of this.live) {
      socket.send(text);
    }
    return pos;
  }

  /** The stream is gone and started over (positions lower than before): old resume positions are ahead of it. */
  reset() {
    this.ms -= 1000;
    this.seq = 0;
    this.log = [];
    this.trimmedUpTo = null;
  }
}

/** A chat backend: a real 'ws' server in the room. */
export class Backend {
  static async start(room, hostId) {
    const backend = new Backend(room, hostId);
    await new Promise((resolve) => backend.server.once("listening", resolve));
    return backend;
  }

  constructor(room, hostId) {
    this.room = room;
    this.hostId = hostId;
    this.dropAll = false;       // swallow every chat frame (a host that dies before it relays)
    this.replayOverlap = 0;     // replay this many entries before the resume position too (a sloppy seam)
    this.refuseAll = null;      // close every new connection with this code
    this.positionFirst = false; // send the position frame (the room's last) before the replay, not after it
    this.replayThenClose = 0;   // the next resuming connection gets this many replayed frames, then a 1012
    this.draining = false;
    this.connections = new Set();
    this.queries = [];          // the query of every connection, in order
    this.dropped = 0;
    this.server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.server.on("connection", (socket, request) => this.accept(socket, request));
  }

  get url() {
    return "ws://127.0.0.1:" + this.server.address().port;
  }

  accept(socket, request) {
    const query = new URL(request.url, "http://x").searchParams;
    this.queries.push(query);
    this.connections.add(socket);
    socket.on("close", () => {
      this.connections.delete(socket);
      this.room.live.delete(socket);
    });
    socket.on("message", (data, binary) => this.receive(socket, binary ? null : data.toString()));
    if (this.refuseAll !== null) {
      socket.close(this.refuseAll, "refused");
      return;
    }
    const resume = query.get("resume");
    const room = this.room;
    if (this.positionFirst) {
      socket.send(JSON.stringify({ type: "position", pos: room.last() }));
    }
    if (resume !== null) {
      if (!/^\d+-\d+$/.test(resume) || comparePositions(resume, room.last()) > 0) {
        socket.close(1008, "bad resume position");
        return;
      }
      if (room.trimmedUpTo !== null && comparePositions(room.trimmedUpTo, resume) > 0) {
        socket.send(JSON.stringify({ type: "gap", requested: resume, oldest: room.log[0].pos }));
      }
      let from = room.log.findIndex((e) => comparePositions(e.pos, resume) > 0);
      from = from < 0 ? room.log.length : from;
      let replay = room.log.slice(Math.max(0, from - this.replayOverlap));
      const lostHalfway = this.replayThenClose > 0;
      if (lostHalfway) {
        replay = replay.slice(0, this.replayThenClose);
        this.replayThenClose = 0;
      }
      for (const entry of replay) {
        socket.send(entry.text);
      }
      if (lostHalfway) {
        socket.close(1012, "lost halfway through the replay");
        return;
      }
    }
    if (!this.positionFirst) {
      socket.send(JSON.stringify({ type: "position", pos: room.last() }));
    }
    room.live.add(socket); // same tick as the replay: nothing falls between replay and live
  }

  receive(socket, text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!frame || frame.type !== "chat" || typeof frame.id !== "string") {
      return;
    }
    const room = this.room;
    room.offered.set(frame.id, (room.offered.get(frame.id) || 0) + 1);
    if (this.dropAll) {
      this.dropped++;
      return;
    }
    if (room.seen.has(frame.id)) {
      socket.send(JSON.stringify({ type: "ack", id: frame.id })); // rule 3: confirm, never broadcast again
      return;
    }
    room.seen.add(frame.id);
    room.accepted.push(frame.id);
    room.publish({ ...frame, from: this.hostId });
  }

  /** Closes every connection with code (1012 for a drain): the clients go back to the gateway. */
  closeAll(code, reason) {
    for (const socket of this.connections) {
      socket.close(code, reason);
    }
  }

  /** Cuts every connection without a close frame, as a host that is lost does: the clients see 1006. */
  terminateAll() {
    for (const socket of this.connections) {
      socket.terminate();
    }
  }

  close() {
    this.terminateAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The gateway's /v1/assign: round robin over the backends not draining; 503 + Retry-After when none is left. */
export class AssignServer {
  static async start(backends) {
    const gateway = new AssignServer(backends);
    await new Promise((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
    return gateway;
  }

  constructor(backends) {
    this.backends = backends;
    this.next = 0;
    this.requests = 0;
    this.unavailable = 0;        // answer this many requests with 503 first
    this.retryAfter = "1";
    this.gate = null;            // a promise assignment requests wait for (hold / release)
    this.files = new Map();      // other paths it serves: path -> {type, body}
    this.server = createServer((request, response) => this.handle(request, response));
  }

  get uri() {
    return "http://127.0.0.1:" + this.server.address().port;
  }

  hold() {
    this.gate = new Promise((resolve) => { this.release = () => { this.gate = null; resolve(); }; });
  }

  async handle(request, response) {
    const path = new URL(request.url, "http://x").pathname;
    if (path !== "/v1/assign") {
      const file = this.files.get(path);
      response.writeHead(file ? 200 : 404, { "Content-Type": file ? file.type : "text/plain" });
      response.end(file ? file.body : "none");
      return;
    }
    this.requests++;
    if (this.gate) {
      await this.gate;
    }
    const eligible = this.backends.filter((b) => !b.draining);
    if (this.unavailable > 0 || eligible.length === 0) {
      this.unavailable = Math.max(0, this.unavailable - 1);
      response.writeHead(503, { "Content-Type": "application/json", "Retry-After": this.retryAfter });
      response.end(JSON.stringify({ error: "no eligible host" }));
      return;
    }
    const host = eligible[this.next++ % eligible.length];
    response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    response.end(JSON.stringify({ url: host.url + "/?fg_token=tok-" + host.hostId + "-" + this.requests,
      hostId: host.hostId, token: "tok-" + host.hostId + "-" + this.requests, expiresAt: "2099-01-01T00:00:00Z" }));
  }

  close() {
    if (this.release) {
      this.release();
    }
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A room, hosts host-a, host-b ... and their gateway. */
export async function startFarm(hostIds = ["host-a", "host-b"], roomOptions = {}) {
  const room = new Room(roomOptions);
  const backends = [];
  for (const id of hostIds) {
    backends.push(await Backend.start(room, id));
  }
  const gateway = await AssignServer.start(backends);
  return {
    room,
    backends,
    gateway,
    async close() {
      await gateway.close();
      await Promise.all(backends.map((b) => b.close()));
    },
  };
}
