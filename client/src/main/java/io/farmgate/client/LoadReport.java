package io.farmgate.client;

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
 */
public record LoadReport(int clients, long elapsedMillis, SortedMap<String, Integer> clientsPerHost, int failedClients,
                         long assignments, long noHostAnswers, long failedAttempts, long assignmentsPeakPerSecond,
                         long latencyP50Nanos, long latencyP99Nanos, Map<ReconnectCause, Long> reconnects,
                         long reconnectsPeakPerSecond, double reconnectsMeanPerSecond,
                         long sent, long received, long confirmed, long lost, long resent, long duplicatesDropped,
                         String lastFailure) {

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

    /** No message lost and every client connected at the end. */
    public boolean passed() {
        return lost == 0 && failedClients == 0;
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
        line(out, "clients failed: %d of %d", failedClients, clients);
        line(out, "result: %s", passed() ? "OK" : "FAILED (" + (lost > 0 ? lost + " messages lost" : "")
                + (lost > 0 && failedClients > 0 ? ", " : "") + (failedClients > 0 ? failedClients + " clients not connected" : "") + ")");
        return out.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
