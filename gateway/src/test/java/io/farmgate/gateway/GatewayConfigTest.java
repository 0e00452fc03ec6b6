package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    private static GatewayConfig.Builder valid() {
        return RunningGateway.config();
    }

    @Test
    void defaultsAreValid() {
        GatewayConfig c = valid().build();

        assertThat(c.tokenTtlSeconds()).isEqualTo(60);
        assertThat(c.snapshotMaxStaleMillis()).isGreaterThan(c.snapshotFreshMillis());
    }

    @Test
    void shortAdminTokenIsRefusedNamingTheField() {
        assertThatThrownBy(() -> valid().adminToken("short").build())
                .hasMessage("adminToken: 5 characters (expected: at least 16 characters)");
    }

    @Test
    void adminTokenWithSpacesIsRefused() {
        assertThatThrownBy(() -> valid().adminToken("sixteen chars and a space").build())
                .hasMessageStartingWith("adminToken:");
    }

    @Test
    void shortTokenSecretIsRefused() {
        assertThatThrownBy(() -> valid().tokenSecret("tiny").build())
                .hasMessage("tokenSecret: 4 bytes (expected: at least 16 bytes)");
    }

    @Test
    void failedLoginLimitOutOfRangeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> valid().adminMaxFailedLogins(0).build())
                .hasMessage("adminMaxFailedLogins: 0 (expected: in [1, 1000000])");
    }

    @Test
    void failedLoginWindowOutOfRangeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> valid().adminFailedLoginWindowMillis(999).build())
                .hasMessage("adminFailedLoginWindowMillis: 999 (expected: in [1000, 86400000])");
    }

    @Test
    void headerAndIdleTimeoutsOutOfRangeAreRefusedNamingTheField() {
        assertThatThrownBy(() -> valid().headerReadTimeoutMillis(99).build())
                .hasMessage("headerReadTimeoutMillis: 99 (expected: in [100, 600000])");
        assertThatThrownBy(() -> valid().idleTimeoutMillis(0).build())
                .hasMessage("idleTimeoutMillis: 0 (expected: in [100, 3600000])");
    }

    @Test
    void maxStaleMustExceedFresh() {
        assertThatThrownBy(() -> valid().snapshotFreshMillis(10_000).snapshotMaxStaleMillis(5_000).build())
                .hasMessageStartingWith("snapshotMaxStaleMillis: 5000 (expected: > snapshotFreshMillis");
    }

    @Test
    void badTrustedProxyIsRefused() {
        assertThatThrownBy(() -> valid().trustedProxies(List.of("10.0.0.0/8", "gw.internal")).build())
                .hasMessageStartingWith("trustedProxies: 'gw.internal'");
    }

    @Test
    void corsOriginWithAPathIsRefused() {
        assertThatThrownBy(() -> valid().corsOrigins(List.of("https://app.example.com/x")).build())
                .hasMessageStartingWith("corsOrigins: 'https://app.example.com/x'");
    }

    @Test
    void sameFixedPortForPublicAndAdminIsRefused() {
        assertThatThrownBy(() -> valid().listen(new ListenAddress("127.0.0.1", 8080))
                .adminListen(new ListenAddress("127.0.0.1", 8080)).build())
                .hasMessageStartingWith("adminListen: 127.0.0.1:8080");
    }

    @Test
    void toStringKeepsSecretsOut() {
        String s = valid().tokenSecret("a-secret-of-at-least-16-bytes").build().toString();

        assertThat(s).doesNotContain(RunningGateway.ADMIN_TOKEN).doesNotContain("a-secret-of");
    }

    @Test
    void listenAddressParsesHostPortIpv6AndBarePort() {
        assertThat(ListenAddress.parse("listen", "127.0.0.1:8080")).isEqualTo(new ListenAddress("127.0.0.1", 8080));
        assertThat(ListenAddress.parse("listen", "[::1]:9")).isEqualTo(new ListenAddress("::1", 9));
        assertThat(ListenAddress.parse("listen", ":8081")).isEqualTo(new ListenAddress("0.0.0.0", 8081));
        assertThatThrownBy(() -> ListenAddress.parse("adminListen", "localhost:99999"))
                .hasMessage("adminListen: 'localhost:99999' (expected: HOST:PORT with PORT in [0, 65535])");
        assertThatThrownBy(() -> ListenAddress.parse("listen", "8080"))
                .hasMessage("listen: '8080' (expected: HOST:PORT)");
    }
}
