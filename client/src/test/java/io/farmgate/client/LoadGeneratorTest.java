package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeFarm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    private FakeFarm farm;
    private final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFarm() {
        farm = new FakeFarm("host-1", "host-2", "host-3");
    }

    @AfterEach
    void stopFarm() {
        farm.close();
    }

    private LoadgenConfig config(int clients, long durationMillis, long settleMillis) {
        return new LoadgenConfig(farm.gateway().uri(), clients, durationMillis, 500, 40, FrontDoor.ASSIGN, "", 300,
                settleMillis, 500, 11);
    }

    private LoadReport run(LoadgenConfig config) throws InterruptedException {
        return new LoadGenerator(config).run(progress::add);
    }

    @Test
    void fiftyClientsOnThreeHostsReportTheGatewaysSpreadAndLoseNothing() throws InterruptedException {
        LoadReport report = run(config(50, 2_000, 5_000));

        assertThat(report.clientsPerHost()).isEqualTo(new TreeMap<>(Map.of("host-1", 17, "host-2", 17, "host-3", 16)));
        assertThat(report.maxOverMean()).isEqualTo(17 / (50 / 3.0));
        assertThat(report.assignments()).isEqualTo(50);
        assertThat(report.sent()).isGreaterThan(20);
        assertThat(report.confirmed()).isEqualTo(report.sent());
        assertThat(report.lost()).isZero();
        assertThat(report.failedClients()).isZero();
        assertThat(report.passed()).isTrue();
        assertThat(report.latencyP99Nanos()).isGreaterThanOrEqualTo(report.latencyP50Nanos()).isPositive();
    }

    @Test
    void aBackendThatDropsMessagesFailsTheRun() throws InterruptedException {
        farm.backend(1).dropEveryNth(2);

        LoadReport report = run(config(30, 1_500, 1_000));

        assertThat(report.lost()).isPositive().isEqualTo(farm.backend(1).framesDropped());
        assertThat(report.passed()).isFalse();
        assertThat(report.format()).contains("result: FAILED (" + report.lost() + " messages lost)");
    }

    @Test
    void clientsOfAShedHostReconnectToTheOthersAndNothingIsLost() {
        CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> {
            try {
                return run(config(30, 3_000, 5_000));
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> farm.connections() == 30);
        farm.gateway().exclude("host-1");
        farm.backend(0).closeAll(1012, "drain");

        LoadReport report = running.join();

        assertThat(report.clientsPerHost()).containsOnlyKeys("host-2", "host-3");
        assertThat(report.clientsPerHost().values()).containsExactly(15, 15);
        assertThat(report.reconnects()).containsEntry(ReconnectCause.SERVICE_RESTART, 10L);
        assertThat(report.lost()).isZero();
        assertThat(report.passed()).isTrue();
        assertThat(report.format()).contains("reconnects: 10 (service-restart 10,");
    }

    @Test
    void printsAProgressLineEveryInterval() throws InterruptedException {
        run(config(5, 1_200, 2_000));

        assertThat(progress).hasSizeGreaterThanOrEqualTo(2); // at least one while running, one at the end
        assertThat(progress.get(progress.size() - 1)).contains("started 5/5, connected 5,");
    }

    @Test
    void anUnreachableGatewayFailsTheRunSayingWhy() throws IOException, InterruptedException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        LoadgenConfig config = new LoadgenConfig(URI.create("http://127.0.0.1:" + closedPort), 3, 500, 0, 10,
                FrontDoor.ASSIGN, "", 100, 0, 500, 1);

        LoadReport report = run(config);

        assertThat(report.failedClients()).isEqualTo(3);
        assertThat(report.passed()).isFalse();
        assertThat(report.format()).contains("last failed attempt: assignment failed: ConnectException");
    }
}
