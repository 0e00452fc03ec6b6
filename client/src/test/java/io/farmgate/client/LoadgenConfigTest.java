package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LoadgenConfigTest {

    private static final List<URI> GATEWAY = List.of(URI.create("http://127.0.0.1:8080"));

    @Test
    void theClientsGetBothRetryWindowsAndTheDefaultFailureBackoff() {
        LoadgenConfig config = new LoadgenConfig(GATEWAY, 10, 1_000, 0, 0, FrontDoor.ASSIGN, "", 5_000, 10_000, 0, 100, 1);

        assertThat(config.clientConfig().backoff()).isEqualTo(new ReconnectBackoff(5_000, 10_000,
                ReconnectBackoff.DEFAULT.initialRetryDelayMillis(), ReconnectBackoff.DEFAULT.maxRetryDelayMillis()));
    }

    @Test
    void withoutALostHostWindowTheClientsUseTheOneWindowForEveryClose() {
        LoadgenConfig config = new LoadgenConfig(GATEWAY.get(0), 10, 1_000, 0, 0, FrontDoor.ASSIGN, "", 300, 0, 100, 1);

        assertThat(config.lostHostRetryWindowMillis()).isEqualTo(300);
        assertThat(config.clientConfig().backoff().lostHostRetryWindowMillis()).isEqualTo(300);
    }

    @Test
    void aNegativeLostHostWindowNamesTheFieldAndTheRange() {
        assertThatThrownBy(() -> new LoadgenConfig(GATEWAY, 10, 1_000, 0, 0, FrontDoor.ASSIGN, "", 5_000, -1, 0, 100, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lostHostRetryWindowMillis: -1 (expected: >= 0)");
    }
}
