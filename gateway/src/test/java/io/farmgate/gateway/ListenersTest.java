package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.LowResourceMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin listener's Jetty, as {@link Listeners#quiet} sets it up. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListenersTest {

    @Test
    void runsNoLowResourceMonitorThatWouldWakeItsSchedulerEverySecond() {
        Javalin plain = Javalin.create(cfg -> cfg.startup.showJavalinBanner = false);
        Javalin quiet = Javalin.create(cfg -> Listeners.quiet(cfg, 8192));
        try {
            plain.start("127.0.0.1", 0);
            quiet.start("127.0.0.1", 0);
            assertThat(plain.jettyServer().server().getBeans(LowResourceMonitor.class))
                    .as("Javalin's default server, which this setup changes").isNotEmpty();
            assertThat(quiet.jettyServer().server().getBeans(LowResourceMonitor.class)).isEmpty();
        } finally {
            plain.stop();
            quiet.stop();
        }
    }
}
