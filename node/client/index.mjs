// The ESM entry of @farmgate/client: the one source, src/client.js, is CommonJS.
import client from "./src/client.js";

export const { FarmgateClient, assignedUrl, comparePositions, webSocketUrl, retryAfterMs } = client;
export default FarmgateClient;
