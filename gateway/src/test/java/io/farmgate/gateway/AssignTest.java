package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmgate.scoring.token.AssignmentToken;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AssignTest {

    private static final String SECRET = "a-secret-of-at-least-16-bytes";

    private final TestFarm farm = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100);
    private RunningGateway gw;

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void assignNamesTheHostItsWebSocketUrlAndASignedToken() throws Exception {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET).tokenTtlSeconds(30));
        long now = System.currentTimeMillis() / 1000;

        HttpResponse<String> r = gw.get("/v1/assign?path=/chat&client=ann");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode body = json(r);
        String token = body.get("token").asText();
        assertThat(body.get("hostId").asText()).isEqualTo("h1");
        assertThat(body.get("url").asText()).isEqualTo("ws://10.0.0.1:9001/chat?fg_token=" + token);
        assertThat(body.get("expiresAt").asLong()).isBetween(now + 29, now + 31);
        assertThat(new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8)).verify(token, "h1", now, 1).valid()).isTrue();
    }

    @Test
    void withoutASecretTheTokenIsNull() throws Exception {
        farm.refresh();
        gw = RunningGateway.start(farm);

        JsonNode body = json(gw.get("/v1/assign"));

        assertThat(body.get("token").isNull()).isTrue();
        assertThat(body.get("url").asText()).isEqualTo("ws://10.0.0.1:9001/");
    }

    @Test
    void noEligibleHostGives503WithRetryAfterAndJson() throws Exception {
        gw = RunningGateway.start(farm, b -> b.retryAfterSeconds(3));

        HttpResponse<String> r = gw.get("/v1/assign");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(json(r).get("error").asText()).isEqualTo("no eligible host");
    }

    @Test
    void allowedOriginIsEchoedForCors() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("https://app.example.com")));

        HttpResponse<String> r = gw.get("/v1/assign", "Origin", "https://app.example.com");

        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(r.headers().firstValue("Vary")).hasValue("Origin");
    }

    @Test
    void otherOriginGetsNoCorsHeader() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("https://app.example.com")));

        HttpResponse<String> r = gw.get("/v1/assign", "Origin", "https://evil.example.com");

        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void wildcardCorsAllowsAnyOrigin() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("*")));

        HttpResponse<String> r = gw.get("/v1/assign", "Origin", "https://anyone.example");

        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    }

    @Test
    void preflightAllowsTheClientHeader() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.corsOrigins(List.of("https://app.example.com")));

        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.url("/v1/assign"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "GET").build());

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).hasValue("X-Farmgate-Client");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
    }

    @Test
    void affinityByAddressKeysClientsWithoutAKeyByTheirAddress() throws Exception {
        farm.host("h2", "ws://10.0.0.2:9001", 0, 100).host("h3", "ws://10.0.0.3:9001", 0, 100).refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET).affinityByAddress(true)
                .trustedProxies(List.of("127.0.0.0/8")));

        String token = json(gw.get("/v1/assign", "X-Forwarded-For", "203.0.113.9")).get("token").asText();

        assertThat(AssignmentToken.clientKey(token)).isEqualTo("203.0.113.9");
    }
}
