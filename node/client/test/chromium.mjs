// Debian's headless Chromium driven over the DevTools protocol (a 'ws' connection to the page): enough to load a
// page and evaluate expressions in it, without a WebDriver package. Only the browser started here is stopped.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export const CHROMIUM = "/usr/bin/chromium";

/** Why a browser test must be skipped here, or null when Chromium is installed. */
export function chromiumMissing() {
  return existsSync(CHROMIUM) ? null : "needs " + CHROMIUM + " (apt-get install chromium)";
}

/**
 * Chromium's helper processes (crashpad, the zygote's children) may still be writing into the profile for a
 * moment after the browser process exits: retry, and leave a temporary directory behind rather than fail a test.
 */
function removeProfile(profile) {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  } catch (e) {
    console.error(`# left ${profile} behind: ${e.message}`);
  }
}

/** Starts headless Chromium with a fresh profile; resolves to {evaluate(expression), navigate(url), close()}. */
export async function startChromium() {
  const profile = mkdtempSync(join(tmpdir(), "farmgate-chromium-"));
  const browser = spawn(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-port=0",
    "--user-data-dir=" + profile, "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => browser.once("exit", resolve));
  try {
    const devtools = await new Promise((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error("Chromium did not start within 30 s: " + text)), 30000);
      browser.stderr.on("data", (chunk) => {
        text += chunk;
        const m = /DevTools listening on (ws:\/\/[^\s]+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(new URL(m[1]));
        }
      });
      browser.once("exit", (code) => reject(new Error("Chromium exited with " + code + ": " + text)));
    });
    const targets = await (await fetch("http://" + devtools.host + "/json/list")).json();
    const page = new WebSocket(targets.find((t) => t.type === "page").webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      page.once("open", resolve);
      page.once("error", reject);
    });
    const pending = new Map();
    let next = 0;
    page.on("message", (data) => {
      const reply = JSON.parse(data.toString());
      const call = pending.get(reply.id);
      if (call) {
        pending.delete(reply.id);
        reply.error ? call.reject(new Error(JSON.stringify(reply.error))) : call.resolve(reply.result);
      }
    });
    const send = (method, params = {}) => new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      page.send(JSON.stringify({ id, method, params }));
    });
    return {
      async navigate(url) {
        await send("Page.navigate", { url });
      },
      async evaluate(expression) {
        const r = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
        if (r.exceptionDetails) {
          throw new Error("in the page: " + JSON.stringify(r.exceptionDetails));
        }
        return r.result.value;
      },
      async close() {
        page.close();
        browser.kill("SIGTERM");
        const killer = setTimeout(() => browser.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(killer);
        removeProfile(profile);
      },
    };
  } catch (e) {
    browser.kill("SIGKILL");
    await exited;
    removeProfile(profile);
    throw e;
  }
}
