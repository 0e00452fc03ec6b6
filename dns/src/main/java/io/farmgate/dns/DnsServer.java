package io.farmgate.dns;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.Picker;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authoritative DNS server for the farm zone: UDP and TCP on one port, answering every query
 * from the latest farm snapshot. {@link #start()} binds and starts its threads; {@link #close()}
 * stops exactly those threads and sockets. Reading the snapshot is the supplier's business (the
 * registry's refreshing source in production); nothing here waits on Redis.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    /** Attempts at finding one port free for both UDP and TCP when the config asks for port 0. */
    private static final int FREE_PORT_ATTEMPTS = 20;

    private final DnsConfig config;
    private final DnsCounters counters = new DnsCounters();
    private final QueryResponder responder;
    private final boolean udpFastPath;
    private UdpListener udp;
    private volatile String udpMode = "not started";
    private TcpListener tcp;
    private boolean started;
    private boolean closed;

    /**
     * @param snapshots the current farm; called on every apex or host-name query, so it must be a
     *                  cheap read (a volatile field), never I/O
     * @param picker    chooses the hosts of apex answers, e.g. a {@code TwoChoicePicker}
     * @param clock     time for response rate limiting
     */
    public DnsServer(DnsConfig config, Supplier<FarmSnapshot> snapshots, Picker picker, Clock clock) {
        this(config, snapshots, picker, clock, true);
    }

    /** With {@code udpFastPath} false every UDP query takes the general path (for comparing the two). */
    DnsServer(DnsConfig config, Supplier<FarmSnapshot> snapshots, Picker picker, Clock clock, boolean udpFastPath) {
        this.udpFastPath = udpFastPath;
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(picker, "picker");
        Objects.requireNonNull(clock, "clock");
        ResponseRateLimiter limiter = config.rateLimit().enabled()
                ? new ResponseRateLimiter(config.rateLimit(), clock) : null;
        this.responder = new QueryResponder(config, snapshots, picker, limiter, counters);
    }

    /** Binds UDP and TCP and starts serving. */
    public synchronized DnsServer start() throws IOException {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        InetAddress host = InetAddress.getByName(config.listenHost()); // a literal: validated, no lookup
        if (config.port() == 0) {
            bindFreePort(host);
        } else {
            // TCP first and without SO_REUSEPORT: a second server on this port fails here instead
            // of silently sharing the UDP port with us.
            InetSocketAddress address = new InetSocketAddress(host, config.port());
            tcp = TcpListener.bind(responder, counters, address, config.tcpIdleTimeoutMillis(),
                    config.tcpMaxConnections());
            try {
                udp = UdpListener.bind(responder, counters, udpOptions(), address, config.udpThreads());
            } catch (IOException | RuntimeException e) {
                tcp.close();
                throw e;
            }
        }
        udpMode = udp.start(config.udpThreads(), "farmgate-dns");
        tcp.start("farmgate-dns");
        log.info("DNS for {} on {}:{} (UDP x{}{}, {}; TCP)", config.zone(), config.listenHost(), port(),
                config.udpThreads(), udp.reusePort() ? " with SO_REUSEPORT" : " sharing one socket", udpMode);
        return this;
    }

    private void bindFreePort(InetAddress host) throws IOException {
        BindException last = null;
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
            // The probe is a plain UDP socket: the kernel gives it a port no socket holds. Bound
            // with SO_REUSEPORT instead, it could be handed a port another reuse-port socket of
            // the same user already serves, and two servers would silently split the queries.
            int port;
            try (DatagramChannel probe = DatagramChannel.open(UdpListener.family(host))) {
                probe.bind(new InetSocketAddress(host, 0));
                port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
                tcp = TcpListener.bind(responder, counters, new InetSocketAddress(host, port),
                        config.tcpIdleTimeoutMillis(), config.tcpMaxConnections());
            } catch (BindException e) {
                last = e;
                continue;
            }
            try {
                udp = UdpListener.bind(responder, counters, udpOptions(), new InetSocketAddress(host, port), config.udpThreads());
                return;
            } catch (BindException e) {
                tcp.close();
                tcp = null;
                last = e;
            } catch (IOException | RuntimeException e) {
                tcp.close();
                tcp = null;
                throw e;
            }
        }
        throw new BindException("no port free for both UDP and TCP after " + FREE_PORT_ATTEMPTS
                + " attempts: " + (last == null ? "" : last.getMessage()));
    }

    /** The port UDP and TCP listen on (the chosen one when the config said 0). */
    public int port() {
        if (udp == null) {
            throw new IllegalStateException("not started");
        }
        return udp.port();
    }

    /** Counters since start. */
    public DnsStats stats() {
        return counters.snapshot();
    }

    /** UDP sockets bound: the thread count with SO_REUSEPORT, else 1. */
    private UdpOptions udpOptions() {
        return new UdpOptions(udpFastPath, config.udpBatching());
    }

    /** How UDP queries are taken in: "16 queries per recvmmsg", or one per call and why. */
    String udpMode() {
        return udpMode;
    }

    int udpSockets() {
        return udp == null ? 0 : udp.sockets();
    }

    /** Stops this server's threads and closes its sockets; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            tcp.close();
        }
    }
}
