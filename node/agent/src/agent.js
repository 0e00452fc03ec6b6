'use strict';
// The in-process agent: heartbeats with the host's connection count and CPU, obeys the stored
// operator state (drain, weight, target) level-triggered plus the nudge channel for speed, sheds
// gently, drains on close, and survives Redis outages. Written from docs/registry.md.
const { validate } = require('./config');
const { openRedis, redacted } = require('./redis');
const { adapterFor, SHED_REASON } = require('./adapters');
const { ShedPacer, DrainSchedule } = require('./policy');
const { CpuMeter, processCpu, hostCpu } = require('./cpu');

const SERVICE_RESTART = 1012;
const DRAIN_REASON = 'draining: reconnect through the front door';
const DEFAULT_OPERATOR_STATE = Object.freeze({ draining: false, weight: 1, targetConnections: -1, updatedAtMillis: 0 });
const MAX_RECORD_BYTES = 16 * 1024;

// docs/registry.md, "Heartbeats": SET host PX ttl · SET schema 1 NX · ZADD hosts (returns 1 on (re)join).
const PUBLISH_SCRIPT = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
  + "redis.call('SET', KEYS[3], ARGV[5], 'NX')\n"
  + "return redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])\n";
const REMOVE_SCRIPT = "redis.call('DEL', KEYS[1])\nreturn redis.call('ZREM', KEYS[2], ARGV[1])\n";

function keysOf(farm, hostId) {
  const p = `fg:{${farm}}:`;
  return {
    host: `${p}host:${hostId}`,
    hosts: `${p}hosts`,
    schema: `${p}schema`,
    operator: `${p}operator`,
    nudge: `${p}nudge`,
    events: `${p}events`,
  };
}

/** Reads an operator record as docs/registry.md defines it; null when it is unusable (the caller keeps the last one). */
function decodeOperatorState(json) {
  if (json == null) return DEFAULT_OPERATOR_STATE;
  if (Buffer.byteLength(json, 'utf8') > MAX_RECORD_BYTES) return null;
  let r;
  try {
    r = JSON.parse(json);
  } catch {
    return null;
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r) || r.v !== 1) return null;
  const { draining, weight, targetConnections } = r;
  const updatedAtMillis = r.updatedAtMillis === undefined ? 0 : r.updatedAtMillis;
  if (typeof draining !== 'boolean') return null;
  if (typeof weight !== 'number' || !(weight > 0 && weight <= 1000)) return null;
  if (!Number.isInteger(targetConnections) || targetConnections < -1 || targetConnections > 2 ** 31 - 1) return null;
  if (!Number.isInteger(updatedAtMillis)) return null;
  return Object.freeze({ draining, weight, targetConnections, updatedAtMillis });
}

