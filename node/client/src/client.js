// The one source of @farmgate/client: the package's CommonJS module (index.mjs re-exports it for ESM), and the
// body of the script-tag build the gateway serves as GET /v1/client.js, which `npm run build` (build.mjs) writes
// into the client module's resources. Edit here, then `npm run build`.
//
// Same semantics as the Java client (io.farmgate.client.FarmgateClient), see docs/client.md:
// - asks a gateway for a host (GET /v1/assign -> {"url","hostId","token","expiresAt"}; 503 + Retry-After: wait),
//   connects to url (+ fg_token=token); with several gateways, the next one when one cannot be reached;
// - on close 1012 / 1013 / 1001 or an abnormal close, goes back through the gateway: the first retry is drawn
//   uniformly over firstRetryWindowMs after a 1012 (1013 waits one window first), over the longer
//   lostHostRetryWindowMs when the host was lost (1006: no close frame, 1011, or 1001 from a stopping backend, all
//   of whose clients break at once); failed attempts back off exponentially;
// - every message gets an id and is kept until the backend echoes it or sends {"type":"ack","id"}; messages
//   sent while disconnected are queued, and all unconfirmed ones are sent again, in order, after a reconnect;
// - inbound chat messages are delivered once per id;
// - resume: frames carry the room's position ("<ms>-<seq>"); a reconnect asks the new host to replay what came
//   after the last position delivered (resume=<pos>), frames at or before it are dropped as duplicates, and a
//   {"type":"gap"} frame (the room no longer holds everything missed) is counted and reported (onGap).

"use strict";

var CAUSES = { 1012: "service-restart", 1013: "try-again-later", 1001: "going-away", 1006: "abnormal", 1011: "abnormal" };
// Closes nobody spread over time: every client of the host breaks at once, so only the client's own window spreads them.
var LOST_HOST = { "going-away": true, "abnormal": true };
var MAX_INBOUND_CHARS = 1 << 20;
var POSITION = /^(\d+)-(\d+)$/;
var BAD_RESUME = 1008;

function option(value, fallback, name, min) {
  var v = value === undefined || value === null ? fallback : value;
  if (typeof v !== "number" || !isFinite(v) || v < min) {
    throw new RangeError(name + ": " + v + " (expected: a number >= " + min + ")");
  }
  return v;
}

function noop() {}

/**
 * The global WebSocket (browsers, Node 22+), else the 'ws' package where require exists (Node 20): beside this
 * package, or else the application's (the working directory's), since `npm install ./node/client` links this
 * package and require looks beside its real path only. Else null.
 */
function defaultWebSocket() {
  if (typeof WebSocket === "function") {
    return WebSocket;
  }
  if (typeof require !== "function") {
    return null;
  }
  try {
    return require("ws");
  } catch (besideThePackage) {
    try {
      return require(require.resolve("ws", { paths: [process.cwd()] }));
    } catch (e) {
      return null;
    }
  }
}

function gatewayList(o) {
  var list = o.gateways !== undefined ? o.gateways : [o.gateway || ""];
  if (!Array.isArray(list) || list.length === 0) {
    throw new RangeError("gateways: " + JSON.stringify(list) + " (expected: a non-empty array of base URLs)");
  }
  return list.map(function (g) { return String(g).replace(/\/+$/, ""); });
}

/**
 * new FarmgateClient({gateway | gateways, path, clientKey, onMessage, onConnected, onDisconnected, onRetry,
 *                     onFailed, onFailover, onGap, firstRetryWindowMs, lostHostRetryWindowMs, initialRetryDelayMs,
 *                     maxRetryDelayMs, maxConsecutiveFailures, maxPendingMessages, connectTimeoutMs, random,
 *                     WebSocket, fetch})
 *
 * gateways: several front doors, e.g. one per region or one per gateway behind no load balancer. The client
 * stays with the one that last answered; when it cannot be reached (a network error, not an HTTP answer:
 * a 503 is an answer, every gateway reads the same farm) it asks the next, each at most once per attempt.
 */
