package io.farmgate.client;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * What {@link LoadGenerator} runs, validated once.
 *
 * @param gateways               the gateways' public base URLs, in order of preference: every client
 *                               asks the next at once when one cannot be reached
 * @param clients                cooperating clients to open
 * @param durationMillis         how long the run lasts, ramp included
 * @param rampMillis             clients start evenly over this time (0: all at once)
 * @param messageRate            chat messages per second across all clients (0: none)
 * @param frontDoor              JSON assignment or 307 redirect
 * @param path                   WebSocket path on the hosts (see {@link ClientConfig#path()})
 * @param firstRetryWindowMillis each client's first retry after a shed, drain or rebalance (1012) is spread over this
 * @param lostHostRetryWindowMillis each client's first retry after a lost host (1006, 1011, 1001, a transport error)
 *                               is spread over this
 * @param settleMillis           after the duration: how long to wait for reconnects and confirmations before counting
 * @param progressIntervalMillis how often the progress line is printed
 * @param seed                   seeds every client's random source, so a run can be repeated
 */
public record LoadgenConfig(List<URI> gateways, int clients, long durationMillis, long rampMillis, double messageRate,
                            FrontDoor frontDoor, String path, long firstRetryWindowMillis, long lostHostRetryWindowMillis,
                            long settleMillis, long progressIntervalMillis, long seed) {

    static final int MAX_CLIENTS = 100_000;
    static final long MAX_DURATION_MILLIS = 24L * 3_600_000;
    static final double MAX_MESSAGE_RATE = 100_000;

    public LoadgenConfig {
        gateways = List.copyOf(Objects.requireNonNull(gateways, "gateways"));
        Objects.requireNonNull(frontDoor, "frontDoor");
        Objects.requireNonNull(path, "path");
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: 1.." + MAX_CLIENTS + ")");
        }
        if (durationMillis <= 0 || durationMillis > MAX_DURATION_MILLIS) {
            throw new IllegalArgumentException("durationMillis: " + durationMillis + " (expected: 1.." + MAX_DURATION_MILLIS + ")");
        }
        if (rampMillis < 0 || rampMillis > durationMillis) {
            throw new IllegalArgumentException("rampMillis: " + rampMillis + " (expected: 0..durationMillis " + durationMillis + ")");
        }
        if (!(messageRate >= 0 && messageRate <= MAX_MESSAGE_RATE)) {
            throw new IllegalArgumentException("messageRate: " + messageRate + " (expected: 0.." + (long) MAX_MESSAGE_RATE + ")");
        }
        if (firstRetryWindowMillis < 0) {
            throw new IllegalArgumentException("firstRetryWindowMillis: " + firstRetryWindowMillis + " (expected: >= 0)");
        }
        if (lostHostRetryWindowMillis < 0) {
            throw new IllegalArgumentException("lostHostRetryWindowMillis: " + lostHostRetryWindowMillis + " (expected: >= 0)");
        }
        if (settleMillis < 0 || settleMillis > MAX_DURATION_MILLIS) {
            throw new IllegalArgumentException("settleMillis: " + settleMillis + " (expected: 0.." + MAX_DURATION_MILLIS + ")");
        }
        if (progressIntervalMillis <= 0) {
            throw new IllegalArgumentException("progressIntervalMillis: " + progressIntervalMillis + " (expected: > 0)");
        }
        // Fails early, with ClientConfig's own message, on a gateway URL or path the clients could not use.
        clientConfig(gateways, frontDoor, path, firstRetryWindowMillis, lostHostRetryWindowMillis);
    }

    /** A run whose clients use one first-retry window after every kind of close. */
    public LoadgenConfig(List<URI> gateways, int clients, long durationMillis, long rampMillis, double messageRate,
                         FrontDoor frontDoor, String path, long firstRetryWindowMillis, long settleMillis,
                         long progressIntervalMillis, long seed) {
        this(gateways, clients, durationMillis, rampMillis, messageRate, frontDoor, path, firstRetryWindowMillis,
                firstRetryWindowMillis, settleMillis, progressIntervalMillis, seed);
    }

    /** A run through one gateway whose clients use one first-retry window after every kind of close. */
    public LoadgenConfig(URI gateway, int clients, long durationMillis, long rampMillis, double messageRate,
                         FrontDoor frontDoor, String path, long firstRetryWindowMillis, long settleMillis,
                         long progressIntervalMillis, long seed) {
        this(List.of(Objects.requireNonNull(gateway, "gateway")), clients, durationMillis, rampMillis, messageRate,
                frontDoor, path, firstRetryWindowMillis, firstRetryWindowMillis, settleMillis, progressIntervalMillis, seed);
    }

    /** The configuration every client of the run shares. */
    ClientConfig clientConfig() {
        return clientConfig(gateways, frontDoor, path, firstRetryWindowMillis, lostHostRetryWindowMillis);
    }

    private static ClientConfig clientConfig(List<URI> gateways, FrontDoor frontDoor, String path, long windowMillis,
                                             long lostHostWindowMillis) {
        ReconnectBackoff backoff = new ReconnectBackoff(windowMillis, lostHostWindowMillis,
                ReconnectBackoff.DEFAULT.initialRetryDelayMillis(), ReconnectBackoff.DEFAULT.maxRetryDelayMillis());
        // Memory grows with clients x remembered ids; a load client needs only a short memory.
        return ClientConfig.defaults(gateways).withFrontDoor(frontDoor).withPath(path).withBackoff(backoff)
                .withRecentIdsCapacity(256);
    }
}
