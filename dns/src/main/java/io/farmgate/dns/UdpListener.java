package io.farmgate.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side: several receive threads on one port. Where the platform has SO_REUSEPORT each
 * thread owns a socket and the kernel spreads clients over them, so every core receives; elsewhere
 * the threads share one socket.
 */
final class UdpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

    /** Large enough for any UDP payload; one buffer per thread. */
    private static final int RECEIVE_BUFFER_BYTES = 65_535;
    /** Asked of the kernel so bursts queue instead of dropping; it may grant less. */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final QueryResponder responder;
    private final boolean fastPath;
    private final List<DatagramChannel> sockets;
    private final List<Thread> threads = new ArrayList<>();
    private final boolean reusePort;
    private volatile boolean closed;

    private UdpListener(QueryResponder responder, boolean fastPath, List<DatagramChannel> sockets,
                        boolean reusePort) {
        this.responder = responder;
        this.fastPath = fastPath;
        this.sockets = sockets;
        this.reusePort = reusePort;
    }

    /**
     * Binds {@code threads} sockets (or one, without SO_REUSEPORT) to {@code address}; port 0
     * picks a free port for all of them. With {@code fastPath}, common queries are answered by
     * {@link FastPathResponder} and only the rest by {@code responder}.
     */
    static UdpListener bind(QueryResponder responder, boolean fastPath, InetSocketAddress address, int threads)
            throws IOException {
        StandardProtocolFamily family = family(address.getAddress());
        DatagramChannel first = DatagramChannel.open(family);
        boolean reusePort = threads > 1 && first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        List<DatagramChannel> sockets = new ArrayList<>();
        try {
            configure(first, reusePort);
            first.bind(address);
            sockets.add(first);
            if (reusePort) {
                InetSocketAddress bound = new InetSocketAddress(address.getAddress(), localPort(first));
                for (int i = 1; i < threads; i++) {
                    DatagramChannel s = DatagramChannel.open(family);
                    sockets.add(s);
                    configure(s, true);
                    s.bind(bound);
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(sockets);
            first.close();
            throw e;
        }
        return new UdpListener(responder, fastPath, List.copyOf(sockets), reusePort);
    }

    static StandardProtocolFamily family(InetAddress address) {
        return address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private static void configure(DatagramChannel s, boolean reusePort) throws IOException {
        if (reusePort) {
            s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        s.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
    }

    private static int localPort(DatagramChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    int port() {
        try {
            return localPort(sockets.get(0));
        } catch (IOException e) {
            throw new IllegalStateException("UDP socket closed", e);
        }
    }

    /** Whether each thread has its own socket (SO_REUSEPORT) rather than sharing one. */
    boolean reusePort() {
        return reusePort;
    }

    int sockets() {
        return sockets.size();
    }

    void start(int threadCount, String namePrefix) {
        for (int i = 0; i < threadCount; i++) {
            DatagramChannel socket = sockets.get(i % sockets.size());
            Thread t = new Thread(() -> receiveLoop(socket), namePrefix + "-udp-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void receiveLoop(DatagramChannel socket) {
        // Direct buffers go to the kernel without a copy. The fast path reads the query and writes
        // the response in place; the general path works on a heap copy of the (small) query.
        ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
        ByteBuffer out = ByteBuffer.allocateDirect(QueryResponder.MAX_TCP_MESSAGE);
        byte[] query = new byte[RECEIVE_BUFFER_BYTES];
        int[] chosen = new int[DnsConfig.MAX_ANSWER_COUNT];
        FastPathResponder fast = fastPath ? responder.fastPath() : null;
        while (!closed) {
            try {
                in.clear();
                SocketAddress from = socket.receive(in);
                in.flip();
                InetAddress client = ((InetSocketAddress) from).getAddress();
                if (fast != null) {
                    out.clear();
                    int outcome = fast.respond(in, out, client, chosen);
                    if (outcome == FastPathResponder.ANSWERED) {
                        socket.send(out, from);
                        continue;
                    }
                    if (outcome == FastPathResponder.DROPPED) {
                        continue;
                    }
                }
                int length = in.remaining();
                in.get(query, 0, length);
                byte[] reply = responder.respond(query, length, client, QueryResponder.Transport.UDP);
                if (reply != null) {
                    out.clear();
                    out.put(reply).flip();
                    socket.send(out, from);
                }
            } catch (ClosedChannelException e) {
                return; // closed by close(), possibly while blocked in receive
            } catch (Throwable t) {
                if (closed) {
                    return;
                }
                // One bad packet or a failed send must not stop the thread that serves everyone else.
                log.warn("UDP query failed; continuing", t);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeAll(sockets);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeAll(List<DatagramChannel> sockets) {
        for (DatagramChannel s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("closing a UDP socket", e);
            }
        }
    }
}
