package io.farmgate.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens many cooperating clients through a gateway, sends chat messages among them for a while,
 * then reports the spread over hosts, reconnects, assignment latency and lost messages. Bounded:
 * it stops by itself after the duration plus the settle time.
 */
public final class LoadGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
    private static final long SEND_TICK_MILLIS = 100;

    private final LoadgenConfig config;

    public LoadGenerator(LoadgenConfig config) {
        this.config = config;
    }

    /** Runs to the end, handing a progress line to {@code progress} every interval and at the end. */
    public LoadReport run(Consumer<String> progress) throws InterruptedException {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "farmgate-loadgen");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.clientConfig().connectTimeoutMillis()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        long startNanos = System.nanoTime();
        long horizonSeconds = (config.durationMillis() + config.settleMillis()) / 1_000 + 2;
        Tracker tracker = new Tracker(startNanos, horizonSeconds);
        SplittableRandom seeds = new SplittableRandom(config.seed());
        List<FarmgateClient> clients = new ArrayList<>(config.clients());
        List<AtomicLong> positioned = new ArrayList<>(config.clients());
        for (int i = 0; i < config.clients(); i++) {
            AtomicLong delivered = new AtomicLong();
            positioned.add(delivered);
            clients.add(new FarmgateClient(config.clientConfig(), http, scheduler, seeds.split(), Clock.systemUTC(),
                    tracker.newListener(delivered)));
        }
        AtomicInteger started = new AtomicInteger();
        try {
            for (int i = 0; i < clients.size(); i++) {
                FarmgateClient client = clients.get(i);
                long at = config.rampMillis() * i / clients.size();
                scheduler.schedule(() -> guarded(() -> {
                    client.start();
                    started.incrementAndGet();
                }), at, TimeUnit.MILLISECONDS);
            }
            Sender sender = new Sender(clients, started, seeds.split());
            ScheduledFuture<?> sending = scheduler.scheduleAtFixedRate(() -> guarded(sender::tick),
                    SEND_TICK_MILLIS, SEND_TICK_MILLIS, TimeUnit.MILLISECONDS);
            ScheduledFuture<?> reporting = scheduler.scheduleAtFixedRate(
                    () -> guarded(() -> progress.accept(progressLine(tracker, clients, started.get(), sender.sent.get()))),
                    config.progressIntervalMillis(), config.progressIntervalMillis(), TimeUnit.MILLISECONDS);

            sleepUntil(startNanos + TimeUnit.MILLISECONDS.toNanos(config.durationMillis()));
            sender.stop();
            sending.cancel(false);
            settle(clients, tracker);
            reporting.cancel(false);

            LoadReport report = report(tracker, clients, positioned, sender);
            progress.accept(progressLine(tracker, clients, started.get(), sender.sent.get()));
            return report;
        } finally {
            clients.forEach(FarmgateClient::close);
            scheduler.shutdownNow();
        }
    }

    /**
     * Waits (bounded by the settle time) until every client is connected, every message confirmed,
     * and every client has delivered up to the newest room position any client delivered.
     */
    private void settle(List<FarmgateClient> clients, Tracker tracker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.settleMillis());
        while (System.nanoTime() < deadline) {
            StreamPosition newest = tracker.newest.get();
            boolean done = clients.stream().allMatch(c -> c.state() == ClientState.OPEN && c.stats().pending() == 0
                    && (newest == null || c.lastPosition().filter(p -> !newest.after(p)).isPresent()));
            if (done) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private String progressLine(Tracker tracker, List<FarmgateClient> clients, int started, long sent) {
        int open = 0;
        long confirmed = 0;
        for (FarmgateClient c : clients) {
            ClientStats s = c.stats();
            if (s.state() == ClientState.OPEN) {
                open++;
            }
            confirmed += s.confirmed();
        }
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tracker.startNanos);
        return String.format(Locale.ROOT, "[%5.1fs/%.1fs] started %d/%d, connected %d, assignments %d, reconnects %d, sent %d, confirmed %d",
                elapsed / 1_000.0, config.durationMillis() / 1_000.0, started, clients.size(), open,
                tracker.assignments.total(), tracker.reconnects.total(), sent, confirmed);
    }

    /**
     * Broadcasts counted by position. A client is due every position of its room after the first
     * position frame it got, up to its end (the run's end: the settle waits for every client); the
     * room's positions are those any client delivered (each broadcast reaches at least its sender).
     * A client delivers positions in increasing order only, so what it delivered is a subset of
     * what it was due, and the difference is what it missed (or got out of order and dropped).
     */
    private static LoadReport.Broadcasts broadcasts(Tracker tracker, List<FarmgateClient> clients, List<AtomicLong> positioned,
                                                   long gaps) {
        StreamPosition[] room = tracker.positions.toArray(new StreamPosition[0]);
        Arrays.sort(room);
        long expected = 0;
        long delivered = 0;
        long missed = 0;
        int clientsMissing = 0;
        boolean any = room.length > 0;
        for (int i = 0; i < clients.size(); i++) {
            Optional<StreamPosition> first = clients.get(i).firstPosition();
            if (first.isEmpty()) {
                continue;
            }
            any = true;
            int at = Arrays.binarySearch(room, first.get());
            int after = at >= 0 ? at + 1 : -at - 1;
            long due = room.length - after;
            long got = positioned.get(i).get();
            expected += due;
            delivered += got;
            if (got < due) {
                missed += due - got;
                clientsMissing++;
            }
        }
        return new LoadReport.Broadcasts(any, room.length, expected, delivered, missed, clientsMissing, gaps);
    }

    private LoadReport report(Tracker tracker, List<FarmgateClient> clients, List<AtomicLong> positioned, Sender sender) {
        TreeMap<String, Integer> perHost = new TreeMap<>();
        int failed = 0;
        long sent = 0;
        long received = 0;
        long confirmed = 0;
        long pending = 0;
        long resent = 0;
        long duplicates = 0;
        long noHost = 0;
        long failedAttempts = 0;
        long gaps = 0;
        EnumMap<ReconnectCause, Long> reconnects = new EnumMap<>(ReconnectCause.class);
        for (ReconnectCause cause : ReconnectCause.values()) {
            reconnects.put(cause, 0L);
        }
        for (FarmgateClient client : clients) {
            ClientStats s = client.stats();
            Optional<Assignment> at = client.assignment();
            if (s.state() == ClientState.OPEN && at.isPresent()) {
                perHost.merge(at.get().hostId(), 1, Integer::sum);
            } else {
                failed++;
            }
            sent += s.sent();
            received += s.received();
            confirmed += s.confirmed();
            pending += s.pending();
            resent += s.resent();
            duplicates += s.duplicatesDropped();
            noHost += s.noHostAnswers();
            failedAttempts += s.failedAttempts();
            gaps += s.gaps();
            s.reconnects().forEach((cause, n) -> reconnects.merge(cause, n, Long::sum));
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tracker.startNanos);
        return new LoadReport(clients.size(), elapsedMillis, perHost, failed, tracker.assignments.total(), noHost,
                failedAttempts, tracker.assignments.peak(), tracker.latency.percentileNanos(50),
                tracker.latency.percentileNanos(99), Collections.unmodifiableMap(reconnects), tracker.reconnects.peak(),
                tracker.reconnects.meanOverActiveSpan(), sent, received, confirmed, pending + sender.refused.get(),
                resent, duplicates, tracker.lastFailure, broadcasts(tracker, clients, positioned, gaps));
    }

    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.warn("loadgen task failed", t);
        }
    }

    /** Sends {@code messageRate} messages a second from random started clients; runs on one scheduled task. */
    private final class Sender {
        private final List<FarmgateClient> clients;
        private final AtomicInteger started;
        private final SplittableRandom random;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private volatile boolean stopped;
        private double budget;

        Sender(List<FarmgateClient> clients, AtomicInteger started, SplittableRandom random) {
            this.clients = clients;
            this.started = started;
            this.random = random;
        }

        // scheduleAtFixedRate never overlaps its runs, so budget and random need no lock.
        void tick() {
            int n = started.get();
            if (stopped || n == 0) {
                return;
            }
            budget += config.messageRate() * SEND_TICK_MILLIS / 1_000.0;
            while (budget >= 1 && !stopped) {
                budget -= 1;
                FarmgateClient client = clients.get(random.nextInt(n));
                try {
                    client.send(JsonNodeFactory.instance.textNode("loadgen " + sent.incrementAndGet()));
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                }
            }
        }

        void stop() {
            stopped = true;
        }
    }

    /** What the run's clients report, counted over time. */
    private static final class Tracker {
        final long startNanos;
        final PerSecondCounts assignments;
        final PerSecondCounts reconnects;
        final LatencySamples latency = new LatencySamples(1_000_000);
        /** Every room position any client delivered. */
        final Set<StreamPosition> positions = ConcurrentHashMap.newKeySet();
        final AtomicReference<StreamPosition> newest = new AtomicReference<>();
        volatile String lastFailure;

        Tracker(long startNanos, long horizonSeconds) {
            this.startNanos = startNanos;
            this.assignments = new PerSecondCounts(horizonSeconds);
            this.reconnects = new PerSecondCounts(horizonSeconds);
        }

        private long elapsedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }

        /**
         * One client's listener. A reconnect is counted when it reaches the gateway (the first assignment after
         * the close), because that is the load a drain puts on the front door.
         */
        ClientListener newListener(AtomicLong positioned) {
            return new ClientListener() {
                private volatile boolean reconnecting;

                @Override
                public void onMessage(InboundMessage message) {
                    StreamPosition position = StreamPosition.parse(message.position());
                    if (position != null) {
                        positions.add(position);
                        positioned.incrementAndGet();
                        newest.accumulateAndGet(position, (a, b) -> a == null || b.after(a) ? b : a);
                    }
                }

                @Override
                public void onAssigned(Assignment assignment, long latencyNanos) {
                    // Counted when the request left, so a slow gateway's answers do not look like a herd.
                    long askedAt = elapsedMillis() - TimeUnit.NANOSECONDS.toMillis(latencyNanos);
                    assignments.record(askedAt);
                    latency.record(latencyNanos);
                    if (reconnecting) {
                        reconnecting = false;
                        reconnects.record(askedAt);
                    }
                }

                @Override
                public void onDisconnected(int code, String reason, Optional<ReconnectCause> cause) {
                    reconnecting = cause.isPresent();
                }

                @Override
                public void onRetryScheduled(long delayMillis, String why) {
                    if (!why.startsWith("closed ")) {
                        lastFailure = why;
                    }
                }

                @Override
                public void onFailed(String reason) {
                    lastFailure = reason;
                }
            };
        }
    }
}
