package io.farmgate.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A message from the backend after de-duplication: {@code type} and {@code id} may be null when the backend sent none. */
public record InboundMessage(String type, String id, JsonNode body, JsonNode raw) {
}
