// The TypeScript declarations (index.d.ts) compile against a typical use under --strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

test("index.d.ts type-checks a typical use, and refuses misuse", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const project = fileURLToPath(new URL("./types/tsconfig.json", import.meta.url));
  const run = spawnSync(process.execPath, [tsc, "-p", project], { encoding: "utf8", timeout: 60000 });
  assert.equal(run.status, 0, "tsc: " + run.stdout + run.stderr);
});
