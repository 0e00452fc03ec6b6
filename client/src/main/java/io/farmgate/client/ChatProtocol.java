package io.farmgate.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chat frames of docs/client.md: {@code {"id","type":"chat","body"}} both ways, and
 * {@code {"type":"ack","id"}} from the backend.
 */
final class ChatProtocol {

    static final String CHAT = "chat";
    static final String ACK = "ack";
    static final String POSITION = "position";
    static final String GAP = "gap";
    static final ObjectMapper JSON = new ObjectMapper();

    private ChatProtocol() {
    }

    static String chat(String id, JsonNode body) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("id", id);
        frame.put("type", CHAT);
        frame.set("body", body);
        try {
            return JSON.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a chat frame", e);
        }
    }

    /** The frame as a JSON object, or null when it is not one. */
    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String text(JsonNode frame, String field) {
        JsonNode v = frame.get(field);
        return v == null || !v.isValueNode() || v.isNull() ? null : v.asText();
    }
}
