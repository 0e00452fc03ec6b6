package io.farmgate.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's way to shed: the backend exposes an HTTP hook and gets
 * {@code POST {"count": N, "closeCode": 1012}}; any 2xx answer means it took the order. A
 * failed call is logged and counted; the next shed tick asks again for what is still over.
 */
public final class HttpShedHook implements ShedHandler {

    private static final Logger log = LoggerFactory.getLogger(HttpShedHook.class);

    private final URI url;
    private final Duration timeout;
    // Made at the first shed: an HttpClient loads a few hundred classes and keeps a selector
    // thread, which a sidecar that is never asked to shed does not need.
    private HttpClient client;
    private final AtomicLong failures = new AtomicLong();

    public HttpShedHook(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "shedUrl");
        String scheme = url.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("shedUrl: '" + url + "' (expected: an http:// or https:// URL)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("shedTimeout: " + timeout + " (expected: > 0)");
        }
        this.timeout = timeout;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(timeout).build();
        }
        return client;
    }

    @Override
    public void shed(int count, int closeCode) {
        if (count <= 0) {
            return;
        }
        String body = "{\"count\": " + count + ", \"closeCode\": " + closeCode + "}";
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                failed("answered " + response.statusCode());
            }
        } catch (IOException e) {
            failed(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed("interrupted");
        }
    }

    /** Calls that did not get a 2xx answer. */
    public long failures() {
        return failures.get();
    }

    private void failed(String why) {
        long n = failures.incrementAndGet();
        if (n == 1 || n % 20 == 0) {
            log.warn("shed hook {} failed ({} failures so far): {}", url, n, why);
        }
    }
}
