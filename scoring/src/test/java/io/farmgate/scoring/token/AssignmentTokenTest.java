package io.farmgate.scoring.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AssignmentTokenTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final AssignmentToken tokens = new AssignmentToken(SECRET);

    @Test
    void tokenSignedForAHostVerifiesOnThatHost() {
        String t = tokens.sign("web-1", "alice", 1_000);
        assertThat(tokens.verify(t, "web-1", 990, 5)).isEqualTo(AssignmentToken.Verdict.VALID);
        assertThat(AssignmentToken.clientKey(t)).isEqualTo("alice");
    }

    @Test
    void tokenForAnotherHostIsRefused() {
        String t = tokens.sign("web-1", "", 1_000);
        assertThat(tokens.verify(t, "web-2", 990, 5)).isEqualTo(AssignmentToken.Verdict.WRONG_HOST);
    }

    @Test
    void expiredTokenIsRefusedOnlyPastTheSkewAllowance() {
        String t = tokens.sign("web-1", "", 1_000);
        assertThat(tokens.verify(t, "web-1", 1_005, 5)).isEqualTo(AssignmentToken.Verdict.VALID);
        assertThat(tokens.verify(t, "web-1", 1_006, 5)).isEqualTo(AssignmentToken.Verdict.EXPIRED);
    }

    @Test
    void tamperedExpiryBreaksTheSignature() {
        String t = tokens.sign("web-1", "", 1_000);
        String forged = t.replace(".1000.", ".9999.");
        assertThat(tokens.verify(forged, "web-1", 990, 5)).isEqualTo(AssignmentToken.Verdict.BAD_SIGNATURE);
    }

    @Test
    void tokenFromAnotherSecretIsRefused() {
        AssignmentToken other = new AssignmentToken("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.US_ASCII));
        String t = other.sign("web-1", "", 1_000);
        assertThat(tokens.verify(t, "web-1", 990, 5)).isEqualTo(AssignmentToken.Verdict.BAD_SIGNATURE);
    }

    @Test
    void garbageIsMalformedNotAnException() {
        for (String junk : new String[] {null, "", ".", "v1", "v1.a.b.c.d", "v2.web-1.AA.1000.AA", "v1.web-1.!!.1000.AA",
                "v1.web-1.AA.notanumber.AA", "x".repeat(5000)}) {
            assertThat(tokens.verify(junk, "web-1", 990, 5)).as(String.valueOf(junk))
                    .isEqualTo(AssignmentToken.Verdict.MALFORMED);
        }
    }

    @Test
    void shortSecretIsRejectedNamingTheField() {
        assertThatThrownBy(() -> new AssignmentToken(new byte[8]))
                .hasMessageContaining("tokenSecret: 8 bytes (expected: >= 16)");
    }
}
