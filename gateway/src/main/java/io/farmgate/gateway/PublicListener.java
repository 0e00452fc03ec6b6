package io.farmgate.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listener: Netty event loops, one per core, each accepting, parsing, picking and
 * writing on its own thread with no hand-off. With native epoll every loop has its own server
 * socket on the same port ({@code SO_REUSEPORT}), so the kernel spreads new connections over the
 * loops; without it (not Linux, or the native library cannot load) one NIO server socket accepts
 * and hands each connection to a loop, and the start says so in the log.
 */
final class PublicListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PublicListener.class);
    /** Pending connections the kernel may queue per server socket (capped by net.core.somaxconn). */
    private static final int BACKLOG = 4096;
    /**
     * How long the kernel holds a connection that sent nothing before handing it over anyway
     * ({@code TCP_DEFER_ACCEPT}); from then the header read timeout runs as for any other.
     */
    private static final int DEFER_ACCEPT_SECONDS = 1;

    /**
     * How long a connection may take at each stage, and how large a request head may be.
     *
     * @param maxHeadBytes             larger request heads get 431 (414 when the request line alone is)
     * @param headerReadTimeoutMillis  from accept, or a head's first byte, until the head is complete
     * @param idleTimeoutMillis        a kept-alive connection with no request in flight is closed after this
     */
    record Limits(int maxHeadBytes, long headerReadTimeoutMillis, long idleTimeoutMillis) {

        /** How often each loop checks its connections' deadlines: a quarter of the shortest, within [10 ms, 1 s]. */
        long sweepMillis() {
            return Math.max(10, Math.min(1_000, Math.min(headerReadTimeoutMillis, idleTimeoutMillis) / 4));
        }

        /** How long a closing connection's unread bytes are drained before it is closed. */
        long lingerMillis() {
            return Math.min(2_000, headerReadTimeoutMillis);
        }
    }

    /** What every connection of this listener shares. */
    static final class Shared {
        private final Limits limits;
        private final PublicApi api;
        private final GatewayMetrics metrics;
        private final Clock clock;
        private final FastThreadLocal<LoopState> loops;
        /** Set when the listener starts closing: from then on no request is answered. */
        private volatile boolean closing;

        Shared(Limits limits, PublicApi api, GatewayMetrics metrics, Clock clock, AssignmentTokens tokens) {
            this.limits = limits;
            this.api = api;
            this.metrics = metrics;
            this.clock = clock;
            this.loops = new FastThreadLocal<>() {
                @Override
                protected LoopState initialValue() {
                    return new LoopState(limits, tokens);
                }
            };
        }

        Limits limits() {
            return limits;
        }

        PublicApi api() {
            return api;
        }

        GatewayMetrics metrics() {
            return metrics;
        }

        Clock clock() {
            return clock;
        }

        boolean closing() {
            return closing;
        }

        /** The calling event loop's state. */
        LoopState loop() {
            return loops.get();
        }
    }

    private final EventLoopGroup group;
    private final List<Channel> servers = new ArrayList<>();
    private Shared shared;
    private final boolean epoll;
    private int port = -1;
    private int tlsPort = -1;

    private PublicListener(int threads) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Normal priority, above the gateway's BackgroundThreads: clients wait on these loops.
        this.group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("farmgate-public", true, Thread.NORM_PRIORITY), io);
        if (!epoll) {
            LOG.info("native epoll unavailable ({}); the public listener uses NIO with one accepting socket",
                    Epoll.unavailabilityCause() == null ? "not Linux" : Epoll.unavailabilityCause().toString());
        }
    }

    /**
     * Binds the plain listener and, when {@code ssl} is given, the TLS one.
     *
     * @throws IOException when an address cannot be bound
     */
    static PublicListener start(ListenAddress plain, ListenAddress tls, SslContext ssl, Shared shared, int threads)
            throws IOException {
        PublicListener l = new PublicListener(threads);
        l.shared = shared;
        try {
            l.port = l.bind(plain, null, shared);
            if (ssl != null) {
                l.tlsPort = l.bind(tls, ssl, shared);
            }
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    private int bind(ListenAddress address, SslContext ssl, Shared shared) throws IOException {
        InetAddress host = InetAddress.getByName(address.host());
        // SO_REUSEPORT would let a second gateway share a port in use; a plain bind first refuses that.
        int bound;
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, address.port()));
            bound = probe.getLocalPort();
        }
        InetSocketAddress at = new InetSocketAddress(host, bound);
        if (epoll) {
            for (EventExecutor e : group) {
                EventLoop loop = (EventLoop) e;
                EpollServerSocketChannel server = new EpollServerSocketChannel();
                server.config().setReusePort(true);
                // Accept only once the first bytes are in: the request is read, answered and
                // closed in one wake-up (PublicAcceptor). A client that connects and sends nothing
                // waits in the kernel, not in a file descriptor of ours.
                server.config().setTcpDeferAccept(DEFER_ACCEPT_SECONDS);
                servers.add(listen(server, loop, at, new PublicAcceptor(shared, ssl, loop)));
            }
        } else {
            servers.add(listen(new NioServerSocketChannel(), group.next(), at, new PublicAcceptor(shared, ssl, group)));
        }
        return ((InetSocketAddress) servers.get(servers.size() - 1).localAddress()).getPort();
    }

    private static ServerChannel listen(ServerChannel server, EventLoop loop, InetSocketAddress at,
                                        PublicAcceptor acceptor) {
        server.config().setOption(ChannelOption.SO_BACKLOG, BACKLOG);
        server.config().setOption(ChannelOption.SO_REUSEADDR, true);
        server.pipeline().addLast(acceptor);
        loop.register(server).syncUninterruptibly();
        server.bind(at).syncUninterruptibly();
        return server;
    }

    /** Whether the native epoll transport is in use (else NIO). */
    boolean nativeTransport() {
        return epoll;
    }

    int port() {
        return port;
    }

    /** The TLS listener's port, or -1 when there is none. */
    int tlsPort() {
        return tlsPort;
    }

    @Override
    public void close() {
        // A client still holding a kept-alive connection must go to another gateway now, as it
        // would to a stopped one, not be answered by one that is going away.
        if (shared != null) {
            shared.closing = true;
        }
        for (Channel c : servers) {
            c.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
