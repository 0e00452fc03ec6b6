package io.farmgate.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.UUID;

/**
 * One chat message in the protocol of docs/client.md: {@code {"id", "type": "chat", "body"}} from
 * a client, broadcast unchanged to the room with {@code "from"} (the host that took it) added. A
 * plain-text frame is taken as a message with a fresh id and the text as its body.
 *
 * @param id   unique per message; a resend keeps it
 * @param body any JSON value
 * @param from the host the sender was connected to
 */
record ChatMessage(String id, JsonNode body, String from) {

    static final int MAX_ID_LENGTH = 128;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a client sent, or null when it is not a chat message (the caller counts and drops it). */
    static ChatMessage fromClient(String frame, String host) {
        if (!frame.stripLeading().startsWith("{")) {
            return new ChatMessage(UUID.randomUUID().toString(), TextNode.valueOf(frame), host);
        }
        JsonNode node = parse(frame);
        if (node == null || !"chat".equals(text(node, "type")) || !node.has("body")) {
            return null;
        }
        String id = text(node, "id");
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return null;
        }
        return new ChatMessage(id, node.get("body"), host);
    }

    /** A message relayed between hosts, or null when it is not one. */
    static ChatMessage fromRelay(String json) {
        JsonNode node = parse(json);
        if (node == null || text(node, "id") == null || !node.has("body")) {
            return null;
        }
        String from = text(node, "from");
        return new ChatMessage(text(node, "id"), node.get("body"), from == null ? "" : from);
    }

    /** The frame every client of the room gets. */
    String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("type", "chat");
        node.set("body", body);
        node.put("from", from);
        return node.toString();
    }

    /** The confirmation a sender gets for a message the room already has (a resend). */
    static String ack(String id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ack");
        node.put("id", id);
        return node.toString();
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !(v.isTextual() || v.isNumber()) ? null : v.asText();
    }
}
