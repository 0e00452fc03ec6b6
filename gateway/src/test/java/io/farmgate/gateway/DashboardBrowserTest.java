package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.EventLog;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in headless Chromium against a gateway over a real Redis with heartbeating hosts.
 * Needs the Debian packages {@code chromium} and {@code chromium-driver}; skipped without them.
 * Leaves a screenshot in {@code target/artifacts/dashboard.png}, which {@code .ci/run} collects as a
 * build artifact.
 */
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
    private RegistryConnection agentSide;
    private RegistryConnection gatewaySide;
    private SnapshotSource source;
    private OperatorStore operators;
    private ScheduledExecutorService heartbeats;
    private RunningGateway gateway;

    @BeforeAll
    static void startBrowser() throws IOException {
        chromium = HeadlessChromium.start(profile, "--window-size=1280,1000");
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
                    publisher.publish(new HostReport(id, "ws://10.0.0." + n + ":9001", "10.0.0." + n, "", 100 * n,
                            1000, 0.1 * n, HostState.ACTIVE, 1.0, System.currentTimeMillis(), seq));
                }
            } catch (Throwable t) {
                // keep beating
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        source = SnapshotSource.start(gatewaySide, new SnapshotPolicy(1_000, ScoreFormula.DEFAULT, SlowStart.OFF), clock);
        operators = new OperatorStore(gatewaySide, clock);
        gateway = RunningGateway.start(source::current,
                new RegistryHostControl(operators, new EventLog(gatewaySide), clock), b -> b, source::refreshFailures);
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
            List<WebElement> lines = browser.findElements(By.cssSelector("#chart-connections polyline"));
            assertThat(lines).hasSize(3);
            assertThat(lines).allSatisfy(l -> assertThat(l.getAttribute("points")).contains(","));
            assertThat(browser.findElements(By.cssSelector("#chart-cpu polyline"))).hasSize(3);
        });
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
    void drainFromThePageIsStoredInRedisAndShownAsDraining() throws IOException {
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
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path artifact = Path.of("target", "artifacts", "dashboard.png");
        Files.createDirectories(artifact.getParent());
        Files.copy(shot, artifact, StandardCopyOption.REPLACE_EXISTING);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(artifact.toFile());
        assertThat(image).as("a PNG of the page").isNotNull();
        assertThat(image.getWidth()).isGreaterThan(100);
    }

    /** Waits on the page, retrying reads of elements the dashboard's polling redrew meanwhile. */
    private static org.awaitility.core.ConditionFactory awaitPage() {
        return await().atMost(WAIT).ignoreException(org.openqa.selenium.StaleElementReferenceException.class);
    }
}
