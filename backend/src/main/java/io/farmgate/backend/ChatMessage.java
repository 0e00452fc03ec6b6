package io.farmgate.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * One chat message as it travels between hosts and to clients: {@code {"id", "text", "host"}}.
 * A client sends either that JSON (its own {@code id} lets it resend safely after a reconnect)
 * or plain text, which gets a fresh id.
 *
 * @param id   unique per message; resends keep it
 * @param text what was said
 * @param host the host the sender was connected to
 */
record ChatMessage(String id, String text, String host) {

    static final int MAX_ID_LENGTH = 128;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a client sent, or null when it is not a usable message (counted and dropped by the caller). */
    static ChatMessage fromClient(String frame, String host) {
        String trimmed = frame.strip();
        if (trimmed.startsWith("{")) {
            JsonNode node;
            try {
                node = JSON.readTree(trimmed);
            } catch (JsonProcessingException e) {
                return null;
            }
            JsonNode text = node.get("text");
            JsonNode id = node.get("id");
            if (text == null || !text.isTextual()) {
                return null;
            }
            if (id != null && !(id.isTextual() || id.isNumber())) {
                return null;
            }
            String idText = id == null ? UUID.randomUUID().toString() : id.asText();
            if (idText.isEmpty() || idText.length() > MAX_ID_LENGTH) {
                return null;
            }
            return new ChatMessage(idText, text.asText(), host);
        }
        return new ChatMessage(UUID.randomUUID().toString(), frame, host);
    }

    /** A message relayed by another host, or null when it is not one. */
    static ChatMessage fromRelay(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            JsonNode id = node.get("id");
            JsonNode text = node.get("text");
            JsonNode host = node.get("host");
            if (id == null || !id.isTextual() || text == null || !text.isTextual()) {
                return null;
            }
            return new ChatMessage(id.asText(), text.asText(), host == null ? "" : host.asText());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("text", text);
        node.put("host", host);
        return node.toString();
    }
}
