package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timeout sweep of one event loop runs only while the loop has connections. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopStateTest {

    // Header deadline 40 ms: the loop sweeps every 10 ms.
    private static final PublicListener.Limits LIMITS = new PublicListener.Limits(8192, 40, 30_000);

    private final EventLoop loop = new DefaultEventLoop();
    private final LoopState state = new LoopState(LIMITS, new AssignmentTokens(null, 60, Clock.systemUTC()));

    @AfterEach
    void stopLoop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aLoopWithoutConnectionsDoesNotSweep() throws Exception {
        assertThat(onLoop(state::sweeping)).isFalse();
    }

    /** One connection comes and goes, at once (it has no channel to sweep); whether it started the sweep. */
    private boolean connectAndLeave() throws Exception {
        PublicConnection c = new PublicConnection(null, false, null);
        return onLoop(() -> {
            state.add(c, loop);
            boolean sweeping = state.sweeping();
            state.remove(c);
            return sweeping;
        });
    }

    private void awaitSweepStopped() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !onLoop(state::sweeping));
    }

    @Test
    void theFirstConnectionStartsTheSweep() throws Exception {
        assertThat(connectAndLeave()).isTrue();
    }

    @Test
    void theSweepStopsOnceTheLastConnectionIsGone() throws Exception {
        connectAndLeave();
        awaitSweepStopped();
    }

    @Test
    void theNextConnectionAfterAQuietSpellStartsTheSweepAgain() throws Exception {
        connectAndLeave();
        awaitSweepStopped();
        assertThat(connectAndLeave()).isTrue();
    }
}
