package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.OperatorState;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad bodies to every admin POST: a 4xx naming what was wrong, never a 5xx or a hang, and
 * nothing stored. (Every call here has the right token; authentication is AdminSecurityTest's.)
 */
class AdminBadJsonTest {

    private static final String TOKEN = RunningGateway.ADMIN_TOKEN;
    private static final TestFarm FARM = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 30, 100)
            .host("h2", "ws://10.0.0.2:9001", 10, 100)
            .host("h3", "ws://10.0.0.3:9001", 10, 100);
    private static RunningGateway gw;

    @BeforeAll
    static void start() {
        FARM.refresh();
        gw = RunningGateway.start(FARM);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static void assertRefusedAndNothingStored(HttpResponse<String> r, String mentioning) throws IOException {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains(mentioning);
        assertThat(FARM.operator("h1")).isEqualTo(OperatorState.DEFAULT);
        assertThat(FARM.operator("h2")).isEqualTo(OperatorState.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down"})
    void malformedJsonIs400NamingTheBody(String path) throws IOException {
        assertRefusedAndNothingStored(gw.adminPost(path, "{\"count\": 1", TOKEN), "body: not JSON");
        assertRefusedAndNothingStored(gw.adminPost(path, "count=1", TOKEN), "body: not JSON");
        assertRefusedAndNothingStored(gw.adminPost(path, "{\"count\": 1} trailing", TOKEN), "body: not JSON");
        assertRefusedAndNothingStored(gw.adminPost(path, "\u0000\u0001\u00ff", TOKEN), "body: not JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down"})
    void emptyBodyIs400(String path) throws IOException {
        assertRefusedAndNothingStored(gw.adminPost(path, "", TOKEN), "body: empty");
        assertRefusedAndNothingStored(gw.adminPost(path, "  \n", TOKEN), "body: empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down"})
    void countOfTheWrongTypeIs400NamingCount(String path) throws IOException {
        for (String body : new String[] {"{\"count\": \"1\"}", "{\"count\": 1.5}", "{\"count\": 1e2}",
            "{\"count\": true}", "{\"count\": null}", "{\"count\": [1]}", "{\"count\": {\"n\": 1}}",
            "{\"Count\": 1}", "{}", "[]", "1", "null", "\"count\""}) {
            assertRefusedAndNothingStored(gw.adminPost(path, body, TOKEN), "count:");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down"})
    void zeroNegativeAndHugeCountsAre400WithTheRange(String path) throws IOException {
        for (String count : new String[] {"0", "-1", "-2147483648", "2147483648", "1099511627776",
            "99999999999999999999999999999999"}) {
            assertRefusedAndNothingStored(gw.adminPost(path, "{\"count\": " + count + "}", TOKEN), "expected: in [1, ");
        }
    }

    @Test
    void scaleDownOfMoreThanItsLimitIs400() throws IOException {
        assertRefusedAndNothingStored(gw.adminPost("/v1/scale-down",
                "{\"count\": " + (AdminApi.MAX_SCALE_DOWN + 1) + "}", TOKEN), "count: " + (AdminApi.MAX_SCALE_DOWN + 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down", "/v1/hosts/h1/drain", "/v1/hosts/h1/undrain"})
    void deeplyNestedJsonIs400NotAStackOverflow(String path) throws IOException {
        String nested = "[".repeat(5_000) + "]".repeat(5_000);

        assertRefusedAndNothingStored(gw.adminPost(path, nested, TOKEN), "body: not JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/shed", "/v1/scale-down", "/v1/hosts/h1/drain", "/v1/hosts/h1/undrain"})
    void hugeBodyIs413(String path) {
        // The head announces a 1 MB body and only the head is sent: the refusal must come from the announced
        // length, before any body is read. (Sending the whole body races the server's close after its 413: a
        // connection reset while the client still writes can lose the answer, for any client.)
        RawHttp.Head r = RawHttp.exchange(gw.gateway.adminPort(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");

        assertThat(r.status()).isEqualTo(413);
        assertThat(FARM.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/hosts/h1/drain", "/v1/hosts/h1/undrain"})
    void drainWithABodyThatIsNotAJsonObjectIs400(String path) throws IOException {
        assertRefusedAndNothingStored(gw.adminPost(path, "{\"hosts\": ", TOKEN), "body: not JSON");
        assertRefusedAndNothingStored(gw.adminPost(path, "[\"h1\"]", TOKEN), "body: a JSON array");
        assertRefusedAndNothingStored(gw.adminPost(path, "42", TOKEN), "body: a JSON number");
    }

    @Test
    void drainWithAnEmptyObjectStillWorks() {
        HttpResponse<String> r = gw.adminPost("/v1/hosts/h3/undrain", "{}", TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
    }
}
