package io.farmgate.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * The outcome of one {@link LoadGenerator} run.
 *
 * @param clientsPerHost     connected clients per host id at the end
 * @param failedClients      clients not connected at the end (gave up, or still retrying)
 * @param lost               messages never confirmed by a backend, plus sends refused for a full queue
 * @param received           messages delivered to the clients (broadcasts included)
 * @param lastFailure        why the last failed attempt failed; null when none did
 * @param broadcasts         broadcasts counted by room position
 */
public record LoadReport(int clients, long elapsedMillis, SortedMap<String, Integer> clientsPerHost, int failedClients,
                         long assignments, long noHostAnswers, long failedAttempts, long assignmentsPeakPerSecond,
                         long latencyP50Nanos, long latencyP99Nanos, Map<ReconnectCause, Long> reconnects,
                         long reconnectsPeakPerSecond, double reconnectsMeanPerSecond,
                         long sent, long received, long confirmed, long lost, long resent, long duplicatesDropped,
                         String lastFailure, Broadcasts broadcasts) {

    /**
     * Broadcasts by room position (backends that send positions, docs/client.md).
     *
     * @param positioned     whether the backends sent positions at all (else the rest is 0)
     * @param roomPositions  distinct positions delivered to any client
     * @param expected       per client, the room's positions after its first position frame, summed
     * @param delivered      positioned frames delivered to the clients, in order and once each
     * @param missed         expected minus delivered: frames a client never got (or got out of order)
     * @param clientsMissing clients that missed at least one
     * @param gaps           gap frames the clients got (a resume older than the room's retention)
     */
    public record Broadcasts(boolean positioned, long roomPositions, long expected, long delivered, long missed,
                             int clientsMissing, long gaps) {
    }

    /** The most loaded host's clients over the mean of the hosts that have any; 0 when none do. */
    public double maxOverMean() {
        if (clientsPerHost.isEmpty()) {
            return 0;
        }
        int max = clientsPerHost.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        double mean = clientsPerHost.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        return max / mean;
    }

    public double assignmentsPerSecond() {
        return elapsedMillis == 0 ? 0 : assignments * 1_000.0 / elapsedMillis;
    }

    public long totalReconnects() {
        return reconnects.values().stream().mapToLong(Long::longValue).sum();
    }

    /** No message lost, no broadcast missed, and every client connected at the end. */
    public boolean passed() {
        return lost == 0 && failedClients == 0 && broadcasts.missed() == 0;
    }

    /** The report as printed by {@code farmgate loadgen}. */
    public String format() {
        StringBuilder out = new StringBuilder();
        line(out, "clients per host (connected at the end):");
        clientsPerHost.forEach((host, n) -> line(out, "  %-30s %6d", host, n));
        double mean = clientsPerHost.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        int max = clientsPerHost.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        line(out, "  max/mean %.2f (max %d, mean %.1f over %d hosts)", maxOverMean(), max, mean, clientsPerHost.size());
        line(out, "assignments: %d in %.1f s (%.1f/s, peak %d/s), 503 answers %d, failed attempts %d",
                assignments, elapsedMillis / 1_000.0, assignmentsPerSecond(), assignmentsPeakPerSecond, noHostAnswers, failedAttempts);
        if (lastFailure != null) {
            line(out, "last failed attempt: %s", lastFailure);
        }
        line(out, "assignment latency: p50 %.2f ms, p99 %.2f ms", latencyP50Nanos / 1e6, latencyP99Nanos / 1e6);
        line(out, "reconnects: %d (%s)", totalReconnects(), reconnects.entrySet().stream()
                .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", ")));
        if (totalReconnects() > 0) {
            line(out, "reconnects reaching the gateway: peak %d/s, mean %.1f/s from the first to the last (peak/mean %.2f)",
                    reconnectsPeakPerSecond, reconnectsMeanPerSecond, reconnectsPeakPerSecond / reconnectsMeanPerSecond);
        }
        line(out, "messages: sent %d, received %d, confirmed %d, lost %d (resent %d, duplicates dropped %d)",
                sent, received, confirmed, lost, resent, duplicatesDropped);
        if (broadcasts.positioned()) {
            line(out, "broadcasts: %d room positions; expected %d, delivered %d, missed %d (clients missing any %d), gaps %d",
                    broadcasts.roomPositions(), broadcasts.expected(), broadcasts.delivered(), broadcasts.missed(),
                    broadcasts.clientsMissing(), broadcasts.gaps());
        } else {
            line(out, "broadcasts: not counted (the backends send no room positions)");
        }
        line(out, "clients failed: %d of %d", failedClients, clients);
        List<String> failures = new ArrayList<>();
        if (lost > 0) {
            failures.add(lost + " messages lost");
        }
        if (broadcasts.missed() > 0) {
            failures.add(broadcasts.missed() + " broadcasts missed");
        }
        if (failedClients > 0) {
            failures.add(failedClients + " clients not connected");
        }
        line(out, "result: %s", passed() ? "OK" : "FAILED (" + String.join(", ", failures) + ")");
        return out.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
