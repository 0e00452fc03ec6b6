package io.farmgate.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
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
    private final List<DatagramSocket> sockets;
    private final List<Thread> threads = new ArrayList<>();
    private final boolean reusePort;
    private volatile boolean closed;

    private UdpListener(QueryResponder responder, List<DatagramSocket> sockets, boolean reusePort) {
        this.responder = responder;
        this.sockets = sockets;
        this.reusePort = reusePort;
    }

    /**
     * Binds {@code threads} sockets (or one, without SO_REUSEPORT) to {@code address}; port 0
     * picks a free port for all of them.
     */
    static UdpListener bind(QueryResponder responder, InetSocketAddress address, int threads) throws IOException {
        DatagramSocket first = new DatagramSocket(null);
        boolean reusePort = threads > 1 && first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            configure(first, reusePort);
            first.bind(address);
            sockets.add(first);
            if (reusePort) {
                InetSocketAddress bound = new InetSocketAddress(address.getAddress(), first.getLocalPort());
                for (int i = 1; i < threads; i++) {
                    DatagramSocket s = new DatagramSocket(null);
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
        return new UdpListener(responder, List.copyOf(sockets), reusePort);
    }

    private static void configure(DatagramSocket s, boolean reusePort) throws IOException {
        if (reusePort) {
            s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        s.setReceiveBufferSize(SOCKET_BUFFER_BYTES);
    }

    int port() {
        return sockets.get(0).getLocalPort();
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
            DatagramSocket socket = sockets.get(i % sockets.size());
            Thread t = new Thread(() -> receiveLoop(socket), namePrefix + "-udp-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void receiveLoop(DatagramSocket socket) {
        byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                byte[] reply = responder.respond(buffer, packet.getLength(), packet.getAddress(),
                        QueryResponder.Transport.UDP);
                if (reply != null) {
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                if (closed || socket.isClosed()) {
                    return;
                }
                log.warn("UDP socket error; continuing", e);
            } catch (Throwable t) {
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

    private static void closeAll(List<DatagramSocket> sockets) {
        for (DatagramSocket s : sockets) {
            s.close();
        }
    }
}
