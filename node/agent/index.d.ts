// Types of @farmgate/agent, the in-process farmgate agent for Node.js WebSocket servers.

/** Anything that can count its clients and close some: what the agent needs of a server. */
export interface ShedTarget {
  /** Open client connections now, leaving out those already asked to close. */
  connections(): number;
  /** Close at most `count` clients (any) with `code` (1012); closing fewer is fine, more is not. */
  shed(count: number, code: number, reason?: string): unknown;
}

/** A `ws` WebSocketServer, a socket.io Server, or a ShedTarget. */
export type AgentServer =
  | { clients: Set<unknown>; handleUpgrade: (...args: any[]) => unknown }
  | { engine: { clients: Record<string, unknown> }; of: (...args: any[]) => unknown }
  | ShedTarget;

export interface AgentLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AgentOptions {
  /** The registry: redis://, rediss://, redis-sentinel://…#master, redis-cluster://host:port,… */
  redis: string;
  /** Extra ioredis options, e.g. `{ tls: { ca } }` for a private CA. */
  redisOptions?: Record<string, unknown>;
  /** Farm name: 1-63 of a-z, 0-9, '-'. */
  farm: string;
  /** This host's id: one lower-case DNS label. */
  hostId: string;
  /** Base URL the gateway sends clients to (ws://, wss://, http://, https://). */
  url: string;
  /** IPv4 or IPv6 literal the DNS front door answers with. */
  address: string;
  /** Placement label; default "". */
  zone?: string;
  /** Most connections the host accepts, > 0. */
  capacity: number;
  /** The host's own share of new clients, in (0, 1000]; default 1. */
  weight?: number;
  server: AgentServer;
  /** Default 1000. */
  heartbeatIntervalMillis?: number;
  /** Default 3000; must be > heartbeatIntervalMillis. */
  heartbeatTtlMillis?: number;
  /** Half-life of the CPU average; default 10000. */
  cpuHalfLifeMillis?: number;
  /** Drains and close() spread their closes over this; default 30000. */
  drainPeriodMillis?: number;
  /** At most this share of the connections is shed per second toward a target; default 0.05. */
  shedFractionPerSecond?: number;
  /** But at least this many per second; default 1. */
  minShedPerSecond?: number;
  /** Shed loop period while shedding; default 100. */
  shedTickMillis?: number;
  /** Timeout of every Redis command and connect; default 1000. */
  commandTimeoutMillis?: number;
  /** Trim length of the farm's event stream; default 10000. */
  eventStreamMaxLength?: number;
  /** 'process' (this process, default) or 'host' (whole host: /proc/stat, else os.cpus()). */
  cpu?: 'process' | 'host';
  /** Returns a number in [0, 1); default Math.random. */
  random?: () => number;
  /** Returns epoch milliseconds; default Date.now. */
  clock?: () => number;
  logger?: AgentLogger;
}

export interface OperatorState {
  readonly draining: boolean;
  readonly weight: number;
  /** -1 when there is no target. */
  readonly targetConnections: number;
  readonly updatedAtMillis: number;
}

export interface HeartbeatRecord {
  v: 1;
  hostId: string;
  url: string;
  address: string;
  zone: string;
  connections: number;
  capacity: number;
  cpu: number;
  state: 'active' | 'draining';
  weight: number;
  reportedAtMillis: number;
  sequence: number;
}

export interface Agent {
  /** Drains (1012 to every client, spread over drainPeriodMillis), then removes the heartbeat. Never rejects. */
  close(): Promise<void>;
  /** Opt-in: SIGTERM and SIGINT close the agent, then call `then` (default: process.exit(0)). */
  handleSignals(then?: () => void): void;
  readonly config: Readonly<AgentOptions>;
  readonly operatorState: OperatorState;
  readonly draining: boolean;
  readonly lastPublished: HeartbeatRecord | null;
  readonly cpu: number;
  readonly shedTotal: number;
  readonly failedHeartbeats: number;
}

/** Starts the agent and publishes the first heartbeat (a Redis that is away is retried every interval). */
export function startAgent(options: AgentOptions): Promise<Agent>;

export type TokenVerdict = 'VALID' | 'MALFORMED' | 'BAD_SIGNATURE' | 'WRONG_HOST' | 'EXPIRED';

export interface TokenCheck {
  valid: boolean;
  verdict: TokenVerdict;
  /** The client key a valid token carries ("" when none); null otherwise. */
  clientKey: string | null;
}

/**
 * Checks the gateway's fg_token. `query` is the token, a request URL or path with a query,
 * URLSearchParams, a URL, or an object with `fg_token`. `secret` is the gateways' --token-secret.
 */
export function verifyToken(
  query: string | URL | URLSearchParams | Record<string, unknown> | null | undefined,
  secret: string | Buffer,
  options: { hostId: string; skewSeconds?: number; nowMillis?: number },
): TokenCheck;

/** Signs a token as the gateway does (tests, gateways in JavaScript). */
export function signToken(secret: string | Buffer, hostId: string, clientKey: string, expiresAtSeconds: number): string;

/** The cluster primary's side: counts and sheds through the workers; pass it as `server`. */
export function clusterPrimary(cluster: unknown, random?: () => number): ShedTarget;

/** A cluster worker's side: answers the primary for its ws or socket.io server. */
export function clusterWorker(server: AgentServer, random?: () => number): { stop(): void };

/** 1012, Service Restart: the close code of every shed. */
export const SERVICE_RESTART: 1012;

declare const agent: {
  startAgent: typeof startAgent;
  verifyToken: typeof verifyToken;
  signToken: typeof signToken;
  clusterPrimary: typeof clusterPrimary;
  clusterWorker: typeof clusterWorker;
  SERVICE_RESTART: typeof SERVICE_RESTART;
};
export default agent;
