'use strict';
// Cumulative CPU counters turned into a usage share in [0, 1] between two readings, fed into a
// time-decayed average; the same sources as the Java agent (this process, or the whole host).
const fs = require('node:fs');
const os = require('node:os');
const { DecayingAverage } = require('./policy');

/** This process: user + system time from process.cpuUsage() over wall time x available cores. */
function processCpu() {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return () => {
    const u = process.cpuUsage();
    const busy = (u.user + u.system) * 1000; // micros to nanos
    return { busyNanos: busy, availableNanos: Number(process.hrtime.bigint()) * cores };
  };
}

const NANOS_PER_TICK = 10_000_000; // USER_HZ is 100 on every architecture Linux supports

/** Parses the aggregate `cpu` line of /proc/stat: idle and iowait are idle, the rest up to steal is busy. */
function parseProcStat(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  const f = line.trim().split(/\s+/);
  let busy = 0;
  let idle = 0;
  for (let i = 1; i < f.length && i <= 8; i++) {
    const ticks = Number(f[i]);
    if (!Number.isSafeInteger(ticks)) throw new Error(`bad number in cpu line: ${line}`);
    if (i === 4 || i === 5) idle += ticks;
    else busy += ticks;
  }
  return { busyNanos: busy * NANOS_PER_TICK, availableNanos: (busy + idle) * NANOS_PER_TICK };
}

/** The whole host: /proc/stat where there is one, else the per-core times of os.cpus(). */
function hostCpu(statFile = '/proc/stat') {
  if (fs.existsSync(statFile)) return () => parseProcStat(fs.readFileSync(statFile, 'utf8'));
  return () => {
    let busy = 0;
    let all = 0;
    for (const c of os.cpus()) {
      const t = c.times;
      busy += t.user + t.nice + t.sys + t.irq;
      all += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    return { busyNanos: busy * 1e6, availableNanos: all * 1e6 };
  };
}

/** Samples a source and keeps the decayed average; a failed reading keeps the last value and is counted. */
class CpuMeter {
  constructor(source, halfLifeMillis, onFailure) {
    this.source = source;
    this.average = new DecayingAverage(halfLifeMillis);
    this.previous = null;
    this.failedReads = 0;
    this.onFailure = onFailure;
  }

  sample(nowMillis) {
    let now;
    try {
      now = this.source();
    } catch (e) {
      this.failedReads++;
      if (this.onFailure && (this.failedReads === 1 || this.failedReads % 60 === 0)) this.onFailure(e, this.failedReads);
      return this.value();
    }
    if (this.previous) {
      const available = now.availableNanos - this.previous.availableNanos;
      if (available > 0) this.average.add((now.busyNanos - this.previous.busyNanos) / available, nowMillis);
    }
    this.previous = now;
    return this.value();
  }

  value() {
    return this.average.seeded ? Math.max(0, Math.min(1, this.average.value)) : 0;
  }
}

module.exports = { processCpu, hostCpu, parseProcStat, CpuMeter };
