package io.farmgate.cli;

import io.farmgate.scoring.pick.PerThreadRandom;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.gateway.Rebalancer;
import io.farmgate.gateway.RebalancerConfig;
import io.farmgate.gateway.RegistryHostControl;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.pick.ZonePolicy;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate gateway}: the front door, redirecting and assigning clients from the registry's snapshot. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Runs the gateway: 307 redirects and /v1/assign on --listen, the operator API and metrics on --admin-listen.",
                "Picks come from an in-memory snapshot of the farm refreshed from Redis; when Redis is away the last one is kept.",
                "JVM: the farmgate launcher starts this command with",
                "  " + GatewayCommand.LAUNCHER_JAVA_OPTS_LINE_1,
                "  " + GatewayCommand.LAUNCHER_JAVA_OPTS_LINE_2,
                "and as root also with -XX:ThreadPriorityPolicy=1 and priority mappings that run the"
                        + " registry, rebalancer and admin threads at nice 19, below the public event loops"
                        + " (docs/gateway.md, \"JVM settings\"); options in FARMGATE_JAVA_OPTS come after them and win."})
final class GatewayCommand implements Callable<Integer> {

    /**
     * The JVM options the {@code farmgate} launcher gives this command (LauncherDefaultsTest keeps
     * them equal, and bench/farm-lib.sh uses them): no perf-data sampler waking 20 times a second,
     * and the VM thread's guaranteed safepoint check and the monitor deflation thread's check every
     * 5 s instead of every 1 s and 250 ms (diagnostic options, hence the unlock): in an idle gateway
     * those two were a sixth of its CPU.
     */
    static final String LAUNCHER_JAVA_OPTS = GatewayCommand.LAUNCHER_JAVA_OPTS_LINE_1 + " "
            + GatewayCommand.LAUNCHER_JAVA_OPTS_LINE_2;
    // LAUNCHER_JAVA_OPTS in two lines of --help, which would otherwise wrap it at a colon.
    static final String LAUNCHER_JAVA_OPTS_LINE_1 = "-XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions";
    static final String LAUNCHER_JAVA_OPTS_LINE_2 = "-XX:GuaranteedSafepointInterval=5000 -XX:AsyncDeflationInterval=5000";

    /**
     * What the launcher adds when it runs as root: the JVM then maps Java priorities to nice values,
     * {@link Thread#MIN_PRIORITY} (the gateway's background threads) to 19 and every priority above
     * normal to 0, so nothing is raised and no background work competes with the public event loops
     * on a busy CPU. The JIT compilers keep nice 0: at 19, a cold gateway saturated on one CPU
     * answered a third as many requests in its first 4 s. As another user the JVM would warn at
     * every start that the policy may need root (lowering works without), so the launcher leaves it
     * out there.
     */
    static final String LAUNCHER_ROOT_JAVA_OPTS = "-XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19"
            + " -XX:JavaPriority6_To_OSPriority=0 -XX:JavaPriority7_To_OSPriority=0"
            + " -XX:JavaPriority8_To_OSPriority=0 -XX:JavaPriority9_To_OSPriority=0 -XX:JavaPriority10_To_OSPriority=0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    FarmReaderOptions farmReader;

