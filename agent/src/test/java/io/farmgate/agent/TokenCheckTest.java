package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.token.AssignmentToken;
import io.farmgate.scoring.token.AssignmentToken.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenCheckTest {

    private static final byte[] SECRET = "0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final long NOW_SECONDS = 1_800_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW_SECONDS), ZoneOffset.UTC);

    private final AssignmentToken gateway = new AssignmentToken(SECRET);
    private final TokenCheck check = new TokenCheck(SECRET, "host-a", CLOCK, Duration.ofSeconds(5));

    @Test
    void tokenSignedForThisHostIsValid() {
        assertThat(check.check(gateway.sign("host-a", "client-1", NOW_SECONDS + 30))).isEqualTo(Verdict.VALID);
    }

    @Test
    void tokenForAnotherHostIsRefused() {
        assertThat(check.check(gateway.sign("host-b", "", NOW_SECONDS + 30))).isEqualTo(Verdict.WRONG_HOST);
    }

    @Test
    void tokenExpiredWithinTheSkewIsStillAccepted() {
        assertThat(check.check(gateway.sign("host-a", "", NOW_SECONDS - 5))).isEqualTo(Verdict.VALID);
    }

    @Test
    void replayedTokenExpiredBeyondTheSkewIsRefused() {
        assertThat(check.check(gateway.sign("host-a", "", NOW_SECONDS - 6))).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void tokenSignedWithAnotherSecretIsRefused() {
        var stranger = new AssignmentToken("another-secret-of-16+bytes".getBytes(StandardCharsets.UTF_8));

        assertThat(check.check(stranger.sign("host-a", "", NOW_SECONDS + 30))).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void missingTokenIsMalformed() {
        assertThat(check.check(null)).isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void tokenForAnotherHostRewrittenToNameThisHostIsForged() {
        String forHostB = gateway.sign("host-b", "client-1", NOW_SECONDS + 30);
        String retargeted = forHostB.replace(".host-b.", ".host-a.");

        assertThat(retargeted).isNotEqualTo(forHostB);
        assertThat(check.check(retargeted)).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void tokenWithAnotherClientKeySwappedInIsForged() {
        String mine = gateway.sign("host-a", "client-1", NOW_SECONDS + 30);
        String theirs = gateway.sign("host-a", "client-2", NOW_SECONDS + 30);
        String[] m = mine.split("\\.");
        String[] t = theirs.split("\\.");
        String swapped = String.join(".", m[0], m[1], t[2], m[3], m[4]);

        assertThat(check.check(swapped)).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void tokenWithItsSignatureCutShortOrRemovedIsRefused() {
        String valid = gateway.sign("host-a", "", NOW_SECONDS + 30);
        String cut = valid.substring(0, valid.length() - 4);
        String unsigned = valid.substring(0, valid.lastIndexOf('.') + 1);

        assertThat(check.check(cut)).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(check.check(unsigned)).isIn(Verdict.BAD_SIGNATURE, Verdict.MALFORMED);
    }
}
