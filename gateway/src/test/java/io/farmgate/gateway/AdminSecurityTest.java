package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.farmgate.scoring.OperatorState;
import io.farmgate.testing.MutableClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Admin API security: every call that reads hosts or changes state needs the token, wrong tokens
 * lock an address out for a while (429 with Retry-After), the token never reaches a log line,
 * and it is only ever taken from the Authorization header.
 */
class AdminSecurityTest {

    private static final String TOKEN = RunningGateway.ADMIN_TOKEN;
    private static final int MAX_FAILED = 3;
    private static final long WINDOW_MILLIS = 60_000;
    /** A hang guard, generous because the first request of a JVM on a loaded machine can take seconds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 30, 100)
            .host("h2", "ws://10.0.0.2:9001", 10, 100);
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private RunningGateway gw;

    @BeforeEach
    void start() {
        farm.refresh();
        gw = RunningGateway.start(farm, farm, b -> b.adminMaxFailedLogins(MAX_FAILED)
                .adminFailedLoginWindowMillis(WINDOW_MILLIS), () -> 0L, clock);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private HttpResponse<String> call(String method, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.adminUrl(path)).timeout(WAIT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"count\": 1}")
                : HttpRequest.BodyPublishers.noBody());
        return gw.send(b.build());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET,/v1/hosts", "GET,/v1/farm", "GET,/v1/scale-down", "GET,/v1/events", "GET,/v1/history",
        "POST,/v1/hosts/h1/drain", "POST,/v1/hosts/h1/undrain", "POST,/v1/hosts/h1/shed", "POST,/v1/scale-down"})
    void everyHostReadingOrChangingCallIs401WithoutTheToken(String method, String path) {
        HttpResponse<String> r = call(method, path, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("h1").doesNotContain("10.0.0.1");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET,/v1/hosts", "GET,/v1/farm", "GET,/v1/scale-down", "GET,/v1/events", "GET,/v1/history",
        "POST,/v1/hosts/h1/drain", "POST,/v1/hosts/h1/undrain", "POST,/v1/hosts/h1/shed", "POST,/v1/scale-down"})
    void everyHostReadingOrChangingCallIs401WithAWrongToken(String method, String path) {
        HttpResponse<String> r = call(method, path, "Bearer " + TOKEN.substring(1) + "X");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("h1").doesNotContain("10.0.0.1");
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void tokenInTheQueryStringIsNotAccepted() {
        assertThat(call("GET", "/v1/hosts?token=" + TOKEN, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/v1/hosts?access_token=" + TOKEN, null).statusCode()).isEqualTo(401);
    }

    @Test
    void tokenWithoutTheBearerSchemeIsNotAccepted() {
        assertThat(call("GET", "/v1/hosts", TOKEN).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/v1/hosts", "Basic " + TOKEN).statusCode()).isEqualTo(401);
    }

    @Test
    void tooManyWrongTokensFromOneAddressGet429WithRetryAfter() {
        for (int i = 0; i < MAX_FAILED; i++) {
            assertThat(call("GET", "/v1/hosts", "Bearer wrong-" + i).statusCode()).isEqualTo(401);
        }

        HttpResponse<String> r = call("GET", "/v1/hosts", "Bearer wrong-again");

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(r.body()).contains("too many wrong tokens");
    }

    @Test
    void lockedOutAddressIsRefusedEvenWithTheRightToken() {
        for (int i = 0; i < MAX_FAILED; i++) {
            call("POST", "/v1/hosts/h1/drain", "Bearer wrong-" + i);
        }

        assertThat(call("POST", "/v1/hosts/h1/drain", "Bearer " + TOKEN).statusCode()).isEqualTo(429);
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void retryAfterCountsDownAndTheLockLiftsWhenTheWindowEnds() {
        for (int i = 0; i < MAX_FAILED; i++) {
            call("GET", "/v1/hosts", "Bearer wrong-" + i);
        }
        clock.advanceMillis(45_000);
        assertThat(call("GET", "/v1/hosts", "Bearer " + TOKEN).headers().firstValue("Retry-After")).hasValue("15");
        clock.advanceMillis(15_000);

        assertThat(call("GET", "/v1/hosts", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void requestsWithoutAnyTokenDoNotCountAsFailedLogins() {
        for (int i = 0; i < MAX_FAILED * 2; i++) {
            call("GET", "/v1/hosts", null);
        }

        assertThat(call("GET", "/v1/hosts", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void addressBehindATrustedProxyIsLockedOutAloneNotTheProxy() {
        gw.close();
        gw = RunningGateway.start(farm, farm, b -> b.adminMaxFailedLogins(MAX_FAILED)
                .adminFailedLoginWindowMillis(WINDOW_MILLIS).trustedProxies(List.of("127.0.0.1")), () -> 0L, clock);
        for (int i = 0; i < MAX_FAILED; i++) {
            gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts")).timeout(WAIT)
                    .header("Authorization", "Bearer wrong").header("X-Forwarded-For", "203.0.113.9").build());
        }

        HttpResponse<String> guesser = gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts"))
                .timeout(WAIT).header("Authorization", "Bearer " + TOKEN)
                .header("X-Forwarded-For", "203.0.113.9").build());
        HttpResponse<String> operator = gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts"))
                .timeout(WAIT).header("Authorization", "Bearer " + TOKEN)
                .header("X-Forwarded-For", "198.51.100.7").build());

        assertThat(guesser.statusCode()).isEqualTo(429);
        assertThat(operator.statusCode()).isEqualTo(200);
    }

    @Test
    void failedAndLockedOutLoginsAreCountedInMetrics() {
        for (int i = 0; i < MAX_FAILED + 2; i++) {
            call("GET", "/v1/hosts", "Bearer wrong-" + i);
        }

        String metrics = gw.adminGet("/metrics", null).body();

        assertThat(metrics).contains("farmgate_gateway_admin_failed_logins_total " + MAX_FAILED + ".0");
        assertThat(metrics).contains("farmgate_gateway_admin_locked_out_total 2.0");
    }

    @Test
    void crossSiteReadGetsNoCorsPermission() {
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts"))
                .timeout(WAIT).header("Authorization", "Bearer " + TOKEN)
                .header("Origin", "https://evil.example").build());
        HttpResponse<String> preflight = gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts/h1/drain"))
                .timeout(WAIT).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());

        // Without Access-Control-Allow-Origin a browser keeps the answer from the other site's page.
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theTokenNeverAppearsInAnyLogLine() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        // Everything at DEBUG except Jetty's header parser, which dumps every header there; the
        // shipped logback.xml (cli) pins it to INFO for that reason, as logback-test.xml does here.
        Map<String, Level> levels = Map.of("io.farmgate", Level.DEBUG, "org.eclipse.jetty", Level.DEBUG,
                "io.javalin", Level.DEBUG, "org.eclipse.jetty.http.HttpParser", Level.INFO);
        Map<String, Level> before = new java.util.HashMap<>();
        levels.forEach((name, level) -> {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            before.put(name, l.getLevel());
            l.setLevel(level);
            l.setAdditive(false); // debug output to the list only, not the console
            l.addAppender(logs);
        });
        try {
            call("GET", "/v1/hosts", "Bearer " + TOKEN);
            call("POST", "/v1/hosts/h1/shed", "Bearer " + TOKEN);
            call("POST", "/v1/hosts/h1/drain", "Bearer " + TOKEN);
            call("POST", "/v1/scale-down", "Bearer " + TOKEN);
            // Wrong tokens that contain the real one, up to the lock-out and past it.
            for (int i = 0; i < MAX_FAILED + 2; i++) {
                call("GET", "/v1/hosts", "Bearer " + TOKEN + "-" + i);
            }
            gw.send(HttpRequest.newBuilder(gw.adminUrl("/v1/hosts/h1/shed")).timeout(WAIT)
                    .header("Authorization", "Bearer " + TOKEN).header("Origin", "https://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{")).build());
        } finally {
            levels.keySet().forEach(name -> {
                Logger l = (Logger) LoggerFactory.getLogger(name);
                l.detachAppender(logs);
                l.setAdditive(true);
                l.setLevel(before.get(name));
            });
        }

        assertThat(logs.list).as("log events captured (the capture works)").isNotEmpty();
        List<String> leaks = new java.util.ArrayList<>();
        for (ILoggingEvent e : logs.list) {
            StringBuilder text = new StringBuilder(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            if (text.indexOf(TOKEN) >= 0) {
                leaks.add(e.getLoggerName() + ": " + text);
            }
        }
        assertThat(leaks).isEmpty();
    }
}
