package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A host whose advertised URL cannot be used is ineligible, so healthy hosts get every client instead of a 503. */
@Timeout(30)
class UnusableUrlTest {

    private RunningGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void picksNeverLandOnItWhileAHealthyHostIsThere() throws Exception {
        // The bad host is the emptier one: a picker that saw it would choose it nearly every time.
        TestFarm farm = new TestFarm().host("bad", "ws://10.0.0.9:9001/x?inject=1", 0, 100)
                .host("good", "ws://10.0.0.1:9001", 50, 100);
        farm.refresh();
        gw = RunningGateway.start(farm);
        Set<String> hosts = new HashSet<>();

        for (int i = 0; i < 20; i++) {
            var r = gw.get("/v1/assign");
            assertThat(r.statusCode()).isEqualTo(200);
            hosts.add(json(r).get("hostId").asText());
        }

        assertThat(hosts).containsExactly("good");
        var listed = json(gw.adminGet("/v1/hosts", RunningGateway.ADMIN_TOKEN));
        assertThat(listed.toString()).contains("\"unusable_url\"");
    }
}
