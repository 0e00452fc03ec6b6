package io.farmgate.dns;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side (RFC 7766): two-byte length-prefixed messages, any number of queries per
 * connection answered in order, a connection closed when no complete query arrives within the
 * idle timeout, and connections beyond the cap closed at once.
 */
final class TcpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);
    private static final int BACKLOG = 128;

    private final QueryResponder responder;
    private final DnsCounters counters;
    private final ServerSocket server;
    private final long idleTimeoutMillis;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private ExecutorService handlers;
    private Thread acceptor;
    private volatile boolean closed;

    private TcpListener(QueryResponder responder, DnsCounters counters, ServerSocket server,
                        long idleTimeoutMillis, int maxConnections) {
        this.responder = responder;
        this.counters = counters;
        this.server = server;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxConnections = maxConnections;
    }

    static TcpListener bind(QueryResponder responder, DnsCounters counters, InetSocketAddress address,
                            long idleTimeoutMillis, int maxConnections) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(address, BACKLOG);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new TcpListener(responder, counters, server, idleTimeoutMillis, maxConnections);
    }

    int port() {
        return server.getLocalPort();
    }

    void start(String namePrefix) {
        AtomicInteger n = new AtomicInteger();
        handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, namePrefix + "-tcp-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, namePrefix + "-tcp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log.warn("TCP accept failed; continuing", e);
                continue;
            }
            try {
                if (open.incrementAndGet() > maxConnections) {
                    open.decrementAndGet();
                    counters.tcpRejected.increment();
                    socket.close();
                    continue;
                }
                counters.tcpOpen.increment();
                connections.add(socket);
                handlers.execute(() -> serve(socket));
            } catch (Throwable t) {
                log.warn("TCP connection could not be started; closed", t);
                release(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeoutMillis));
            InputStream in = socket.getInputStream();
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            byte[] buffer = new byte[QueryResponder.MAX_TCP_MESSAGE];
            while (!closed) {
                // The whole message must arrive within the idle timeout: a client dripping bytes
                // cannot hold a connection slot longer than one that sends nothing.
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
                if (!readFully(socket, in, buffer, 2, deadline)) {
                    return;
                }
                int length = (buffer[0] & 0xFF) << 8 | (buffer[1] & 0xFF);
                if (!readFully(socket, in, buffer, length, deadline)) {
                    return;
                }
                byte[] reply = responder.respond(buffer, length, socket.getInetAddress(),
                        QueryResponder.Transport.TCP);
                if (reply == null) {
                    return; // nothing sensible to say on this stream (no header, or not a query)
                }
                out.write(reply.length >>> 8);
                out.write(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (SocketTimeoutException e) {
            // idle: closing is the answer
        } catch (SocketException e) {
            // peer reset or server closing
        } catch (Throwable t) {
            log.warn("TCP connection failed; closed", t);
        } finally {
            release(socket);
        }
    }

    /** Reads exactly {@code n} bytes into {@code buffer}; false on end of stream or past the deadline. */
    private boolean readFully(Socket socket, InputStream in, byte[] buffer, int n, long deadline) throws IOException {
        int got = 0;
        while (got < n) {
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMillis <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
            int r = in.read(buffer, got, n - got);
            if (r < 0) {
                return false;
            }
            got += r;
        }
        return true;
    }

    private void release(Socket socket) {
        if (connections.remove(socket)) {
            open.decrementAndGet();
            counters.tcpOpen.decrement();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the TCP server socket", e);
        }
        for (Socket s : connections) {
            release(s);
        }
        if (handlers != null) {
            handlers.shutdownNow();
        }
        try {
            if (acceptor != null) {
                acceptor.join(5_000);
            }
            if (handlers != null) {
                handlers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
