package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientScriptTest {

    private final TestFarm farm = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100);
    private RunningGateway gw;

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void clientScriptIsServedAsJavaScriptEvenWithNoEligibleHost() {
        gw = RunningGateway.start(farm);

        HttpResponse<String> r = gw.get("/v1/client.js");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/javascript");
        assertThat(r.body()).contains("/v1/assign").contains("1012");
    }

    @Test
    void crossOriginCallersMayReadRetryAfter() {
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("https://app.example.com")));

        HttpResponse<String> r = gw.get("/v1/assign", "Origin", "https://app.example.com");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).hasValue("Retry-After");
    }

    @Test
    void unknownOriginsGetNoCorsHeaders() {
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("https://app.example.com")));

        HttpResponse<String> r = gw.get("/v1/assign", "Origin", "https://evil.example.net");

        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).isEmpty();
    }
}
