package io.farmgate.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of bench/soak.sh against a running farm: redirects (keep-alive GETs answered by a 307),
 * DNS queries for the zone's apex, and WebSocket churn (307, connect to the host, one chat message
 * until its echo, close), each at a fixed rate for a fixed time. Latency is measured from the
 * moment a request was due, so a stall shows instead of being skipped. A churn client that cannot
 * reach its host goes back through the gateway, as a cooperating client does (at most
 * {@value #CHURN_ATTEMPTS} attempts); only a cycle that fails every attempt is an error.
 * Prints one {@code interval ...} line per interval and one {@code total ...} line.
 * With {@code --capacity-churn-seconds S} it instead measures how many churn cycles a second the
 * farm completes with {@value #PROBE_THREADS} clients back to back, and prints {@code capacity ...}.
 */
public final class SoakLoad {

    private static final Set<String> OPTIONS = Set.of("gateway", "path", "dns", "dns-name", "redirect-rate", "dns-rate",
            "churn-rate", "seconds", "interval-seconds", "capacity-churn-seconds");
    static final int CHURN_ATTEMPTS = 3;
    static final int PROBE_THREADS = 16;
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final int DNS_TIMEOUT_MILLIS = 2_000;
    /** How long a worker may go on after the end to finish what it owes; then the rest is dropped. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int ERROR_SAMPLES = 5;

    /** Counts and latencies of one kind of request, per interval. */
    private static final class Kind {
        final String name;
        final LatencyHistogram[] latency;
        final AtomicLongArray ok;
        final AtomicLongArray errors;
        final AtomicLongArray retried;
        final AtomicLong dropped = new AtomicLong();
        final Map<String, Long> errorSamples = new ConcurrentHashMap<>();

        Kind(String name, int intervals) {
            this.name = name;
            this.latency = new LatencyHistogram[intervals];
            for (int i = 0; i < intervals; i++) {
                latency[i] = new LatencyHistogram();
            }
            this.ok = new AtomicLongArray(intervals);
            this.errors = new AtomicLongArray(intervals);
            this.retried = new AtomicLongArray(intervals);
        }

        void error(int interval, String what) {
            errors.incrementAndGet(interval);
            if (errorSamples.size() < ERROR_SAMPLES || errorSamples.containsKey(what)) {
                errorSamples.merge(what, 1L, Long::sum);
            }
        }

        long sum(AtomicLongArray a) {
            long s = 0;
            for (int i = 0; i < a.length(); i++) {
                s += a.get(i);
            }
            return s;
        }
    }

    /** One request of a paced worker; {@code intendedNanos} is when it was due. */
    private interface Request {
        void run(long intendedNanos, int interval);
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
    private InetSocketAddress gateway;
    private String path;
    private long startNanos;
    private long intervalNanos;
    private int intervals;

    private SoakLoad() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args, OPTIONS);
        SoakLoad load = new SoakLoad();
        load.gateway = address(a.required("gateway"));
        load.path = a.text("path", "/chat");
        long probe = a.whole("capacity-churn-seconds", 0, 0);
        if (probe > 0) {
            load.probeChurn(probe);
        } else {
            load.soak(a);
        }
        System.exit(0);
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private void soak(BenchArgs a) throws Exception {
        InetSocketAddress dns = address(a.required("dns"));
        String dnsName = a.text("dns-name", "farm.example.com");
        double redirectRate = a.decimal("redirect-rate", 1_000, 0);
        double dnsRate = a.decimal("dns-rate", 1_000, 0);
        double churnRate = a.decimal("churn-rate", 20, 0);
        long seconds = a.whole("seconds", 600, 1);
        long intervalSeconds = a.whole("interval-seconds", 60, 1);
        intervals = (int) ((seconds + intervalSeconds - 1) / intervalSeconds);
        intervalNanos = TimeUnit.SECONDS.toNanos(intervalSeconds);
        Kind redirects = new Kind("redirect", intervals);
        Kind queries = new Kind("dns", intervals);
        Kind churn = new Kind("churn", intervals);

        // One thread per ~2,000 requests a second: each blocks on its own keep-alive connection or socket.
        int redirectThreads = (int) Math.max(1, Math.ceil(redirectRate / 2_000));
        int dnsThreads = (int) Math.max(1, Math.ceil(dnsRate / 2_000));
        ThreadPoolExecutor churnPool = new ThreadPoolExecutor(64, 64, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(2_000));
        List<Thread> workers = new ArrayList<>();
        startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long endNanos = startNanos + TimeUnit.SECONDS.toNanos(seconds);
        for (int t = 0; t < redirectThreads && redirectRate > 0; t++) {
            RedirectConnection connection = new RedirectConnection(gateway, TIMEOUT_MILLIS, false);
            workers.add(paced("redirect-" + t, redirectRate / redirectThreads, endNanos, redirects, (due, i) -> {
                try {
                    RedirectConnection.Answer answer = connection.get(path);
                    if (answer.status() == 307 && answer.location() != null) {
                        redirects.ok.incrementAndGet(i);
                        redirects.latency[i].recordNanos(System.nanoTime() - due);
                    } else {
                        redirects.error(i, "HTTP " + answer.status());
                    }
                } catch (Exception e) {
                    redirects.error(i, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }));
        }
        for (int t = 0; t < dnsThreads && dnsRate > 0; t++) {
            DnsQuery query = new DnsQuery(dns, dnsName, DNS_TIMEOUT_MILLIS);
            workers.add(paced("dns-" + t, dnsRate / dnsThreads, endNanos, queries, (due, i) -> {
                try {
                    String problem = query.ask();
                    if (problem == null) {
                        queries.ok.incrementAndGet(i);
                        queries.latency[i].recordNanos(System.nanoTime() - due);
                    } else {
                        queries.error(i, problem);
                    }
                } catch (Exception e) {
                    queries.error(i, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }));
        }
        if (churnRate > 0) {
            workers.add(paced("churn", churnRate, endNanos, churn, (due, i) -> {
                try {
                    churnPool.execute(() -> churnCycle(churn, due, i));
                } catch (RejectedExecutionException e) {
                    churn.dropped.incrementAndGet();
                }
            }));
        }
        workers.forEach(Thread::start);
        Thread progress = new Thread(() -> {
            try {
                for (int i = 0; i < intervals; i++) {
                    long wait = startNanos + (i + 1) * intervalNanos - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    log("after %d s: redirects %d (%d errors), dns %d (%d errors), churn %d (%d retried, %d errors)",
                            (i + 1) * intervalNanos / 1_000_000_000L,
                            redirects.sum(redirects.ok), redirects.sum(redirects.errors), queries.sum(queries.ok),
                            queries.sum(queries.errors), churn.sum(churn.ok), churn.sum(churn.retried), churn.sum(churn.errors));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "soak-progress");
        progress.setDaemon(true);
        progress.start();
        for (Thread w : workers) {
            w.join();
        }
        churnPool.shutdown();
        if (!churnPool.awaitTermination(30, TimeUnit.SECONDS)) {
            churnPool.shutdownNow();
        }
        for (int i = 0; i < intervals; i++) {
            System.out.printf(Locale.ROOT, "interval n=%d start_s=%d %s %s %s%n", i + 1, i * intervalNanos / 1_000_000_000L,
                    figures(redirects, i), figures(queries, i), figures(churn, i));
        }
        System.out.printf(Locale.ROOT, "total seconds=%d %s %s %s%n", seconds, totals(redirects, seconds),
                totals(queries, seconds), totals(churn, seconds));
        for (Kind k : List.of(redirects, queries, churn)) {
            k.errorSamples.forEach((what, n) -> System.out.printf(Locale.ROOT, "error_sample kind=%s count=%d what=%s%n",
                    k.name, n, what.replace('\n', ' ')));
        }
    }

    private static String figures(Kind k, int i) {
        return String.format(Locale.ROOT, "%s=%d %s_err=%d %s_retried=%d %s_p50_ms=%.2f %s_p99_ms=%.2f", k.name, k.ok.get(i),
                k.name, k.errors.get(i), k.name, k.retried.get(i), k.name, k.latency[i].percentileMillis(50), k.name,
                k.latency[i].percentileMillis(99));
    }

    private static String totals(Kind k, long seconds) {
        long ok = k.sum(k.ok);
        return String.format(Locale.ROOT, "%s=%d %s_err=%d %s_retried=%d %s_dropped=%d %s_per_s=%.1f", k.name, ok, k.name,
                k.sum(k.errors), k.name, k.sum(k.retried), k.name, k.dropped.get(), k.name, ok / (double) seconds);
    }

    /** A thread that runs {@code request} {@code rate} times a second until the end (plus a bounded grace to catch up). */
    private Thread paced(String name, double rate, long endNanos, Kind kind, Request request) {
        Thread t = new Thread(() -> {
            double periodNanos = 1e9 / rate;
            // Workers of one kind start at different phases.
            long offset = (long) (ThreadLocalRandom.current().nextDouble() * periodNanos);
            for (long k = 0; ; k++) {
                long due = startNanos + offset + (long) (k * periodNanos);
                if (due >= endNanos) {
                    return;
                }
                long now = System.nanoTime();
                if (now > endNanos + GRACE_NANOS) {
                    kind.dropped.addAndGet((long) ((endNanos - due) / periodNanos) + 1);
                    return;
                }
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                }
                int interval = (int) Math.min(intervals - 1, (due - startNanos) / intervalNanos);
                try {
                    request.run(due, interval);
                } catch (Throwable e) {
                    kind.error(interval, "driver: " + e);
                }
            }
        }, "soak-" + name);
        t.setDaemon(true);
        return t;
    }

    private void churnCycle(Kind churn, long due, int interval) {
        String last = "none";
        for (int attempt = 1; attempt <= CHURN_ATTEMPTS; attempt++) {
            String problem = oneCycle();
            if (problem == null) {
                churn.ok.incrementAndGet(interval);
                churn.latency[interval].recordNanos(System.nanoTime() - due);
                if (attempt > 1) {
                    churn.retried.incrementAndGet(interval);
                }
                return;
            }
            last = problem;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250L * attempt));
        }
        churn.error(interval, last);
    }

    /** One client's life: 307, connect, one message until its echo, close. Null when all went well. */
    private String oneCycle() {
        WebSocket socket = null;
        try {
            URI target;
            try (RedirectConnection c = new RedirectConnection(gateway, TIMEOUT_MILLIS, true)) {
                RedirectConnection.Answer answer = c.get(path);
                if (answer.status() != 307 || answer.location() == null) {
                    return "gateway HTTP " + answer.status();
                }
                target = URI.create(answer.location().replaceFirst("^http", "ws"));
            }
            String id = "soak-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            CompletableFuture<Void> echoed = new CompletableFuture<>();
            socket = http.newWebSocketBuilder().connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS))
                    .buildAsync(target, new EchoWait(id, echoed)).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendText("{\"id\":\"" + id + "\",\"type\":\"chat\",\"body\":\"soak\"}", true)
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            echoed.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (socket != null) {
                socket.abort();
            }
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    /** Completes when the frame carrying {@code id} comes back; fails if the connection ends first. */
    private static final class EchoWait implements WebSocket.Listener {
        private final String id;
        private final CompletableFuture<Void> echoed;
        private final StringBuilder partial = new StringBuilder();

        EchoWait(String id, CompletableFuture<Void> echoed) {
            this.id = id;
            this.echoed = echoed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (partial.indexOf(id) >= 0) {
                    echoed.complete(null);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            echoed.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            echoed.completeExceptionally(error);
        }
    }

    private void probeChurn(long seconds) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(PROBE_THREADS);
        for (int t = 0; t < PROBE_THREADS; t++) {
            pool.execute(() -> {
                while (System.nanoTime() < end) {
                    if (oneCycle() == null) {
                        ok.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 30, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "capacity churn_per_s=%.1f churn_errors=%d%n", ok.get() / (double) seconds, errors.get());
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "soak: " + format + "%n", args);
    }
}