    @Option(names = "--listen", defaultValue = "0.0.0.0:8080", paramLabel = "HOST:PORT",
            description = "Public listener (redirect, /v1/assign, probes). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--admin-listen", defaultValue = "127.0.0.1:8081", paramLabel = "HOST:PORT",
            description = "Admin listener (operator API, /metrics). Default: ${DEFAULT-VALUE}.")
    String adminListen;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "Bearer token for the admin API, at least 16 characters. Generated and printed once when absent.")
    String adminToken;

    @Option(names = "--admin-max-failed-logins", defaultValue = "10", paramLabel = "N",
            description = "Wrong admin tokens one client address may send within --admin-failed-login-window-millis;"
                    + " past that it gets 429 with Retry-After until the window ends. Default: ${DEFAULT-VALUE}.")
    int adminMaxFailedLogins;

    @Option(names = "--admin-failed-login-window-millis", defaultValue = "60000", paramLabel = "MS",
            description = "The window wrong admin tokens are counted in, per client address. Default: ${DEFAULT-VALUE}.")
    long adminFailedLoginWindowMillis;

    @Option(names = "--token-secret", paramLabel = "SECRET",
            description = "HMAC secret (at least 16 bytes) for the fg_token added to redirects; none when absent.")
    String tokenSecret;

    @Option(names = "--token-ttl-seconds", defaultValue = "60", paramLabel = "S",
            description = "Validity of an fg_token. Default: ${DEFAULT-VALUE}.")
    long tokenTtlSeconds;

    @Option(names = "--tls-listen", paramLabel = "HOST:PORT", description = "Extra public listener speaking TLS.")
    String tlsListen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain for --tls-listen.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8 or PKCS#1 RSA) for --tls-listen.")
    Path tlsKey;

    @Option(names = "--trusted-proxies", split = ",", paramLabel = "CIDR",
            description = "Proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8,::1.")
    List<String> trustedProxies;

    @Option(names = "--cors-origins", split = ",", paramLabel = "ORIGIN",
            description = "Origins allowed to call /v1/assign from a browser, or *.")
    List<String> corsOrigins;

    @Option(names = "--picker", defaultValue = "two-choice", paramLabel = "KIND",
            description = "Picker for clients without a key: random, round-robin, least-score, two-choice. Default: ${DEFAULT-VALUE}.")
    String picker;

    @Option(names = "--zone", paramLabel = "ZONE",
            description = "Prefer hosts reporting this zone (the agents' --zone); spill to the whole farm when "
                    + "they are busy or few. Default: no preference.")
    String hostZone;

    @CommandLine.Mixin
    ZoneOptions zoneOptions;

    private ZonePolicy zonePolicy() {
        return zoneOptions.policy(hostZone);
    }

    @Option(names = "--affinity-epsilon", defaultValue = "0.25", paramLabel = "E",
            description = "A keyed client leaves its host while that host's score is above (1 + E) times the mean. Default: ${DEFAULT-VALUE}.")
    double affinityEpsilon;

    @Option(names = "--affinity-by-address", defaultValue = "false", arity = "0..1", paramLabel = "BOOL",
            description = "Use the client address as affinity key when the client sends none.")
    boolean affinityByAddress;

    @Option(names = "--snapshot-fresh-millis", defaultValue = "5000", paramLabel = "MS",
            description = "/readyz says stale once the snapshot is older. Default: ${DEFAULT-VALUE}.")
    long snapshotFreshMillis;

    @Option(names = "--snapshot-max-stale-millis", defaultValue = "60000", paramLabel = "MS",
            description = "/readyz answers 503 once the snapshot is older (redirects go on). Default: ${DEFAULT-VALUE}.")
    long snapshotMaxStaleMillis;

    @Option(names = "--retry-after-seconds", defaultValue = "2", paramLabel = "S",
            description = "Retry-After of a 503 when no host is eligible. Default: ${DEFAULT-VALUE}.")
    int retryAfterSeconds;

    @Option(names = "--max-request-header-bytes", defaultValue = "8192", paramLabel = "BYTES",
            description = "Larger request heads get 431. Default: ${DEFAULT-VALUE}.")
    int maxRequestHeaderBytes;

    @Option(names = "--header-read-timeout-millis", defaultValue = "10000", paramLabel = "MS",
            description = "A public connection whose request head is not complete this long after it opened (or after"
                    + " the head's first byte) gets 408 and is closed: slow clients cannot hold connections. Default: ${DEFAULT-VALUE}.")
    long headerReadTimeoutMillis;

    @Option(names = "--idle-timeout-millis", defaultValue = "30000", paramLabel = "MS",
            description = "A kept-alive public connection with no request for this long is closed. Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMillis;

    @Option(names = "--idle-refresh-millis", defaultValue = "1000", paramLabel = "MS",
            description = "While nothing reads the farm snapshot (no clients), refresh it only this often instead of every"
                    + " --refresh-millis; 0 = always at the full rate. Default: ${DEFAULT-VALUE}.")
    long idleRefreshMillis;

    @Option(names = "--no-rebalance", defaultValue = "false",
            description = "Do not run the rebalancer in this gateway (it runs by default; one gateway of the farm leads).")
    boolean noRebalance;

    @Option(names = "--rebalance-period-millis", defaultValue = "5000", paramLabel = "MS",
            description = "How often the rebalancer renews its lease and plans. Default: ${DEFAULT-VALUE}.")
    long rebalancePeriodMillis;

    @Option(names = "--leader-lease-millis", defaultValue = "10000", paramLabel = "MS",
            description = "Leader lease expiry: a dead leader is replaced after at most this plus one period. Default: ${DEFAULT-VALUE}.")
    long leaderLeaseMillis;

    @Option(names = "--rebalance-tolerance", defaultValue = "0.10", paramLabel = "F",
            description = "A host is overloaded above (1 + F) times the mean score. Default: ${DEFAULT-VALUE}.")
    double rebalanceTolerance;

    @Option(names = "--rebalance-shed-into-band", defaultValue = "0.25", paramLabel = "F",
            description = "How far into the band an overloaded host sheds: 0 = just to the band's edge, 1 = down to the mean."
                    + " Default: ${DEFAULT-VALUE}.")
    double rebalanceShedIntoBand;

    @Option(names = "--rebalance-settle-millis", paramLabel = "MS",
            description = "After a wave of shed orders completes, plan nothing new for this long while its clients reconnect."
                    + " Default: two rebalance periods.")
    Long rebalanceSettleMillis;

    @Option(names = "--target-utilisation", defaultValue = "0.7", paramLabel = "U",
            description = "Share of capacity hosts should run at; sizes farmgate_desired_hosts and GET /v1/farm. Default: ${DEFAULT-VALUE}.")
    double targetUtilisation;

    private final StopSignal stopSignal = new StopSignal("farmgate-gateway-shutdown");

    /** The rebalancer settings, or null with --no-rebalance. */
    RebalancerConfig rebalancerConfig() {
        if (noRebalance) {
            return null;
        }
        RebalancePolicy policy = RebalancePolicy.DEFAULT.withToleranceFraction(rebalanceTolerance)
                .withShedIntoBandFraction(rebalanceShedIntoBand);
        long settleMillis = rebalanceSettleMillis != null ? rebalanceSettleMillis : 2 * rebalancePeriodMillis;
        return new RebalancerConfig(rebalancePeriodMillis, leaderLeaseMillis, policy, ownerId(), settleMillis);
    }

    static String ownerId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown";
        }
        return RebalancerConfig.ownerIdFor(host, new SecureRandom().nextLong());
    }

    /** Bytes of a generated admin token: 256 bits. */
    private static final int GENERATED_TOKEN_BYTES = 32;

    static String generateToken(SecureRandom random) {
        byte[] bytes = new byte[GENERATED_TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The validated gateway configuration; prints a generated admin token when none was given. */
    GatewayConfig gatewayConfig(PrintWriter out) {
        String token = adminToken;
        boolean generated = token == null || token.isEmpty();
        if (generated) {
            token = generateToken(new SecureRandom());
        }
        GatewayConfig.TlsListener tls = null;
        if (tlsListen != null || tlsCert != null || tlsKey != null) {
            if (tlsListen == null || tlsCert == null || tlsKey == null) {
                throw new IllegalArgumentException("tlsListen, tlsCert, tlsKey: give all three or none");
            }
            tls = new GatewayConfig.TlsListener(ListenAddress.parse("tlsListen", tlsListen), tlsCert, tlsKey);
        }
        GatewayConfig config = GatewayConfig.builder()
                .listen(ListenAddress.parse("listen", listen))
                .adminListen(ListenAddress.parse("adminListen", adminListen))
                .tls(tls)
                .adminToken(token)
                .tokenSecret(tokenSecret == null || tokenSecret.isEmpty() ? null : tokenSecret)
                .tokenTtlSeconds(tokenTtlSeconds)
                .trustedProxies(nonBlank(trustedProxies))
                .corsOrigins(nonBlank(corsOrigins))
                .picker(PickerKind.fromLabel(picker))
                .zonePolicy(zonePolicy())
                .affinityEpsilon(affinityEpsilon)
                .affinityByAddress(affinityByAddress)
                .snapshotFreshMillis(snapshotFreshMillis)
                .snapshotMaxStaleMillis(snapshotMaxStaleMillis)
                .retryAfterSeconds(retryAfterSeconds)
                .maxRequestHeaderBytes(maxRequestHeaderBytes)
                .headerReadTimeoutMillis(headerReadTimeoutMillis)
                .idleTimeoutMillis(idleTimeoutMillis)
                .targetUtilisation(targetUtilisation)
                .adminMaxFailedLogins(adminMaxFailedLogins)
                .adminFailedLoginWindowMillis(adminFailedLoginWindowMillis)
                .build();
        if (generated) {
            // Printed only once the configuration is good: a refused start has no token to keep.
            out.println("admin token (generated; pass --admin-token or set FARMGATE_ADMIN_TOKEN to keep one): " + token);
            out.flush();
        }
        return config;
    }

    /** The registry as the options say, its threads below the public event loops (background work here). */
    RegistryConfig registryConfig() {
        return farmReader.registryConfig().withThreadPriority(Thread.MIN_PRIORITY);
    }

    /** The idle refresh period is off (0) or no shorter than the refresh interval. */
    void checkIdleRefresh(RegistryConfig registry) {
        if (idleRefreshMillis != 0 && (idleRefreshMillis < registry.refreshIntervalMillis() || idleRefreshMillis > 600_000)) {
            throw new IllegalArgumentException("idleRefreshMillis: " + idleRefreshMillis + " (expected: 0, or in ["
                    + registry.refreshIntervalMillis() + ", 600000]: at least refreshMillis)");
        }
    }

    SnapshotPolicy snapshotPolicy() {
        return farmReader.snapshotPolicy();
    }

    private static List<String> nonBlank(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        GatewayConfig gatewayConfig;
        RegistryConfig registryConfig;
        SnapshotPolicy policy;
        RebalancerConfig rebalancerConfig;
        try {
            rebalancerConfig = rebalancerConfig();
            registryConfig = registryConfig();
            checkIdleRefresh(registryConfig);
            policy = snapshotPolicy();
            // Last: it prints a generated admin token, which only a start that goes ahead should show.
            gatewayConfig = gatewayConfig(out);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Clock clock = Clock.systemUTC();
        RegistryConnection connection = RegistryConnection.open(registryConfig);
        SnapshotSource source = null;
        Gateway gateway = null;
        try {
            source = SnapshotSource.start(connection, policy, clock, idleRefreshMillis);
            if (!source.refreshNow()) {
                out.println("registry " + registryConfig.maskedRedisUri() + " not reachable yet; serving 503 until it is");
            }
            RegistryHostControl control = new RegistryHostControl(new OperatorStore(connection, clock),
                    new EventLog(connection), clock);
            try {
                SnapshotSource snapshots = source;
                // The rebalancer and the gateway's own watchers peek: only clients keep the refresh at full rate.
                Rebalancer rebalancer = rebalancerConfig == null ? null : Rebalancer.overRegistry(rebalancerConfig,
                        connection, snapshots::peek, clock, PerThreadRandom.create());
                gateway = Gateway.start(gatewayConfig, source::current, source::peek, source::refreshFailures, control,
                        clock, PerThreadRandom.create(), rebalancer);
            } catch (Gateway.GatewayStartException e) {
                spec.commandLine().getErr().println("farmgate gateway: " + e.getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                // The TLS files are read only when the listener is built.
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            out.println("gateway listening on http://" + host(gatewayConfig.listen()) + ":" + gateway.port()
                    + (gateway.tlsPort() < 0 ? "" : " and https://" + host(gatewayConfig.tls().listen()) + ":" + gateway.tlsPort())
                    + ", admin on http://" + host(gatewayConfig.adminListen()) + ":" + gateway.adminPort()
                    + " (farm " + registryConfig.farm() + ")"
                    + (rebalancerConfig == null ? "; rebalancer off" : "; rebalancer " + rebalancerConfig.ownerId()));
            out.flush();
            stopSignal.install();
            stopSignal.await();
            return 0;
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            if (source != null) {
                source.close();
            }
            connection.close();
            stopSignal.cleanedUp();
        }
    }

    /** Asks a running {@link #call} to stop and return; for in-process tests. */
    void stop() {
        stopSignal.stop();
    }

    private static String host(ListenAddress a) {
        return a.host().indexOf(':') >= 0 ? "[" + a.host() + "]" : a.host();
    }
}
