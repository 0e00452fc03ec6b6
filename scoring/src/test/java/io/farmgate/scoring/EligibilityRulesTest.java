package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The snapshot's verdicts that edges used to decide for themselves: unusable URLs and draining. */
@Timeout(10)
class EligibilityRulesTest {

    private static HostReport withUrl(String id, String url) {
        return new HostReport(id, url, "10.0.0.1", "", 0, 100, 0.0, HostState.ACTIVE, 1.0, 0L, 1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a url", "ftp://h:1", "ws://user@h:1", "ws://h:1/?q=1", "ws://h:1/#f",
            "/relative", "ws://h:1/\u00e9", "ws://h :1"})
    void aHostWhoseUrlNoClientCanBeSentToIsIneligibleAndSaysWhy(String url) {
        FarmSnapshot s = Reports.firstSnapshot(List.of(withUrl("bad", url), withUrl("good", "ws://10.0.0.2:9001")));

        assertThat(s.host("bad").eligibility()).isEqualTo(Eligibility.UNUSABLE_URL);
        assertThat(s.eligibleCount()).isEqualTo(1);
        assertThat(s.eligible(0).id()).isEqualTo("good");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws://10.0.0.2:9001", "wss://h.example:443/base/", "http://h", "HTTPS://H:1/p"})
    void usableUrlsStayEligible(String url) {
        assertThat(Reports.firstSnapshot(List.of(withUrl("h", url))).host("h").eligibility())
                .isEqualTo(Eligibility.ELIGIBLE);
        assertThat(AdvertisedUrl.parse(url)).isPresent();
    }

    @Test
    void aUrlFixedInTheNextHeartbeatMakesTheHostEligible() {
        FarmSnapshot s = Reports.firstSnapshot(List.of(withUrl("h", "nope")));
        HostReport fixed = new HostReport("h", "ws://10.0.0.1:1", "10.0.0.1", "", 0, 100, 0.0, HostState.ACTIVE, 1.0,
                0L, 2L);

        assertThat(s.next(List.of(fixed), Map.of(), Reports.T0 + 100).host("h").eligibility())
                .isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void drainingIsTheHostsOwnSayOrTheOperators() {
        FarmSnapshot s = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(List.of(
                Reports.report("self", 1).withState(HostState.DRAINING), Reports.report("op", 1),
                Reports.report("no", 1)), Map.of("op", OperatorState.DEFAULT.withDraining(true, 0L)), Reports.T0);

        assertThat(s.host("self").draining()).isTrue();
        assertThat(s.host("op").draining()).isTrue();
        assertThat(s.host("no").draining()).isFalse();
        assertThat(s.host("self").eligibility()).isEqualTo(Eligibility.DRAINING);
        assertThat(s.host("op").eligibility()).isEqualTo(Eligibility.DRAINING);
    }
}
