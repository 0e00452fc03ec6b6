package io.farmgate.testing;

import io.farmgate.localredis.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SentinelProcessTest {

    @RegisterExtension
    static final RedisServerExtension master = new RedisServerExtension();

    @Test
    void sentinelNamesTheMasterItWatches() {
        RedisServerProcess sentinel = RedisServerProcess.sentinel(FreePort.pick(), "farm-master", master.port());
        sentinel.start();
        try {
            assertThat(sentinel.command("SENTINEL", "get-master-addr-by-name", "farm-master"))
                    .isEqualTo(List.of("127.0.0.1", Integer.toString(master.port())));
        } finally {
            sentinel.stop();
        }
    }

    @Test
    void sentinelTakesTheQuorumAndTimingsItIsGiven() {
        RedisServerProcess sentinel = RedisServerProcess.sentinel(FreePort.pick(), "farm-master", master.port(), 2,
                1_500, 4_000);
        sentinel.start();
        try {
            // A flat list of names and values.
            List<String> fields = ((List<?>) sentinel.command("SENTINEL", "MASTER", "farm-master")).stream()
                    .map(String::valueOf).toList();
            assertThat(fields).containsSequence("quorum", "2").containsSequence("down-after-milliseconds", "1500")
                    .containsSequence("failover-timeout", "4000");
        } finally {
            sentinel.stop();
        }
    }
}
