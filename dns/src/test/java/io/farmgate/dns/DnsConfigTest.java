package io.farmgate.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Defaults and validation of the one config record. */
class DnsConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        DnsConfig c = DnsConfig.builder("Farm.Example.COM").build();

        assertThat(c.zone()).isEqualTo("farm.example.com.");
        assertThat(c.ttlSeconds()).isEqualTo(5);
        assertThat(c.answerCount()).isEqualTo(1);
        assertThat(c.ednsMaxPayload()).isEqualTo(1232);
        assertThat(c.rateLimit()).isEqualTo(DnsConfig.RateLimit.DEFAULT);
        assertThat(c.nameServers()).containsExactly(
                new DnsConfig.NameServer("ns1.farm.example.com.", List.of("127.0.0.1")));
        assertThat(c.soa().minimumSeconds()).isEqualTo(5);
        assertThat(c.fallbackAddresses()).isEmpty();
    }

    @Test
    void clientsPerAnswerIsCacheLifetimeTimesClientRate() {
        DnsConfig c = DnsConfig.builder("farm.example.com").answerCacheSeconds(60).newClientsPerCacheSecond(0.25).build();

        assertThat(c.clientsPerAnswer()).isEqualTo(15);
    }

    @Test
    void clientsPerAnswerIsAtLeastOne() {
        DnsConfig c = DnsConfig.builder("farm.example.com").answerCacheSeconds(0).build();

        assertThat(c.clientsPerAnswer()).isEqualTo(1);
    }

    @Test
    void rootZoneIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder(".")).hasMessageStartingWith("zone: '.'");
    }

    @Test
    void malformedZoneIsRejectedNamingTheField() {
        assertThatThrownBy(() -> DnsConfig.builder("a..b")).hasMessageStartingWith("zone: 'a..b'");
    }

    @Test
    void zeroTtlIsRejectedWithTheExpectedRange() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").ttlSeconds(0).build())
                .hasMessage("ttlSeconds: 0 (expected: in [1, 86400])");
    }

    @Test
    void answerCountAboveTheMaximumIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").answerCount(65).build())
                .hasMessage("answerCount: 65 (expected: in [1, 64])");
    }

    @Test
    void ednsPayloadBelow512IsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").ednsMaxPayload(100).build())
                .hasMessage("ednsMaxPayload: 100 (expected: in [512, 4096])");
    }

    @Test
    void hostnameAsListenHostIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").listenHost("localhost").build())
                .hasMessageStartingWith("listenHost: 'localhost'");
    }

    @Test
    void nonLiteralFallbackAddressIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").fallbackAddresses(List.of("backup.example.com")).build())
                .hasMessageStartingWith("fallbackAddresses: 'backup.example.com'");
    }

    @Test
    void inZoneNameServerWithoutGlueIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com")
                .nameServers(List.of(new DnsConfig.NameServer("ns1.farm.example.com", List.of()))).build())
                .hasMessageStartingWith("nameServers.addresses: []");
    }

    @Test
    void outOfZoneNameServerNeedsNoGlue() {
        DnsConfig c = DnsConfig.builder("farm.example.com")
                .nameServers(List.of(new DnsConfig.NameServer("ns.provider.net", List.of()))).build();

        assertThat(c.nameServers()).extracting(DnsConfig.NameServer::name).containsExactly("ns.provider.net.");
    }

    @Test
    void emptyNameServerListIsRejected() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").nameServers(List.of()).build())
                .hasMessageStartingWith("nameServers: []");
    }

    @Test
    void rateLimitFieldsAreValidatedByName() {
        assertThatThrownBy(() -> new DnsConfig.RateLimit(-1, 2, 1024))
                .hasMessage("rateLimit.responsesPerSecond: -1 (expected: in [0, 1000000])");
        assertThatThrownBy(() -> new DnsConfig.RateLimit(10, 2, 4))
                .hasMessage("rateLimit.tableSize: 4 (expected: in [16, 16777216])");
    }

    @Test
    void soaFieldsAreValidatedByName() {
        assertThatThrownBy(() -> new DnsConfig.Soa("hostmaster.example.com", 1, 0, 600, 86_400, 5))
                .hasMessage("soa.refreshSeconds: 0 (expected: in [1, 2147483647])");
    }

    @Test
    void tcpAndThreadLimitsAreValidatedByName() {
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").tcpMaxConnections(0).build())
                .hasMessage("tcpMaxConnections: 0 (expected: in [1, 100000])");
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").udpThreads(0).build())
                .hasMessage("udpThreads: 0 (expected: in [1, 256])");
        assertThatThrownBy(() -> DnsConfig.builder("farm.example.com").tcpIdleTimeoutMillis(0).build())
                .hasMessage("tcpIdleTimeoutMillis: 0 (expected: in [1, 3600000])");
    }

    @Test
    void toBuilderRoundTrips() {
        DnsConfig c = DnsConfig.builder("farm.example.com").port(53).answerCount(2).build();

        assertThat(c.toBuilder().build()).isEqualTo(c);
    }
}
