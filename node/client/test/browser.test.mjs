// The script-tag build (the gateway's /v1/client.js) in headless Chromium: a page of clients, one of the farm's
// hosts drained while messages keep coming; every client lands elsewhere and delivers every message once, in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FarmgateClient, comparePositions } from "../index.mjs";
import { SCRIPT_TAG_BUILD } from "../build.mjs";
import { chromiumMissing, startChromium } from "./chromium.mjs";
import { startFarm, until } from "./farm.mjs";

const CLIENTS = 24;
const MESSAGES = 60;
const skip = chromiumMissing() ?? false; // Node 20 skips on { skip: null }
let chromium;

before(async () => {
  if (!skip) {
    chromium = await startChromium();
  }
});

after(async () => {
  if (chromium) {
    await chromium.close();
  }
});

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/client.js"></script></head><body><script>
  window.clients = [];
  for (let i = 0; i < ${CLIENTS}; i++) {
    const record = { hosts: [], ids: [], positions: [], gaps: 0 };
    record.client = new FarmgateClient({
      gateway: location.origin, firstRetryWindowMs: 300, initialRetryDelayMs: 50, maxRetryDelayMs: 200,
      onConnected: (a) => record.hosts.push(a.hostId),
      onMessage: (m) => { record.ids.push(m.id); record.positions.push(m.pos); },
      onGap: () => record.gaps++,
    });
    record.client.start();
    clients.push(record);
  }
  window.report = () => clients.map((r) => ({ hosts: r.hosts, ids: r.ids, positions: r.positions, gaps: r.gaps,
    state: r.client.state, stats: r.client.stats() }));
</script></body></html>`;

test("a drain moves every client of a page to the other hosts, and none misses or repeats a message", { skip }, async (t) => {
  const farm = await startFarm(["host-a", "host-b", "host-c"]);
  t.after(() => farm.close());
  farm.gateway.files.set("/client.js", { type: "text/javascript", body: readFileSync(SCRIPT_TAG_BUILD, "utf8") });
  farm.gateway.files.set("/page.html", { type: "text/html", body: PAGE });
  const [a] = farm.backends;
  await chromium.navigate(farm.gateway.uri + "/page.html");
  await until(() => chromium.evaluate("clients.length === " + CLIENTS
    + " && clients.every((r) => r.client.state === 'open')").catch(() => false), "every page client open", 20000);
  const sender = new FarmgateClient({ gateways: [farm.gateway.uri], firstRetryWindowMs: 100 });
  t.after(() => sender.close());
  sender.start();
  await until(() => sender.state === "open", "the sender open");
  const onA = (await chromium.evaluate("report()")).filter((r) => r.hosts[0] === "host-a").length;
  assert.ok(onA >= CLIENTS / 4, "clients on the host to drain: " + onA);

  // Drain host-a: its clients are closed with 1012 one by one while the sender keeps sending.
  a.draining = true;
  const sockets = [...a.connections];
  const sent = [];
  for (let i = 0; i < MESSAGES; i++) {
    sent.push(sender.send("message " + i));
    if (i % 2 === 0 && sockets.length > 0) {
      sockets.shift().close(1012, "drain");
    }
    await new Promise((resolve) => setTimeout(resolve, 5)); // pace the sender: a stream of messages, not a burst
  }
  await until(() => sender.stats().confirmed === MESSAGES, "every message confirmed");
  await until(() => chromium.evaluate(`clients.every((r) => r.ids.length >= ${MESSAGES} && r.client.state === "open")`),
    "every page client has every message", 20000);

  const report = await chromium.evaluate("report()");
  for (const [i, r] of report.entries()) {
    assert.deepEqual(r.ids, sent, `client ${i} (hosts ${r.hosts}) delivered every message once, in order`);
    r.positions.slice(1).forEach((p, k) => assert.ok(comparePositions(r.positions[k], p) < 0, `client ${i} order`));
    assert.equal(r.gaps, 0);
    assert.equal(r.stats.duplicatesDropped, 0);
  }
  const moved = report.filter((r) => r.hosts[0] === "host-a");
  assert.equal(moved.length, onA);
  for (const r of moved) {
    assert.equal(r.hosts.length, 2, "moved once");
    assert.notEqual(r.hosts[1], "host-a");
    assert.equal(r.stats.resumes, 1, "resumed on the new host");
  }
  assert.equal(a.connections.size, 0, "nobody left on the drained host");
});