function FarmgateClient(options) {
  var o = options || {};
  this.gateways = gatewayList(o);
  this._gatewayIndex = 0;
  this.path = o.path || "";
  if (this.path && this.path.charAt(0) !== "/") {
    throw new RangeError("path: " + this.path + " (expected: empty or starting with /)");
  }
  this.clientKey = o.clientKey || null;
  this.firstRetryWindowMs = option(o.firstRetryWindowMs, 5000, "firstRetryWindowMs", 0);
  this.lostHostRetryWindowMs = option(o.lostHostRetryWindowMs, 10000, "lostHostRetryWindowMs", 0);
  this.initialRetryDelayMs = option(o.initialRetryDelayMs, 1000, "initialRetryDelayMs", 1);
  this.maxRetryDelayMs = option(o.maxRetryDelayMs, 30000, "maxRetryDelayMs", this.initialRetryDelayMs);
  this.maxRetryAfterMs = option(o.maxRetryAfterMs, 300000, "maxRetryAfterMs", 1);
  this.maxConsecutiveFailures = option(o.maxConsecutiveFailures, 20, "maxConsecutiveFailures", 1);
  this.maxPendingMessages = option(o.maxPendingMessages, 10000, "maxPendingMessages", 1);
  this.recentIdsCapacity = option(o.recentIdsCapacity, 1024, "recentIdsCapacity", 1);
  this.connectTimeoutMs = option(o.connectTimeoutMs, 5000, "connectTimeoutMs", 1);
  this.random = o.random || Math.random;
  this._WebSocket = o.WebSocket || defaultWebSocket();
  if (typeof this._WebSocket !== "function") {
    throw new TypeError("WebSocket: none (expected: a global WebSocket, the 'ws' package installed, or the WebSocket option)");
  }
  this._fetch = o.fetch || (typeof fetch === "function" ? fetch : null);
  if (typeof this._fetch !== "function") {
    throw new TypeError("fetch: none (expected: a global fetch, Node 18+, or the fetch option)");
  }
  this.onMessage = o.onMessage || noop;
  this.onConnected = o.onConnected || noop;
  this.onDisconnected = o.onDisconnected || noop;
  this.onRetry = o.onRetry || noop;
  this.onFailed = o.onFailed || noop;
  this.onFailover = o.onFailover || noop;
  this.onGap = o.onGap || noop;

  this.state = "new"; // new, connecting, open, waiting, closed, failed
  this.assignment = null;
  this._generation = 0;
  this._socket = null;
  this._timer = null;
  this._consecutiveFailures = 0;
  this._tryAgainLaterStreak = 0;
  this._unconfirmed = new Map(); // id -> {frame, transmissions}; insertion order = send order
  this._recent = new Map();      // inbound ids, oldest first
  this._sequence = 0;
  this._connections = 0;
  this._delivered = null;        // greatest position handed to the application: frames at or before it are duplicates
  this._resumeFrom = null;       // what a reconnect resumes after: _delivered, or a "position" frame that came after it
  this._resumeSent = null;       // the resume= of the current connection, null when it had none
  this._framesOnConnection = 0;
  this._idPrefix = ("000000000000" + Math.floor(this.random() * 281474976710656).toString(16)).slice(-12);
  this._stats = { sent: 0, confirmed: 0, resent: 0, received: 0, duplicatesDropped: 0, malformedDropped: 0,
    assignments: 0, noHostAnswers: 0, failedAttempts: 0, gatewayFailovers: 0, gaps: 0, resumes: 0,
    resumesRefused: 0,
    reconnects: { "service-restart": 0, "try-again-later": 0, "going-away": 0, "abnormal": 0 } };
}

FarmgateClient.prototype.start = function () {
  if (this.state !== "new") {
    throw new Error("start: client is " + this.state + " (expected: new)");
  }
  this._attempt();
};

/** Sends a chat message (any JSON value as body); returns its id. Queued while disconnected. */
FarmgateClient.prototype.send = function (body) {
  if (this.state === "closed" || this.state === "failed") {
    throw new Error("send: client is " + this.state + " (expected: not closed or failed)");
  }
  if (this._unconfirmed.size >= this.maxPendingMessages) {
    throw new Error("send: " + this._unconfirmed.size + " messages unconfirmed (expected: < maxPendingMessages "
      + this.maxPendingMessages + ")");
  }
  var id = this._idPrefix + "-" + (++this._sequence);
  var message = { frame: JSON.stringify({ id: id, type: "chat", body: body === undefined ? null : body }), transmissions: 0 };
  this._unconfirmed.set(id, message);
  this._stats.sent++;
  if (this.state === "open") {
    this._transmit(message);
  }
  return id;
};

