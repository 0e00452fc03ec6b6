package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.farmgate.scoring.HostReport;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The sidecar against a plain TCP port: no Java backend involved, only sockets and a hook. */
class SidecarTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String FARM = "sidecar-test";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern COUNT = Pattern.compile("\"count\": (\\d+), \"closeCode\": (\\d+)");

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Deque<Socket> accepted = new ConcurrentLinkedDeque<>();
    private final List<String> hookCalls = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private FarmRegistry farm;
    private Sidecar sidecar;
    private ServerSocket server;

    @BeforeEach
    void setUp() {
        farm = new FarmRegistry(redis, FARM);
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.farmgate")).addAppender(logs);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger("io.farmgate")).detachAppender(logs);
        if (sidecar != null) {
            sidecar.close();
        }
        for (AutoCloseable c : open) {
            c.close();
        }
        farm.close();
    }

    /** A plain TCP server with {@code n} real loopback connections to it. */
    private int plainServerWith(int n) throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        open.add(server);
        for (int i = 0; i < n; i++) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            open.add(client);
            Socket serverEnd = server.accept();
            open.add(serverEnd);
            accepted.add(serverEnd);
        }
        return server.getLocalPort();
    }

    /** A shed hook that closes as many accepted sockets as it is asked to. */
    private URI hook() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        http.createContext("/farmgate/shed", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            hookCalls.add(body);
            Matcher m = COUNT.matcher(body);
            if (m.find()) {
                for (int i = Integer.parseInt(m.group(1)); i > 0 && !accepted.isEmpty(); i--) {
                    accepted.poll().close();
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        open.add(() -> http.stop(0));
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/farmgate/shed");
    }

    private SidecarConfig config(int port, URI shedUrl) {
        AgentConfig agent = FarmAgent.builder()
                .redis(redis.uri()).farm(FARM).hostId("node-1")
                .url("ws://127.0.0.1:" + port).address("127.0.0.1").capacity(1000)
                .heartbeatInterval(Duration.ofMillis(200)).heartbeatTtl(Duration.ofMillis(600))
                .shedTick(Duration.ofMillis(50)).drainPeriod(Duration.ofMillis(1000)).shedRate(0.2, 1)
                .buildConfig();
        return new SidecarConfig(agent, port, 0, null, shedUrl, 2000);
    }

    private int heartbeatConnections() {
        HostReport hb = farm.heartbeat("node-1");
        return hb == null ? -1 : hb.connections();
    }

    private boolean warned(String text) {
        return logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(text));
    }

    @Test
    void heartbeatCountsTheRealConnectionsToAPlainPort() throws IOException {
        int port = plainServerWith(12);

        sidecar = Sidecar.start(config(port, null));

        await().atMost(WAIT).until(() -> heartbeatConnections() == 12);
    }

    @Test
    void heartbeatFollowsConnectionsThatClose() throws IOException {
        int port = plainServerWith(12);
        sidecar = Sidecar.start(config(port, null));
        await().atMost(WAIT).until(() -> heartbeatConnections() == 12);

        for (int i = 0; i < 5; i++) {
            accepted.poll().close();
        }

        await().atMost(WAIT).until(() -> heartbeatConnections() == 7);
    }

    @Test
    void storedTargetIsReachedThroughTheShedHook() throws IOException {
        int port = plainServerWith(20);
        sidecar = Sidecar.start(config(port, hook()));
        await().atMost(WAIT).until(() -> heartbeatConnections() == 20);

        farm.operators.setTarget("node-1", 15);

        await().atMost(WAIT).until(() -> heartbeatConnections() == 15);
        int asked = 0;
        for (String call : hookCalls) {
            Matcher m = COUNT.matcher(call);
            assertThat(m.find()).as(call).isTrue();
            assertThat(m.group(2)).isEqualTo("1012");
            asked += Integer.parseInt(m.group(1));
        }
        assertThat(asked).isEqualTo(5);
    }

    @Test
    void portNobodyListensOnIsWarnedAbout() {
        int port = FreePort.pick();

        sidecar = Sidecar.start(config(port, null));

        assertThat(warned("nothing listens on port " + port)).isTrue();
    }

    @Test
    void redisUnreachableAtStartIsReportedAndRetriedUntilItComes() throws IOException {
        int port = plainServerWith(3);
        redis.stop();

        sidecar = Sidecar.start(config(port, null));
        await().atMost(WAIT).until(() -> warned("Redis unreachable? Retrying"));
        redis.start();

        await().atMost(WAIT).until(() -> heartbeatConnections() == 3);
    }
}
