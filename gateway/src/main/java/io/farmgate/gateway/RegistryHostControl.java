package io.farmgate.gateway;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.OperatorStore;
import io.farmgate.scoring.OperatorState;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the admin API's decisions in the registry's operator state (which agents reconcile toward
 * and every gateway's next snapshot reflects) and notes each in the farm's event log.
 */
public final class RegistryHostControl implements HostControl {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHostControl.class);
    private static final String ACTOR = "admin";

    private final OperatorStore operators;
    private final EventLog events;
    private final Clock clock;

    public RegistryHostControl(OperatorStore operators, EventLog events, Clock clock) {
        this.operators = Objects.requireNonNull(operators, "operators");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void setDraining(String hostId, boolean draining) {
        if (draining) {
            operators.drain(hostId);
        } else {
            operators.undrain(hostId);
        }
        note(FarmEvent.of(draining ? FarmEvent.Type.DRAIN : FarmEvent.Type.UNDRAIN, hostId, ACTOR, "admin API",
                clock.millis()));
    }

    @Override
    public void setTargetConnections(String hostId, int targetConnections) {
        operators.setTarget(hostId, targetConnections);
        note(new FarmEvent(FarmEvent.Type.SHED, hostId, ACTOR, "admin API", clock.millis(),
                Map.of("targetConnections", Integer.toString(targetConnections))));
    }

    @Override
    public boolean hasStoredState(String hostId) {
        return !operators.read(hostId).equals(OperatorState.DEFAULT);
    }

    @Override
    public void scaledDown(int requested, List<String> hostIds) {
        note(new FarmEvent(FarmEvent.Type.SCALE_DOWN, "", ACTOR, "admin API", clock.millis(),
                Map.of("requested", Integer.toString(requested), "draining", String.join(",", hostIds))));
    }

    @Override
    public List<FarmEvent> latestEvents(int limit) {
        return events.latest(limit);
    }

    /** The decision is stored already; a lost log entry must not turn it into an error. */
    private void note(FarmEvent event) {
        try {
            events.append(event);
        } catch (RuntimeException e) {
            LOG.warn("could not log {} of host '{}': {}", event.type(), event.hostId(), e.getMessage());
        }
    }
}
