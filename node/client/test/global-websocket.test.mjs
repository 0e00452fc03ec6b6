// client.test.mjs again with the global WebSocket (undici's, as on Node 22+) instead of the 'ws' package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("the client's tests pass with the global WebSocket of Node 22+ too", () => {
  const flags = typeof WebSocket === "function" ? [] : ["--experimental-websocket"]; // Node 20.10+: behind a flag
  const run = spawnSync(process.execPath, [...flags, "--test", fileURLToPath(new URL("./client.test.mjs", import.meta.url))],
    { encoding: "utf8", timeout: 120000, env: childEnv() });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /# fail 0/);
  assert.doesNotMatch(run.stdout, /# pass 0\b/);
});

/** This environment with the global WebSocket chosen, less the test runner's NODE_TEST_CONTEXT (which would make
 * the child report to a parent runner instead of printing its results). */
function childEnv() {
  const env = { ...process.env, FARMGATE_TEST_WEBSOCKET: "global" };
  delete env.NODE_TEST_CONTEXT;
  return env;
}
