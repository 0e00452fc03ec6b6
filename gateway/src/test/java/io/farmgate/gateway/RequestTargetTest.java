package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestTargetTest {

    private static String path(String raw) {
        StringBuilder b = new StringBuilder();
        RequestTarget.appendPath(b, raw);
        return b.toString();
    }

    private static String query(String raw) {
        StringBuilder b = new StringBuilder();
        RequestTarget.appendQuery(b, raw);
        return b.toString();
    }

    @Test
    void ordinaryPathIsCopiedAsIs() {
        assertThat(path("/chat/room-1/a_b~c;v=1:@!$&'()*+,")).isEqualTo("/chat/room-1/a_b~c;v=1:@!$&'()*+,");
    }

    @Test
    void rawControlCharactersAreEscaped() {
        assertThat(path("/a\r\nSet-Cookie: x")).isEqualTo("/a%0D%0ASet-Cookie:%20x");
    }

    @Test
    void existingEscapesStayEscapes() {
        assertThat(path("/a%0d%0a%2F")).isEqualTo("/a%0d%0a%2F");
    }

    @Test
    void strayPercentBecomesAnEscapedPercent() {
        assertThat(path("/100%/x%4")).isEqualTo("/100%25/x%254");
    }

    @Test
    void nonAsciiIsEncodedAsUtf8() {
        assertThat(path("/café/😀")).isEqualTo("/caf%C3%A9/%F0%9F%98%80");
    }

    @Test
    void questionMarkInAPathCannotStartAQuery() {
        assertThat(path("/a?b")).isEqualTo("/a%3Fb");
    }

    @Test
    void relativeOrEmptyPathGetsALeadingSlash() {
        assertThat(path("")).isEqualTo("/");
        assertThat(path("x")).isEqualTo("/x");
    }

    @Test
    void queryKeepsSeparatorsAndEscapesTheRest() {
        assertThat(query("a=1&b=/x?y&c=\"<>\"")).isEqualTo("?a=1&b=/x?y&c=%22%3C%3E%22");
        assertThat(query("")).isEmpty();
        assertThat(query(null)).isEmpty();
    }

    @Test
    void queryParamIsFoundAndDecoded() {
        assertThat(RequestTarget.queryParam("a=1&client=ann%20b&client=second", "client")).isEqualTo("ann b");
        assertThat(RequestTarget.queryParam("clients=x&xclient=y", "client")).isNull();
        assertThat(RequestTarget.queryParam("client", "client")).isEmpty();
    }

    @Test
    void brokenEscapeInAQueryParamIsAnError() {
        assertThatThrownBy(() -> RequestTarget.queryParam("client=%zz", "client"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutParamDropsEveryEncodingOfTheName() {
        assertThat(RequestTarget.withoutParam("fg_token=a&x=1&fg%5Ftoken=b&fg_token", "fg_token")).isEqualTo("x=1");
        assertThat(RequestTarget.withoutParam("fg_token=a", "fg_token")).isNull();
        assertThat(RequestTarget.withoutParam("x=1&y=2", "fg_token")).isEqualTo("x=1&y=2");
    }
}
