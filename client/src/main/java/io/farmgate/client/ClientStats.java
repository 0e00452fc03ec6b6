package io.farmgate.client;

import java.util.Map;

/**
 * A snapshot of one client's counters.
 *
 * @param sent               messages accepted by {@link FarmgateClient#send} (each id once)
 * @param confirmed          own messages echoed back or acknowledged by a backend
 * @param pending            sent but not yet confirmed (queued or in flight)
 * @param resent             transmissions of a message after the first
 * @param received           chat and other messages delivered to the listener
 * @param duplicatesDropped  inbound chat messages dropped as repeats: a position not after the last one
 *                           delivered, or (frames without a position) an id seen recently
 * @param malformedDropped   inbound frames that were not a JSON object, or too large
 * @param assignments        answers with a host
 * @param noHostAnswers      503 answers
 * @param failedAttempts     attempts that did not end in an open connection
 * @param reconnects         connections lost and retried, by cause
 * @param gaps               gap frames: resumes (or a host's reading) older than the room's retention,
 *                           so frames of the room may have been missed ({@link ClientListener#onGap}),
 *                           and resumes refused
 * @param resumesRefused     reconnects whose {@code resume} position the backend refused (1008
 *                           {@code bad resume position}: e.g. the room's stream was lost); each is also a gap
 */
public record ClientStats(ClientState state, long sent, long confirmed, long pending, long resent, long received,
                          long duplicatesDropped, long malformedDropped, long assignments, long noHostAnswers,
                          long failedAttempts, Map<ReconnectCause, Long> reconnects, long gaps,
                          long resumesRefused) {
}
