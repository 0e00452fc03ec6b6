package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.testing.HeadlessChromium;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in headless Chromium against a gateway over a real Redis with heartbeating hosts.
 * Needs the Debian packages {@code chromium} and {@code chromium-driver}; skipped without them.
 * Leaves screenshots of the charts after a rebalancer wave in {@code target/artifacts/dashboard.png}
 * and {@code dashboard-phone.png}, which {@code .ci/run} collects as build artifacts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {

    @RegisterExtension
    static final RequiredTools chromiumInstalled = HeadlessChromium.required();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path profile;

    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    private final Clock clock = Clock.systemUTC();
    private final AtomicLong sequence = new AtomicLong();
    /** What web-1, web-2 and web-3 report: 100, 200, 300 until a test moves clients. */
    private final AtomicIntegerArray connections = new AtomicIntegerArray(new int[] {100, 200, 300});
    private EventLog events;
    private RegistryConnection agentSide;
    private RegistryConnection gatewaySide;
    private SnapshotSource source;
    private OperatorStore operators;
    private ScheduledExecutorService heartbeats;
    private RunningGateway gateway;

    @BeforeAll
    static void startBrowser() throws IOException {
        chromium = HeadlessChromium.start(profile, "--window-size=1280,1250");
        browser = chromium.driver();
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void startFarm() {
        RegistryConfig config = RegistryConfig.defaults(redis.uri(), "dashboard-test")
                .withHeartbeat(200, 1_000).withRefreshIntervalMillis(100).withCommandTimeoutMillis(500);
        agentSide = RegistryConnection.open(config);
        gatewaySide = RegistryConnection.open(config);
        HeartbeatPublisher publisher = new HeartbeatPublisher(agentSide);
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                long seq = sequence.incrementAndGet();
                for (String id : List.of("web-1", "web-2", "web-3")) {
                    int n = id.charAt(4) - '0';
                    int c = connections.get(n - 1);
                    publisher.publish(new HostReport(id, "ws://10.0.0." + n + ":9001", "10.0.0." + n, "", c,
                            1000, c / 1000.0, HostState.ACTIVE, 1.0, System.currentTimeMillis(), seq));
                }
            } catch (Throwable t) {
                // keep beating
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        source = SnapshotSource.start(gatewaySide, new SnapshotPolicy(1_000, ScoreFormula.DEFAULT, SlowStart.OFF), clock);
        operators = new OperatorStore(gatewaySide, clock);
        events = new EventLog(gatewaySide);
        gateway = RunningGateway.start(source::current,
                new RegistryHostControl(operators, events, clock), b -> b, source::refreshFailures);
        await().atMost(WAIT).until(() -> source.current().hosts().size() == 3);
    }

    @AfterEach
    void stopFarm() {
        heartbeats.shutdownNow();
        gateway.close();
        source.close();
        gatewaySide.close();
        agentSide.close();
    }

    private void logIn() {
        browser.get(gateway.adminUrl("/dashboard").toString());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        browser.findElement(By.id("token")).sendKeys(RunningGateway.ADMIN_TOKEN);
        browser.findElement(By.id("login-button")).click();
    }

    private List<WebElement> hostRows() {
        return browser.findElements(By.cssSelector("#hosts tbody tr"));
    }

    @Test
    void loggedInPageListsTheHostsAndDrawsTheirCharts() {
        logIn();

        awaitPage().untilAsserted(() -> assertThat(hostRows()).extracting(r -> r.getAttribute("data-host"))
                .containsExactly("web-1", "web-2", "web-3"));
        awaitPage().untilAsserted(() -> {
            assertThat(coloured("chart-connections", "#2457c5")).as("web-1's line").isGreaterThan(20);
            assertThat(coloured("chart-connections", "#c4320a")).as("web-2's line").isGreaterThan(20);
            assertThat(coloured("chart-cpu", "#067647")).as("web-3's CPU").isGreaterThan(20);
            assertThat(browser.findElement(By.id("chart-connections")).getAttribute("data-time-labels"))
                    .as("time axis labels").matches("\\d\\d:\\d\\d:\\d\\d( \\d\\d:\\d\\d:\\d\\d)+");
        });
        assertThat(browser.findElements(By.cssSelector(".charts figure canvas"))).hasSize(4);
        // After the first answer the page asks only for what is new.
        awaitPage().untilAsserted(() -> assertThat((Boolean) browser.executeScript(
                "return performance.getEntriesByType('resource').some(function (e) {"
                        + " return e.name.indexOf('/v1/history?seconds=300&after=') >= 0; })")).isTrue());
        assertThat(browser.findElement(By.id("legend")).getText()).contains("web-1", "web-2", "web-3");
        assertThat(browser.findElement(By.id("totals")).getText()).contains("600");
    }

    @Test
    void wrongTokenStaysOnTheLoginForm() {
        browser.get(gateway.adminUrl("/dashboard").toString());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        browser.findElement(By.id("token")).sendKeys("not-the-admin-token-at-all");
        browser.findElement(By.id("login-button")).click();

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(browser.findElement(By.id("login-error")).getText()).contains("refused"));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    @Test
    void tooManyWrongTokensShowTheLockOutOnTheLoginForm() {
        browser.get(gateway.adminUrl("/dashboard").toString());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();

        // Each attempt is refused (401) until the address is locked out (429): then the form says so.
        await().atMost(WAIT).untilAsserted(() -> {
            WebElement field = browser.findElement(By.id("token"));
            field.clear();
            field.sendKeys("not-the-admin-token-at-all");
            browser.findElement(By.id("login-button")).click();
            assertThat(browser.findElement(By.id("login-error")).getText()).contains("too many wrong tokens");
        });
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    @Test
    void drainFromThePageIsStoredInRedisAndShownAsDraining() {
        logIn();
        await().atMost(WAIT).until(() -> !browser.findElements(By.cssSelector("button.drain[data-host='web-2']")).isEmpty());

        // The table is redrawn on every poll: a row found a moment ago may be gone by the click.
        awaitPage().untilAsserted(() -> browser.findElement(By.cssSelector("button.drain[data-host='web-2']")).click());
        browser.switchTo().alert().accept();

        await().atMost(WAIT).until(() -> operators.read("web-2").draining());
        awaitPage().untilAsserted(() -> assertThat(
                browser.findElement(By.cssSelector("#hosts tr[data-host='web-2'] .state")).getText())
                .isEqualTo("draining"));
        assertThat(operators.read("web-1").draining()).isFalse();
    }

    @Test
    void aRebalancerWaveIsMarkedOnTheChartsWithTheTargetAndTheClientsItMoved() throws IOException {
        logIn();
        // Some traffic for the rate charts: keyed clients, each of the first ten back once (a reconnect).
        for (int i = 0; i < 30; i++) {
            assertThat(gateway.get("/v1/assign?client=c" + (i % 20)).statusCode()).isEqualTo(200);
        }
        awaitPage().untilAsserted(() -> assertThat(coloured("chart-connections", "#2457c5")).isGreaterThan(20));

        // The leader's wave, as the rebalancer writes it: a target on web-3 and its shed order in the log.
        long now = System.currentTimeMillis();
        operators.setTarget("web-3", 240);
        events.append(new FarmEvent(FarmEvent.Type.SHED, "web-3", "gateway:gw-test:1", "overloaded", now,
                Map.of("targetConnections", "240", "count", "60", "plan", "shed 60 from 1 host")));
        // web-3 sheds to its target; its clients come back through the gateways to the others.
        await().atMost(WAIT).until(() -> browser.findElement(By.id("waves")).getText().contains("web-3"));
        connections.set(2, 240);
        connections.set(0, 140);
        connections.set(1, 220);
        for (int i = 0; i < 20; i++) {
            assertThat(gateway.get("/v1/assign?client=c" + i).statusCode()).isEqualTo(200);
        }

        awaitPage().untilAsserted(() -> {
            WebElement chart = browser.findElement(By.id("chart-connections"));
            assertThat(chart.getAttribute("data-waves")).isEqualTo("1");
            assertThat(coloured("chart-connections", "#c11574")).as("the wave's mark").isGreaterThan(30);
            assertThat(coloured("chart-reconnects", "#0e9384")).as("reconnects drawn").isGreaterThan(10);
            assertThat(coloured("chart-assignments", "#2457c5")).as("assignments drawn").isGreaterThan(10);
            assertThat(browser.findElement(By.cssSelector("#hosts tr[data-host='web-1'] td:nth-child(4)")).getText())
                    .startsWith("140 ");
        });
        assertThat(browser.findElement(By.cssSelector("#waves li[data-wave]")).getText())
                .contains("gateway:gw-test:1", "web-3", "60 connection");
        // A few seconds of the new level, so the screenshot shows the step after the mark.
        long shownFrom = System.currentTimeMillis();
        await().atMost(WAIT).until(() -> System.currentTimeMillis() - shownFrom >= 2_000);

        screenshot("dashboard.png");

        // On a phone the charts stack and shrink to the screen.
        Dimension desktop = browser.manage().window().getSize();
        try {
            browser.manage().window().setSize(new Dimension(420, 1600));
            awaitPage().untilAsserted(() -> assertThat(
                    browser.findElement(By.cssSelector("#chart-connections canvas")).getSize().getWidth())
                    .isLessThan(420));
            assertThat(coloured("chart-connections", "#c11574")).as("the wave's mark").isGreaterThan(30);
            screenshot("dashboard-phone.png");
        } finally {
            browser.manage().window().setSize(desktop);
        }
    }

    private void screenshot(String name) throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path artifact = Path.of("target", "artifacts", name);
        Files.createDirectories(artifact.getParent());
        Files.copy(shot, artifact, StandardCopyOption.REPLACE_EXISTING);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(artifact.toFile());
        assertThat(image).as("a PNG of the page").isNotNull();
        assertThat(image.getWidth()).isGreaterThan(100);
    }

    /** Pixels of about this colour ({@code #rrggbb}) on the canvas of the chart with this id. */
    private long coloured(String chartId, String colour) {
        Object n = browser.executeScript("""
                var canvas = document.querySelector('#' + arguments[0] + ' canvas'), colour = arguments[1];
                if (!canvas) { return 0; }
                var rgb = [1, 3, 5].map(function (i) { return parseInt(colour.substr(i, 2), 16); });
                var d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data, n = 0;
                for (var i = 0; i < d.length; i += 4) {
                  if (Math.abs(d[i] - rgb[0]) <= 12 && Math.abs(d[i + 1] - rgb[1]) <= 12
                      && Math.abs(d[i + 2] - rgb[2]) <= 12 && d[i + 3] > 200) { n++; }
                }
                return n;""", chartId, colour);
        return ((Number) n).longValue();
    }

    /** Waits on the page, retrying reads of elements the dashboard's polling redrew meanwhile. */
    private static org.awaitility.core.ConditionFactory awaitPage() {
        return await().atMost(WAIT).ignoreException(org.openqa.selenium.StaleElementReferenceException.class);
    }
}
