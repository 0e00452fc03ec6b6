package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class ChatMessageTest {

    @Test
    void chatFrameFromAClientKeepsItsIdAndBody() {
        ChatMessage m = ChatMessage.fromClient("{\"id\": \"3fa2-17\", \"type\": \"chat\", \"body\": {\"t\": 1}}", "host-a");

        assertThat(m.id()).isEqualTo("3fa2-17");
        assertThat(m.body().toString()).isEqualTo("{\"t\":1}");
        assertThat(m.from()).isEqualTo("host-a");
    }

    @Test
    void broadcastFrameIsTheClientsFrameWithTheHostAdded() {
        ChatMessage m = ChatMessage.fromClient("{\"id\": \"3fa2-17\", \"type\": \"chat\", \"body\": \"hello\"}", "host-a");

        assertThat(m.toJson()).isEqualTo("{\"id\":\"3fa2-17\",\"type\":\"chat\",\"body\":\"hello\",\"from\":\"host-a\"}");
    }

    @Test
    void plainTextFromAClientGetsAFreshId() {
        ChatMessage first = ChatMessage.fromClient("hello", "host-a");
        ChatMessage second = ChatMessage.fromClient("hello", "host-a");

        assertThat(first.body()).isEqualTo(TextNode.valueOf("hello"));
        assertThat(first.id()).isNotEqualTo(second.id());
    }

    @Test
    void frameOfAnotherTypeIsNotAChatMessage() {
        assertThat(ChatMessage.fromClient("{\"id\": \"m-1\", \"type\": \"ack\"}", "host-a")).isNull();
    }

    @Test
    void chatFrameWithoutAnIdIsNotAChatMessage() {
        assertThat(ChatMessage.fromClient("{\"type\": \"chat\", \"body\": \"x\"}", "host-a")).isNull();
    }

    @Test
    void brokenJsonIsNotAChatMessage() {
        assertThat(ChatMessage.fromClient("{\"id\": ", "host-a")).isNull();
    }

    @Test
    void overlongIdIsNotAChatMessage() {
        String id = "x".repeat(ChatMessage.MAX_ID_LENGTH + 1);

        assertThat(ChatMessage.fromClient("{\"id\": \"" + id + "\", \"type\": \"chat\", \"body\": 1}", "host-a")).isNull();
    }

    @Test
    void relayedFrameRoundTrips() {
        ChatMessage m = new ChatMessage("m-2", TextNode.valueOf("quote \" and \\ backslash"), "host-b");

        assertThat(ChatMessage.fromRelay(m.toJson())).isEqualTo(m);
    }

    @Test
    void ackNamesTheMessage() {
        assertThat(ChatMessage.ack("m-3")).isEqualTo("{\"type\":\"ack\",\"id\":\"m-3\"}");
    }
}