function defaultLogger() {
  const line = (level) => (msg) => process.stderr.write(`farmgate-agent ${level}: ${msg}\n`);
  return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

class Agent {
  constructor(config, adapter, redis, log) {
    this.config = config;
    this.adapter = adapter;
    this.redis = redis;
    this.log = log;
    this.keys = keysOf(config.farm, config.hostId);
    this.clock = config.clock || Date.now;
    this.random = config.random || Math.random;
    this.cpuMeter = new CpuMeter(config.cpu === 'host' ? hostCpu() : processCpu(), config.cpuHalfLifeMillis,
      (e, n) => log.warn(`cannot read CPU use (${n} failed reads so far): ${e.message}`));
    this.pacer = new ShedPacer(config.shedFractionPerSecond, config.minShedPerSecond, this.random);
    this.operatorState = DEFAULT_OPERATOR_STATE;
    this.sequence = 0;
    this.shedTotal = 0;
    this.shedReported = 0;
    this.failedHeartbeats = 0;
    this.lastConnections = 0;
    this.lastPublished = null;
    this.cpu = 0;
    this.shuttingDown = false;
    this.registryDown = false;
    this.removed = false;
    this.drain = null;
    this.drainIsShutdown = false;
    this.heartbeatTimer = null;
    this.shedTimer = null;
    this.subscriber = null;
    this.beating = null;
    this.closing = null;
    this.onDrained = null;
    redis.defineCommand('fgPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    redis.defineCommand('fgRemove', { numberOfKeys: 2, lua: REMOVE_SCRIPT });
    // ioredis reports connection errors as events; the heartbeat's own failure handling logs them once.
    redis.on('error', () => {});
  }

  get draining() {
    return this.shuttingDown || this.operatorState.draining;
  }

  async start() {
    this.subscribe();
    await this.heartbeatSafely();
    this.heartbeatTimer = setInterval(() => this.heartbeatSafely(), this.config.heartbeatIntervalMillis);
    this.heartbeatTimer.unref();
    this.log.info(`agent for ${this.config.hostId} in farm ${this.config.farm} started (${redacted(this.config.redis)}): `
      + `heartbeat every ${this.config.heartbeatIntervalMillis} ms, expiry ${this.config.heartbeatTtlMillis} ms`);
    return this;
  }

  subscribe() {
    try {
      const sub = this.redis.duplicate();
      sub.on('error', () => {});
      // ioredis re-subscribes after every reconnect by itself.
      sub.subscribe(this.keys.nudge).catch(() => {});
      sub.on('message', (channel, hostId) => {
        if (channel === this.keys.nudge && hostId === this.config.hostId) this.refreshOperatorStateSafely();
      });
      this.subscriber = sub;
    } catch (e) {
      // Without nudges the agent still reads the stored state every interval.
      this.log.warn(`cannot subscribe to operator nudges for ${this.config.hostId}: ${e.message}`);
    }
  }

  connectionsNow() {
    try {
      const n = this.adapter.connections();
      if (Number.isInteger(n) && n >= 0) {
        this.lastConnections = n;
      } else {
        this.log.warn(`connection count ${n} is not a count >= 0; keeping ${this.lastConnections}`);
      }
    } catch (e) {
      this.log.warn(`connection count failed (${e.message}); keeping ${this.lastConnections}`);
    }
    return this.lastConnections;
  }

  /** Beats never overlap: a beat asked for while one runs waits for it. */
  heartbeatSafely() {
    const run = async () => {
      try {
        await this.heartbeat();
      } catch (e) {
        this.log.error(`heartbeat of ${this.config.hostId} failed unexpectedly: ${e.stack || e}`);
      }
    };
    this.beating = (this.beating || Promise.resolve()).then(run);
    return this.beating;
  }

  async heartbeat() {
    const now = this.clock();
    this.cpu = this.cpuMeter.sample(now);
    await this.refreshOperatorState();
    if (this.removed) return;
    const report = {
      v: 1,
      hostId: this.config.hostId,
      url: this.config.url,
      address: this.config.address,
      zone: this.config.zone,
      connections: this.connectionsNow(),
      capacity: this.config.capacity,
      cpu: this.cpu,
      state: this.draining ? 'draining' : 'active',
      weight: this.config.weight,
      reportedAtMillis: now,
      sequence: ++this.sequence,
    };
    let joined;
    try {
      joined = await this.redis.fgPublish(this.keys.host, this.keys.hosts, this.keys.schema, JSON.stringify(report),
        String(this.config.heartbeatTtlMillis), String(now), this.config.hostId, '1');
    } catch (e) {
      this.failedHeartbeats++;
      if (!this.registryDown) {
        this.registryDown = true;
        this.log.warn(`${this.config.hostId}: heartbeat failed, Redis unreachable? Retrying every `
          + `${this.config.heartbeatIntervalMillis} ms: ${e.message}`);
      } else if (this.failedHeartbeats % 60 === 0) {
        this.log.warn(`${this.config.hostId}: still cannot publish heartbeats (${this.failedHeartbeats} failed): ${e.message}`);
      }
      return;
    }
    this.lastPublished = report;
    if (this.registryDown) {
      this.registryDown = false;
      this.log.info(`${this.config.hostId}: heartbeats resumed`);
    }
    if (joined === 1) await this.event('join', this.config.url, now);
    if (this.shedTotal > this.shedReported) {
      const count = this.shedTotal - this.shedReported;
      this.shedReported = this.shedTotal;
      const reason = this.draining ? 'draining' : `target ${this.operatorState.targetConnections}`;
      await this.event('shed', reason, now, { count: String(count) });
    }
  }

  async event(type, reason, atMillis, details = {}) {
    const fields = ['v', '1', 'type', type, 'hostId', this.config.hostId, 'actor', `agent:${this.config.hostId}`,
      'reason', reason, 'atMillis', String(atMillis)];
    for (const [k, v] of Object.entries(details)) fields.push(`details.${k}`, v);
    try {
      await this.redis.xadd(this.keys.events, 'MAXLEN', '~', String(this.config.eventStreamMaxLength), '*', ...fields);
    } catch {
      // Events are for people; a lost one costs nothing.
    }
  }

  async refreshOperatorStateSafely() {
    try {
      await this.refreshOperatorState();
    } catch (e) {
      this.log.error(`reading operator state of ${this.config.hostId} failed unexpectedly: ${e.stack || e}`);
    }
  }

  /** Level-triggered: the stored state is the truth; a failed read keeps the last one (fail static). */
  async refreshOperatorState() {
    let json;
    try {
      json = await this.redis.hget(this.keys.operator, this.config.hostId);
    } catch {
      return;
    }
    const stored = decodeOperatorState(json);
    if (stored === null) {
      if (!this.badOperatorRecord) this.log.warn(`${this.config.hostId}: unreadable operator record kept at the last known state`);
      this.badOperatorRecord = true;
      return;
    }
    this.badOperatorRecord = false;
    const previous = this.operatorState;
    if (stored.draining !== previous.draining || stored.targetConnections !== previous.targetConnections) {
      this.log.info(`${this.config.hostId}: operator state now draining=${stored.draining} target=`
        + `${stored.targetConnections >= 0 ? stored.targetConnections : 'none'} weight=${stored.weight}`);
    }
    this.operatorState = stored;
    this.updateShedTimer();
  }

  /** The shed loop runs only while there is something to shed toward: a target, a drain or a shutdown. */
  updateShedTimer() {
    if (this.removed) return;
    const needed = this.shuttingDown || this.operatorState.draining || this.operatorState.targetConnections >= 0;
    if (needed && this.shedTimer === null) {
      this.shedTimer = setInterval(() => this.shedTickSafely(), this.config.shedTickMillis);
      this.shedTimer.unref();
      this.shedTickSafely();
    } else if (!needed && this.shedTimer !== null) {
      clearInterval(this.shedTimer);
      this.shedTimer = null;
      this.drain = null;
      this.pacer.reset();
    }
  }

  shedTickSafely() {
    try {
      this.shedTick();
    } catch (e) {
      this.log.error(`shed tick of ${this.config.hostId} failed unexpectedly: ${e.stack || e}`);
    }
  }

  shedTick() {
    const now = this.clock();
    const open = this.connectionsNow();
    const orders = this.operatorState;
    let shed;
    if (this.shuttingDown || orders.draining) {
      if (this.drain === null || (this.shuttingDown && !this.drainIsShutdown)) {
        this.drain = new DrainSchedule(now, open, this.config.drainPeriodMillis, this.random);
        this.drainIsShutdown = this.shuttingDown;
        this.pacer.reset();
      }
      shed = this.drain.shedNow(now, open);
      if (this.shuttingDown && (open === 0 || this.drain.over(now)) && this.onDrained) this.onDrained(open === 0);
    } else {
      this.drain = null;
      shed = orders.targetConnections >= 0 ? this.pacer.shedNow(now, open, orders.targetConnections) : 0;
    }
    if (shed > 0) {
      this.shedTotal += shed;
      try {
        this.adapter.shed(shed, SERVICE_RESTART, this.draining ? DRAIN_REASON : SHED_REASON);
      } catch (e) {
        this.log.warn(`${this.config.hostId}: shed handler failed for ${shed} connections: ${e.message}`);
      }
    }
  }

  close() {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      this.shuttingDown = true;
      this.log.info(`${this.config.hostId} shutting down: draining ${this.lastConnections} connections over `
        + `${this.config.drainPeriodMillis} ms`);
      const drained = new Promise((resolve) => {
        this.onDrained = resolve;
      });
      this.updateShedTimer();
      await this.heartbeatSafely();
      const empty = await drained;
      if (!empty) this.log.warn(`${this.config.hostId}: drain period over with connections still open`);
      clearInterval(this.heartbeatTimer);
      clearInterval(this.shedTimer);
      this.shedTimer = null;
      this.removed = true;
      await this.beating;
      try {
        await this.redis.fgRemove(this.keys.host, this.keys.hosts, this.config.hostId);
        await this.event('leave', empty ? 'drained' : 'drain period over with connections open', this.clock(),
          { shed: String(this.shedTotal) });
        this.log.info(`${this.config.hostId} left farm ${this.config.farm}`);
      } catch (e) {
        this.log.warn(`${this.config.hostId}: could not remove the heartbeat (${e.message}); it expires within `
          + `${this.config.heartbeatTtlMillis} ms`);
      }
      this.subscriber?.disconnect();
      this.redis.disconnect();
    })();
    return this.closing;
  }
}

