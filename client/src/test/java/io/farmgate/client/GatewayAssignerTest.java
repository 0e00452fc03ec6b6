package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class GatewayAssignerTest {

    private final ClientConfig assign = ClientConfig.defaults(URI.create("http://gw.test:8080/"));

    @Test
    void assignRequestsGoToV1AssignWithTheClientKey() {
        assertThat(GatewayAssigner.requestUri(assign.withClientKey("user 42")))
                .isEqualTo(URI.create("http://gw.test:8080/v1/assign?client=user+42"));
    }

    @Test
    void redirectRequestsAskForTheConfiguredPath() {
        assertThat(GatewayAssigner.requestUri(assign.withFrontDoor(FrontDoor.REDIRECT).withPath("/chat?room=1")))
                .isEqualTo(URI.create("http://gw.test:8080/chat?room=1"));
    }

    @Test
    void theTokenTravelsAsFgTokenAndHttpBecomesWs() {
        Assignment a = new Assignment("http://10.0.0.1:9001", "h1", "a+b/c", null);
        assertThat(GatewayAssigner.webSocketUri(a, assign.withPath("/chat")))
                .isEqualTo(URI.create("ws://10.0.0.1:9001/chat?fg_token=a%2Bb%2Fc"));
    }

    @Test
    void anExistingQueryIsKeptAndHttpsBecomesWss() {
        Assignment a = new Assignment("https://h.test/base/?x=1", "h1", "t", null);
        assertThat(GatewayAssigner.webSocketUri(a, assign.withPath("/chat")))
                .isEqualTo(URI.create("wss://h.test/base/chat?x=1&fg_token=t"));
    }

    @Test
    void aQueryInThePathJoinsTheAssignedUrlsQuery() {
        Assignment withToken = new Assignment("ws://10.0.0.1:9001/?fg_token=t", "h1", "t", null);
        assertThat(GatewayAssigner.webSocketUri(withToken, assign.withPath("/chat?room=r")))
                .isEqualTo(URI.create("ws://10.0.0.1:9001/chat?fg_token=t&room=r"));
        Assignment bare = new Assignment("ws://10.0.0.1:9001", "h1", "t", null);
        assertThat(GatewayAssigner.webSocketUri(bare, assign.withPath("/chat?room=r")))
                .isEqualTo(URI.create("ws://10.0.0.1:9001/chat?room=r&fg_token=t"));
    }

    @Test
    void aTokenTheAssignedUrlAlreadyCarriesIsNotAddedTwice() {
        Assignment a = new Assignment("ws://10.0.0.1:9001/?fg_token=t", "h1", "t", null);
        assertThat(GatewayAssigner.webSocketUri(a, assign))
                .isEqualTo(URI.create("ws://10.0.0.1:9001/?fg_token=t"));
    }

    @Test
    void aRedirectLocationIsUsedAsItIs() {
        Assignment a = new Assignment("ws://h.test:9001/chat?fg_token=t", "h.test:9001", null, null);
        assertThat(GatewayAssigner.webSocketUri(a, assign.withFrontDoor(FrontDoor.REDIRECT).withPath("/chat")))
                .isEqualTo(URI.create("ws://h.test:9001/chat?fg_token=t"));
    }

    @Test
    void anAssignedUrlOfAnotherSchemeIsRefusedWithAClearError() {
        assertThatThrownBy(() -> GatewayAssigner.webSocketUri(new Assignment("ftp://h.test/", "h", null, null), assign))
                .hasMessageContaining("(expected: ws, wss, http or https)");
    }

    @Test
    void configRejectsAGatewayThatIsNotHttp() {
        assertThatThrownBy(() -> ClientConfig.defaults(URI.create("ws://gw.test")))
                .hasMessage("gateway: ws://gw.test (expected: an http:// or https:// URL with a host)");
    }
}
