package io.farmgate.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The load of bench/longlived.sh: N WebSocket clients that stay connected and each send chat
 * messages at a fixed rate for a fixed time, either through a proxy that carries every byte
 * ({@code --mode direct}, e.g. HAProxy) or through the gateway's 307 once and then straight to the
 * backend ({@code --mode redirect}). It reads the balancing layer's CPU time from /proc around
 * every phase (idle, connect, messages, close) and prints one {@code result key=value ...} line.
 *
 * <p>Every message resends one id the farm has already seen, so the demo backend answers the
 * sender alone with an ack (docs/client.md, rule 3) instead of broadcasting to all N clients: an
 * echo, which keeps the traffic linear in N. The id is made known once, by one broadcast, before
 * the measured phase.
 */
public final class LongLivedLoad {

    private static final Set<String> OPTIONS = Set.of("mode", "url", "clients", "rate-per-client", "seconds",
            "connect-threads", "balancer-pid", "other-pids", "clk-tck", "warmup-requests", "body-bytes", "idle-seconds");
    private static final long CONNECT_PHASE_LIMIT_MILLIS = 180_000;
    private static final long SEND_TICK_MILLIS = 5;

    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong broadcasts = new AtomicLong();
    private final AtomicLong unexpectedCloses = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final LatencyHistogram rtt = new LatencyHistogram();
    private volatile boolean closing;

