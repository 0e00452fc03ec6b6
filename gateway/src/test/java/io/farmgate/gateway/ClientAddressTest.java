package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindProxies = new ClientAddress(List.of("10.0.0.0/8", "::1"));

    @Test
    void withoutTrustedProxiesThePeerIsTheClient() {
        assertThat(new ClientAddress(List.of()).of("10.1.1.1", "203.0.113.5")).isEqualTo("10.1.1.1");
    }

    @Test
    void untrustedPeerCannotClaimAnotherAddress() {
        assertThat(behindProxies.of("198.51.100.7", "203.0.113.5")).isEqualTo("198.51.100.7");
    }

    @Test
    void trustedProxyChainYieldsTheFirstUntrustedHopFromTheRight() {
        assertThat(behindProxies.of("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.9.9.9")).isEqualTo("203.0.113.5");
    }

    @Test
    void ipv6LoopbackProxyIsTrusted() {
        assertThat(behindProxies.of("0:0:0:0:0:0:0:1", "2001:db8::5")).isEqualTo("2001:db8::5");
    }

    @Test
    void garbageInTheChainStopsAtTheLastReadableHop() {
        assertThat(behindProxies.of("10.0.0.2", "evil.example, 10.0.0.3")).isEqualTo("10.0.0.3");
    }

    @Test
    void cidrMatchesOnlyItsPrefix() {
        AddressRange r = AddressRange.parse("f", "192.168.4.0/22");

        assertThat(r.contains(AddressRange.literal("192.168.7.255"))).isTrue();
        assertThat(r.contains(AddressRange.literal("192.168.8.0"))).isFalse();
        assertThat(r.contains(AddressRange.literal("::1"))).isFalse();
    }

    @Test
    void namesAreRefusedNotLookedUp() {
        assertThat(AddressRange.literal("localhost")).isNull();
        assertThat(AddressRange.literal("1.2.3")).isNull();
        assertThat(AddressRange.literal("1.2.3.256")).isNull();
        assertThatThrownBy(() -> AddressRange.parse("trustedProxies", "proxy.internal"))
                .hasMessageStartingWith("trustedProxies: 'proxy.internal'");
        assertThatThrownBy(() -> AddressRange.parse("trustedProxies", "10.0.0.0/33"))
                .hasMessageContaining("prefix length");
    }
}
