'use strict';
// Pure shedding and averaging policy, the same rules as the Java agent's ShedPacer, DrainSchedule
// and scoring's DecayingAverage. The caller passes the time and the counts; `random()` returns a
// number in [0, 1) (Math.random by default, seeded in tests).

const WINDOW_MILLIS = 1000;
/** Share of the drain period over which sheds are spread; the rest is for closes to complete. */
const SPREAD_SHARE = 0.8;

/** A time-decayed moving average: a sample one half-life old counts half as much as one taken now. */
class DecayingAverage {
  constructor(halfLifeMillis) {
    this.halfLifeMillis = halfLifeMillis;
    this.value = 0;
    this.atMillis = 0;
    this.seeded = false;
  }

  add(sample, nowMillis) {
    if (!Number.isFinite(sample)) return this.value;
    if (!this.seeded) {
      this.value = sample;
      this.atMillis = nowMillis;
      this.seeded = true;
      return this.value;
    }
    const dt = nowMillis - this.atMillis;
    if (dt <= 0) return this.value;
    const keep = Math.pow(0.5, dt / this.halfLifeMillis);
    this.value = keep * this.value + (1 - keep) * sample;
    this.atMillis = nowMillis;
    return this.value;
  }
}

function randomMoments(count, fromMillis, spanMillis, random) {
  const due = new Array(count);
  for (let i = 0; i < count; i++) due[i] = fromMillis + Math.floor(random() * spanMillis);
  return due.sort((a, b) => a - b);
}

/**
 * Moves toward a target connection count gently: at most a bounded number of closes per
 * one-second window, at random moments inside it, never more than the current excess.
 */
class ShedPacer {
  constructor(maxFractionPerSecond, minPerSecond, random) {
    this.maxFractionPerSecond = maxFractionPerSecond;
    this.minPerSecond = minPerSecond;
    this.random = random;
    this.reset();
  }

  budgetPerWindow(connections) {
    return Math.max(this.minPerSecond, Math.floor(this.maxFractionPerSecond * connections));
  }

  shedNow(nowMillis, connections, targetConnections) {
    const excess = connections - Math.max(0, targetConnections);
    if (excess <= 0) {
      this.reset();
      return 0;
    }
    let carried = 0;
    // A clock that went backwards also starts a new window rather than stalling.
    if (!this.windowOpen || nowMillis >= this.windowStart + WINDOW_MILLIS || nowMillis < this.windowStart) {
      // Moments the tick stepped over at the end of the last window are shed now, within the new budget.
      const leftover = this.windowOpen ? this.due.length - this.released : 0;
      const budget = Math.min(excess, this.budgetPerWindow(connections));
      carried = Math.min(leftover, budget);
      this.windowOpen = true;
      this.windowStart = nowMillis;
      this.due = randomMoments(budget - carried, nowMillis, WINDOW_MILLIS, this.random);
      this.released = 0;
    }
    let due = 0;
    while (this.released + due < this.due.length && this.due[this.released + due] <= nowMillis) due++;
    this.released += due;
    return Math.min(due + carried, excess);
  }

  reset() {
    this.windowOpen = false;
    this.windowStart = 0;
    this.due = [];
    this.released = 0;
  }
}

/**
 * Spreads the closing of every connection of a draining host over the first 80 % of the drain
 * period; whatever is still open then (late arrivals included) is shed at once.
 */
class DrainSchedule {
  constructor(nowMillis, connections, periodMillis, random) {
    const spread = Math.max(1, Math.floor(periodMillis * SPREAD_SHARE));
    this.spreadEnd = nowMillis + spread;
    this.end = nowMillis + periodMillis;
    this.due = randomMoments(Math.max(0, connections), nowMillis, spread, random);
    this.released = 0;
  }

  shedNow(nowMillis, connections) {
    if (connections <= 0) return 0;
    if (nowMillis >= this.spreadEnd) {
      this.released = this.due.length;
      return connections;
    }
    let due = 0;
    while (this.released + due < this.due.length && this.due[this.released + due] <= nowMillis) due++;
    this.released += due;
    return Math.min(due, connections);
  }

  over(nowMillis) {
    return nowMillis >= this.end;
  }
}

module.exports = { DecayingAverage, ShedPacer, DrainSchedule, WINDOW_MILLIS, SPREAD_SHARE };
