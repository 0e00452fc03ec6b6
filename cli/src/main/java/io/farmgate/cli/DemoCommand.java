package io.farmgate.cli;

import io.farmgate.backend.ChatBackend;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.ListenAddress;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate demo}: the whole farm on one machine, no set-up. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Everything on one machine: Redis, three chat backends, gateway, admin, DNS.",
        description = {
            "Starts a redis-server (from PATH, else the embedded one) unless --redis is",
            "given, three demo chat backends with agents on 9001-9003 advertising",
            "127.0.0.11-13, the gateway on 8080 with admin and metrics on 8081, and",
            "the DNS server for farm.example.com on 5353 (UDP and TCP). Prints what to",
            "try. Ctrl-C or SIGTERM stops every part, Redis included.",
            ""},
        footer = {"", "Example: farmgate demo --admin-token my-secret-admin-token"})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Use this Redis instead of starting one (redis://, rediss://, redis-sentinel://).")
    String redis;

    @Option(names = "--farm", defaultValue = "demo", paramLabel = "NAME", description = "Farm name (default: ${DEFAULT-VALUE}).")
    String farm;

    @Option(names = "--listen", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "Public gateway listener (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--admin-listen", defaultValue = "127.0.0.1:8081", paramLabel = "HOST:PORT",
            description = "Admin API, dashboard and metrics (default: ${DEFAULT-VALUE}).")
    String adminListen;

    @Option(names = "--dns-listen", defaultValue = "127.0.0.1:5353", paramLabel = "HOST:PORT",
            description = "DNS server, UDP and TCP (default: ${DEFAULT-VALUE}).")
    String dnsListen;

    @Option(names = "--zone", defaultValue = "farm.example.com", paramLabel = "ZONE",
            description = "DNS zone served (default: ${DEFAULT-VALUE}).")
    String zone;

    @Option(names = "--backend-ports", defaultValue = "9001,9002,9003", split = ",", paramLabel = "PORT",
            description = "One demo backend per port (default: ${DEFAULT-VALUE}).")
    List<Integer> backendPorts;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "Admin bearer token (16+ characters); generated and printed when absent.")
    String adminToken;

    @Option(names = "--token-secret", paramLabel = "SECRET",
            description = "fg_token secret shared by gateway and backends (16+ bytes); generated when absent.")
    String tokenSecret;

    @Option(names = "--drain-period-millis", defaultValue = "10000", paramLabel = "MS",
            description = "How long backends take to drain, also on Ctrl-C (default: ${DEFAULT-VALUE}).")
    long drainPeriodMillis;

    @Option(names = "--no-rebalance", defaultValue = "false",
            description = "Do not run the rebalancer in the demo gateway (it runs by default).")
    boolean noRebalance;

    private final StopSignal stopSignal = new StopSignal("farmgate-demo-shutdown");

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        boolean generatedToken = adminToken == null || adminToken.isEmpty();
        DemoFarm.Settings settings;
        try {
            ListenAddress dns = ListenAddress.parse("dnsListen", dnsListen);
            settings = new DemoFarm.Settings(redis, farm, ListenAddress.parse("listen", listen),
                    ListenAddress.parse("adminListen", adminListen), dns.host(), dns.port(), zone,
                    List.copyOf(backendPorts),
                    generatedToken ? GatewayCommand.generateToken(new SecureRandom()) : adminToken,
                    tokenSecret == null || tokenSecret.isEmpty()
                            ? GatewayCommand.generateToken(new SecureRandom()) : tokenSecret,
                    Duration.ofMillis(drainPeriodMillis), !noRebalance);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        out.println("farmgate demo: starting Redis, " + backendPorts.size() + " backends, gateway and DNS...");
        out.flush();
        DemoFarm demo;
        try {
            demo = DemoFarm.start(settings);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (Gateway.GatewayStartException | IllegalStateException | java.io.UncheckedIOException e) {
            spec.commandLine().getErr().println("farmgate demo: " + e.getMessage());
            return 1;
        }
        stopSignal.install();
        try {
            printWhatToTry(out, settings, demo, generatedToken);
            stopSignal.await();
        } finally {
            out.println("farmgate demo: stopping (backends drain first)...");
            out.flush();
            demo.close();
            out.println("farmgate demo: stopped");
            out.flush();
            stopSignal.cleanedUp();
        }
        return 0;
    }

    /** Asks a running {@link #call} to stop every part and return; for in-process tests. */
    void stop() {
        stopSignal.stop();
    }

    private void printWhatToTry(PrintWriter out, DemoFarm.Settings s, DemoFarm demo, boolean generatedToken) {
        String gw = "http://" + s.listen().host() + ":" + demo.gatewayPort();
        String admin = "http://" + s.adminListen().host() + ":" + demo.adminPort();
        List<String> hosts = new ArrayList<>();
        List<ChatBackend> backends = demo.backends();
        for (int i = 0; i < backends.size(); i++) {
            hosts.add("demo-" + (i + 1) + " ws://" + s.backendAddress(i) + ":" + backends.get(i).port());
        }
        out.println();
        out.println("farmgate demo is up (farm '" + s.farm() + "', Redis " + demo.redisUri() + ")");
        out.println("  backends:  " + String.join(", ", hosts));
        out.println("  gateway:   " + gw + "   admin: " + admin + "   dns: " + s.dnsHost() + ":" + demo.dnsPort()
                + " (zone " + s.zone() + ")");
        out.println("  admin token" + (generatedToken ? " (generated)" : "") + ": " + s.adminToken());
        out.println();
        out.println("Try:");
        out.println("  curl -si " + gw + "/chat?room=1                       # 307 to the chosen backend");
        out.println("  curl -s  " + gw + "/v1/assign                         # the JSON assignment browsers use");
        out.println("  dig @" + s.dnsHost() + " -p " + demo.dnsPort() + " " + s.zone() + " A +norec   # the host DNS chooses");
        out.println("  curl -s -H 'Authorization: Bearer " + s.adminToken() + "' " + admin + "/v1/hosts");
        out.println("  curl -s -X POST -H 'Authorization: Bearer " + s.adminToken() + "' " + admin
                + "/v1/hosts/demo-1/drain");
        out.println("  curl -s -H 'Authorization: Bearer " + s.adminToken() + "' " + admin + "/v1/farm   # totals, desired hosts, rebalancer");
        out.println("  open " + admin + "/dashboard                    # the operator dashboard (log in with the admin token)");
        out.println("  websocat \"$(curl -s " + gw + "/v1/assign | sed 's/.*\"url\":\"\\([^\"]*\\)\".*/\\1/')\"");
        out.println("  ./farmgate loadgen --gateway " + gw + " --clients 300 --duration 30s");
        out.println("Ctrl-C stops everything.");
        out.flush();
    }
}
