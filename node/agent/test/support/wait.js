'use strict';
// Polls a condition until it holds or a deadline passes: tests wait for behaviour, never for a fixed time.

async function waitFor(condition, { timeoutMillis = 5000, intervalMillis = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMillis;
  let last;
  for (;;) {
    try {
      last = await condition();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMillis));
  }
}

module.exports = { waitFor };
