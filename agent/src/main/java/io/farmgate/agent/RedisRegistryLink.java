package io.farmgate.agent;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.HeartbeatPublisher.Published;
import io.farmgate.registry.NudgeSubscriber;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's registry link over the registry module: heartbeats, operator state, nudges and events in Redis. */
final class RedisRegistryLink implements RegistryLink {

    private static final Logger log = LoggerFactory.getLogger(RedisRegistryLink.class);

    private final RegistryConnection connection;
    private final HeartbeatPublisher heartbeats;
    private final OperatorStore operators;
    private final EventLog events;
    private volatile NudgeSubscriber nudges;

    /** Opens the connection lazily: nothing touches the network until the first heartbeat. */
    RedisRegistryLink(AgentConfig config, Clock clock) {
        this.connection = RegistryConnection.open(config.registryConfig());
        this.heartbeats = new HeartbeatPublisher(connection);
        this.operators = new OperatorStore(connection, clock);
        this.events = new EventLog(connection);
    }

    @Override
    public Published publish(HostReport report) {
        return heartbeats.publishAndRead(report);
    }

    @Override
    public OperatorState operatorState(String hostId) {
        return operators.read(hostId);
    }

    @Override
    public void remove(String hostId) {
        heartbeats.remove(hostId);
    }

    @Override
    public void onNudge(String hostId, Runnable nudge) {
        nudges = NudgeSubscriber.start(connection, nudged -> {
            if (nudged.equals(hostId)) {
                nudge.run();
            }
        });
    }

    @Override
    public void event(FarmEvent event) {
        try {
            events.append(event);
        } catch (RuntimeException e) {
            log.debug("cannot record {} event: {}", event.type(), e.toString());
        }
    }

    @Override
    public void close() {
        NudgeSubscriber n = nudges;
        if (n != null) {
            n.close();
        }
        connection.close();
    }
}
