package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.gateway.ListenAddress;
import io.farmgate.testing.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The demo farm as a user meets it: real Redis, real backends, gateway, admin API and DNS. */
class DemoFarmTest {

    private static final String ADMIN_TOKEN = "demo-test-admin-token-0123456789";
    private static final List<String> DEMO_ADDRESSES = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
    private static DemoFarm demo;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startDemo() {
        demo = DemoFarm.start(new DemoFarm.Settings(null, "demo", new ListenAddress("127.0.0.1", 0),
                new ListenAddress("127.0.0.1", 0), "127.0.0.1", 0, "farm.example.com",
                List.of(FreePort.pick(), FreePort.pick(), FreePort.pick()), ADMIN_TOKEN,
                "demo-test-token-secret-0123456789", Duration.ofSeconds(2), true));
        // Every backend must have heartbeated before the front doors can choose it.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(adminGet("/v1/hosts").body()).contains("demo-1", "demo-2", "demo-3"));
    }

    @AfterAll
    static void stopDemo() {
        if (demo != null) {
            demo.close();
        }
    }

    private static HttpResponse<String> adminGet(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.adminPort() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void redirectSendsAClientToOneOfTheDemoBackendsWithItsPathAndAToken() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + demo.gatewayPort() + "/chat?room=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(307);
        String location = r.headers().firstValue("Location").orElseThrow();
        // A plain GET gets the http form of the backend's ws:// URL; upgrade requests get ws://.
        assertThat(location).matches("http://127\\.0\\.0\\.1[123]:\\d+/chat\\?room=1&fg_token=v1\\..+");
    }

    @Test
    void assignedUrlAcceptsAWebSocketChatClient() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + demo.gatewayPort() + "/v1/assign")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String url = r.body().replaceAll(".*\"url\":\"([^\"]*)\".*", "$1");
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                if (data.toString().contains("m-demo-1")) {
                    echoed.complete(data.toString());
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"id\":\"m-demo-1\",\"type\":\"chat\",\"body\":\"hello farm\"}", true);
        assertThat(echoed.get(10, TimeUnit.SECONDS)).contains("hello farm");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    @Test
    void dnsAnswersTheApexWithOneDemoBackendAddress() throws Exception {
        SimpleResolver resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(demo.dnsPort());
        resolver.setTimeout(Duration.ofSeconds(3));
        Message response = resolver.send(Message.newQuery(
                Record.newRecord(Name.fromString("farm.example.com."), Type.A, DClass.IN)));
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
        List<Record> answers = response.getSection(Section.ANSWER);
        assertThat(answers).hasSize(1);
        assertThat(((ARecord) answers.get(0)).getAddress().getHostAddress()).isIn(DEMO_ADDRESSES);
    }

    @Test
    void adminApiListsTheThreeDemoHostsOnlyWithTheToken() throws Exception {
        assertThat(adminGet("/v1/hosts").body()).contains("127.0.0.11", "127.0.0.12", "127.0.0.13");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + demo.adminPort() + "/v1/hosts")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }
}
