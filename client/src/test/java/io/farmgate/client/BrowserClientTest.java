package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeBackend;
import io.farmgate.client.fake.FakeChatRoom;
import io.farmgate.client.fake.FakeFarm;
import io.farmgate.client.fake.FakeGateway;
import io.farmgate.testing.HeadlessChromium;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * farmgate-client.js in headless Chromium, served by the fake gateway as {@code /v1/client.js}, against fake
 * backends. Needs the Debian packages {@code chromium} and {@code chromium-driver}; skipped without them.
 */
class BrowserClientTest {

    @RegisterExtension
    static final RequiredTools chromiumInstalled = HeadlessChromium.required();

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path profile;

    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    private FakeFarm farm;
    private FakeChatRoom room;
    private FakeBackend a;
    private FakeBackend b;
    private FakeGateway gateway;

    @BeforeAll
    static void startBrowser() throws IOException {
        chromium = HeadlessChromium.start(profile);
        browser = chromium.driver();
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void startFarmAndPage() {
        farm = new FakeFarm("host-a", "host-b");
        room = farm.room();
        a = farm.backend(0);
        b = farm.backend(1);
        gateway = farm.gateway();
        browser.get(gateway.uri() + "/pages/chat-test.html");
        await().atMost(WAIT).until(() -> "open".equals(js("return fg.state")));
    }

    @AfterEach
    void stopFarm() {
        js("fg.close()");
        farm.close();
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private long number(String script) {
        return ((Number) js(script)).longValue();
    }

    @SuppressWarnings("unchecked")
    private List<String> strings(String script) {
        return (List<String>) js(script);
    }

    @Test
    void reconnectsAfterAShedAndDeliversMessagesQueuedMeanwhileExactlyOnce() {
        js("window.ids = [fg.send('before 1'), fg.send('before 2')]");
        await().atMost(WAIT).until(() -> number("return fg.stats().confirmed") == 2);

        gateway.hold(); // the page sits between two connections until released
        a.closeAll(1012, "shed");
        await().atMost(WAIT).until(() -> gateway.requests() == 2);
        js("for (var i = 0; i < 3; i++) { ids.push(fg.send('while away ' + i)); }");
        assertThat(js("return fg.state")).isEqualTo("connecting");
        assertThat(number("return fg.stats().pending")).isEqualTo(3);
        List<String> ids = strings("return ids");
        assertThat(ids.subList(2, 5)).noneMatch(room::hasAccepted);

        gateway.release();

        await().atMost(WAIT).until(() -> number("return fg.stats().confirmed") == 5);
        assertThat(strings("return events.connected")).containsExactly("host-a", "host-b");
        assertThat(number("return fg.stats().reconnects['service-restart']")).isEqualTo(1);
        assertThat(strings("return events.received")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).allSatisfy(id -> assertThat(room.timesOffered(id)).isEqualTo(1));
    }

    @Test
    void resendsMessagesTheShedHostNeverConfirmed() {
        a.behave(FakeBackend.Behaviour.DROP_ALL);
        js("window.ids = [fg.send({n: 1}), fg.send({n: 2})]");
        await().atMost(WAIT).until(() -> a.framesDropped() == 2);
        assertThat(number("return fg.stats().pending")).isEqualTo(2);

        a.closeAll(1012, "shed");

        await().atMost(WAIT).until(() -> number("return fg.stats().confirmed") == 2);
        assertThat(number("return fg.stats().resent")).isEqualTo(2);
        assertThat(strings("return events.connected")).containsExactly("host-a", "host-b");
        assertThat(strings("return ids")).allSatisfy(id -> assertThat(room.timesOffered(id)).isEqualTo(1));
    }

    @Test
    void firstRetryAfterAShedFallsWithinTheWindow() {
        a.closeAll(1012, "shed");

        await().atMost(WAIT).until(() -> number("return events.retries.length") == 1);
        assertThat(number("return events.retries[0]")).isBetween(0L, 199L);
        assertThat(number("return events.disconnects[0]")).isEqualTo(1012);
    }

    @Test
    void movesOnToTheNextGatewayWhenOneCannotBeReachedAndStaysWithIt() throws IOException {
        js("fg.close()");
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again: connections there are refused
        }
        String dead = "http://127.0.0.1:" + deadPort;
        js("window.seen = { connected: [], failovers: [] };"
                + "window.fg = new FarmgateClient({ gateways: ['" + dead + "', location.origin],"
                + " firstRetryWindowMs: 200, initialRetryDelayMs: 50, maxRetryDelayMs: 200,"
                + " onConnected: function (a) { seen.connected.push(a.hostId); },"
                + " onFailover: function (from, to) { seen.failovers.push(from + ' -> ' + to); } });"
                + "fg.start();");

        await().atMost(WAIT).until(() -> "open".equals(js("return fg.state")));
        assertThat(strings("return seen.failovers")).containsExactly(dead + " -> " + gateway.uri());

        a.closeAll(1012, "shed");
        b.closeAll(1012, "shed");
        await().atMost(WAIT).until(() -> number("return seen.connected.length") == 2);
        // The reconnect asked the gateway that answered last, not the unreachable one first again.
        assertThat(number("return fg.stats().gatewayFailovers")).isEqualTo(1);
    }

    @Test
    void waitsForTheRetryAfterOfA503() {
        js("fg.close()");
        farm.gateway().answerUnavailable(1, "1");

        browser.get(farm.gateway().uri() + "/pages/chat-test.html");

        await().atMost(WAIT).until(() -> "open".equals(js("return fg.state")));
        assertThat(number("return fg.stats().noHostAnswers")).isEqualTo(1);
        assertThat(number("return events.retries[0]")).isBetween(1_000L, 1_250L);
    }
}