/** Stops for good; unconfirmed messages stay unconfirmed. */
FarmgateClient.prototype.close = function () {
  if (this.state === "closed") {
    return;
  }
  this.state = "closed";
  this._generation++;
  clearTimeout(this._timer);
  if (this._socket) {
    try { this._socket.close(1000, "client closing"); } catch (e) { /* already closing */ }
    this._socket = null;
  }
};

FarmgateClient.prototype.unconfirmedIds = function () {
  return Array.from(this._unconfirmed.keys());
};

/** The position a reconnect resumes after ("<ms>-<seq>"), or null before the backend sent one. */
FarmgateClient.prototype.position = function () {
  return this._resumeFrom;
};

FarmgateClient.prototype.stats = function () {
  var s = JSON.parse(JSON.stringify(this._stats));
  s.state = this.state;
  s.pending = this._unconfirmed.size;
  s.position = this._resumeFrom;
  return s;
};

// --- attempts -----------------------------------------------------------------------------------------

FarmgateClient.prototype._attempt = function () {
  var attempt = ++this._generation;
  this.state = "connecting";
  this._ask(attempt, this._gatewayIndex, this.gateways.length);
};

/** Asks gateway {@code index} for a host; when it cannot be reached, the next one ({@code triesLeft} in all). */
FarmgateClient.prototype._ask = function (attempt, index, triesLeft) {
  var self = this;
  this._fetch.call(undefined, assignUrl(this.gateways[index], this.clientKey),
    { cache: "no-store", headers: { "Accept": "application/json" } }).then(function (response) {
    if (attempt !== self._generation) {
      return null;
    }
    self._gatewayIndex = index; // it answered: ask it first next time
    if (response.status === 503) {
      self._stats.noHostAnswers++;
      self._failed("no eligible host (503)", retryAfterMs(response.headers.get("Retry-After"), self.maxRetryAfterMs));
      return null;
    }
    if (response.status !== 200) {
      self._failed("gateway: HTTP " + response.status, -1);
      return null;
    }
    return response.json().then(function (a) {
      if (attempt === self._generation) {
        self._connect(attempt, a);
      }
    });
  }, function (unreachable) {
    if (attempt !== self._generation || self.state !== "connecting") {
      return null;
    }
    if (triesLeft <= 1) {
      throw unreachable;
    }
    var next = (index + 1) % self.gateways.length;
    self._gatewayIndex = next;
    self._stats.gatewayFailovers++;
    self.onFailover(self.gateways[index], self.gateways[next], String(unreachable));
    self._ask(attempt, next, triesLeft - 1);
    return null;
  }).catch(function (error) {
    if (attempt === self._generation && self.state === "connecting") {
      self._failed("assignment failed: " + error, -1);
    }
  });
};

FarmgateClient.prototype._connect = function (attempt, a) {
  var self = this;
  var target;
  try {
    target = webSocketUrl(a, this.path);
  } catch (e) {
    this._failed(e.message, -1);
    return;
  }
  this._stats.assignments++;
  this.assignment = a;
  // Not on the first connection: a client that never connected has nothing to resume.
  var resume = this._connections > 0 ? this._resumeFrom : null;
  if (resume !== null) {
    var url = new URL(target);
    url.searchParams.set("resume", resume);
    target = url.toString();
  }
  var socket;
  try {
    socket = new this._WebSocket(target);
  } catch (e) {
    this._failed("connect failed: " + e, -1);
    return;
  }
  var opened = false;
  var connectTimer = setTimeout(function () {
    if (!opened) {
      socket.close();
    }
  }, this.connectTimeoutMs);
  socket.onerror = noop; // the close that follows says what happened ('ws' throws on an unheard error)
  socket.onopen = function () {
    opened = true;
    clearTimeout(connectTimer);
    if (attempt !== self._generation || self.state !== "connecting") {
      socket.close(1000, "stale");
      return;
    }
    self.state = "open";
    self._socket = socket;
    self._connections++;
    self._resumeSent = resume;
    self._framesOnConnection = 0;
    if (resume !== null) {
      self._stats.resumes++;
    }
    self._consecutiveFailures = 0;
    self._unconfirmed.forEach(function (message) { self._transmit(message); });
    self.onConnected(a);
  };
  socket.onmessage = function (event) {
    if (attempt === self._generation) {
      self._frame(event.data);
    }
  };
  socket.onclose = function (event) {
    clearTimeout(connectTimer);
    if (attempt !== self._generation) {
      return;
    }
    if (!opened) {
      self._failed("connect failed (" + event.code + ")", -1);
    } else {
      self._closed(event.code, event.reason);
    }
  };
};

