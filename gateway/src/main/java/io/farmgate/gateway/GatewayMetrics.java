package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The gateway's meters, scraped as Prometheus text on the admin listener's {@code /metrics}. */
final class GatewayMetrics {

    /** Hosts come and go; past this many distinct ids, picks of new ones are counted untagged. */
    private static final int MAX_HOST_TAGS = 10_000;
    /** Client keys remembered to recognise a reconnect: 2 MiB, about a quarter million clients. */
    private static final int RECENT_CLIENT_KEYS = 1 << 18;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> picks = new ConcurrentHashMap<>();
    private final Counter noHost;
    private final Counter badHostUrl;
    private final Counter unexpected;
    private final Counter failedLogins;
    private final Counter lockedOutLogins;
    private final Counter reconnects;
    /** Every pick, whatever its host's tag (several hosts may share the "other" counter). */
    private final LongAdder assignments = new LongAdder();
    private final RecentClientKeys recentClientKeys = new RecentClientKeys(RECENT_CLIENT_KEYS);
    private final Counter refusedHeads;
    private final Counter headerTimeouts;
    private final Timer redirectLatency;
    private final Timer assignLatency;
    /** Held here because function counters keep only a weak reference to what they read. */
    private final LongSupplier registryErrors;

    GatewayMetrics(Supplier<FarmSnapshot> snapshots, Clock clock, LongSupplier registryErrors) {
        noHost = Counter.builder("farmgate.gateway.no.host")
                .description("Requests answered 503 because no host was eligible").register(registry);
        badHostUrl = Counter.builder("farmgate.gateway.bad.host.url")
                .description("Picks refused because the host advertised an unusable URL").register(registry);
        unexpected = Counter.builder("farmgate.gateway.unexpected.errors")
                .description("Requests that hit a bug and were answered 503").register(registry);
        failedLogins = Counter.builder("farmgate.gateway.admin.failed.logins")
                .description("Admin calls refused 401 for a wrong bearer token").register(registry);
        lockedOutLogins = Counter.builder("farmgate.gateway.admin.locked.out")
                .description("Admin calls refused 429 because their address made too many wrong logins").register(registry);
        reconnects = Counter.builder("farmgate.gateway.reconnects")
                .description("Assignments of a client key this gateway had assigned before (a client coming back)")
                .register(registry);
        refusedHeads = Counter.builder("farmgate.gateway.refused.requests")
                .description("Public requests whose head could not be parsed or was too large (400, 414, 431)")
                .register(registry);
        headerTimeouts = Counter.builder("farmgate.gateway.header.timeouts")
                .description("Public connections closed because a request head did not arrive in time").register(registry);
        redirectLatency = Timer.builder("farmgate.gateway.requests").tag("route", "redirect")
                .description("Time to answer a public request").register(registry);
        assignLatency = Timer.builder("farmgate.gateway.requests").tag("route", "assign")
                .description("Time to answer a public request").register(registry);
        Gauge.builder("farmgate.gateway.snapshot.age", () -> !snapshots.get().hasData()
                        ? Double.NaN : snapshots.get().ageMillis(clock.millis()) / 1000.0)
                .baseUnit("seconds").description("Age of the farm snapshot picks are made from")
                .strongReference(true).register(registry);
        Gauge.builder("farmgate.gateway.snapshot.stale", () -> snapshots.get().stale() ? 1.0 : 0.0)
                .description("1 while the registry cannot be read and picks use the last good snapshot")
                .strongReference(true).register(registry);
        Gauge.builder("farmgate.gateway.eligible.hosts", () -> snapshots.get().eligibleCount())
                .description("Hosts taking new clients in the current snapshot")
                .strongReference(true).register(registry);
        this.registryErrors = registryErrors;
        FunctionCounter.builder("farmgate.registry.errors", this.registryErrors, LongSupplier::getAsLong)
                .description("Failed reads of the registry").register(registry);
    }

    /** The farm-size signal for an external autoscaler (see {@link FarmSummary#desiredHosts}). */
    void farmSize(Supplier<FarmSnapshot> snapshots, double targetUtilisation) {
        Gauge.builder("farmgate.desired.hosts", () -> FarmSummary.of(snapshots.get(), targetUtilisation).desiredHosts())
                .description("Hosts the farm should have to run at the target utilisation")
                .strongReference(true).register(registry);
    }

    /** The rebalancer's leadership and the orders it gave. */
    void rebalancer(Rebalancer r) {
        Gauge.builder("farmgate.rebalancer.leader", r, x -> x.leader() ? 1.0 : 0.0)
                .description("1 while this gateway holds the leader lease and rebalances")
                .strongReference(true).register(registry);
        FunctionCounter.builder("farmgate.rebalancer.orders", r, Rebalancer::orders)
                .description("Shed orders stored as connection targets by this gateway").register(registry);
        FunctionCounter.builder("farmgate.rebalancer.ordered.connections", r, Rebalancer::orderedConnections)
                .description("Connections this gateway's orders asked hosts to shed").register(registry);
        FunctionCounter.builder("farmgate.rebalancer.cleared.targets", r, Rebalancer::clearedTargets)
                .description("Targets cleared because the host was back within the band").register(registry);
        FunctionCounter.builder("farmgate.rebalancer.errors", r, Rebalancer::errors)
                .description("Rebalancer periods that failed (registry unreachable or a bug)").register(registry);
    }

    void picked(String hostId) {
        Counter c = picks.get(hostId);
        if (c == null) {
            String tag = picks.size() < MAX_HOST_TAGS ? hostId : "other";
            c = picks.computeIfAbsent(hostId, id -> Counter.builder("farmgate.gateway.picks").tag("host", tag)
                    .description("Clients sent to each host").register(registry));
        }
        c.increment();
        assignments.increment();
    }

    /** A pick for a client that sent a key (or, with affinity by address, came from an address). */
    void keyedPick(long keyHash) {
        if (recentClientKeys.seenAgain(keyHash)) {
            reconnects.increment();
        }
    }

    /** Clients sent to a host so far (redirects and assigns). */
    long assignments() {
        return assignments.sum();
    }

    /** Requests answered 503 so far: no eligible host, an unusable host URL, or a bug. */
    long unavailable() {
        return (long) (noHost.count() + badHostUrl.count() + unexpected.count());
    }

    /** Keyed assignments of a key seen before, so far (see {@link RecentClientKeys}). */
    long reconnects() {
        return (long) reconnects.count();
    }

    void noHost() {
        noHost.increment();
    }

    void badHostUrl() {
        badHostUrl.increment();
    }

    void unexpected() {
        unexpected.increment();
    }

    void failedLogin() {
        failedLogins.increment();
    }

    void lockedOut() {
        lockedOutLogins.increment();
    }

    void refusedHead() {
        refusedHeads.increment();
    }

    void headerTimeout() {
        headerTimeouts.increment();
    }

    void redirectNanos(long nanos) {
        redirectLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void assignNanos(long nanos) {
        assignLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Prometheus text exposition of every meter. */
    String scrape() {
        return registry.scrape();
    }

    void close() {
        registry.close();
    }
}
