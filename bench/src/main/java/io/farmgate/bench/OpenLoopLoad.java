package io.farmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop HTTP load generator (wrk2 is not packaged for Debian): requests start on a fixed
 * schedule whatever the server does, and a request's latency counts from when it was due, so a
 * stalled server cannot hide its stall (no coordinated omission). One thread, one selector.
 *
 * <ul>
 *   <li>{@code --mode close}: each request on a new connection with {@code Connection: close}
 *       (connection storms, CPU per new connection);</li>
 *   <li>{@code --mode keep-alive}: {@code --connections} kept-alive connections, one request in
 *       flight on each; a due request waits for a free connection, and that wait is latency.</li>
 * </ul>
 * Every answer must have the {@code --expect} status (and a {@code Location} for a 3xx); anything
 * else, a refused connect, a reset or a {@code --timeout-millis} without an answer counts as an
 * error. {@code --warmup N} first runs N requests on the same schedule, unmeasured. Prints one line: {@code requests=N errors=E rate=R p50_ms=.. p99_ms=.. p999_ms=.. max_ms=..}.
 *
 * <pre>java -cp benchmarks.jar io.farmgate.bench.OpenLoopLoad --target 127.0.0.1:8080 --rate 1000
 *     --seconds 10 [--mode close|keep-alive] [--connections 50] [--path /chat?room=1] [--expect 307]</pre>
 */
public final class OpenLoopLoad {

    private final InetSocketAddress target;
    private final byte[] request;
    private final long intervalNanos;
    private final long total;
    private final boolean close;
    private final int expect;
    private final long timeoutNanos;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Selector selector;
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final ArrayDeque<Long> waiting = new ArrayDeque<>();
    private final Set<Conn> busy = new HashSet<>();
    private long done;
    private long errors;
    private final List<String> errorSamples = new ArrayList<>();

    /** One connection and the request it carries. */
    private static final class Conn {
        SocketChannel channel;
        long dueNanos;
        final ByteBuffer in = ByteBuffer.allocate(4_096);
    }

    private OpenLoopLoad(InetSocketAddress target, String path, double rate, long total, boolean close, int expect,
                         long timeoutMillis) throws IOException {
        this.target = target;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.intervalNanos = (long) (1e9 / rate);
        this.total = total;
        this.close = close;
        this.expect = expect;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws IOException {
        BenchArgs a = new BenchArgs(args, Set.of("target", "path", "rate", "seconds", "count", "mode", "connections",
                "expect", "timeout-millis", "warmup"));
        String[] hostPort = a.required("target").split(":");
        double rate = a.decimal("rate", 1000, 1);
        long total = a.whole("count", Math.round(rate * a.decimal("seconds", 10, 0.1)), 1);
        String mode = a.text("mode", "close");
        if (!mode.equals("close") && !mode.equals("keep-alive")) {
            throw new IllegalArgumentException("--mode: " + mode + " (expected: close or keep-alive)");
        }
        InetSocketAddress target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        long warmup = a.whole("warmup", 0, 0);
        if (warmup > 0) {
            // The same schedule, unmeasured: this JVM's own JIT warms up before the run that counts.
            OpenLoopLoad w = new OpenLoopLoad(target, a.text("path", "/chat?room=1"), rate, warmup, mode.equals("close"),
                    (int) a.whole("expect", 307, 100), a.whole("timeout-millis", 5_000, 1));
            w.prepare(mode, (int) a.whole("connections", 50, 1));
            w.run();
        }
        OpenLoopLoad load = new OpenLoopLoad(target, a.text("path", "/chat?room=1"), rate, total, mode.equals("close"),
                (int) a.whole("expect", 307, 100), a.whole("timeout-millis", 5_000, 1));
        load.prepare(mode, (int) a.whole("connections", 50, 1));
        long start = System.nanoTime();
        load.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "requests=%d errors=%d rate=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f%n",
                load.done, load.errors, load.done / seconds, load.latency.percentileMillis(50),
                load.latency.percentileMillis(99), load.latency.percentileMillis(99.9), load.latency.percentileMillis(100));
        for (String sample : load.errorSamples) {
            System.err.println("error: " + sample);
        }
    }

    private void prepare(String mode, int connections) throws IOException {
        if (mode.equals("keep-alive")) {
            openKeptAlive(connections);
        }
    }