FarmgateClient.prototype._failed = function (why, retryAfter) {
  this._stats.failedAttempts++;
  this._consecutiveFailures++;
  if (this._consecutiveFailures >= this.maxConsecutiveFailures) {
    this._giveUp(why);
    return;
  }
  var delay = this._delayAfterFailure(this._consecutiveFailures);
  if (retryAfter >= 0) {
    // Not before the gateway's Retry-After, and not all at its end either.
    delay = Math.max(delay, retryAfter + Math.floor(this.random() * (Math.floor(retryAfter / 4) + 1)));
  }
  this._schedule(delay, why);
};

FarmgateClient.prototype._closed = function (code, reason) {
  this._socket = null;
  var cause = CAUSES[code];
  this.onDisconnected(code, reason, cause || null);
  // A 1008 for a resume= is the refusal of the position (the protocol's reason), or comes before any frame.
  if (code === BAD_RESUME && this._resumeSent !== null
      && (reason === "bad resume position" || this._framesOnConnection === 0)) {
    this._resumeRefused(reason);
    return;
  }
  if (!cause) {
    this.state = "closed";
    this._generation++;
    return;
  }
  this._stats.reconnects[cause]++;
  var delay = Math.floor(this.random() * (LOST_HOST[cause] ? this.lostHostRetryWindowMs : this.firstRetryWindowMs));
  if (cause === "try-again-later") {
    delay += this.firstRetryWindowMs;
    this._tryAgainLaterStreak++;
    if (this._tryAgainLaterStreak >= this.maxConsecutiveFailures) {
      this._giveUp("closed " + code + " " + this._tryAgainLaterStreak + " times in a row");
      return;
    }
    delay = Math.max(delay, this._delayAfterFailure(this._tryAgainLaterStreak));
  } else {
    this._tryAgainLaterStreak = 0;
  }
  this._schedule(delay, "closed " + code + " " + reason);
};

/**
 * The host refused the resume position (1008: malformed, or ahead of the room, e.g. its stream was reset).
 * What came after it cannot be replayed: that is a gap the application must hear of. The client forgets its
 * positions and reconnects once without resume= after a failure's delay; a 1008 then ends the session as
 * any other close code does, so a refusal can never turn into a reconnect loop.
 */
FarmgateClient.prototype._resumeRefused = function (reason) {
  var requested = this._resumeSent;
  this._stats.resumesRefused++;
  this._stats.gaps++;
  this._delivered = null;
  this._resumeFrom = null;
  this._resumeSent = null;
  this.onGap({ requested: requested, oldest: null, reason: reason || "resume refused" });
  this._failed("resume " + requested + " refused: " + reason, -1);
};

FarmgateClient.prototype._delayAfterFailure = function (failures) {
  var step = this.initialRetryDelayMs;
  for (var i = 1; i < failures && step < this.maxRetryDelayMs; i++) {
    step *= 2;
  }
  step = Math.min(step, this.maxRetryDelayMs);
  var half = Math.floor(step / 2);
  return half + Math.floor(this.random() * (step - half + 1));
};

FarmgateClient.prototype._schedule = function (delay, why) {
  var self = this;
  var waiting = ++this._generation;
  this.state = "waiting";
  this._timer = setTimeout(function () {
    if (waiting === self._generation && self.state === "waiting") {
      self._attempt();
    }
  }, delay);
  this.onRetry(delay, why);
};