    private LongLivedLoad() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args, OPTIONS);
        String mode = a.required("mode");
        if (!mode.equals("direct") && !mode.equals("redirect")) {
            throw new IllegalArgumentException("--mode: " + mode + " (expected: direct or redirect)");
        }
        new LongLivedLoad().run(a, mode.equals("redirect"));
    }

    /** One long-lived client; its fields are written by the connect task, then the sender and the listener. */
    private final class EchoClient implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile long lastSendNanos;
        volatile CompletableFuture<WebSocket> lastSend;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains("\"type\":\"ack\"")) {
                    acks.incrementAndGet();
                    long sent = lastSendNanos;
                    if (sent != 0) {
                        rtt.recordNanos(System.nanoTime() - sent);
                        lastSendNanos = 0;
                    }
                } else {
                    broadcasts.incrementAndGet();
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.incrementAndGet();
            if (!closing) {
                unexpectedCloses.incrementAndGet();
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.incrementAndGet();
            if (!closing) {
                unexpectedCloses.incrementAndGet();
            }
        }
    }

    private void run(BenchArgs a, boolean redirect) throws Exception {
        URI url = URI.create(a.required("url"));
        int clientCount = (int) a.whole("clients", 1_000, 1);
        double ratePerClient = a.decimal("rate-per-client", 1.0, 0.001);
        double seconds = a.decimal("seconds", 30, 1);
        int connectThreads = (int) a.whole("connect-threads", 32, 1);
        long clkTck = a.whole("clk-tck", 100, 1);
        int warmupRequests = (int) a.whole("warmup-requests", 2_000, 0);
        int bodyBytes = (int) a.whole("body-bytes", 64, 0);
        double idleSeconds = a.decimal("idle-seconds", 10, 0);
        ProcessCpu balancer = new ProcessCpu(a.whole("balancer-pid", 0, 1), clkTck);
        List<ProcessCpu> others = new ArrayList<>();
        for (String pid : a.text("other-pids", "").split(",")) {
            if (!pid.isBlank()) {
                others.add(new ProcessCpu(Long.parseLong(pid.trim()), clkTck));
            }
        }
        ProcessCpu self = new ProcessCpu(ProcessHandle.current().pid(), clkTck);
        InetSocketAddress balancerAddress = new InetSocketAddress(url.getHost(), url.getPort());
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());

        warmUp(balancerAddress, path, warmupRequests, connectThreads);
        // Let the JIT and the GC finish with the warm-up before the idle CPU is read.
        Thread.sleep(5_000);

        double idle0 = balancer.seconds();
        Thread.sleep((long) (idleSeconds * 1_000));
        double idleCpu = balancer.seconds() - idle0;

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<EchoClient> clients = new ArrayList<>(clientCount);
        for (int i = 0; i < clientCount; i++) {
            clients.add(new EchoClient());
        }
        AtomicInteger failed = new AtomicInteger();
        AtomicLong firstFailure = new AtomicLong();
        String[] failureText = new String[1];

        // Connect: every client asks the balancing layer once, as a real client would (a fresh TCP
        // connection to the gateway for its 307, or the proxied upgrade).
        double cpuConnect0 = balancer.seconds();
        double othersConnect0 = sum(others);
        long connect0 = System.nanoTime();
        ExecutorService connectors = Executors.newFixedThreadPool(connectThreads);
        for (EchoClient client : clients) {
            connectors.execute(() -> {
                try {
                    URI target = redirect ? viaGateway(balancerAddress, path) : url;
                    client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                            .buildAsync(target, client).get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    failed.incrementAndGet();
                    if (firstFailure.compareAndSet(0, 1)) {
                        failureText[0] = e.toString();
                    }
                }
            });
        }
        connectors.shutdown();
        if (!connectors.awaitTermination(CONNECT_PHASE_LIMIT_MILLIS, TimeUnit.MILLISECONDS)) {
            connectors.shutdownNow();
        }
        double connectSeconds = (System.nanoTime() - connect0) / 1e9;
        double cpuConnect = balancer.seconds() - cpuConnect0;
        double othersConnect = sum(others) - othersConnect0;
        List<EchoClient> open = clients.stream().filter(c -> c.socket != null).collect(Collectors.toList());
        log("connected %d of %d in %.1f s (%d failed%s)", open.size(), clientCount, connectSeconds, failed.get(),
                failureText[0] == null ? "" : ", first: " + failureText[0]);
        if (open.isEmpty()) {
            throw new IllegalStateException("no client connected");
        }

        String id = "longlived-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        String frame = "{\"id\":\"" + id + "\",\"type\":\"chat\",\"body\":\"" + "x".repeat(bodyBytes) + "\"}";
        prime(open.get(0), frame, open.size());

        // Messages: open.size() x ratePerClient a second, spread evenly, each client in turn.
        double totalRate = open.size() * ratePerClient;
        AtomicLong sent = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        long acks0 = acks.get();
        double cpuMessages0 = balancer.seconds();
        double othersMessages0 = sum(others);
        double self0 = self.seconds();
        long messages0 = System.nanoTime();
        long messagesEnd = messages0 + (long) (seconds * 1e9);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long[] next = {0};
        ticker.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long due = (long) ((Math.min(now, messagesEnd) - messages0) / 1e9 * totalRate);
            while (next[0] < due) {
                EchoClient c = open.get((int) (next[0] % open.size()));
                next[0]++;
                CompletableFuture<WebSocket> previous = c.lastSend;
                if (c.socket.isOutputClosed() || (previous != null && !previous.isDone())) {
                    skipped.incrementAndGet();
                    continue;
                }
                try {
                    c.lastSendNanos = System.nanoTime();
                    c.lastSend = c.socket.sendText(frame, true);
                    sent.incrementAndGet();
                } catch (RuntimeException e) {
                    skipped.incrementAndGet();
                }
            }
        }, SEND_TICK_MILLIS, SEND_TICK_MILLIS, TimeUnit.MILLISECONDS);
        Thread.sleep(Math.max(0, (messagesEnd - System.nanoTime()) / 1_000_000) + 50);
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        // The last acks are still on their way: wait for them (bounded) before reading the CPU.
        long settleEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (acks.get() - acks0 < sent.get() && System.nanoTime() < settleEnd) {
            Thread.sleep(20);
        }
        double messageSeconds = (System.nanoTime() - messages0) / 1e9;
        double cpuMessages = balancer.seconds() - cpuMessages0;
        double othersMessages = sum(others) - othersMessages0;
        double selfMessages = self.seconds() - self0;
        long acked = acks.get() - acks0;

        // Close: every client says goodbye (1000); the proxy tears down both of its connections.
        closing = true;
        long closed0 = closed.get();
        double cpuClose0 = balancer.seconds();
        long close0 = System.nanoTime();
        for (EchoClient c : open) {
            try {
                c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            } catch (RuntimeException e) {
                c.socket.abort();
            }
        }
        long closeEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (closed.get() - closed0 < open.size() && System.nanoTime() < closeEnd) {
            Thread.sleep(20);
        }
        Thread.sleep(500);
        double cpuClose = balancer.seconds() - cpuClose0;
        double closeSeconds = (System.nanoTime() - close0) / 1e9;
        open.forEach(c -> c.socket.abort());

        System.out.printf(Locale.ROOT, "result mode=%s clients=%d connected=%d failed=%d connect_s=%.2f seconds=%.2f "
                        + "rate_per_client=%s sent=%d acked=%d skipped=%d unexpected_closes=%d rtt_p50_ms=%.3f "
                        + "rtt_p99_ms=%.3f balancer_idle_cpu_per_s=%.4f balancer_cpu_connect_s=%.3f "
                        + "balancer_cpu_messages_s=%.3f balancer_cpu_close_s=%.3f close_s=%.2f others_cpu_connect_s=%.3f "
                        + "others_cpu_messages_s=%.3f load_cpu_messages_s=%.3f%n",
                redirect ? "redirect" : "direct", clientCount, open.size(), failed.get(), connectSeconds, messageSeconds,
                ratePerClient, sent.get(), acked, skipped.get(), unexpectedCloses.get(), rtt.percentileMillis(50),
                rtt.percentileMillis(99), idleSeconds > 0 ? idleCpu / idleSeconds : Double.NaN, cpuConnect, cpuMessages,
                cpuClose, closeSeconds, othersConnect, othersMessages, selfMessages);
        System.exit(0);
    }

    private static double sum(List<ProcessCpu> processes) {
        double s = 0;
        for (ProcessCpu p : processes) {
            double v = p.seconds();
            if (!Double.isNaN(v)) {
                s += v;
            }
        }
        return s;
    }

    private static URI viaGateway(InetSocketAddress gateway, String path) throws Exception {
        try (RedirectConnection c = new RedirectConnection(gateway, 10_000, true)) {
            RedirectConnection.Answer answer = c.get(path);
            if (answer.status() != 307 || answer.location() == null) {
                throw new IllegalStateException("gateway answered " + answer.status() + " (expected: 307 with Location)");
            }
            String location = answer.location();
            if (location.startsWith("http://")) {
                location = "ws://" + location.substring("http://".length());
            } else if (location.startsWith("https://")) {
                location = "wss://" + location.substring("https://".length());
            }
            return URI.create(location);
        }
    }

    /** Plain GETs on fresh connections so the gateway's JIT has compiled the redirect path before it is measured. */
    private static void warmUp(InetSocketAddress address, String path, int requests, int threads) throws InterruptedException {
        if (requests == 0) {
            return;
        }
        AtomicInteger left = new AtomicInteger(requests);
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                while (left.getAndDecrement() > 0) {
                    try (RedirectConnection c = new RedirectConnection(address, 5_000, true)) {
                        c.get(path);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        log("warm-up: %d requests, %d errors", requests, errors.get());
    }

    /** One broadcast of the run's id, so that from now on every send of it is answered by an ack alone. */
    private void prime(EchoClient client, String frame, int open) throws Exception {
        long before = broadcasts.get();
        client.socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (broadcasts.get() - before < open && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        log("primed: the broadcast reached %d of %d clients", broadcasts.get() - before, open);
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "longlived: " + format + "%n", args);
    }
}
