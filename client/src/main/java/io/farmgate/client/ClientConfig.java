package io.farmgate.client;

import java.net.URI;
import java.util.Objects;

/**
 * Configuration of one {@link FarmgateClient}, validated once.
 *
 * @param gateway                the gateway's public base URL ({@code http://} or {@code https://})
 * @param frontDoor              JSON assignment or 307 redirect
 * @param path                   appended to the host's URL (assign) or requested from the gateway (redirect); "" for none
 * @param clientKey              sticky-routing key sent as {@code ?client=}; null for none
 * @param backoff                when to retry
 * @param maxRetryAfterMillis    cap on a gateway's Retry-After, so a bad header cannot park a client for hours
 * @param maxConsecutiveFailures failed attempts in a row after which the client gives up
 * @param connectTimeoutMillis   for the assignment request and the WebSocket handshake each
 * @param maxPendingMessages     unconfirmed messages kept for resending; {@link FarmgateClient#send} refuses beyond
 * @param recentIdsCapacity      inbound message ids remembered to drop duplicates
 */
public record ClientConfig(URI gateway, FrontDoor frontDoor, String path, String clientKey, ReconnectBackoff backoff,
                           long maxRetryAfterMillis, int maxConsecutiveFailures, long connectTimeoutMillis,
                           int maxPendingMessages, int recentIdsCapacity) {

    public ClientConfig {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(frontDoor, "frontDoor");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(backoff, "backoff");
        String scheme = gateway.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || gateway.getHost() == null) {
            throw new IllegalArgumentException("gateway: " + gateway + " (expected: an http:// or https:// URL with a host)");
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: empty or starting with /)");
        }
        if (maxRetryAfterMillis <= 0) {
            throw new IllegalArgumentException("maxRetryAfterMillis: " + maxRetryAfterMillis + " (expected: > 0)");
        }
        if (maxConsecutiveFailures <= 0) {
            throw new IllegalArgumentException("maxConsecutiveFailures: " + maxConsecutiveFailures + " (expected: > 0)");
        }
        if (connectTimeoutMillis <= 0) {
            throw new IllegalArgumentException("connectTimeoutMillis: " + connectTimeoutMillis + " (expected: > 0)");
        }
        if (maxPendingMessages <= 0) {
            throw new IllegalArgumentException("maxPendingMessages: " + maxPendingMessages + " (expected: > 0)");
        }
        if (recentIdsCapacity <= 0) {
            throw new IllegalArgumentException("recentIdsCapacity: " + recentIdsCapacity + " (expected: > 0)");
        }
    }

    /** Assign through {@code /v1/assign}, default backoff, give up after 20 failures in a row. */
    public static ClientConfig defaults(URI gateway) {
        return new ClientConfig(gateway, FrontDoor.ASSIGN, "", null, ReconnectBackoff.DEFAULT,
                300_000, 20, 5_000, 10_000, 1_024);
    }

    public ClientConfig withFrontDoor(FrontDoor value) {
        return new ClientConfig(gateway, value, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withPath(String value) {
        return new ClientConfig(gateway, frontDoor, value, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withClientKey(String value) {
        return new ClientConfig(gateway, frontDoor, path, value, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withBackoff(ReconnectBackoff value) {
        return new ClientConfig(gateway, frontDoor, path, clientKey, value, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withMaxConsecutiveFailures(int value) {
        return new ClientConfig(gateway, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, value,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withMaxPendingMessages(int value) {
        return new ClientConfig(gateway, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, value, recentIdsCapacity);
    }

    public ClientConfig withRecentIdsCapacity(int value) {
        return new ClientConfig(gateway, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, value);
    }
}
