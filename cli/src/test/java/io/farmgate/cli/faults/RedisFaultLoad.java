package io.farmgate.cli.faults;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Loopback load for the Redis fault tests: a few threads asking the gateway for redirects and a
 * few asking the DNS server for the farm's apex A record, until stopped or their time and count
 * bounds run out. A redirect counts as good when it is a 307 to one of the expected host URLs; a
 * DNS answer when it is NOERROR with at least one expected address. Everything else is a failure,
 * kept (the first few) for the assertion message.
 */
final class RedisFaultLoad implements AutoCloseable {

    private static final long MAX_REQUESTS_PER_THREAD = 200_000;
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int KEPT_FAILURES = 20;

    private final AtomicLong redirectsOk = new AtomicLong();
    private final AtomicLong redirectsFailed = new AtomicLong();
    private final AtomicLong dnsOk = new AtomicLong();
    private final AtomicLong dnsFailed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long deadlineNanos;
    private volatile boolean stopped;

    /**
     * Starts the threads.
     *
     * @param gatewayPort   the gateway's public port on 127.0.0.1
     * @param dnsPort       the DNS server's port on 127.0.0.1
     * @param zone          the DNS zone, whose apex A record is asked for
     * @param hostUrls      URLs a redirect may point to (in any scheme)
     * @param hostAddresses addresses a DNS answer may carry
     * @param maxDuration   the threads stop by themselves after this long
     */
    RedisFaultLoad(int gatewayPort, int dnsPort, String zone, Set<String> hostUrls, Set<String> hostAddresses,
                   int redirectThreads, int dnsThreads, Duration maxDuration) {
        this.deadlineNanos = System.nanoTime() + maxDuration.toNanos();
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI front = URI.create("http://127.0.0.1:" + gatewayPort + "/chat?room=faults");
        for (int i = 0; i < redirectThreads; i++) {
            threads.add(new Thread(() -> redirects(http, front, hostUrls), "redis-fault-redirects-" + i));
        }
        for (int i = 0; i < dnsThreads; i++) {
            threads.add(new Thread(() -> dns(dnsPort, zone, hostAddresses), "redis-fault-dns-" + i));
        }
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    private boolean running(long done) {
        return !stopped && done < MAX_REQUESTS_PER_THREAD && System.nanoTime() < deadlineNanos;
    }

    private void redirects(HttpClient http, URI front, Set<String> hostUrls) {
        HttpRequest request = HttpRequest.newBuilder(front).timeout(Duration.ofSeconds(5)).GET().build();
        for (long n = 0; running(n); n++) {
            try {
                HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                String location = r.headers().firstValue("Location").orElse("");
                // Plain GETs are sent to the http(s) form of a host's ws(s) URL: compare what follows the scheme.
                String rest = location.substring(location.indexOf(':') + 1);
                if (r.statusCode() == 307 && hostUrls.stream().anyMatch(u -> rest.startsWith(u.substring(u.indexOf(':') + 1)))) {
                    redirectsOk.incrementAndGet();
                } else {
                    fail(redirectsFailed, "redirect: " + r.statusCode() + " Location '" + location + "'");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                fail(redirectsFailed, "redirect: " + e);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    private void dns(int port, String zone, Set<String> hostAddresses) {
        SimpleResolver resolver;
        Message query;
        try {
            resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
            resolver.setTimeout(Duration.ofSeconds(5));
            query = Message.newQuery(Record.newRecord(Name.fromString(zone + "."), Type.A, DClass.IN));
        } catch (Exception e) {
            fail(dnsFailed, "dns setup: " + e);
            return;
        }
        for (long n = 0; running(n); n++) {
            try {
                Message answer = resolver.send(query);
                int rcode = answer.getRcode();
                List<Record> records = answer.getSection(Section.ANSWER);
                boolean known = !records.isEmpty() && records.stream().allMatch(rec -> rec instanceof ARecord
                        && hostAddresses.contains(((ARecord) rec).getAddress().getHostAddress()));
                if (rcode == Rcode.NOERROR && known) {
                    dnsOk.incrementAndGet();
                } else {
                    fail(dnsFailed, "dns: " + Rcode.string(rcode) + " " + records);
                }
            } catch (Exception e) {
                fail(dnsFailed, "dns: " + e);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    private void fail(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (failures.size() < KEPT_FAILURES) {
            failures.add(what);
        }
    }

    long redirectsOk() {
        return redirectsOk.get();
    }

    long redirectsFailed() {
        return redirectsFailed.get();
    }

    long dnsOk() {
        return dnsOk.get();
    }

    long dnsFailed() {
        return dnsFailed.get();
    }

    /** The first failures seen, for assertion messages. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the threads and waits for them to finish their request in flight. */
    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "redirects " + redirectsOk + " ok / " + redirectsFailed + " failed, DNS " + dnsOk + " ok / "
                + dnsFailed + " failed";
    }
}
