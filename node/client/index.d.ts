// Types of @farmgate/client (src/client.js). See docs/client.md.

/** What GET /v1/assign answered: the host to connect to. */
export interface Assignment {
  url: string;
  hostId: string;
  token?: string;
  expiresAt?: string;
}

/** A frame delivered to the application: a chat message (once per id, or once per position), or another type. */
export interface InboundMessage {
  type: string | null;
  id: string | null;
  body: unknown;
  /** The room's position of the frame ("<ms>-<seq>"), null when the backend sent none. */
  pos: string | null;
  raw: Record<string, unknown>;
}

/**
 * The room no longer holds everything after `requested` (oldest: the oldest position it still has, from which
 * it replays), or the host refused `requested` (oldest null, reason "bad resume position"): frames were missed.
 */
export interface Gap {
  requested: string | null;
  oldest: string | null;
  reason?: string;
}

export type ClientState = "new" | "connecting" | "open" | "waiting" | "closed" | "failed";

export interface ClientStats {
  state: ClientState;
  sent: number;
  confirmed: number;
  pending: number;
  resent: number;
  received: number;
  duplicatesDropped: number;
  malformedDropped: number;
  assignments: number;
  noHostAnswers: number;
  failedAttempts: number;
  gatewayFailovers: number;
  /** Gaps reported to onGap: gap frames and refused resume positions. */
  gaps: number;
  /** Connections opened with resume=. */
  resumes: number;
  /** Resume positions the host refused (1008). */
  resumesRefused: number;
  /** What a reconnect resumes after, null before the backend sent a position. */
  position: string | null;
  reconnects: { "service-restart": number; "try-again-later": number; "going-away": number; abnormal: number };
}

/**
 * The WebSocket constructor the client uses: the browser's, Node 22's global one, or the 'ws' package's. Its
 * instances need onopen, onmessage ({data}), onclose ({code, reason}), onerror, send(string) and close().
 */
export type WebSocketConstructor = new (url: string) => unknown;

export interface ClientOptions {
  /** One gateway base URL ("" = the page's origin); or use gateways. */
  gateway?: string;
  /** Several gateways: the one that answered last is asked first, the next at once when one cannot be reached. */
  gateways?: string[];
  /** The WebSocket path on the hosts, e.g. "/chat". */
  path?: string;
  /** Sent as ?client= to /v1/assign (a sticky key). */
  clientKey?: string;
  /** The first retry after a shed, drain or rebalance (1012) is uniform over this (5000); 1013 waits one window first. */
  firstRetryWindowMs?: number;
  /** The first retry after a lost host (1006: no close frame, 1011, 1001) is uniform over this (10000). */
  lostHostRetryWindowMs?: number;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  maxRetryAfterMs?: number;
  maxConsecutiveFailures?: number;
  maxPendingMessages?: number;
  recentIdsCapacity?: number;
  connectTimeoutMs?: number;
  /** Uniform in [0, 1); Math.random by default. */
  random?: () => number;
  /** Default: the global WebSocket, else require("ws"). */
  WebSocket?: WebSocketConstructor;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  onMessage?: (message: InboundMessage) => void;
  onConnected?: (assignment: Assignment) => void;
  onDisconnected?: (code: number, reason: string, cause: string | null) => void;
  onRetry?: (delayMs: number, why: string) => void;
  onFailed?: (reason: string) => void;
  onFailover?: (from: string, to: string, why: string) => void;
  onGap?: (gap: Gap) => void;
}

/** The cooperating farmgate client (docs/client.md): assign, connect, reconnect through the gateway, resume. */
export declare class FarmgateClient {
  constructor(options?: ClientOptions);
  readonly state: ClientState;
  readonly assignment: Assignment | null;
  readonly gateways: string[];
  start(): void;
  /** Sends a chat message; returns its id. Queued while disconnected, resent until confirmed. */
  send(body?: unknown): string;
  /** Stops for good (1000); unconfirmed messages stay unconfirmed. */
  close(): void;
  unconfirmedIds(): string[];
  /** What a reconnect resumes after ("<ms>-<seq>"), null before the backend sent a position. */
  position(): string | null;
  stats(): ClientStats;

  static webSocketUrl: typeof webSocketUrl;
  static retryAfterMs: typeof retryAfterMs;
  static comparePositions: typeof comparePositions;
  static assignedUrl: typeof assignedUrl;
}

export interface AssignedUrlOptions {
  /** Appended to the host's URL path (a socket.io namespace, say). */
  path?: string;
  clientKey?: string;
  fetch?: typeof fetch;
  maxRetryAfterMs?: number;
}

/** The error assignedUrl rejects with when a gateway answered other than 200. */
export interface AssignError extends Error {
  status: number;
  /** A 503's Retry-After in milliseconds, -1 when none. */
  retryAfterMs: number;
}

/** Asks the gateway(s) for a host; resolves to its http(s) URL with fg_token, for io(url) (docs/client.md). */
export declare function assignedUrl(gateways: string | string[], options?: AssignedUrlOptions): Promise<string>;

/** Compares positions "<ms>-<seq>" as pairs of unsigned integers: < 0, 0, > 0. */
export declare function comparePositions(a: string, b: string): number;

export declare function webSocketUrl(assignment: Assignment, path?: string): string;

export declare function retryAfterMs(header: string | null, max: number): number;

export default FarmgateClient;