FarmgateClient.prototype._giveUp = function (why) {
  this.state = "failed";
  this._generation++;
  this.onFailed("gave up after " + Math.max(this._consecutiveFailures, this._tryAgainLaterStreak)
    + " failed attempts in a row; last: " + why);
};

// --- the open connection -----------------------------------------------------------------------------

FarmgateClient.prototype._transmit = function (message) {
  if (message.transmissions++ > 0) {
    this._stats.resent++;
  }
  this._socket.send(message.frame);
};

FarmgateClient.prototype._frame = function (data) {
  this._framesOnConnection++;
  var frame = null;
  if (typeof data === "string" && data.length <= MAX_INBOUND_CHARS) {
    try { frame = JSON.parse(data); } catch (e) { frame = null; }
  }
  if (!frame || typeof frame !== "object" || Array.isArray(frame)) {
    this._stats.malformedDropped++;
    return;
  }
  var pos = frame.pos === undefined || frame.pos === null ? null : frame.pos;
  if (pos !== null && !isPosition(pos)) {
    this._stats.malformedDropped++;
    return;
  }
  var id = frame.id === undefined || frame.id === null ? null : String(frame.id);
  if (frame.type === "ack") {
    if (id !== null && this._unconfirmed.delete(id)) {
      this._stats.confirmed++;
    }
    return;
  }
  if (frame.type === "position") {
    if (pos === null) {
      this._stats.malformedDropped++;
    } else if (this._resumeFrom === null || comparePositions(pos, this._resumeFrom) > 0) {
      this._resumeFrom = pos;
    }
    return;
  }
  if (frame.type === "gap") {
    this._stats.gaps++;
    this.onGap({ requested: frame.requested === undefined ? null : frame.requested,
      oldest: frame.oldest === undefined ? null : frame.oldest });
    return;
  }
  if (frame.type === "chat" && id !== null && this._unconfirmed.delete(id)) {
    this._stats.confirmed++;
  }
  if (pos !== null) {
    // Positioned: once, in order, by position (a replay may repeat what the last host already delivered).
    if (this._delivered !== null && comparePositions(pos, this._delivered) <= 0) {
      this._stats.duplicatesDropped++;
      return;
    }
    this._delivered = pos;
    // Not the greater of this and a position frame: a host that sends its position frame before the replay
    // (at the room's last position) and is lost halfway through must be resumed after what was delivered.
    this._resumeFrom = pos;
    if (id !== null) {
      this._remember(id);
    }
  } else if (frame.type === "chat" && id !== null) {
    if (this._recent.has(id)) {
      this._stats.duplicatesDropped++;
      return;
    }
    this._remember(id);
  }
  this._stats.received++;
  this._tryAgainLaterStreak = 0;
  this.onMessage({ type: frame.type === undefined ? null : frame.type, id: id, body: frame.body,
    pos: pos, raw: frame });
};

FarmgateClient.prototype._remember = function (id) {
  this._recent.set(id, true);
  if (this._recent.size > this.recentIdsCapacity) {
    this._recent.delete(this._recent.keys().next().value);
  }
};

// --- helpers -------------------------------------------------------------------------------------------

function isPosition(value) {
  return typeof value === "string" && POSITION.test(value);
}

/** Compares two positions "<ms>-<seq>" as pairs of unsigned integers of any size: < 0, 0 or > 0. */
function comparePositions(a, b) {
  var x = POSITION.exec(a);
  var y = POSITION.exec(b);
  if (!x || !y) {
    throw new RangeError("position: " + (x ? b : a) + " (expected: <digits>-<digits>)");
  }
  return compareDigits(x[1], y[1]) || compareDigits(x[2], y[2]);
}

