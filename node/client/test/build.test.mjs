// One source: the script-tag build the gateway serves (client/src/main/resources/.../farmgate-client.js) is what
// build.mjs makes of src/client.js now; the CommonJS and ESM entries are that same source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import vm from "node:vm";
import * as esm from "../index.mjs";
import { SCRIPT_TAG_BUILD, scriptTagBuild } from "../build.mjs";
import { until } from "./farm.mjs";

test("the checked-in script-tag build is a fresh build of src/client.js", () => {
  assert.equal(readFileSync(SCRIPT_TAG_BUILD, "utf8"), scriptTagBuild(),
    "run `npm run build` in node/client and commit " + SCRIPT_TAG_BUILD);
});

test("the script-tag build defines the global FarmgateClient, and uses the page's WebSocket", async () => {
  const opened = [];
  const closed = [];
  class PageWebSocket {
    constructor(url) {
      opened.push(url);
    }

    close() {
      closed.push("closed");
    }
  }
  const page = { URL, URLSearchParams, Map, setTimeout, clearTimeout, fetch: () => new Promise(() => {}) };
  page.self = page;
  vm.runInNewContext(readFileSync(SCRIPT_TAG_BUILD, "utf8"), page);

  assert.equal(typeof page.FarmgateClient, "function");
  assert.equal(typeof page.FarmgateClient.assignedUrl, "function");
  assert.throws(() => vm.runInNewContext("new FarmgateClient({ gateway: 'http://gw' })", page),
    /WebSocket: none \(expected: a global WebSocket/, "no 'ws' package to fall back on in a page");
  page.WebSocket = PageWebSocket;
  const c = vm.runInNewContext("new FarmgateClient({ gateway: 'http://gw', connectTimeoutMs: 10 })", page);
  c._connect(c._generation, { url: "http://10.0.0.1:9001", token: "t" });
  assert.deepEqual(opened, ["ws://10.0.0.1:9001/?fg_token=t"]);
  await until(() => closed.length === 1, "a connection not open within connectTimeoutMs closed");
});

test("CommonJS and ESM entries export the same functions", () => {
  const cjs = createRequire(import.meta.url)("@farmgate/client");
  for (const name of ["FarmgateClient", "assignedUrl", "comparePositions", "webSocketUrl", "retryAfterMs"]) {
    assert.equal(typeof cjs[name], "function", name);
    assert.equal(esm[name], cjs[name], name);
  }
  assert.equal(esm.default, cjs.FarmgateClient);
});

test("linked from an application (npm install ./node/client), on Node 20 it finds the application's 'ws'", (t) => {
  // The package where no 'ws' is beside it, the application (the working directory) with 'ws' installed.
  const root = mkdtempSync(join(tmpdir(), "farmgate-linked-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const pkg = join(root, "farmgate/node/client/src");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "client.js"), readFileSync(fileURLToPath(new URL("../src/client.js", import.meta.url))));
  const app = join(root, "app");
  mkdirSync(join(app, "node_modules"), { recursive: true });
  const ws = dirname(createRequire(import.meta.url).resolve("ws/package.json"));
  symlinkSync(ws, join(app, "node_modules/ws"), "dir");
  const script = "delete globalThis.WebSocket; const { FarmgateClient } = require(" + JSON.stringify(join(pkg, "client.js"))
    + "); const c = new FarmgateClient({ gateway: 'http://gw' }); console.log(c._WebSocket === require('ws'));";

  const inApp = spawnSync(process.execPath, ["-e", script], { cwd: app, encoding: "utf8" });
  const elsewhere = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });

  assert.equal(inApp.stdout.trim(), "true", inApp.stderr);
  assert.match(elsewhere.stderr, /WebSocket: none \(expected: a global WebSocket, the 'ws' package installed/);
});
