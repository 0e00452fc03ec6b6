package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChatMessageTest {

    @Test
    void jsonFromAClientKeepsItsIdSoAResendIsRecognised() {
        ChatMessage m = ChatMessage.fromClient("{\"id\": \"m-1\", \"text\": \"hi\"}", "host-a");

        assertThat(m).isEqualTo(new ChatMessage("m-1", "hi", "host-a"));
    }

    @Test
    void plainTextFromAClientGetsAFreshId() {
        ChatMessage first = ChatMessage.fromClient("hello", "host-a");
        ChatMessage second = ChatMessage.fromClient("hello", "host-a");

        assertThat(first.text()).isEqualTo("hello");
        assertThat(first.id()).isNotEqualTo(second.id());
    }

    @Test
    void jsonWithoutTextIsNotAMessage() {
        assertThat(ChatMessage.fromClient("{\"id\": \"m-1\"}", "host-a")).isNull();
    }

    @Test
    void brokenJsonIsNotAMessage() {
        assertThat(ChatMessage.fromClient("{\"id\": ", "host-a")).isNull();
    }

    @Test
    void overlongIdIsNotAMessage() {
        String id = "x".repeat(ChatMessage.MAX_ID_LENGTH + 1);

        assertThat(ChatMessage.fromClient("{\"id\": \"" + id + "\", \"text\": \"t\"}", "host-a")).isNull();
    }

    @Test
    void relayedJsonRoundTrips() {
        ChatMessage m = new ChatMessage("m-2", "quote \" and \\ backslash", "host-b");

        assertThat(ChatMessage.fromRelay(m.toJson())).isEqualTo(m);
    }
}
