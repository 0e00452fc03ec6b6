package io.farmgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import io.farmgate.scoring.FarmSnapshot;

/** A gateway on free loopback ports and an HTTP client that does not follow redirects. */
final class RunningGateway implements AutoCloseable {

    static final String ADMIN_TOKEN = "admin-token-for-tests-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Gateway gateway;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    RunningGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    static GatewayConfig.Builder config() {
        return GatewayConfig.builder()
                .listen(new ListenAddress("127.0.0.1", 0))
                .adminListen(new ListenAddress("127.0.0.1", 0))
                .adminToken(ADMIN_TOKEN);
    }

    static RunningGateway start(TestFarm farm) {
        return start(farm, farm, b -> b);
    }

    static RunningGateway start(TestFarm farm, UnaryOperator<GatewayConfig.Builder> tweak) {
        return start(farm, farm, tweak);
    }

    static RunningGateway start(Supplier<FarmSnapshot> snapshots, HostControl control,
                                UnaryOperator<GatewayConfig.Builder> tweak) {
        return start(snapshots, control, tweak, () -> 0L);
    }

    static RunningGateway start(Supplier<FarmSnapshot> snapshots, HostControl control,
                                UnaryOperator<GatewayConfig.Builder> tweak, LongSupplier registryErrors) {
        return start(snapshots, control, tweak, registryErrors, Clock.systemUTC());
    }

    static RunningGateway start(Supplier<FarmSnapshot> snapshots, HostControl control,
                                UnaryOperator<GatewayConfig.Builder> tweak, LongSupplier registryErrors, Clock clock) {
        return new RunningGateway(Gateway.start(tweak.apply(config()).build(), snapshots, registryErrors, control,
                clock, new SplittableRandom(42)));
    }

    URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    URI adminUrl(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.adminPort() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(pathAndQuery)).timeout(Duration.ofSeconds(5));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.GET().build());
    }

    HttpResponse<String> adminGet(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(adminUrl(path)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.GET().build());
    }

    HttpResponse<String> adminPost(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(adminUrl(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The response body as JSON. */
    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        gateway.close();
    }
}
