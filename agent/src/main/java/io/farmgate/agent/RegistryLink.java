package io.farmgate.agent;

import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher.Published;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;

/**
 * What the agent needs of the registry, for one host. Calls may fail while Redis is away; the
 * agent catches, logs and tries again at its next tick.
 */
interface RegistryLink extends AutoCloseable {

    /**
     * Publishes {@code report} as the host's heartbeat and reads the host's stored operator state,
     * in one round trip: whether the host (re)joined the farm, and the state.
     */
    Published publish(HostReport report) throws Exception;

    /** The stored operator state of the host ({@link OperatorState#DEFAULT} when none). */
    OperatorState operatorState(String hostId) throws Exception;

    /** Removes the host's heartbeat: it leaves the farm now rather than at expiry. */
    void remove(String hostId) throws Exception;

    /** Calls {@code nudge} whenever someone announces a change of the host's operator state. */
    void onNudge(String hostId, Runnable nudge);

    /** Records something that happened to the host for operators (best effort, never throws). */
    void event(FarmEvent event);

    @Override
    void close();
}
