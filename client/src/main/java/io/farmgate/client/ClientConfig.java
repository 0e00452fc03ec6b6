package io.farmgate.client;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of one {@link FarmgateClient}, validated once.
 *
 * @param gateways               the gateways' public base URLs ({@code http://} or {@code https://}), in order of
 *                               preference: a client asks the one that last answered and moves on to the next
 *                               (round the list) when it cannot be reached, before counting a failed attempt
 * @param frontDoor              JSON assignment or 307 redirect
 * @param path                   appended to the host's URL (assign; a query in it, {@code /chat?room=r}, joins the
 *                               URL's query) or requested from the gateway (redirect); "" for none
 * @param clientKey              sticky-routing key sent as {@code ?client=}; null for none
 * @param backoff                when to retry
 * @param maxRetryAfterMillis    cap on a gateway's Retry-After, so a bad header cannot park a client for hours
 * @param maxConsecutiveFailures failed attempts in a row after which the client gives up
 * @param connectTimeoutMillis   for the assignment request and the WebSocket handshake each
 * @param maxPendingMessages     unconfirmed messages kept for resending; {@link FarmgateClient#send} refuses beyond
 * @param recentIdsCapacity      inbound message ids remembered to drop duplicates
 */
public record ClientConfig(List<URI> gateways, FrontDoor frontDoor, String path, String clientKey, ReconnectBackoff backoff,
                           long maxRetryAfterMillis, int maxConsecutiveFailures, long connectTimeoutMillis,
                           int maxPendingMessages, int recentIdsCapacity) {

    public ClientConfig {
        Objects.requireNonNull(gateways, "gateways");
        Objects.requireNonNull(frontDoor, "frontDoor");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(backoff, "backoff");
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("gateways: [] (expected: at least one gateway URL)");
        }
        gateways = List.copyOf(gateways);
        for (URI gateway : gateways) {
            String scheme = gateway.getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || gateway.getHost() == null) {
                throw new IllegalArgumentException("gateway: " + gateway + " (expected: an http:// or https:// URL with a host)");
            }
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

    /** Assign through {@code /v1/assign} of this one gateway, default backoff, give up after 20 failures in a row. */
    public static ClientConfig defaults(URI gateway) {
        return defaults(List.of(Objects.requireNonNull(gateway, "gateway")));
    }

    /** Like {@link #defaults(URI)}, with several front doors tried in this order. */
    public static ClientConfig defaults(List<URI> gateways) {
        return new ClientConfig(gateways, FrontDoor.ASSIGN, "", null, ReconnectBackoff.DEFAULT,
                300_000, 20, 5_000, 10_000, 1_024);
    }

    /** The first (preferred) gateway. */
    public URI gateway() {
        return gateways.get(0);
    }

    public ClientConfig withGateways(List<URI> value) {
        return new ClientConfig(value, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withFrontDoor(FrontDoor value) {
        return new ClientConfig(gateways, value, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withPath(String value) {
        return new ClientConfig(gateways, frontDoor, value, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withClientKey(String value) {
        return new ClientConfig(gateways, frontDoor, path, value, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withBackoff(ReconnectBackoff value) {
        return new ClientConfig(gateways, frontDoor, path, clientKey, value, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withMaxConsecutiveFailures(int value) {
        return new ClientConfig(gateways, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, value,
                connectTimeoutMillis, maxPendingMessages, recentIdsCapacity);
    }

    public ClientConfig withMaxPendingMessages(int value) {
        return new ClientConfig(gateways, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, value, recentIdsCapacity);
    }

    public ClientConfig withRecentIdsCapacity(int value) {
        return new ClientConfig(gateways, frontDoor, path, clientKey, backoff, maxRetryAfterMillis, maxConsecutiveFailures,
                connectTimeoutMillis, maxPendingMessages, value);
    }
}
