package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AffinityTest {

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 10_000, 100_000)
            .host("h2", "ws://10.0.0.2:9001", 10_000, 100_000)
            .host("h3", "ws://10.0.0.3:9001", 10_000, 100_000);
    private RunningGateway gw;

    @BeforeEach
    void start() {
        farm.refresh();
        gw = RunningGateway.start(farm);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private String hostOf(HttpResponse<String> r) {
        String location = r.headers().firstValue("Location").orElseThrow();
        return location.substring("http://".length(), location.indexOf(':', "http://".length()));
    }

    private String hostFor(String key) {
        return hostOf(gw.get("/x?client=" + key));
    }

    private static String idOf(String address) {
        return "h" + address.substring(address.lastIndexOf('.') + 1);
    }

    @Test
    void sameClientKeyGoesToTheSameHost() {
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            hosts.add(hostFor("alice"));
        }

        assertThat(hosts).hasSize(1);
    }

    @Test
    void headerKeyActsLikeTheQueryKey() {
        String byQuery = hostFor("bob");

        for (int i = 0; i < 10; i++) {
            assertThat(hostOf(gw.get("/x", "X-Farmgate-Client", "bob"))).isEqualTo(byQuery);
        }
    }

    @Test
    void differentKeysSpreadOverTheHosts() {
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            hosts.add(hostFor("client-" + i));
        }

        assertThat(hosts).hasSize(3);
    }

    @Test
    void overloadedHostGivesItsKeysAwayAndGetsThemBack() {
        String home = hostFor("carol");

        farm.load(idOf(home), 90_000).refresh();
        String away = hostFor("carol");
        farm.load(idOf(home), 10_000).refresh();
        String back = hostFor("carol");

        assertThat(away).isNotEqualTo(home);
        assertThat(back).isEqualTo(home);
    }

    @Test
    void drainedHomeHostSendsTheKeyElsewhere() {
        String home = hostFor("dave");

        farm.setDraining(idOf(home), true);
        farm.refresh();

        for (int i = 0; i < 10; i++) {
            assertThat(hostFor("dave")).isNotEqualTo(home);
        }
    }
}
