package io.farmgate.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent for a backend in any language, run beside it as its own process: it counts the
 * backend's ESTABLISHED connections on its port from the kernel's tables, measures the CPU of
 * the backend's process (or the whole host), and sheds by calling the backend's HTTP hook.
 */
public final class Sidecar implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

    private final SidecarConfig config;
    private final ProcNetTcp tables;
    private final FarmAgent agent;
    private final AtomicBoolean listenerSeen = new AtomicBoolean(true);
    private final AtomicLong unshed = new AtomicLong();

    private Sidecar(SidecarConfig config, ProcNetTcp tables, FarmAgentBuilder builder) {
        this.config = config;
        this.tables = tables;
        ShedHandler shed = config.shedUrl() != null
                ? new HttpShedHook(config.shedUrl(), Duration.ofMillis(config.shedTimeoutMillis()))
                : this::cannotShed;
        // The lean link keeps Lettuce, Reactor and Netty out of the sidecar (Cluster URIs still use Lettuce).
        this.agent = builder.config(config.agent())
                .leanRegistryLink(true)
                .connections(this::established)
                .shedHandler(shed)
                .cpuSource(config.cpuSource())
                .build();
    }

    /** Starts the sidecar; warns at once when nothing listens on the port. Redis may be down: it retries. */
    public static Sidecar start(SidecarConfig config) {
        return start(config, FarmAgent.builder());
    }

    static Sidecar start(SidecarConfig config, FarmAgentBuilder builder) {
        Sidecar sidecar = new Sidecar(config, ProcNetTcp.system(), builder);
        sidecar.established();
        if (config.shedUrl() == null) {
            log.warn("no shed hook given (--shed-url): orders to shed connections on port {} will be logged, not obeyed",
                    config.port());
        }
        sidecar.agent.start();
        return sidecar;
    }

    public FarmAgent agent() {
        return agent;
    }

    /** Established connections on the port now; warns when nothing listens there, once per change. */
    int established() {
        PortSockets sockets;
        try {
            sockets = tables.count(config.port());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/net/tcp: " + e.getMessage(), e);
        }
        boolean listening = sockets.listening() > 0;
        if (listenerSeen.getAndSet(listening) != listening) {
            if (listening) {
                log.info("port {} has a listener again", config.port());
            } else {
                log.warn("nothing listens on port {}: is the backend running, and is --port its port? "
                        + "Reporting {} connections", config.port(), sockets.established());
            }
        }
        return sockets.established();
    }

    private void cannotShed(int count, int closeCode) {
        long n = unshed.addAndGet(count);
        log.warn("asked to shed {} connections on port {} but no --shed-url is set ({} so far)", count,
                config.port(), n);
    }

    /** Drains the backend through its hook over the drain period, then removes the heartbeat. */
    @Override
    public void close() {
        agent.close();
    }
}
