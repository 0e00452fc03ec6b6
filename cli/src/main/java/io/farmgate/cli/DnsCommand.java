package io.farmgate.cli;

import io.farmgate.scoring.pick.PerThreadRandom;
import io.farmgate.dns.DnsConfig;
import io.farmgate.dns.DnsMetricsEndpoint;
import io.farmgate.dns.DnsServer;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.Picker;
import io.farmgate.scoring.pick.TwoChoicePicker;
import io.farmgate.scoring.pick.ZoneAwarePicker;
import io.farmgate.scoring.pick.ZonePolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate dns}: the authoritative DNS server for the farm zone, answering from the registry. */
@Command(name = "dns",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Authoritative DNS server for the farm zone.",
        description = {
            "Answers A/AAAA at the zone apex with the host(s) chosen for each query,",
            "<host-id>.<zone> with that host's address, SOA and NS at the apex; never",
            "recursive. UDP and TCP on the same port, EDNS0, response rate limiting.",
            "Metrics, /healthz and /readyz on --metrics-listen. See docs/dns.md.",
            ""},
        footer = {"", "Example: farmgate dns --redis redis://10.0.0.2:6379 --farm chat --zone farm.example.com \\",
                "           --listen 0.0.0.0:53 --name-server ns1.farm.example.com=192.0.2.53"})
