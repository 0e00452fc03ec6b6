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
import java.util.concurrent.locks.LockSupport;
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
    /**
     * Queries taken per system call when batching. With a 64 KB slot each (any UDP query fits whole,
     * as with one per call) that is 1 MB of receive buffers per thread; 32 measured no better.
     */
    private static final int BATCH = 16;
    private static final long RECEIVE_ERROR_BACKOFF_NANOS = 10_000_000L;

    private final QueryResponder responder;
    private final DnsCounters counters;
    private final boolean fastPath;
    private final boolean batching;
    private final List<DatagramChannel> sockets;
    private final List<Thread> threads = new ArrayList<>();
    private final List<UdpBatch> batches = new ArrayList<>();
    private final List<Thread> batchThreads = new ArrayList<>();
    private final boolean reusePort;
    private volatile boolean closed;

    private UdpListener(QueryResponder responder, DnsCounters counters, UdpOptions options,
                        List<DatagramChannel> sockets, boolean reusePort) {
        this.responder = responder;
        this.counters = counters;
        this.fastPath = options.fastPath();
        this.batching = options.batching();
        this.sockets = sockets;
        this.reusePort = reusePort;
    }

    /**
     * Binds {@code threads} sockets (or one, without SO_REUSEPORT) to {@code address}; port 0
     * picks a free port for all of them. See {@link UdpOptions} for how queries are taken in and
     * answered.
     */
    static UdpListener bind(QueryResponder responder, DnsCounters counters, UdpOptions options,
                            InetSocketAddress address, int threads) throws IOException {
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
        return new UdpListener(responder, counters, options, List.copyOf(sockets), reusePort);
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

    /**
     * Starts {@code threadCount} receive threads; returns how they take queries in, for the log
     * ("16 per recvmmsg", or why one per call).
     */
    String start(int threadCount, String namePrefix) {
        String mode = null;
        for (int i = 0; i < threadCount; i++) {
            DatagramChannel socket = sockets.get(i % sockets.size());
            UdpBatch batch = batching
                    ? UdpBatch.open(socket, BATCH, RECEIVE_BUFFER_BYTES, DnsConfig.MAX_EDNS_PAYLOAD) : null;
            Runnable loop;
            if (batch != null) {
                batches.add(batch);
                loop = () -> batchLoop(batch);
                mode = BATCH + " queries per recvmmsg";
            } else {
                loop = () -> receiveLoop(socket);
                mode = "one query per receive call (" + (!batching ? "batching off"
                        : NativeUdp.available() ? "this JDK hides the socket" : NativeUdp.unavailableReason()) + ")";
            }
            Thread t = new Thread(loop, namePrefix + "-udp-" + i);
            t.setDaemon(true);
            (batch != null ? batchThreads : threads).add(t);
            t.start();
        }
        return mode;
    }

    private void batchLoop(UdpBatch batch) {
        byte[] query = new byte[RECEIVE_BUFFER_BYTES];
        int[] chosen = new int[DnsConfig.MAX_ANSWER_COUNT];
        FastPathResponder fast = fastPath ? responder.fastPath() : null;
        long failures = 0;
        while (!closed) {
            int n;
            try {
                n = batch.receive();
            } catch (Throwable t) {
                if (closed) {
                    return;
                }
                failures++;
                if (Long.bitCount(failures) == 1) { // 1st, 2nd, 4th, ...: visible, never a flood
                    log.warn("UDP receive failed ({} so far); continuing", failures, t);
                }
                // An error that does not go away (a bug, not a packet) must not spin a core.
                LockSupport.parkNanos(RECEIVE_ERROR_BACKOFF_NANOS);
                continue;
            }
            if (closed) {
                return; // woken to close: what came in is not answered, as a closed socket would not
            }
            for (int i = 0; i < n; i++) {
                try {
                    answer(batch, i, query, chosen, fast);
                } catch (Throwable t) {
                    // One bad packet must not stop the thread that serves everyone else.
                    log.warn("UDP query failed; continuing", t);
                }
            }
            int unsent = batch.send(n);
            if (unsent > 0) {
                counters.udpSendFailures.add(unsent);
            }
        }
    }

    private void answer(UdpBatch batch, int i, byte[] query, int[] chosen, FastPathResponder fast)
            throws IOException {
        InetAddress client = batch.client(i);
        if (client == null) {
            return; // not an IP sender: nothing to answer to
        }
        ByteBuffer out = batch.answer(i);
        if (respond(batch.query(i), out, client, query, chosen, fast)) {
            batch.answered(i, out.remaining());
        }
    }

    /**
     * Answers the query in {@code in} into {@code out}, flipped, ready to send; false when nothing is
     * to be sent (dropped or rate-limited). The fast path writes in place; the general path works
     * on a heap copy ({@code query}) of the (small) query.
     */
    private boolean respond(ByteBuffer in, ByteBuffer out, InetAddress client, byte[] query, int[] chosen,
                            FastPathResponder fast) {
        out.clear();
        if (fast != null) {
            int outcome = fast.respond(in, out, client, chosen);
            if (outcome != FastPathResponder.DECLINED) {
                return outcome == FastPathResponder.ANSWERED;
            }
        }
        int length = in.remaining();
        in.get(query, 0, length);
        byte[] reply = responder.respond(query, length, client, QueryResponder.Transport.UDP);
        if (reply == null) {
            return false;
        }
        // A UDP answer never exceeds MAX_EDNS_PAYLOAD: the responder truncates to the client's limit.
        out.clear();
        out.put(reply).flip();
        return true;
    }

    private void receiveLoop(DatagramChannel socket) {
        // Direct buffers go to the kernel without a copy.
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
                if (respond(in, out, ((InetSocketAddress) from).getAddress(), query, chosen, fast)) {
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
        // Batching threads stop before their sockets close: a descriptor closed under a thread
        // about to call recvmmsg could be reused by another socket. The JDK's own receive calls
        // are the other way round: closing the channel is what wakes them.
        for (UdpBatch batch : batches) {
            batch.wake();
        }
        boolean batchThreadsStopped = join(batchThreads);
        closeAll(sockets);
        join(threads);
        if (batchThreadsStopped) { // a thread still inside a native receive would use freed memory
            batches.forEach(UdpBatch::close);
        }
    }

    private static boolean join(List<Thread> threads) {
        boolean stopped = true;
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            stopped &= !t.isAlive();
        }
        return stopped;
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
