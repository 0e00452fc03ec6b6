// The socket.io recipe of docs/client.md ("socket.io"), verbatim below this comment; test/socketio.test.mjs runs it.
import { io } from "socket.io-client";
import { assignedUrl } from "@farmgate/client";

/** A socket.io socket whose every connection, the first and each reconnect, goes to the host the gateway assigns. */
export function farmSocket(gateways, options = {}, windowMs = 5000, lostHostWindowMs = 10000) {
  const socket = io(gateways[0], { ...options, autoConnect: false, forceNew: true, reconnection: false });
  const connect = (delayMs) => setTimeout(() => assignedUrl(gateways).then((url) => {
    socket.io.uri = url; // socket.io's own reconnects would go back to the host it had
    socket.connect();
  }, (e) => connect(Math.max(e.retryAfterMs ?? -1, 1000) * (1 + Math.random() / 4))), delayMs);
  // Not after its own disconnect(); after the server's (a drain) within windowMs; after a lost host (transport
  // close or error, ping timeout: all its clients at once) within the longer lostHostWindowMs.
  socket.on("disconnect", (reason) => reason === "io client disconnect"
    || connect(Math.random() * (reason === "io server disconnect" ? windowMs : lostHostWindowMs)));
  socket.on("connect_error", () => connect(500 + Math.random() * 1000));
  connect(0);
  return socket;
}
