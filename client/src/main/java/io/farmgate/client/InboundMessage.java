package io.farmgate.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A message from the backend after de-duplication: {@code type} and {@code id} may be null when the backend sent none. */
public record InboundMessage(String type, String id, JsonNode body, JsonNode raw) {

    /** The frame's room position ({@code "pos"}), or null when the backend sent none. */
    public String position() {
        JsonNode pos = raw == null ? null : raw.get("pos");
        return pos == null || !pos.isTextual() ? null : pos.asText();
    }
}
