// Compiled (not run) by test/types.test.mjs with tsc --strict: the declarations of index.d.ts fit real use.
import FarmgateClient, { assignedUrl, comparePositions, type AssignError, type Gap, type InboundMessage } from "@farmgate/client";

const chat = new FarmgateClient({
  gateways: ["https://gw1.example.com", "https://gw2.example.com"],
  path: "/chat",
  onMessage: (m: InboundMessage) => console.log(m.id, m.pos, m.body),
  onConnected: (a) => console.log(a.hostId, a.url),
  onGap: (gap: Gap) => console.log("missed after", gap.requested, "oldest kept", gap.oldest),
});
chat.start();
new FarmgateClient({ gateway: "", WebSocket, fetch }); // the page's own, as the defaults are
new FarmgateClient({ gateway: "", firstRetryWindowMs: 5000, lostHostRetryWindowMs: 10000 }); // the default windows
const id: string = chat.send({ text: "hello" });
const gaps: number = chat.stats().gaps;
const position: string | null = chat.position();
const order: number = comparePositions("1-2", "1-10");
console.log(id, gaps, position, order, chat.state === "open", FarmgateClient.assignedUrl === assignedUrl);

assignedUrl(["https://gw1.example.com"]).then((url: string) => console.log(url), (e: AssignError) => e.retryAfterMs);

// @ts-expect-error: send returns the id, not a promise
chat.send("x").then(() => {});
// @ts-expect-error: a window is milliseconds, not a duration string
new FarmgateClient({ lostHostRetryWindowMs: "10s" });
// @ts-expect-error: gateways is an array of base URLs
new FarmgateClient({ gateways: "https://gw1.example.com" });
