package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeBackend;
import io.farmgate.client.fake.FakeChatRoom;
import io.farmgate.client.fake.FakeFarm;
import io.farmgate.client.fake.FakeGateway;
import java.io.IOException;
import java.net.ServerSocket;
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

class FarmgateClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ReconnectBackoff QUICK = new ReconnectBackoff(200, 20, 100);

    private FakeFarm farm;
    private FakeChatRoom room;
    private FakeBackend a;
    private FakeBackend b;
    private FakeGateway gateway;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final RecordingListener events = new RecordingListener();
    private final List<FarmgateClient> clients = new ArrayList<>();

    @BeforeEach
    void startFarm() {
        farm = new FakeFarm("host-a", "host-b");
        room = farm.room();
        a = farm.backend(0);
        b = farm.backend(1);
        gateway = farm.gateway();
    }

    @AfterEach
    void stopFarm() {
        clients.forEach(FarmgateClient::close);
        farm.close();
        scheduler.shutdownNow();
    }

    private FarmgateClient client(ClientConfig config, long seed) {
        FarmgateClient client = new FarmgateClient(config, http, scheduler, new SplittableRandom(seed), Clock.systemUTC(), events);
        clients.add(client);
        return client;
    }

    private FarmgateClient startedOnA() {
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withBackoff(QUICK), 1);
        client.start();
        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        assertThat(events.connectedHosts()).containsExactly("host-a");
        await().atMost(WAIT).until(() -> a.connections() == 1);
        return client;
    }

    @Test
    void connectsToTheAssignedHostPassingItsTokenAsFgToken() {
        startedOnA();
        assertThat(a.tokensSeen()).singleElement().asString().startsWith("tok-host-a-");
    }

    @Test
    void reconnectsThroughTheGatewayToAnotherHostAfter1012() {
        FarmgateClient client = startedOnA();

        a.closeAll(1012, "shed");

        await().atMost(WAIT).untilAsserted(() -> assertThat(events.connectedHosts()).containsExactly("host-a", "host-b"));
        assertThat(gateway.requests()).isEqualTo(2);
        assertThat(client.stats().reconnects()).containsEntry(ReconnectCause.SERVICE_RESTART, 1L);
    }

    @Test
    void messagesQueuedWhileDisconnectedArriveExactlyOnceAfterReconnect() {
        FarmgateClient client = startedOnA();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(client.send("before " + i));
        }
        await().atMost(WAIT).until(() -> client.stats().confirmed() == 3);

        gateway.hold(); // the client will sit between two connections until released
        a.closeAll(1012, "shed");
        await().atMost(WAIT).until(() -> gateway.requests() == 2);
        for (int i = 0; i < 5; i++) {
            ids.add(client.send("while away " + i));
        }
        assertThat(client.stats().pending()).isEqualTo(5);
        assertThat(ids.subList(3, 8)).noneMatch(room::hasAccepted);

        gateway.release();

        await().atMost(WAIT).until(() -> client.stats().confirmed() == 8);
        assertThat(events.connectedHosts()).containsExactly("host-a", "host-b");
        assertThat(ids).allSatisfy(id -> {
            assertThat(room.timesOffered(id)).as("room copies of %s", id).isEqualTo(1);
            assertThat(events.timesReceived(id)).as("deliveries of %s", id).isEqualTo(1);
        });
    }

    @Test
    void messagesInFlightWithoutConfirmationAreResentAfterReconnect() {
        FarmgateClient client = startedOnA();
        a.behave(FakeBackend.Behaviour.DROP_ALL);
        List<String> ids = List.of(client.send("m1"), client.send("m2"), client.send("m3"));
        await().atMost(WAIT).until(() -> a.framesDropped() == 3);
        assertThat(client.unconfirmedIds()).containsExactlyElementsOf(ids);

        a.closeAll(1012, "shed");

        await().atMost(WAIT).until(() -> client.stats().confirmed() == 3);
        assertThat(client.stats().resent()).isEqualTo(3);
        assertThat(ids).allSatisfy(id -> assertThat(room.timesOffered(id)).isEqualTo(1));
    }

    @Test
    void aResentMessageTheRoomAlreadyAcceptedIsNotBroadcastAgain() {
        FarmgateClient client = startedOnA();
        a.behave(FakeBackend.Behaviour.ACCEPT_WITHOUT_REPLY);
        String id = client.send("accepted, but the reply is lost");
        await().atMost(WAIT).until(() -> room.hasAccepted(id));

        a.closeAll(1012, "shed");

        await().atMost(WAIT).until(() -> client.stats().confirmed() == 1);
        assertThat(events.connectedHosts()).containsExactly("host-a", "host-b");
        assertThat(room.timesOffered(id)).isEqualTo(2);
        assertThat(b.broadcasts()).isZero();
        assertThat(events.timesReceived(id)).isEqualTo(1);
    }

    @Test
    void acknowledgementAloneConfirmsAMessage() {
        FarmgateClient client = startedOnA();
        a.behave(FakeBackend.Behaviour.ACKNOWLEDGE_ONLY);

        client.send("hello");

        await().atMost(WAIT).until(() -> client.stats().confirmed() == 1);
        assertThat(client.stats().pending()).isZero();
    }

    /** A started client with this backoff and a random source seeded with {@code seed}, once it is open. */
    private FarmgateClient openWith(ReconnectBackoff backoff, long seed) {
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withBackoff(backoff), seed);
        client.start();
        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        return client;
    }

    /** A random source at the state of a started client's seeded with {@code seed}: past its id prefix. */
    private static SplittableRandom sameRandomAs(long seed) {
        SplittableRandom same = new SplittableRandom(seed);
        same.nextLong(); // the client's id prefix
        return same;
    }

    @Test
    void firstRetryAfterAShedIsDrawnOverTheWindowFromTheSeededRandom() {
        ReconnectBackoff backoff = new ReconnectBackoff(300, 20, 100);
        openWith(backoff, 7);
        SplittableRandom same = sameRandomAs(7);
        long expected = backoff.firstRetryDelayMillis(ReconnectCause.SERVICE_RESTART, same);

        a.closeAll(1012, "shed");

        await().atMost(WAIT).until(() -> !events.retryDelays.isEmpty());
        assertThat(events.retryDelays.get(0)).isEqualTo(expected).isBetween(0L, 299L);
    }

    @Test
    void aLostConnectionWaitsOverTheLostHostWindowAndAShedOverTheShorterOne() {
        // Windows far apart: a shed's first retry within 200 ms, a lost host's spread over an hour.
        ReconnectBackoff backoff = new ReconnectBackoff(200, 3_600_000, 20, 100);
        FarmgateClient client = openWith(backoff, 3);
        SplittableRandom same = sameRandomAs(3);
        long shedDelay = backoff.firstRetryDelayMillis(ReconnectCause.SERVICE_RESTART, same);
        long lostDelay = backoff.firstRetryDelayMillis(ReconnectCause.ABNORMAL, same);

        a.closeAll(1012, "shed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(events.connectedHosts()).containsExactly("host-a", "host-b"));
        b.close(); // no close frame: 1006

        await().atMost(WAIT).until(() -> events.retryDelays.size() == 2);
        assertThat(events.disconnectCodes).containsExactly(1012, 1006);
        assertThat(events.retryDelays.get(0)).isEqualTo(shedDelay).isBetween(0L, 199L);
        assertThat(events.retryDelays.get(1)).isEqualTo(lostDelay).isBetween(200L, 3_599_999L);
        assertThat(client.state()).isEqualTo(ClientState.WAITING);
        assertThat(client.stats().reconnects()).containsEntry(ReconnectCause.ABNORMAL, 1L);
    }

    @Test
    void tryAgainLaterWaitsAtLeastOneWindowBeforeReconnecting() {
        FarmgateClient client = startedOnA();

        a.closeAll(1013, "busy");

        await().atMost(WAIT).until(() -> !events.retryDelays.isEmpty());
        assertThat(events.retryDelays.get(0)).isBetween(200L, 399L);
        assertThat(client.stats().reconnects()).containsEntry(ReconnectCause.TRY_AGAIN_LATER, 1L);
        await().atMost(WAIT).untilAsserted(() -> assertThat(events.connectedHosts()).containsExactly("host-a", "host-b"));
    }

    @Test
    void goingAwayReconnectsThroughTheGateway() {
        FarmgateClient client = startedOnA();

        a.closeAll(1001, "shutting down");

        await().atMost(WAIT).untilAsserted(() -> assertThat(events.connectedHosts()).containsExactly("host-a", "host-b"));
        assertThat(client.stats().reconnects()).containsEntry(ReconnectCause.GOING_AWAY, 1L);
    }

    @Test
    void aBackendThatStopsWithoutACloseFrameCountsAsAbnormalAndIsLeft() {
        FarmgateClient client = startedOnA();
        gateway.exclude("host-a");

        a.close();

        await().atMost(WAIT).untilAsserted(() -> assertThat(events.connectedHosts()).containsExactly("host-a", "host-b"));
        assertThat(events.disconnectCodes).containsExactly(1006);
        assertThat(client.stats().reconnects()).containsEntry(ReconnectCause.ABNORMAL, 1L);
    }

    @Test
    void waitsForTheRetryAfterOfA503BeforeAskingAgain() {
        gateway.answerUnavailable(1, "1");
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withBackoff(QUICK), 3);

        client.start();

        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        assertThat(events.retryDelays).singleElement().satisfies(d -> assertThat(d).isBetween(1_000L, 1_250L));
        assertThat(client.stats().noHostAnswers()).isEqualTo(1);
        assertThat(gateway.requests()).isEqualTo(2);
    }

    @Test
    void anUnreachableAssignedHostIsRetriedThroughTheGateway() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        FakeGateway deadFirst = new FakeGateway(List.of());
        try (deadFirst) {
            deadFirst.addHost("dead", "ws://127.0.0.1:" + closedPort);
            deadFirst.addHost("host-b", b.url());
            FarmgateClient client = client(ClientConfig.defaults(deadFirst.uri()).withBackoff(QUICK), 4);

            client.start();

            await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
            assertThat(events.connectedHosts()).containsExactly("host-b");
            assertThat(client.stats().failedAttempts()).isEqualTo(1);
            assertThat(events.retryReasons).singleElement().asString().startsWith("connect failed");
        }
    }

    @Test
    void normalCloseByTheServerEndsTheClientWithoutReconnecting() {
        FarmgateClient client = startedOnA();

        a.closeAll(1000, "bye");

        await().atMost(WAIT).until(() -> client.state() == ClientState.CLOSED);
        assertThat(events.disconnectCodes).containsExactly(1000);
        assertThat(events.retryDelays).isEmpty();
        assertThat(client.stats().reconnects().values()).allMatch(n -> n == 0);
    }

    @Test
    void givesUpAfterTheConfiguredNumberOfFailuresInARow() {
        gateway.answerUnavailable(100, null);
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withBackoff(QUICK).withMaxConsecutiveFailures(3), 5);

        client.start();

        await().atMost(WAIT).until(() -> client.state() == ClientState.FAILED);
        assertThat(client.stats().noHostAnswers()).isEqualTo(3);
        assertThat(events.failures).singleElement().asString().contains("3 failed attempts");
        assertThatThrownBy(() -> client.send("too late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FAILED");
    }

    @Test
    void redirectFrontDoorConnectsToTheLocationOfThe307() {
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withFrontDoor(FrontDoor.REDIRECT)
                .withPath("/?room=lobby").withBackoff(QUICK), 6);

        client.start();

        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        await().atMost(WAIT).until(() -> a.connections() == 1);
        assertThat(a.queriesSeen()).singleElement().satisfies(q -> {
            assertThat(q.get("room")).containsExactly("lobby");
            assertThat(q.get("fg_token")).singleElement().asString().startsWith("tok-host-a-");
        });
        assertThat(events.connected).singleElement().satisfies(c -> assertThat(c.hostId()).isEqualTo("127.0.0.1:" + a.port()));
    }

    @Test
    void malformedFramesAreDroppedAndCounted() {
        FarmgateClient client = startedOnA();

        a.sendRaw("not json");
        a.sendRaw("[1,2]");
        a.sendRaw("{\"id\":\"x-1\",\"type\":\"chat\",\"body\":\"fine\"}");

        await().atMost(WAIT).until(() -> client.stats().received() == 1);
        assertThat(client.stats().malformedDropped()).isEqualTo(2);
        assertThat(events.messages).singleElement().satisfies(m -> assertThat(m.body().asText()).isEqualTo("fine"));
    }

    @Test
    void aRepeatedChatIdIsDeliveredOnce() {
        FarmgateClient client = startedOnA();
        String frame = "{\"id\":\"other-7\",\"type\":\"chat\",\"body\":\"once\"}";

        a.sendRaw(frame);
        a.sendRaw(frame);
        a.sendRaw("{\"id\":\"other-8\",\"type\":\"chat\",\"body\":\"marker\"}");

        await().atMost(WAIT).until(() -> client.stats().received() == 2);
        assertThat(client.stats().duplicatesDropped()).isEqualTo(1);
        assertThat(events.timesReceived("other-7")).isEqualTo(1);
    }

    @Test
    void sendRefusesWithAClearErrorBeyondMaxPendingMessages() {
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withMaxPendingMessages(2), 8);
        client.send("one");
        client.send("two");

        assertThatThrownBy(() -> client.send("three")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 messages unconfirmed (expected: < maxPendingMessages 2)");
    }

    @Test
    void messagesSentBeforeStartGoOutOnTheFirstConnection() {
        FarmgateClient client = client(ClientConfig.defaults(gateway.uri()).withBackoff(QUICK), 9);
        String id = client.send("early");

        client.start();

        await().atMost(WAIT).until(() -> client.stats().confirmed() == 1);
        assertThat(room.timesOffered(id)).isEqualTo(1);
        assertThat(client.stats().resent()).isZero();
    }
}
