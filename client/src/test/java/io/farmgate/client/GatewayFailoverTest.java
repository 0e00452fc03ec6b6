package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeFarm;
import io.farmgate.client.fake.FakeGateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client configured with several front doors moves on to the next when one cannot be reached. */
class GatewayFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ReconnectBackoff QUICK = new ReconnectBackoff(200, 20, 100);

    private FakeFarm farm;
    private FakeGateway second;
    private URI closed;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final RecordingListener events = new RecordingListener();
    private final List<FarmgateClient> clients = new ArrayList<>();

    @BeforeEach
    void startFarm() throws IOException {
        farm = new FakeFarm("host-a", "host-b");
        second = new FakeGateway(farm.backends());
        closed = URI.create("http://127.0.0.1:" + closedPort());
    }

    @AfterEach
    void stopFarm() {
        clients.forEach(FarmgateClient::close);
        second.close();
        farm.close();
        scheduler.shutdownNow();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private FarmgateClient started(ClientConfig config) {
        FarmgateClient client = new FarmgateClient(config, http, scheduler, new SplittableRandom(7), Clock.systemUTC(),
                events);
        clients.add(client);
        client.start();
        return client;
    }

    @Test
    void anUnreachableFirstGatewayIsPassedOverWithoutAFailedAttempt() {
        FarmgateClient client = started(ClientConfig.defaults(List.of(closed, second.uri())).withBackoff(QUICK));

        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        assertThat(events.failedOverFrom).containsExactly(closed);
        assertThat(second.requests()).isEqualTo(1);
        assertThat(client.stats().failedAttempts()).isZero();
        assertThat(events.retryReasons).isEmpty();
    }

    @Test
    void theGatewayThatAnsweredIsAskedFirstOnTheNextAttempt() throws Exception {
        ClientConfig config = ClientConfig.defaults(List.of(closed, second.uri()));
        GatewayAssigner assigner = new GatewayAssigner(config, http, Clock.systemUTC(),
                (from, to, why) -> events.onGatewayFailover(from, to, why));

        assigner.next().get();
        assigner.next().get();

        assertThat(assigner.currentGateway()).isEqualTo(1);
        assertThat(events.failedOverFrom).containsExactly(closed);
        assertThat(second.requests()).isEqualTo(2);
    }

    @Test
    void whenNoGatewayAnswersTheRoundCountsAsOneFailedAttemptAndBacksOff() throws IOException {
        URI alsoClosed = URI.create("http://127.0.0.1:" + closedPort());
        FarmgateClient client = started(ClientConfig.defaults(List.of(closed, alsoClosed)).withBackoff(QUICK)
                .withMaxConsecutiveFailures(2));

        await().atMost(WAIT).until(() -> client.state() == ClientState.FAILED);
        assertThat(client.stats().failedAttempts()).isEqualTo(2);
        assertThat(events.retryReasons).singleElement().asString().startsWith("assignment failed");
        // Each failed attempt asked both gateways: closed -> alsoClosed, then alsoClosed -> closed.
        assertThat(events.failedOverFrom).containsExactly(closed, alsoClosed);
    }

    @Test
    void a503IsAnAnswerSoTheNextGatewayIsNotAsked() {
        farm.gateway().answerUnavailable(1, "0");
        FarmgateClient client = started(ClientConfig.defaults(List.of(farm.gateway().uri(), second.uri()))
                .withBackoff(QUICK));

        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        assertThat(events.failedOverFrom).isEmpty();
        assertThat(second.requests()).isZero();
        assertThat(client.stats().noHostAnswers()).isEqualTo(1);
    }

    @Test
    void configKeepsTheGatewaysInOrderAndTheFirstIsThePreferredOne() {
        ClientConfig config = ClientConfig.defaults(List.of(closed, second.uri()));
        assertThat(config.gateways()).containsExactly(closed, second.uri());
        assertThat(config.gateway()).isEqualTo(closed);
    }

    @Test
    void configRejectsAnEmptyGatewayList() {
        assertThatThrownBy(() -> ClientConfig.defaults(List.of()))
                .hasMessage("gateways: [] (expected: at least one gateway URL)");
    }

    @Test
    void configRejectsAnyGatewayThatIsNotHttp() {
        assertThatThrownBy(() -> ClientConfig.defaults(List.of(second.uri(), URI.create("ws://gw.test"))))
                .hasMessage("gateway: ws://gw.test (expected: an http:// or https:// URL with a host)");
    }
}
