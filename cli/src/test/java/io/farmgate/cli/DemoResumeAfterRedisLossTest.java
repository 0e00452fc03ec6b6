package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.ClientConfig;
import io.farmgate.client.ClientListener;
import io.farmgate.client.ClientState;
import io.farmgate.client.FarmgateClient;
import io.farmgate.client.InboundMessage;
import io.farmgate.client.ReconnectBackoff;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.testing.FreePort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client and the demo farm (real gateway, backends and redis-server) when the room's stream is lost under
 * it, as a Redis restarted without persistence does: moved by a drain, the client resumes from a position the room
 * no longer has. A room left empty answers with a gap frame (oldest {@code 0-0}) and then live frames; a room that
 * holds entries again, all older than the client's position (a Redis whose clock is behind), refuses it with 1008,
 * and the client reports the gap and reconnects once without {@code resume}. Either way the client chats on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoResumeAfterRedisLossTest {

    private static final String ADMIN_TOKEN = "demo-redis-loss-admin-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ROOM_KEY = "fg:{demo}:room:lost";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    /** Why each retry was scheduled: what a failure message shows. */
    private final List<String> retries = new CopyOnWriteArrayList<>();
    private DemoFarm demo;
    private RedisClient redis;
    private StatefulRedisConnection<String, String> commands;
    private FarmgateClient client;

    @BeforeEach
    void start() throws Exception {
        demo = DemoFarm.start(new DemoFarm.Settings(null, "demo", new ListenAddress("127.0.0.1", 0),
                new ListenAddress("127.0.0.1", 0), "127.0.0.1", 0, "farm.example.com",
                List.of(FreePort.pick(), FreePort.pick(), FreePort.pick()), ADMIN_TOKEN,
                "demo-redis-loss-token-secret-0123456789", Duration.ofMillis(500), false));
        redis = RedisClient.create(demo.redisUri());
        commands = redis.connect();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(admin("/v1/hosts").body()).contains("demo-1", "demo-2", "demo-3"));
        ClientListener events = new ClientListener() {
            @Override
            public void onMessage(InboundMessage message) {
                if ("chat".equals(message.type())) {
                    delivered.add(message.id() + "@" + message.position());
                }
            }

            @Override
            public void onRetryScheduled(long delayMillis, String why) {
                retries.add(why);
            }

            @Override
            public void onGap(String requested, String oldest) {
                gaps.add(requested + ".." + oldest);
            }
        };
        client = FarmgateClient.create(ClientConfig.defaults(URI.create("http://127.0.0.1:" + demo.gatewayPort()))
                .withPath("/chat?room=lost").withBackoff(new ReconnectBackoff(200, 20, 200)), events);
        client.start();
        await().atMost(WAIT).alias("client open").untilAsserted(() ->
                assertThat(client.state()).as("retries: %s", retries).isEqualTo(ClientState.OPEN));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (commands != null) {
            commands.close();
            redis.shutdown();
        }
        if (demo != null) {
            demo.close();
        }
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.adminPort() + path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .method(path.endsWith("drain") ? "POST" : "GET", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code text} and waits until the client delivered it; returns its position. */
    private String chat(String text) {
        String id = client.send(text);
        await().atMost(WAIT).until(() -> delivered.stream().anyMatch(d -> d.startsWith(id + "@")));
        String entry = delivered.stream().filter(d -> d.startsWith(id + "@")).findFirst().orElseThrow();
        return entry.substring(entry.indexOf('@') + 1);
    }

    /** Drains the client's host and waits until it is open on another; undrains the old one. */
    private void moveClient() throws Exception {
        String from = client.assignment().orElseThrow().hostId();
        assertThat(admin("/v1/hosts/" + from + "/drain").statusCode()).isBetween(200, 299);
        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN
                && !client.assignment().orElseThrow().hostId().equals(from));
        assertThat(admin("/v1/hosts/" + from + "/undrain").statusCode()).isBetween(200, 299);
    }

    @Test
    void aResumeIntoARoomRedisLostIsAGapThenLiveFrames() throws Exception {
        String before = chat("before");
        commands.sync().del(ROOM_KEY);

        moveClient();

        await().atMost(WAIT).until(() -> !gaps.isEmpty());
        assertThat(gaps).containsExactly(before + "..0-0");
        assertThat(client.stats().resumesRefused()).isZero();
        String after = chat("after");
        assertThat(commands.sync().xrange(ROOM_KEY, io.lettuce.core.Range.create("-", "+")))
                .singleElement().satisfies(e -> assertThat(e.getId()).isEqualTo(after));
        assertThat(client.stats().gaps()).isEqualTo(1);
    }

    @Test
    void aResumeAheadOfARoomThatHoldsOnlyOlderEntriesIsRefusedThenTheClientRejoinsWithoutIt() throws Exception {
        String before = chat("before");
        commands.sync().del(ROOM_KEY);
        commands.sync().xadd(ROOM_KEY, new XAddArgs().id("1-1"),
                Map.of("m", "{\"type\":\"chat\",\"id\":\"old\",\"body\":\"old\"}", "n", "1"));

        moveClient();

        await().atMost(WAIT).until(() -> client.stats().resumesRefused() == 1);
        assertThat(gaps).containsExactly(before + "..null");
        await().atMost(WAIT).until(() -> client.state() == ClientState.OPEN);
        assertThat(client.lastPosition()).as("positions forgotten, then the new room's").isPresent();
        chat("after");
        assertThat(delivered).hasSize(2).noneMatch(d -> d.startsWith("old@"));
        assertThat(client.stats().gaps()).isEqualTo(1);
        assertThat(client.stats().failedAttempts()).isEqualTo(1);
    }
}
