package io.farmgate.dns;

import io.farmgate.scoring.pick.PerThreadRandom;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The bench and demo entry point: the DNS server for a farm of N fixed fake hosts, with no Redis.
 * Used by {@code bench/dns.sh}; not the production command ({@code farmgate dns} reads the registry).
 *
 * <pre>java -cp … io.farmgate.dns.StaticFarmDnsMain [--zone Z] [--listen HOST:PORT] [--hosts N]
 *     [--udp-threads T] [--answers K] [--rrl-per-second R] [--no-fast-path] [--no-batching]</pre>
 *
 * Host {@code i} is {@code host-i} at {@code 127.0.1.i}; RRL is off unless {@code --rrl-per-second} is given.
 * {@code --no-fast-path} answers every UDP query through the general (dnsjava) path, to measure what
 * the fast path saves; {@code --no-batching} takes one UDP packet per system call, to measure what
 * recvmmsg/sendmmsg save.
 */
public final class StaticFarmDnsMain {

    private StaticFarmDnsMain() {
    }

    public static void main(String[] args) throws Exception {
        String zone = "farm.example.com";
        String listen = "127.0.0.1:5353";
        int hosts = 3;
        int udpThreads = 0; // 0: the config's default
        int answers = 1;
        int rrl = 0;
        boolean fastPath = true;
        boolean batching = true;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--zone" -> zone = require(args[i], value);
                case "--listen" -> listen = require(args[i], value);
                case "--hosts" -> hosts = Integer.parseInt(require(args[i], value));
                case "--udp-threads" -> udpThreads = Integer.parseInt(require(args[i], value));
                case "--answers" -> answers = Integer.parseInt(require(args[i], value));
                case "--rrl-per-second" -> rrl = Integer.parseInt(require(args[i], value));
                case "--no-fast-path" -> {
                    fastPath = false;
                    continue;
                }
                case "--no-batching" -> {
                    batching = false;
                    continue;
                }
                default -> throw new IllegalArgumentException("unknown option: " + args[i]
                        + " (expected: --zone, --listen, --hosts, --udp-threads, --answers, --rrl-per-second,"
                        + " --no-fast-path, --no-batching)");
            }
            i++;
        }
        if (hosts < 1 || hosts > 250) {
            throw new IllegalArgumentException("--hosts: " + hosts + " (expected: in [1, 250])");
        }
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen: '" + listen + "' (expected: HOST:PORT)");
        }
        String listenHost = listen.substring(0, colon).replace("[", "").replace("]", "");
        DnsConfig.Builder builder = DnsConfig.builder(zone)
                .listenHost(listenHost)
                .port(Integer.parseInt(listen.substring(colon + 1)))
                .answerCount(answers)
                .udpBatching(batching)
                .rateLimit(rrl > 0 ? new DnsConfig.RateLimit(rrl, 2, 65_536) : DnsConfig.RateLimit.OFF);
        if (udpThreads > 0) {
            builder.udpThreads(udpThreads);
        }
        DnsConfig config = builder.build();

        long now = System.currentTimeMillis();
        List<HostReport> reports = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            reports.add(new HostReport("host-" + i, "ws://127.0.1." + i + ":9000", "127.0.1." + i, "",
                    (i * 37) % 500, 1000, 0.2, HostState.ACTIVE, 1.0, now, 1));
        }
        FarmSnapshot snapshot = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(reports, Map.of(), now);
        DnsServer server = new DnsServer(config, () -> snapshot,
                new TwoChoicePicker(PerThreadRandom.create()), Clock.systemUTC(), fastPath);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "farmgate-dns-shutdown"));
        server.start();
        System.out.println("farmgate DNS for " + config.zone() + " on " + listenHost + ":" + server.port()
                + " serving " + hosts + " static hosts; UDP: " + server.udpMode() + " (Ctrl-C stops)");
        stopped.await();
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + ": missing value");
        }
        return value;
    }
}