/**
 * Starts an agent for `options.server` and publishes the first heartbeat (or fails it, counted,
 * if Redis is away: the agent keeps retrying every interval and never throws into the server).
 */
async function startAgent(options) {
  const config = validate(options);
  const adapter = adapterFor(config.server, config.random || Math.random);
  const log = config.logger || defaultLogger();
  const redis = openRedis(config.redis, config.commandTimeoutMillis, config.redisOptions);
  // The first heartbeat should find the connection made; a Redis that does not answer in time is retried.
  await new Promise((resolve) => {
    if (redis.status === 'ready') return resolve();
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, config.commandTimeoutMillis);
    redis.once('ready', done);
  });
  const agent = new Agent(config, adapter, redis, log);
  await agent.start();
  return publicFace(agent);
}

function publicFace(agent) {
  let signalsHandled = false;
  return Object.freeze({
    /** Drains (1012 to every client over drainPeriodMillis), then removes the heartbeat. */
    close: () => agent.close(),
    /** Opt-in: SIGTERM and SIGINT close the agent, then call `then` (default: process.exit(0)). */
    handleSignals(then = () => process.exit(0)) {
      if (signalsHandled) return;
      signalsHandled = true;
      const onSignal = () => agent.close().then(then, then);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    get config() {
      return agent.config;
    },
    get operatorState() {
      return agent.operatorState;
    },
    get draining() {
      return agent.draining;
    },
    get lastPublished() {
      return agent.lastPublished;
    },
    get cpu() {
      return agent.cpu;
    },
    get shedTotal() {
      return agent.shedTotal;
    },
    get failedHeartbeats() {
      return agent.failedHeartbeats;
    },
  });
}

module.exports = { startAgent, decodeOperatorState, keysOf, SERVICE_RESTART, DEFAULT_OPERATOR_STATE };
