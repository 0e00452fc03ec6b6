package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeFarm;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The drain scenario at full size against the fakes: 1,000 clients on three hosts, one host drained
 * with 1012 spread over 10 s. About 45 s, so it is tagged and left out of the default build; run it with
 * {@code mvn -B -o verify -pl client -Dgroups=scenario -Dclient.excludedGroups= -Dtest=DrainScenarioTest}.
 * The report (spread, reconnect rate peak/mean, latency) is printed to the test's output.
 */
@Tag("scenario")
class DrainScenarioTest {

    @Test
    void aThousandClientsLeaveADrainedHostForTheOtherTwoLosingNothing() {
        try (FakeFarm farm = new FakeFarm("host-1", "host-2", "host-3")) {
            LoadgenConfig config = new LoadgenConfig(farm.gateway().uri(), 1_000, 30_000, 5_000, 20, FrontDoor.ASSIGN, "",
                    5_000, 15_000, 2_000, 1);
            CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadGenerator(config).run(System.out::println);
                } catch (InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> farm.connections() >= 1_000);
            farm.gateway().exclude("host-1");
            farm.backend(0).closeSpread(1012, 10_000);

            LoadReport report = running.join();
            System.out.println(report.format());

            assertThat(report.clientsPerHost()).containsOnlyKeys("host-2", "host-3");
            assertThat(report.reconnects()).containsEntry(ReconnectCause.SERVICE_RESTART, 334L);
            assertThat(report.lost()).isZero();
            assertThat(report.passed()).isTrue();
        }
    }
}
