package io.farmgate.dns;

import static io.farmgate.dns.ResponseRateLimiter.Verdict.DROP;
import static io.farmgate.dns.ResponseRateLimiter.Verdict.SEND;
import static io.farmgate.dns.ResponseRateLimiter.Verdict.SLIP;
import static io.farmgate.dns.Farms.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RRL policy alone, on a clock the test moves. */
class ResponseRateLimiterTest {

    private static final long KEY = 42;
    private final TestClock clock = new TestClock(1_000_000);

    private ResponseRateLimiter limiter(int perSecond, int slip) {
        return new ResponseRateLimiter(new DnsConfig.RateLimit(perSecond, slip, 1024), clock);
    }

    private static List<ResponseRateLimiter.Verdict> verdicts(ResponseRateLimiter rrl, String client, int n) {
        List<ResponseRateLimiter.Verdict> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(rrl.check(ip(client), KEY));
        }
        return out;
    }

    @Test
    void ipv4PrefixIsTheFirstThreeOctets() {
        long prefix = ResponseRateLimiter.prefix(ip("198.51.100.7"));

        assertThat(prefix).isEqualTo(4L << 56 | 198L << 16 | 51L << 8 | 100L);
        assertThat(ResponseRateLimiter.prefix(ip("198.51.100.250"))).isEqualTo(prefix);
        assertThat(ResponseRateLimiter.prefix(ip("198.51.101.7"))).isNotEqualTo(prefix);
        assertThat(ResponseRateLimiter.prefix(ip("199.51.100.7"))).isNotEqualTo(prefix);
    }

    @Test
    void oneSecondOfResponsesPassesThenTheRestIsLimited() {
        ResponseRateLimiter rrl = limiter(5, 0);

        assertThat(verdicts(rrl, "192.0.2.1", 7)).containsExactly(SEND, SEND, SEND, SEND, SEND, DROP, DROP);
    }

    @Test
    void budgetRefillsAtTheConfiguredRate() {
        ResponseRateLimiter rrl = limiter(5, 0);
        verdicts(rrl, "192.0.2.1", 6);

        clock.advanceMillis(200); // one response's worth at 5/s

        assertThat(verdicts(rrl, "192.0.2.1", 2)).containsExactly(SEND, DROP);
    }

    @Test
    void everySlipThLimitedResponseIsSentTruncated() {
        ResponseRateLimiter rrl = limiter(1, 2);

        assertThat(verdicts(rrl, "192.0.2.1", 6)).containsExactly(SEND, DROP, SLIP, DROP, SLIP, DROP);
    }

    @Test
    void slipOfOneTruncatesEveryLimitedResponse() {
        ResponseRateLimiter rrl = limiter(1, 1);

        assertThat(verdicts(rrl, "192.0.2.1", 3)).containsExactly(SEND, SLIP, SLIP);
    }

    @Test
    void clientsOfOneSlash24ShareABudget() {
        ResponseRateLimiter rrl = limiter(2, 0);
        verdicts(rrl, "192.0.2.1", 2);

        assertThat(rrl.check(ip("192.0.2.200"), KEY)).isEqualTo(DROP);
        assertThat(rrl.check(ip("192.0.3.1"), KEY)).isEqualTo(SEND);
    }

    @Test
    void clientsOfOneSlash56ShareABudget() {
        ResponseRateLimiter rrl = limiter(2, 0);
        verdicts(rrl, "2001:db8:0:aa00::1", 2);

        assertThat(rrl.check(ip("2001:db8:0:aaff::9"), KEY)).isEqualTo(DROP);
        assertThat(rrl.check(ip("2001:db8:0:ab00::1"), KEY)).isEqualTo(SEND);
    }

    @Test
    void differentResponsesToOnePrefixHaveTheirOwnBudgets() {
        ResponseRateLimiter rrl = limiter(1, 0);
        rrl.check(ip("192.0.2.1"), 1);

        assertThat(rrl.check(ip("192.0.2.1"), 1)).isEqualTo(DROP);
        assertThat(rrl.check(ip("192.0.2.1"), 2)).isEqualTo(SEND);
    }

    @Test
    void manyPrefixesNeverGrowTheTableAndFreshOnesAreServed() {
        ResponseRateLimiter rrl = new ResponseRateLimiter(new DnsConfig.RateLimit(1, 0, 16), clock);
        int sent = 0;
        for (int i = 0; i < 10_000; i++) {
            InetAddress client = ip("10." + (i >> 8 & 0xFF) + "." + (i & 0xFF) + ".1");
            if (rrl.check(client, KEY) == SEND) {
                sent++;
            }
        }
        // Every prefix is new, so each gets its first response; only 16 slots were ever used.
        assertThat(sent).isEqualTo(10_000);
    }

    @Test
    void limiterNeedsAPositiveRate() {
        assertThatThrownBy(() -> new ResponseRateLimiter(DnsConfig.RateLimit.OFF, clock))
                .hasMessageContaining("rateLimit.responsesPerSecond");
    }
}