    private void openKeptAlive(int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            Conn c = new Conn();
            c.channel = SocketChannel.open(target);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.channel.configureBlocking(false);
            c.channel.register(selector, 0, c);
            idle.add(c);
        }
    }

    private void run() throws IOException {
        long t0 = System.nanoTime();
        long scheduled = 0;
        long lastSweep = t0;
        while (done + errors < total) {
            long now = System.nanoTime();
            while (scheduled < total && t0 + scheduled * intervalNanos <= now) {
                start(t0 + scheduled * intervalNanos);
                scheduled++;
            }
            long untilNext = scheduled < total ? t0 + scheduled * intervalNanos - System.nanoTime() : 1_000_000;
            if (untilNext <= 0) {
                selector.selectNow();
            } else {
                selector.select(Math.max(1, untilNext / 1_000_000));
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                try {
                    if (key.isConnectable()) {
                        c.channel.finishConnect();
                        send(c, key);
                    } else if (key.isReadable()) {
                        read(c, key);
                    }
                } catch (IOException e) {
                    fail(c, e.toString());
                }
            }
            selector.selectedKeys().clear();
            if (now - lastSweep > 50_000_000) {
                lastSweep = now;
                for (Conn c : new ArrayList<>(busy)) {
                    if (now - c.dueNanos > timeoutNanos) {
                        fail(c, "no answer within the timeout");
                    }
                }
            }
        }
        selector.close();
    }

    private void start(long dueNanos) throws IOException {
        if (close) {
            Conn c = new Conn();
            c.dueNanos = dueNanos;
            busy.add(c);
            try {
                c.channel = SocketChannel.open();
                c.channel.configureBlocking(false);
                c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (c.channel.connect(target)) {
                    send(c, c.channel.register(selector, 0, c));
                } else {
                    c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (IOException e) {
                fail(c, e.toString());
            }
            return;
        }
        Conn c = idle.poll();
        if (c == null) {
            waiting.add(dueNanos);
            return;
        }
        c.dueNanos = dueNanos;
        busy.add(c);
        send(c, c.channel.keyFor(selector));
    }

    private void send(Conn c, SelectionKey key) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(request);
        c.channel.write(out);
        if (out.hasRemaining()) {
            throw new IOException("request not written at once");
        }
        c.in.clear();
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Conn c, SelectionKey key) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0) {
            fail(c, "closed before a complete answer");
            return;
        }
        String text = new String(c.in.array(), 0, c.in.position(), StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            if (!c.in.hasRemaining()) {
                fail(c, "answer head over " + c.in.capacity() + " bytes");
            }
            return;
        }
        int length = 0;
        int cl = text.toLowerCase(Locale.ROOT).indexOf("\r\ncontent-length:");
        if (cl >= 0 && cl < headEnd) {
            length = Integer.parseInt(text.substring(cl + 17, text.indexOf("\r\n", cl + 2)).trim());
        }
        if (c.in.position() < headEnd + 4 + length) {
            return;
        }
        int status = text.startsWith("HTTP/1.") && text.length() > 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
        if (status != expect || (status / 100 == 3
                && !text.substring(0, headEnd).toLowerCase(Locale.ROOT).contains("\r\nlocation: "))) {
            fail(c, "answer " + text.substring(0, Math.min(headEnd, 200)).replace("\r\n", " | "));
            return;
        }
        latency.recordNanos(System.nanoTime() - c.dueNanos);
        done++;
        busy.remove(c);
        if (close) {
            c.channel.close();
            return;
        }
        if (c.in.position() > headEnd + 4 + length) {
            fail(c, "more bytes than one answer");
            return;
        }
        Long due = waiting.poll();
        if (due != null) {
            c.dueNanos = due;
            busy.add(c);
            send(c, key);
        } else {
            key.interestOps(0);
            idle.add(c);
        }
    }

    private void fail(Conn c, String why) {
        errors++;
        if (errorSamples.size() < 5) {
            errorSamples.add(why);
        }
        busy.remove(c);
        try {
            if (c.channel != null) {
                c.channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        if (!close) {
            // Replace the connection so the run keeps its width.
            try {
                openKeptAlive(1);
                Long due = waiting.poll();
                if (due != null) {
                    start(due);
                }
            } catch (IOException e) {
                errorSamples.add("cannot reconnect: " + e);
            }
        }
    }
}