function compareDigits(a, b) {
  a = a.replace(/^0+(?=\d)/, "");
  b = b.replace(/^0+(?=\d)/, "");
  if (a.length !== b.length) {
    return a.length < b.length ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function assignUrl(gateway, clientKey) {
  return gateway + "/v1/assign" + (clientKey ? "?client=" + encodeURIComponent(clientKey) : "");
}

function webSocketUrl(a, path) {
  if (!a || typeof a.url !== "string" || !a.url) {
    throw new Error("gateway: assignment without \"url\"");
  }
  var url = new URL(a.url, typeof location !== "undefined" ? location.href : undefined);
  var schemes = { "ws:": "ws:", "http:": "ws:", "wss:": "wss:", "https:": "wss:" };
  if (!schemes[url.protocol]) {
    throw new Error("gateway: assigned url " + a.url + " (expected: ws, wss, http or https)");
  }
  url.protocol = schemes[url.protocol];
  if (path) {
    var query = path.indexOf("?");
    url.pathname = url.pathname.replace(/\/+$/, "") + (query < 0 ? path : path.slice(0, query));
    if (query >= 0) {
      new URLSearchParams(path.slice(query + 1)).forEach(function (v, k) { url.searchParams.append(k, v); });
    }
  }
  // The gateway's /v1/assign url already carries the token; add it only where it is missing.
  if (a.token && !url.searchParams.has("fg_token")) {
    url.searchParams.append("fg_token", a.token);
  }
  return url.toString();
}

function retryAfterMs(header, max) {
  if (!header) {
    return -1;
  }
  var value = header.trim();
  if (/^\d+$/.test(value)) {
    return Math.min(parseInt(value, 10) * 1000, max);
  }
  var at = Date.parse(value);
  return isNaN(at) ? -1 : Math.min(Math.max(0, at - Date.now()), max);
}

// The gateway that last answered, per gateways array given to assignedUrl: asked first next time.
var answeredLast = typeof WeakMap === "function" ? new WeakMap() : null;

/**
 * Asks the gateways for a host, as the client does before each connection, and resolves to its http(s) URL
 * with fg_token (and options.path) in it: for socket.io and other clients that open the connection themselves
 * (io(url) on every connect, see docs/client.md). A gateway that cannot be reached moves it to the next one;
 * an HTTP answer other than 200 rejects with an Error whose status is set, and for a 503 whose retryAfterMs is
 * the Retry-After (or -1).
 *
 * @param gateways a base URL or an array of them
 * @param options {path, clientKey, fetch, maxRetryAfterMs}
 */
function assignedUrl(gateways, options) {
  var o = options || {};
  var list = gatewayList({ gateways: Array.isArray(gateways) ? gateways : [gateways] });
  var doFetch = o.fetch || (typeof fetch === "function" ? fetch : null);
  if (typeof doFetch !== "function") {
    return Promise.reject(new TypeError("fetch: none (expected: a global fetch, Node 18+, or the fetch option)"));
  }
  var first = answeredLast && Array.isArray(gateways) ? (answeredLast.get(gateways) || 0) % list.length : 0;
  function ask(index, triesLeft) {
    return doFetch.call(undefined, assignUrl(list[index], o.clientKey),
      { cache: "no-store", headers: { "Accept": "application/json" } }).then(function (response) {
      if (answeredLast && Array.isArray(gateways)) {
        answeredLast.set(gateways, index);
      }
      if (response.status !== 200) {
        var error = new Error("gateway " + list[index] + ": HTTP " + response.status
          + (response.status === 503 ? " (no eligible host)" : ""));
        error.status = response.status;
        error.retryAfterMs = response.status === 503
          ? retryAfterMs(response.headers.get("Retry-After"), o.maxRetryAfterMs || 300000) : -1;
        throw error;
      }
      return response.json().then(function (a) {
        var url = new URL(webSocketUrl(a, o.path || ""));
        url.protocol = url.protocol === "wss:" ? "https:" : "http:";
        return url.toString();
      });
    }, function (unreachable) {
      if (triesLeft <= 1) {
        throw unreachable;
      }
      return ask((index + 1) % list.length, triesLeft - 1);
    });
  }
  return ask(first, list.length);
}

FarmgateClient.webSocketUrl = webSocketUrl;
FarmgateClient.retryAfterMs = retryAfterMs;
FarmgateClient.comparePositions = comparePositions;
FarmgateClient.assignedUrl = assignedUrl;

// build:node-only-begin (left out of the script-tag build, which returns FarmgateClient as its global)
module.exports = {
  FarmgateClient: FarmgateClient,
  assignedUrl: assignedUrl,
  comparePositions: comparePositions,
  webSocketUrl: webSocketUrl,
  retryAfterMs: retryAfterMs,
  default: FarmgateClient
};
// build:node-only-end
