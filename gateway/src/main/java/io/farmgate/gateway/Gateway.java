package io.farmgate.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import io.javalin.Javalin;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import io.farmgate.scoring.pick.Picker;
import io.farmgate.scoring.pick.TwoChoicePicker;
import io.farmgate.scoring.pick.ZoneAwarePicker;
import javax.net.ssl.KeyManagerFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the public listener (307 redirects, {@code /v1/assign}, probes; plain and
 * optionally TLS; Netty event loops, see {@link PublicListener}) and the admin listener (operator
 * API, metrics, dashboard; Javalin), and optionally the rebalancer loop. Picks come from
 * {@code snapshots}, which must answer at once from memory; the registry refreshes it elsewhere.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /**
     * How often draining hosts' connection counts are sampled for scale-down progress, and the
     * dashboard's charts take a sample (ten minutes of them kept).
     */
    private static final long SAMPLE_MILLIS = 1_000;
    private static final int HISTORY_SAMPLES = 600;

    private final GatewayConfig config;
    private final PublicListener.Shared publicShared;
    private final SslContext ssl;
    private PublicListener publicListener;
    private final Javalin adminApp;
    private final Listeners adminListeners;
    private final GatewayMetrics metrics;
    private final Rebalancer rebalancer;
    private final DrainWatch drainWatch = new DrainWatch();
    private final ScheduledExecutorService drainSampler;

    private Gateway(GatewayConfig config, Supplier<FarmSnapshot> snapshots, Supplier<FarmSnapshot> watched,
                    LongSupplier registryErrors, HostControl control, Clock clock, RandomGenerator random,
                    Rebalancer rebalancer) {
        ObjectMapper json = new ObjectMapper();
        this.config = config;
        this.metrics = new GatewayMetrics(watched, clock, registryErrors);
        this.rebalancer = rebalancer;
        metrics.farmSize(watched, config.targetUtilisation());
        if (rebalancer != null) {
            metrics.rebalancer(rebalancer);
        }
        this.drainSampler = Executors.newSingleThreadScheduledExecutor(BackgroundThreads.named("farmgate-drain-watch"));
        FarmHistory history = new FarmHistory(HISTORY_SAMPLES, clock);
        // Both once a second, so one task: an idle gateway's thread wakes once a second, not twice.
        drainSampler.scheduleAtFixedRate(() -> {
            FarmSnapshot snapshot = watched.get();
            try {
                drainWatch.observe(snapshot, clock.millis());
            } catch (Throwable t) {
                LOG.warn("drain watch sample failed", t);
            }
            try {
                history.sample(snapshot, new FarmHistory.Totals(metrics.assignments(), metrics.unavailable(),
                        metrics.reconnects()));
            } catch (Throwable t) {
                LOG.warn("history sample failed", t);
            }
        }, 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        HistoryApi historyApi = new HistoryApi(history, control, clock, json);
        Picker keyless = config.picker().create(random);
        if (config.zonePolicy() != null) {
            keyless = new ZoneAwarePicker(config.zonePolicy(), new TwoChoicePicker(random), keyless);
        }
        Assigner assigner = new Assigner(snapshots, keyless, config.affinityEpsilon(), metrics);
        AssignmentTokens tokens = new AssignmentTokens(config.tokenSecret(), config.tokenTtlSeconds(), clock);
        ClientAddress clientAddress = new ClientAddress(config.trustedProxies());
        PublicApi publicApi = new PublicApi(assigner, tokens, clientAddress, config, snapshots, clock, metrics, json);
        AdminApi adminApi = new AdminApi(config, snapshots, control, metrics, clock, json, drainWatch, rebalancer,
                clientAddress);
        this.ssl = config.tls() == null ? null : sslContext(config.tls());
        this.publicShared = new PublicListener.Shared(new PublicListener.Limits(config.maxRequestHeaderBytes(),
                config.headerReadTimeoutMillis(), config.idleTimeoutMillis()), publicApi, metrics, clock, tokens);

        this.adminListeners = new Listeners();
        this.adminApp = Javalin.create(cfg -> {
            Listeners.quiet(cfg, config.maxRequestHeaderBytes());
            // The admin API and dashboard are background work next to the public listener.
            cfg.jetty.modifyServer(server -> {
                if (server.getThreadPool() instanceof QueuedThreadPool pool) {
                    pool.setThreadsPriority(Thread.MIN_PRIORITY);
                }
            });
            cfg.http.maxRequestSize = AdminApi.MAX_BODY_BYTES;
            adminListeners.plain(cfg, config.adminListen());
            adminApi.routes(cfg.routes); // first: its token check guards every /v1/ path, the history's too
            historyApi.routes(cfg.routes);
            DashboardPage.routes(cfg.routes);
        });
    }

    /**
     * Starts both listeners.
     *
     * @param snapshots      the current farm snapshot, answered from memory without blocking
     * @param registryErrors failed registry reads so far, for metrics
     * @param control        where operator decisions are stored
     * @param random         the random source of the picker
     */
    public static Gateway start(GatewayConfig config, Supplier<FarmSnapshot> snapshots, LongSupplier registryErrors,
                                HostControl control, Clock clock, RandomGenerator random) {
        return start(config, snapshots, registryErrors, control, clock, random, null);
    }

    /**
     * Starts both listeners, then the rebalancer loop; {@link #close} stops it and gives its lease up.
     *
     * @param rebalancer the rebalancer to run, or null for none
     */
    public static Gateway start(GatewayConfig config, Supplier<FarmSnapshot> snapshots, LongSupplier registryErrors,
                                HostControl control, Clock clock, RandomGenerator random, Rebalancer rebalancer) {
        return start(config, snapshots, snapshots, registryErrors, control, clock, random, rebalancer);
    }

    /**
     * Like {@link #start(GatewayConfig, Supplier, LongSupplier, HostControl, Clock, RandomGenerator, Rebalancer)},
     * with a second view of the same snapshots for the gateway's own periodic watchers (metrics
     * gauges, the dashboard's history, the drain watch): reading it must not count as demand, so a
     * gateway without clients can let its snapshot source refresh at the idle rate.
     *
     * @param snapshots what answering clients and operators reads
     * @param watched   the same snapshots, read without counting as demand
     */
    public static Gateway start(GatewayConfig config, Supplier<FarmSnapshot> snapshots, Supplier<FarmSnapshot> watched,
                                LongSupplier registryErrors, HostControl control, Clock clock, RandomGenerator random,
                                Rebalancer rebalancer) {
        Objects.requireNonNull(config, "config");
        Gateway g = new Gateway(config, Objects.requireNonNull(snapshots, "snapshots"),
                Objects.requireNonNull(watched, "watched"),
                Objects.requireNonNull(registryErrors, "registryErrors"), Objects.requireNonNull(control, "control"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(random, "random"), rebalancer);
        try {
            try {
                g.publicListener = PublicListener.start(config.listen(), config.tls() == null ? null : config.tls().listen(),
                        g.ssl, g.publicShared, Runtime.getRuntime().availableProcessors());
            } catch (IOException | RuntimeException e) {
                throw new GatewayStartException("cannot open listen " + config.listen()
                        + (config.tls() == null ? "" : " / tlsListen " + config.tls().listen()) + ": " + e.getMessage(), e);
            }
            start(g.adminApp, "adminListen " + config.adminListen());
            if (rebalancer != null) {
                rebalancer.start();
            }
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        LOG.info("gateway listening on {} (public, {}){} and {} (admin)", g.port(),
                g.publicListener.nativeTransport() ? "epoll" : "nio",
                g.tlsPort() < 0 ? "" : ", " + g.tlsPort() + " (TLS)", g.adminPort());
        return g;
    }

    /** The TLS context of the public TLS listener, from the PEM files (PKCS#8, or PKCS#1 RSA). */
    private static SslContext sslContext(GatewayConfig.TlsListener tls) {
        PemKeyStore.Loaded keys = PemKeyStore.load(tls.certificatePem(), tls.privateKeyPem());
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys.keyStore(), keys.password());
            return SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tlsCert, tlsKey: cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    private static void start(Javalin app, String what) {
        try {
            app.start();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new GatewayStartException("cannot open " + what + ": " + cause.getMessage(), e);
        }
    }

    /** A listener could not be opened (address in use, not permitted, not local). */
    public static final class GatewayStartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GatewayStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bound port of the public plain listener. */
    public int port() {
        return publicListener.port();
    }

    /** The bound port of the public TLS listener, or -1 when there is none. */
    public int tlsPort() {
        return publicListener.tlsPort();
    }

    public int adminPort() {
        return adminListeners.port(0);
    }

    /** The rebalancer this gateway runs, or null. */
    public Rebalancer rebalancer() {
        return rebalancer;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        if (rebalancer != null) {
            try {
                rebalancer.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        drainSampler.shutdownNow();
        if (publicListener != null) {
            try {
                publicListener.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        try {
            adminApp.stop();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        metrics.close();
        if (failure != null) {
            throw failure;
        }
    }
}
