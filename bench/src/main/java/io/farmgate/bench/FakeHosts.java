package io.farmgate.bench;

import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Many hosts heartbeating through the registry protocol from one process (no JVM, no server per
 * host): what a gateway under benchmark reads. Each host publishes once per interval, spread over
 * the interval, with a connection count that drifts like a real host's. Runs until killed.
 *
 * <pre>java -cp benchmarks.jar io.farmgate.bench.FakeHosts --redis redis://127.0.0.1:6379 --farm bench
 *     [--hosts 32] [--interval-millis 1000] [--url-base ws://127.0.0.1:9001]</pre>
 */
public final class FakeHosts {

    private FakeHosts() {
    }

    public static void main(String[] args) throws InterruptedException {
        BenchArgs a = new BenchArgs(args, Set.of("redis", "farm", "hosts", "interval-millis", "url-base"));
        String redis = a.required("redis");
        String farm = a.required("farm");
        int hosts = (int) a.whole("hosts", 32, 1);
        long interval = a.whole("interval-millis", RegistryConfig.DEFAULT_HEARTBEAT_INTERVAL_MILLIS, 100);
        String urlBase = a.text("url-base", "ws://127.0.0.1:9001");
        RegistryConfig config = RegistryConfig.defaults(redis, farm).withHeartbeat(interval, interval * 3);
        RegistryConnection connection = RegistryConnection.open(config);
        HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
        List<HostReport> reports = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            reports.add(new HostReport("fake-" + i, urlBase + "/h" + i, "127.0.0.1", "", 100, 10_000, 0.1,
                    HostState.ACTIVE, 1.0, System.currentTimeMillis(), 1));
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        for (int i = 0; i < hosts; i++) {
            int host = i;
            SplittableRandom random = new SplittableRandom(host);
            timer.scheduleAtFixedRate(() -> {
                try {
                    HostReport r = reports.get(host);
                    int drift = Math.max(0, r.connections() + random.nextInt(-3, 4));
                    HostReport next = r.next(drift, r.cpu(), System.currentTimeMillis());
                    reports.set(host, next);
                    publisher.publish(next);
                } catch (Throwable t) {
                    System.err.println("heartbeat of fake-" + host + " failed: " + t);
                }
            }, interval * host / hosts, interval, TimeUnit.MILLISECONDS);
        }
        System.out.println(hosts + " fake hosts heartbeating every " + interval + " ms into farm " + farm);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            timer.shutdownNow();
            for (HostReport r : reports) {
                try {
                    publisher.remove(r.hostId());
                } catch (RuntimeException e) {
                    // Redis may be gone first; the keys expire anyway.
                }
            }
            connection.close();
        }));
        Thread.currentThread().join();
    }
}
