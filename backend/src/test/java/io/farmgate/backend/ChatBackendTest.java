package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.token.AssignmentToken;
import io.farmgate.testing.RedisServerExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChatBackendTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SECRET = "a-shared-secret-of-32-characters";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ChatBackend> backends = new ArrayList<>();
    private final List<ChatClient> clients = new ArrayList<>();
    private RegistryConnection registry;
    private OperatorStore operators;

    @BeforeEach
    void connect() {
        registry = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), ChatFarm.FARM));
        operators = new OperatorStore(registry, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::abort);
        backends.forEach(ChatBackend::close);
        registry.close();
    }

    private ChatBackend backend(String hostId, String secret) {
        ChatBackend b = ChatBackend.start(ChatFarm.backendConfig(redis, hostId, secret));
        backends.add(b);
        // Started with Redis up, a backend is subscribed to the farm's chat before it takes clients.
        assertThat(b.chatRelayed()).isTrue();
        return b;
    }

    private List<ChatClient> connect(ChatBackend backend, int n, String query) {
        List<CompletableFuture<ChatClient>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(ChatClient.connectAsync(http, "ws://127.0.0.1:" + backend.port() + "/chat" + query));
        }
        List<ChatClient> made = pending.stream().map(CompletableFuture::join).toList();
        clients.addAll(made);
        // In the room once the position frame came: broadcasts appended from then on reach it.
        await().atMost(WAIT).until(() -> made.stream().allMatch(c -> !c.positions.isEmpty() || c.closed()));
        return made;
    }

    /** A chat frame as the cooperating clients send it (docs/client.md). */
    private static String chat(String id, String body) {
        return "{\"id\": \"" + id + "\", \"type\": \"chat\", \"body\": \"" + body + "\"}";
    }

    private static long sequence(RedisServerExtension redis, String hostId) {
        HostReport hb = ChatFarm.heartbeat(redis, hostId);
        return hb == null ? -1 : hb.sequence();
    }

    @Test
    void heartbeatsOfThreeBackendsCountTheirHundredClientsAndChatReachesAllThree() {
        List<ChatBackend> three = List.of(backend("chat-1", ""), backend("chat-2", ""), backend("chat-3", ""));
        List<List<ChatClient>> perHost = new ArrayList<>();
        for (ChatBackend b : three) {
            perHost.add(connect(b, 100, ""));
        }
        await().atMost(WAIT).until(() -> three.stream().allMatch(b -> b.connections() == 100));

        // The first heartbeat each host starts after its clients are in carries exactly 100.
        for (String host : List.of("chat-1", "chat-2", "chat-3")) {
            long seen = sequence(redis, host);
            await().atMost(WAIT).until(() -> sequence(redis, host) > seen + 1);
            assertThat(ChatFarm.heartbeat(redis, host).connections()).as(host).isEqualTo(100);
        }

        perHost.get(0).get(0).send(chat("hello-1", "hello farm"));

        await().atMost(WAIT).untilAsserted(() -> {
            for (List<ChatClient> host : perHost) {
                assertThat(host).allSatisfy(c -> assertThat(c.received).hasSize(1));
            }
        });
        // Unchanged, with the host that took it and the room's position added.
        assertThat(perHost.get(2).get(99).received.get(0)).matches(
                "\\{\"id\":\"hello-1\",\"type\":\"chat\",\"body\":\"hello farm\",\"from\":\"chat-1\",\"pos\":\"\\d+-\\d+\"}");
    }

    @Test
    void resentMessageReachesEachClientOnceEvenThroughAnotherHostAndIsAcked() {
        ChatBackend a = backend("chat-a", "");
        ChatBackend b = backend("chat-b", "");
        ChatClient sender = connect(a, 1, "").get(0);
        ChatClient listener = connect(b, 1, "").get(0);
        sender.send(chat("m-7", "once"));
        await().atMost(WAIT).until(() -> listener.received.size() == 1);

        // The sender reconnects elsewhere and resends what it is not sure was delivered.
        ChatClient resender = connect(b, 1, "").get(0);
        resender.send(chat("m-7", "once"));
        resender.send(chat("m-8", "after"));

        await().atMost(WAIT).until(() -> listener.received.size() >= 2);
        assertThat(listener.received).hasSize(2);
        assertThat(listener.received.get(1)).contains("\"id\":\"m-8\"");
        await().atMost(WAIT).until(() -> resender.received.size() >= 2);
        assertThat(resender.received).hasSize(2);
        // The ack of the resend and the echo of the new message confirm different messages; they travel different
        // paths (the claim's reply, the room's stream), so either may arrive first.
        assertThat(resender.received).containsOnlyOnce("{\"type\":\"ack\",\"id\":\"m-7\"}");
        assertThat(resender.received).filteredOn(f -> !f.contains("\"ack\"")).singleElement().asString()
                .matches("\\{\"id\":\"m-8\",\"type\":\"chat\",\"body\":\"after\",\"from\":\"chat-b\",\"pos\":\"\\d+-\\d+\"}");
        assertThat(sender.received).hasSize(2);
    }

    @Test
    void storedTargetClosesExactlyTheExcessWith1012AndAReason() {
        ChatBackend b = backend("chat-t", "");
        List<ChatClient> thirty = connect(b, 30, "");
        await().atMost(WAIT).until(() -> b.connections() == 30);

        operators.setTarget("chat-t", 20);

        await().atMost(WAIT).until(() -> thirty.stream().filter(ChatClient::closed).count() == 10);
        await().during(Duration.ofMillis(1500)).atMost(WAIT)
                .until(() -> thirty.stream().filter(ChatClient::closed).count() == 10);
        List<ChatClient> shed = thirty.stream().filter(ChatClient::closed).toList();
        assertThat(shed).allSatisfy(c -> {
            assertThat(c.closeCode.join()).isEqualTo(1012);
            assertThat(c.closeReason).startsWith("shed: reconnect through the front door");
        });
        assertThat(b.connections()).isEqualTo(20);
        assertThat(b.agent().shedTotal()).isEqualTo(10);
    }

    @Test
    void clientWithoutTokenIsClosedWithPolicyViolation() {
        ChatBackend b = backend("chat-s", SECRET);

        ChatClient stranger = connect(b, 1, "").get(0);

        assertThat(stranger.closeCode.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo(1008);
        assertThat(stranger.closeReason).isEqualTo("fg_token malformed");
        assertThat(b.refusedTokens()).isEqualTo(1);
    }

    @Test
    void clientWithAReplayedExpiredTokenIsClosedWithPolicyViolation() {
        ChatBackend b = backend("chat-s", SECRET);
        String old = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8))
                .sign("chat-s", "", System.currentTimeMillis() / 1000 - 60);

        ChatClient replay = connect(b, 1, "?fg_token=" + old).get(0);

        assertThat(replay.closeCode.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo(1008);
        assertThat(replay.closeReason).isEqualTo("fg_token expired");
    }

    @Test
    void clientWithAValidTokenChats() {
        ChatBackend b = backend("chat-s", SECRET);
        String token = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8))
                .sign("chat-s", "alice", System.currentTimeMillis() / 1000 + 60);

        ChatClient alice = connect(b, 1, "?fg_token=" + token).get(0);
        alice.send("hi");

        await().atMost(WAIT).until(() -> alice.received.size() == 1);
        assertThat(alice.closed()).isFalse();
    }

    @Test
    void portAlreadyTakenIsAClearError() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BackendConfig c = ChatFarm.backendConfig(redis, "chat-p", "");
            BackendConfig onTaken = new BackendConfig(c.listenHost(), taken.getLocalPort(), "", 5,
                    ChatFarm.agentConfig(redis, "chat-p", taken.getLocalPort(), 1000));

            assertThatThrownBy(() -> ChatBackend.start(onTaken))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void redisDownForTenSecondsThenBackLosesNoHostAndNoClient() {
        List<ChatBackend> two = List.of(backend("chat-x", ""), backend("chat-y", ""));
        List<ChatClient> onX = connect(two.get(0), 5, "");
        List<ChatClient> onY = connect(two.get(1), 5, "");
        await().atMost(WAIT).until(() -> ChatFarm.heartbeat(redis, "chat-x") != null
                && ChatFarm.heartbeat(redis, "chat-y") != null);

        redis.kill();
        await().atMost(WAIT).until(() -> two.stream().allMatch(b -> b.agent().failedHeartbeats() > 0));
        // Ten seconds without Redis, checked rather than slept: the hosts keep their clients throughout.
        await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(onX).noneMatch(ChatClient::closed);
            assertThat(onY).noneMatch(ChatClient::closed);
        });
        redis.start();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ChatFarm.heartbeat(redis, "chat-x")).extracting(HostReport::connections).isEqualTo(5);
            assertThat(ChatFarm.heartbeat(redis, "chat-y")).extracting(HostReport::connections).isEqualTo(5);
        });
        // Chat across hosts works again once the relay has re-subscribed.
        await().atMost(WAIT).untilAsserted(() -> {
            onX.get(0).send(chat("back-" + System.nanoTime(), "back"));
            assertThat(onY.get(0).received).isNotEmpty();
        });
        assertThat(onX).noneMatch(ChatClient::closed);
    }
}
