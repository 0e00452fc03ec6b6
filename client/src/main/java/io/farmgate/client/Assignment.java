package io.farmgate.client;

/**
 * One answer of the gateway: the host to connect to. {@code token} and {@code expiresAt} are null
 * when the gateway sent none (a redirect carries its token inside {@code url}); {@code expiresAt}
 * is kept as the gateway wrote it.
 */
public record Assignment(String url, String hostId, String token, String expiresAt) {
}
