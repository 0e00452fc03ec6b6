package io.farmgate.dns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.Readiness;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The DNS server's small HTTP side door: {@code /metrics} (Prometheus text: queries by type,
 * responses by rcode, truncations, malformed packets, RRL drops and slips, snapshot age, registry
 * errors), {@code /healthz} and {@code /readyz}. One thread; nothing here touches the query path.
 */
public final class DnsMetricsEndpoint implements AutoCloseable {

    private static final List<String> TYPES = List.of("A", "AAAA", "SOA", "NS", "ANY", "OTHER");
    private static final List<String> RCODES = List.of("NOERROR", "NXDOMAIN", "REFUSED", "SERVFAIL", "FORMERR", "NOTIMP");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer http;
    private final ExecutorService executor;
    private final Supplier<FarmSnapshot> snapshots;
    private final Clock clock;
    private final long maxStaleMillis;
    private final long freshMillis;
    // Micrometer holds a meter's source object weakly: keep the sources reachable from here.
    private final DnsServer dns;
    private final LongSupplier registryErrors;

    /**
     * @param maxStaleMillis {@code /readyz} turns 503 once the snapshot's data is this old
     *                       ({@link Readiness}; it reads stale from {@link Readiness#DEFAULT_FRESH_MILLIS}
     *                       or from a failed refresh, whichever comes first)
     */
    public DnsMetricsEndpoint(String host, int port, DnsServer dns, Supplier<FarmSnapshot> snapshots,
                              LongSupplier registryErrors, Clock clock, long maxStaleMillis) throws IOException {
        this.snapshots = snapshots;
        // A max-stale bound at or below the default fresh bound: stale from the first failure on.
        this.freshMillis = Math.min(Readiness.DEFAULT_FRESH_MILLIS, Math.max(1, maxStaleMillis - 1));
        this.clock = clock;
        this.maxStaleMillis = maxStaleMillis;
        this.dns = dns;
        this.registryErrors = registryErrors;
        for (String type : TYPES) {
            counter("farmgate_dns_queries", dns, s -> s.queries(type), "type", type);
        }
        for (String rcode : RCODES) {
            counter("farmgate_dns_responses", dns, s -> s.responses(rcode), "rcode", rcode);
        }
        counter("farmgate_dns_truncated", dns, DnsStats::truncated);
        counter("farmgate_dns_malformed", dns, DnsStats::malformed);
        counter("farmgate_dns_rrl_dropped", dns, DnsStats::rrlDropped);
        counter("farmgate_dns_rrl_slipped", dns, DnsStats::rrlSlipped);
        counter("farmgate_dns_tcp_rejected", dns, DnsStats::tcpRejected);
        counter("farmgate_dns_internal_errors", dns, DnsStats::internalErrors);
        counter("farmgate_dns_udp_send_failures", dns, DnsStats::udpSendFailures);
        Gauge.builder("farmgate_dns_tcp_open", this, e -> e.dns.stats().tcpOpen()).register(registry);
        Gauge.builder("farmgate_snapshot_age_seconds", this, e -> e.snapshotAgeMillis() / 1000.0).register(registry);
        Gauge.builder("farmgate_snapshot_stale", this, e -> e.snapshots.get().stale() ? 1 : 0).register(registry);
        Gauge.builder("farmgate_eligible_hosts", this, e -> e.snapshots.get().eligibleCount()).register(registry);
        FunctionCounter.builder("farmgate_registry_errors", this, e -> e.registryErrors.getAsLong()).register(registry);

        this.http = HttpServer.create(new InetSocketAddress(host, port), 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "farmgate-dns-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.createContext("/healthz", ex -> reply(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        http.createContext("/readyz", this::readiness);
        http.createContext("/", ex -> reply(ex, 404, "text/plain; charset=utf-8", "not found\n"));
        http.start();
    }

    private void counter(String name, DnsServer server, ToLongFunction<DnsStats> value, String... tags) {
        FunctionCounter.builder(name, server, d -> value.applyAsLong(d.stats())).tags(tags).register(registry);
    }

    private long snapshotAgeMillis() {
        return snapshots.get().ageMillis(clock.millis());
    }

    private void readiness(HttpExchange ex) throws IOException {
        Readiness r = Readiness.of(snapshots.get(), clock.millis(), freshMillis, maxStaleMillis);
        String body;
        if (r.status().equals("starting")) {
            body = "not ready: no farm data yet\n";
        } else if (!r.ready()) {
            body = "not ready: stale for " + r.ageMillis() + " ms\n";
        } else {
            body = r.status() + "\n";
        }
        reply(ex, r.httpStatus(), "text/plain; charset=utf-8", body);
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        registry.close();
    }
}
