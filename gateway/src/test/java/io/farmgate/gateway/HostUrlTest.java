package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostUrlTest {

    private static HostUrl parse(String url) {
        return HostUrl.parse(url).orElseThrow();
    }

    @Test
    void plainWebSocketHostGetsWsForUpgradesAndHttpOtherwise() {
        HostUrl u = parse("ws://10.0.0.1:9001");

        assertThat(u.base(true)).isEqualTo("ws://10.0.0.1:9001");
        assertThat(u.base(false)).isEqualTo("http://10.0.0.1:9001");
    }

    @Test
    void secureHostGetsWssOrHttps() {
        assertThat(parse("https://h.example:8443").base(true)).isEqualTo("wss://h.example:8443");
        assertThat(parse("wss://h.example").base(false)).isEqualTo("https://h.example");
    }

    @Test
    void basePathIsKeptWithoutItsTrailingSlash() {
        assertThat(parse("ws://[::1]:9001/app/").base(true)).isEqualTo("ws://[::1]:9001/app");
    }

    @Test
    void urlsThatCouldBreakAHeaderOrMisleadAreRefused() {
        assertThat(HostUrl.parse("ws://10.0.0.1:9001/\r\nSet-Cookie: x")).isEmpty();
        assertThat(HostUrl.parse("ws://10.0.0.1:9001/ x")).isEmpty();
        assertThat(HostUrl.parse("ftp://10.0.0.1")).isEmpty();
        assertThat(HostUrl.parse("ws://user:pw@10.0.0.1")).isEmpty();
        assertThat(HostUrl.parse("ws://10.0.0.1/?q=1")).isEmpty();
        assertThat(HostUrl.parse("ws://10.0.0.1/#f")).isEmpty();
        assertThat(HostUrl.parse("/relative")).isEmpty();
        assertThat(HostUrl.parse("ws://h\u00e9.example")).isEmpty();
    }
}
