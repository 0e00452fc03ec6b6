package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.token.AssignmentToken;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedirectTest {

    private static final String SECRET = "a-secret-of-at-least-16-bytes";

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 10, 1000)
            .host("h2", "wss://10.0.0.2:9443", 10, 1000)
            .host("h3", "ws://10.0.0.3:9001/base/", 10, 1000);
    private RunningGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static final Set<String> ELIGIBLE_BASES = Set.of(
            "http://10.0.0.1:9001", "https://10.0.0.2:9443", "http://10.0.0.3:9001/base");

    @Test
    void locationPointsAtAnEligibleHostAndKeepsPathAndQuery() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        HttpResponse<String> r = gw.get("/chat/room%201?user=ann&x=%2F");

        assertThat(r.statusCode()).isEqualTo(307);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(ELIGIBLE_BASES).anySatisfy(base -> assertThat(location).isEqualTo(base + "/chat/room%201?user=ann&x=%2F"));
    }

    @Test
    void drainedAndFullHostsAreNeverChosen() {
        farm.host("h2", "wss://10.0.0.2:9443", 1000, 1000);
        farm.setDraining("h3", true);
        farm.refresh();
        gw = RunningGateway.start(farm);

        for (int i = 0; i < 30; i++) {
            assertThat(gw.get("/x").headers().firstValue("Location").orElseThrow()).isEqualTo("http://10.0.0.1:9001/x");
        }
    }

    @Test
    void everyEligibleHostGetsClients() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            String location = gw.get("/").headers().firstValue("Location").orElseThrow();
            seen.add(location);
        }
        assertThat(seen).containsExactlyInAnyOrder("http://10.0.0.1:9001/", "https://10.0.0.2:9443/",
                "http://10.0.0.3:9001/base/");
    }

    @Test
    void webSocketUpgradeIsSentToTheWsUrl() {
        farm.remove("h2").remove("h3").refresh();
        gw = RunningGateway.start(farm);

        RawHttp.Head head = RawHttp.exchange(gw.gateway.port(), "GET /chat?room=1 HTTP/1.1\r\nHost: x\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertThat(head.status()).isEqualTo(307);
        assertThat(head.header("Location")).isEqualTo("ws://10.0.0.1:9001/chat?room=1");
    }

    @Test
    void secureHostGetsWssForAnUpgrade() {
        farm.remove("h1").remove("h3").refresh();
        gw = RunningGateway.start(farm);

        RawHttp.Head head = RawHttp.exchange(gw.gateway.port(), "GET /a HTTP/1.1\r\nHost: x\r\n"
                + "Connection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertThat(head.header("Location")).isEqualTo("wss://10.0.0.2:9443/a");
    }

    @Test
    void noEligibleHostAnswers503WithRetryAfter() {
        farm.setDraining("h1", true);
        farm.setDraining("h2", true);
        farm.setDraining("h3", true);
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.retryAfterSeconds(7));

        HttpResponse<String> r = gw.get("/x");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
    }

    @Test
    void beforeTheFirstSnapshotRequestsGet503NotAnError() {
        gw = RunningGateway.start(farm);

        assertThat(gw.get("/x").statusCode()).isEqualTo(503);
    }

    @Test
    void drainingAHostRemovesItFromPicksAtTheNextRefresh() {
        farm.remove("h3").refresh();
        gw = RunningGateway.start(farm);

        farm.setDraining("h1", true);
        farm.refresh();

        for (int i = 0; i < 20; i++) {
            assertThat(gw.get("/x").headers().firstValue("Location").orElseThrow()).startsWith("https://10.0.0.2:9443");
        }
    }

    @Test
    void aHostThatComesBackAtANewUrlIsRedirectedToThereFromTheNextRefresh() {
        farm.remove("h2").remove("h3").refresh();
        gw = RunningGateway.start(farm);
        assertThat(gw.get("/x").headers().firstValue("Location")).hasValue("http://10.0.0.1:9001/x");
        assertThat(gw.get("/v1/assign?path=/x").body()).contains("\"url\":\"ws://10.0.0.1:9001/x\"");

        farm.host("h1", "wss://10.0.0.9:9443", 10, 1000).refresh();

        assertThat(gw.get("/x").headers().firstValue("Location")).hasValue("https://10.0.0.9:9443/x");
        assertThat(gw.get("/v1/assign?path=/x").body()).contains("\"url\":\"wss://10.0.0.9:9443/x\"");
    }

    @Test
    void tokenIsAppendedAndVerifiesForTheChosenHost() {
        farm.remove("h2").remove("h3").refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET));

        String location = gw.get("/p?a=1&client=abc").headers().firstValue("Location").orElseThrow();

        assertThat(location).startsWith("http://10.0.0.1:9001/p?a=1&client=abc&fg_token=");
        String token = location.substring(location.indexOf("fg_token=") + 9);
        AssignmentToken verifier = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(token, "h1", System.currentTimeMillis() / 1000, 5)).isEqualTo(AssignmentToken.Verdict.VALID);
        assertThat(AssignmentToken.clientKey(token)).isEqualTo("abc");
    }

    @Test
    void aTokenTheClientBroughtIsReplacedNotForwarded() {
        farm.remove("h2").remove("h3").refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET));

        String location = gw.get("/p?fg_token=forged&b=2&fg%5Ftoken=forged2").headers().firstValue("Location").orElseThrow();

        assertThat(location).startsWith("http://10.0.0.1:9001/p?b=2&fg_token=v1.");
        assertThat(location).doesNotContain("forged");
    }

    @Test
    void withoutASecretNoTokenIsAdded() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        assertThat(gw.get("/p?a=1").headers().firstValue("Location").orElseThrow()).doesNotContain("fg_token");
    }

    @Test
    void headIsRedirectedLikeGet() {
        farm.remove("h2").remove("h3").refresh();
        gw = RunningGateway.start(farm);

        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.url("/h?q")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build());

        assertThat(r.statusCode()).isEqualTo(307);
        assertThat(r.headers().firstValue("Location")).hasValue("http://10.0.0.1:9001/h?q");
    }

    @Test
    void postIsRefusedWith405() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.url("/x"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void hostWithAnUnusableUrlIsNeverPutInALocation() {
        TestFarm bad = new TestFarm().host("h9", "ws://10.0.0.9:9001/x?inject=1", 0, 10);
        bad.refresh();
        gw = RunningGateway.start(bad);

        HttpResponse<String> r = gw.get("/x");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void pathsUnderV1AreNotRedirected() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        assertThat(gw.get("/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(gw.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void aFailingSnapshotAnswers503NotA500() {
        gw = RunningGateway.start(() -> {
            throw new IllegalStateException("simulated bug");
        }, farm, b -> b);

        HttpResponse<String> redirect = gw.get("/x");
        HttpResponse<String> assign = gw.get("/v1/assign");

        assertThat(redirect.statusCode()).isEqualTo(503);
        assertThat(redirect.headers().firstValue("Retry-After")).isPresent();
        assertThat(assign.statusCode()).isEqualTo(503);
        assertThat(gw.adminGet("/metrics", null).body()).contains("farmgate_gateway_unexpected_errors_total 2.0");
    }
}
