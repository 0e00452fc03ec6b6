package io.farmgate.testing;

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
 * and no background networking (the machine's closed network refuses it). Both are found on PATH
 * through {@link ExternalTool}: tests that need them are skipped, naming the missing one and its
 * package ({@code chromium}, {@code chromium-driver}), or fail under {@code FARMGATE_REQUIRE_ALL_TOOLS=1};
 * {@code .ci/run} installs both. {@link #close} quits exactly the browser and driver started here.
 */
public final class HeadlessChromium implements AutoCloseable {

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /**
     * Skips (or, strictly, fails) a test class unless Chromium and its driver are on PATH:
     * {@code @RegisterExtension static final RequiredTools chromium = HeadlessChromium.required();}
     */
    public static RequiredTools required() {
        return new RequiredTools(ExternalTool.CHROMIUM, ExternalTool.CHROMEDRIVER);
    }

    /**
     * Starts a browser whose profile and driver log live under {@code workDir}.
     *
     * @param extraArgs more Chromium switches, e.g. {@code --window-size=1280,1000}
     */
    public static HeadlessChromium start(Path workDir, String... extraArgs) throws IOException {
        Path chromium = ExternalTool.CHROMIUM.require();
        Path chromedriver = ExternalTool.CHROMEDRIVER.require();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
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
                    new ChromeOptions().setBinary(chromium.toFile()).addArguments(args)));
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
