package io.farmgate.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven by its chromedriver on a free port, with a fresh profile
 * and no background networking (the machine's closed network refuses it). Tests that need it are
 * skipped, with the reason, where {@code chromium} and {@code chromium-driver} are not installed;
 * {@code .ci/run} installs both. {@link #close} quits exactly the browser and driver started here.
 */
public final class HeadlessChromium implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Skips the calling test class unless Chromium and its driver are installed. */
    public static void assumeAvailable() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
    }

    /**
     * Starts a browser whose profile and driver log live under {@code workDir}.
     *
     * @param extraArgs more Chromium switches, e.g. {@code --window-size=1280,1000}
     */
    public static HeadlessChromium start(Path workDir, String... extraArgs) throws IOException {
        assumeAvailable();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File(workDir.toFile(), "chromedriver.log"))
                .build();
        service.start();
        List<String> args = new ArrayList<>(List.of("--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(workDir.resolve("chromium"))));
        args.addAll(List.of(extraArgs));
        try {
            return new HeadlessChromium(service, new ChromeDriver(service,
                    new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments(args)));
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