final class DnsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    FarmReaderOptions farmReader;

    @Option(names = "--zone", required = true, paramLabel = "ZONE", description = "Zone served, e.g. farm.example.com.")
    String zone;

    @Option(names = "--listen", defaultValue = "0.0.0.0:53", paramLabel = "HOST:PORT",
            description = "UDP and TCP listener (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--metrics-listen", defaultValue = "127.0.0.1:9153", paramLabel = "HOST:PORT",
            description = "HTTP /metrics, /healthz, /readyz (default: ${DEFAULT-VALUE}).")
    String metricsListen;

    @Option(names = "--ttl", defaultValue = "5", paramLabel = "SECONDS",
            description = "TTL of chosen-host answers (default: ${DEFAULT-VALUE}).")
    int ttlSeconds;

    @Option(names = "--answers", defaultValue = "1", paramLabel = "K",
            description = "Hosts per apex answer (default: ${DEFAULT-VALUE}).")
    int answers;

    @Option(names = "--answer-cache-seconds", defaultValue = "60", paramLabel = "S",
            description = "How long one answer keeps steering clients downstream: the longest cache in the path "
                    + "(Chromium about 60, the JVM 30); 0-86400 (default: ${DEFAULT-VALUE}).")
    int answerCacheSeconds;

    @Option(names = "--new-clients-per-cache-second", defaultValue = "0.25", paramLabel = "RATE",
            description = "New clients per second behind one resolver cache; with --answer-cache-seconds, how many "
                    + "clients one answer is counted as (default: ${DEFAULT-VALUE}).")
    double newClientsPerCacheSecond;

    @Option(names = "--name-server", split = ";", splitSynopsisLabel = ";", paramLabel = "NAME[=IP,...]",
            description = "A name server of the zone, with glue addresses when inside it; repeatable, or several "
                    + "separated by ';' (so FARMGATE_NAME_SERVER can give several; a YAML list in --config does). "
                    + "Default: ns1.<zone> with no glue.")
    List<String> nameServers;

    @Option(names = "--rrl-per-second", defaultValue = "20", paramLabel = "N",
            description = "Response rate limit per client /24 or /56; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int rrlPerSecond;

    @Option(names = "--rrl-slip", defaultValue = "2", paramLabel = "N",
            description = "Every Nth limited response is sent truncated instead of dropped (default: ${DEFAULT-VALUE}).")
    int rrlSlip;

    @Option(names = "--fallback-address", split = ",", paramLabel = "IP",
            description = "Answered when no host is eligible and the farm data is fresh; repeatable, or several "
                    + "separated by ','. Default: SERVFAIL.")
    List<String> fallbackAddresses;

    @Option(names = "--udp-threads", defaultValue = "0", paramLabel = "N",
            description = "UDP receive threads; 0 = one per CPU (default: ${DEFAULT-VALUE}).")
    int udpThreads;

    @Option(names = "--udp-batching", defaultValue = "true", arity = "0..1", paramLabel = "BOOL",
            description = "Take in and send out many UDP packets per system call (recvmmsg/sendmmsg, Linux, built-in"
                    + " native library); false: one per call through the JDK (default: ${DEFAULT-VALUE}).")
    boolean udpBatching;

    @Option(names = "--host-zone", paramLabel = "ZONE",
            description = "Prefer hosts reporting this zone (the agents' --zone); spill to the whole farm when "
                    + "they are busy or few. Default: no preference.")
    String hostZone;

    @CommandLine.Mixin
    ZoneOptions zoneOptions;

    private ZonePolicy zonePolicy() {
        return zoneOptions.policy(hostZone);
    }

    @Option(names = "--max-stale-millis", defaultValue = "60000", paramLabel = "MS",
            description = "/readyz fails once the registry has been unreachable this long (default: ${DEFAULT-VALUE}).")
    long maxStaleMillis;

    private final StopSignal stopSignal = new StopSignal("farmgate-dns-shutdown");

    DnsConfig dnsConfig() {
        ListenAddress at = ListenAddress.parse("listen", listen);
        DnsConfig.Builder b = DnsConfig.builder(zone)
                .listenHost(at.host())
                .port(at.port())
                .ttlSeconds(ttlSeconds)
                .answerCount(answers)
                .answerCacheSeconds(answerCacheSeconds)
                .newClientsPerCacheSecond(newClientsPerCacheSecond)
                .rateLimit(rrlPerSecond == 0 ? DnsConfig.RateLimit.OFF
                        : new DnsConfig.RateLimit(rrlPerSecond, rrlSlip, DnsConfig.RateLimit.DEFAULT.tableSize()));
        if (nameServers != null && !nameServers.isEmpty()) {
            List<DnsConfig.NameServer> ns = new ArrayList<>();
            for (String spec : nameServers) {
                int eq = spec.indexOf('=');
                String name = eq < 0 ? spec.trim() : spec.substring(0, eq).trim();
                List<String> glue = eq < 0 ? List.of()
                        : Arrays.stream(spec.substring(eq + 1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                ns.add(new DnsConfig.NameServer(name, glue));
            }
            b.nameServers(ns);
        }
        if (fallbackAddresses != null) {
            b.fallbackAddresses(fallbackAddresses);
        }
        if (udpThreads > 0) {
            b.udpThreads(udpThreads);
        }
        b.udpBatching(udpBatching);
        return b.build();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        DnsConfig dnsConfig;
        RegistryConfig registryConfig;
        SnapshotPolicy policy;
        ListenAddress metricsAt;
        ZonePolicy zoneRule;
        try {
            zoneRule = zonePolicy();
            dnsConfig = dnsConfig();
            metricsAt = ListenAddress.parse("metricsListen", metricsListen);
            registryConfig = farmReader.registryConfig();
            policy = farmReader.snapshotPolicy();
            if (maxStaleMillis <= 0) {
                throw new IllegalArgumentException("maxStaleMillis: " + maxStaleMillis + " (expected: > 0)");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Clock clock = Clock.systemUTC();
        try {
            return serve(out, dnsConfig, registryConfig, policy, metricsAt, clock, zoneRule);
        } finally {
            stopSignal.cleanedUp();
        }
    }

    private int serve(PrintWriter out, DnsConfig dnsConfig, RegistryConfig registryConfig, SnapshotPolicy policy,
                      ListenAddress metricsAt, Clock clock, ZonePolicy zoneRule) throws InterruptedException {
        try (RegistryConnection connection = RegistryConnection.open(registryConfig);
             SnapshotSource source = SnapshotSource.start(connection, policy, clock)) {
            if (!source.refreshNow()) {
                out.println("registry " + registryConfig.maskedRedisUri() + " not reachable yet; answering SERVFAIL until it is");
            }
            Picker picker = new TwoChoicePicker(PerThreadRandom.create());
            if (zoneRule != null) {
                picker = new ZoneAwarePicker(zoneRule, new TwoChoicePicker(PerThreadRandom.create()), picker);
            }
            DnsServer dns = new DnsServer(dnsConfig, source::current, picker, clock);
            try {
                dns.start();
            } catch (IOException e) {
                spec.commandLine().getErr().println("farmgate dns: cannot open listen " + listen + ": " + e.getMessage());
                return 1;
            }
            try (dns; DnsMetricsEndpoint metrics = new DnsMetricsEndpoint(metricsAt.host(), metricsAt.port(), dns,
                    source::current, source::refreshFailures, clock, maxStaleMillis)) {
                out.println("dns for " + dnsConfig.zone() + " on " + dnsConfig.listenHost() + ":" + dns.port()
                        + " (UDP and TCP), metrics on http://" + metricsAt.host() + ":" + metrics.port()
                        + "/metrics (farm " + registryConfig.farm() + ")");
                out.flush();
                stopSignal.install();
                stopSignal.await();
            } catch (IOException e) {
                spec.commandLine().getErr().println("farmgate dns: cannot open metricsListen " + metricsListen + ": "
                        + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** Asks a running {@link #call} to stop and return; for in-process tests. */
    void stop() {
        stopSignal.stop();
    }
}
