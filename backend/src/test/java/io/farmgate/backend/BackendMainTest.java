package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackendMainTest {

    @Test
    void defaultsFollowThePort() {
        BackendConfig c = BackendMain.parse(List.of("--redis", "redis://127.0.0.1:6379", "--port", "9001"));

        assertThat(c.agent().hostId()).isEqualTo("backend-9001");
        assertThat(c.agent().url()).isEqualTo("ws://127.0.0.1:9001");
        assertThat(c.checksTokens()).isFalse();
    }

    @Test
    void unknownFlagIsRefusedByName() {
        assertThatThrownBy(() -> BackendMain.parse(List.of("--prot", "9001")))
                .hasMessageStartingWith("unknown argument '--prot'");
    }

    @Test
    void nonNumericPortIsRefusedByName() {
        assertThatThrownBy(() -> BackendMain.parse(List.of("--redis", "redis://h:1", "--port", "ninety")))
                .hasMessage("--port: 'ninety' (expected: a whole number)");
    }

    @Test
    void shortTokenSecretIsRefusedByName() {
        assertThatThrownBy(() -> BackendMain.parse(List.of("--redis", "redis://h:1", "--port", "9001",
                "--token-secret", "short")))
                .hasMessageStartingWith("tokenSecret: 5 bytes");
    }
}
