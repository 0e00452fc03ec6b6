package io.farmgate.scoring;

/** What a host says of itself in its heartbeat: taking new clients, or on its way out. */
public enum HostState {
    /** Accepts new clients. */
    ACTIVE,
    /** Takes no new clients and is shedding the ones it has (drain, shutdown). */
    DRAINING
}
