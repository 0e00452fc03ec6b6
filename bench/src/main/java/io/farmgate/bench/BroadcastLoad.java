package io.farmgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load driver of bench/broadcast.sh: listeners in one room spread over the demo backends, one
 * sender per backend; a fixed-rate phase measures the backends' CPU per broadcast, then a phase with a
 * window of unconfirmed messages per sender measures the most broadcasts per second. Prints one
 * {@code key=value} line per phase. Loopback only; bounded by its arguments.
 */
public final class BroadcastLoad {

    private BroadcastLoad() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args, Set.of("backends", "pids", "listeners", "rate", "seconds", "warmup-seconds",
                "window", "clk-tck", "label"));
        List<String> backends = List.of(a.required("backends").split(","));
        List<ProcessCpu> cpus = new ArrayList<>();
        long tck = a.whole("clk-tck", 100, 1);
        for (String pid : a.required("pids").split(",")) {
            cpus.add(new ProcessCpu(Long.parseLong(pid.trim()), tck));
        }
        int listeners = (int) a.whole("listeners", 200, 1);
        double rate = a.decimal("rate", 200, 1);
        long seconds = a.whole("seconds", 20, 1);
        long warmup = a.whole("warmup-seconds", 5, 0);
        int window = (int) a.whole("window", 20, 1);
        String label = a.text("label", "run");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong delivered = new AtomicLong();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < listeners; i++) {
            sockets.add(connect(http, backends.get(i % backends.size()), delivered, null));
        }
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            Sender s = new Sender("s" + i);
            s.socket = connect(http, backends.get(i), new AtomicLong(), s);
            senders.add(s);
        }
        if (warmup > 0) {
            atRate(senders, rate, warmup);
            settle(delivered, senders, listeners);
        }
        // Phase 1: a fixed rate; CPU of every backend per broadcast.
        long before = delivered.get();
        long sentBefore = sent(senders);
        double cpuBefore = cpu(cpus);
        long start = System.nanoTime();
        atRate(senders, rate, seconds);
        settle(delivered, senders, listeners);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = cpu(cpus) - cpuBefore;
        long broadcasts = sent(senders) - sentBefore;
        long deliveries = delivered.get() - before;
        System.out.printf(Locale.ROOT, "%s phase=rate broadcasts=%d deliveries=%d expected=%d seconds=%.1f backend_cpu_s=%.2f"
                        + " cpu_ms_per_broadcast=%.3f cpu_us_per_delivery=%.2f%n", label, broadcasts, deliveries,
                broadcasts * listeners, elapsed, cpuSeconds, cpuSeconds * 1e3 / broadcasts, cpuSeconds * 1e6 / deliveries);
        // Phase 2: as fast as the farm confirms, `window` messages in flight per sender.
        before = delivered.get();
        sentBefore = sent(senders);
        cpuBefore = cpu(cpus);
        start = System.nanoTime();
        windowed(senders, window, seconds);
        elapsed = (System.nanoTime() - start) / 1e9;
        settle(delivered, senders, listeners);
        cpuSeconds = cpu(cpus) - cpuBefore;
        broadcasts = sent(senders) - sentBefore;
        deliveries = delivered.get() - before;
        System.out.printf(Locale.ROOT, "%s phase=max broadcasts=%d deliveries=%d expected=%d seconds=%.1f broadcasts_per_s=%.0f"
                        + " deliveries_per_s=%.0f backend_cpu_s=%.2f cpu_ms_per_broadcast=%.3f%n", label, broadcasts, deliveries,
                broadcasts * listeners, elapsed, broadcasts / elapsed, deliveries / elapsed, cpuSeconds,
                cpuSeconds * 1e3 / broadcasts);
        sockets.forEach(WebSocket::abort);
        senders.forEach(s -> s.socket.abort());
    }

    /** One sending client: counts its messages and the echoes that confirm them. */
    private static final class Sender {
        final String prefix;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong confirmed = new AtomicLong();
        final Semaphore window = new Semaphore(0);
        volatile WebSocket socket;

        Sender(String prefix) {
            this.prefix = prefix;
        }

        synchronized void send() {
            long n = sent.incrementAndGet();
            socket.sendText("{\"id\":\"" + prefix + "-" + n + "\",\"type\":\"chat\",\"body\":\"broadcast bench " + n + "\"}",
                    true).join();
        }
    }

    private static long sent(List<Sender> senders) {
        return senders.stream().mapToLong(s -> s.sent.get()).sum();
    }

    private static double cpu(List<ProcessCpu> cpus) {
        return cpus.stream().mapToDouble(ProcessCpu::seconds).sum();
    }

    private static void atRate(List<Sender> senders, double rate, long seconds) throws InterruptedException {
        long total = (long) (rate * seconds);
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            senders.get((int) (i % senders.size())).send();
        }
    }

    private static void windowed(List<Sender> senders, int window, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (Sender s : senders) {
            s.window.drainPermits();
            s.window.release(window);
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        if (s.window.tryAcquire(1, TimeUnit.SECONDS)) {
                            s.send();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-sender-" + s.prefix);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Waits (at most 30 s) until every listener has every broadcast sent so far and every sender its echoes. */
    private static void settle(AtomicLong delivered, List<Sender> senders, int listeners) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long sent = sent(senders);
            boolean echoed = senders.stream().allMatch(s -> s.confirmed.get() >= s.sent.get());
            if (echoed && delivered.get() >= sent * listeners) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        System.err.println("settle: not every broadcast arrived within 30 s");
    }

    private static WebSocket connect(HttpClient http, String url, AtomicLong delivered, Sender sender) {
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url + "/chat?room=bench"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String frame = partial.toString();
                            partial.setLength(0);
                            if (frame.contains("\"type\":\"chat\"")) {
                                delivered.incrementAndGet();
                                if (sender != null && frame.contains("\"id\":\"" + sender.prefix + "-")) {
                                    sender.confirmed.incrementAndGet();
                                    sender.window.release();
                                }
                            }
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();
    }
}
