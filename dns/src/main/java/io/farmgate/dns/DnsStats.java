package io.farmgate.dns;

import java.util.Map;

/**
 * Counters of one {@link DnsServer} since it started, for metrics.
 *
 * @param queriesByType     parsed queries by question type (A, AAAA, SOA, NS, ANY, OTHER)
 * @param responsesByRcode  responses sent by rcode name (NOERROR, NXDOMAIN, REFUSED, ...)
 * @param truncated         UDP responses sent with TC because they did not fit
 * @param malformed         packets that could not be parsed (answered FORMERR, or dropped when
 *                          not even a header could be read)
 * @param droppedResponses  packets dropped because they had QR set (a response, not a query)
 * @param rrlDropped        responses dropped by response rate limiting
 * @param rrlSlipped        responses sent truncated instead of dropped by response rate limiting
 * @param tcpRejected       TCP connections closed at once because the cap was reached
 * @param tcpOpen           TCP connections open now
 * @param internalErrors    queries that failed inside the responder (answered SERVFAIL)
 * @param udpSendFailures   UDP answers the kernel would not send (a full send buffer on a
 *                          non-blocking socket, no route to the client, a firewall)
 */
public record DnsStats(
        Map<String, Long> queriesByType,
        Map<String, Long> responsesByRcode,
        long truncated,
        long malformed,
        long droppedResponses,
        long rrlDropped,
        long rrlSlipped,
        long tcpRejected,
        long tcpOpen,
        long internalErrors,
        long udpSendFailures) {

    public DnsStats {
        queriesByType = Map.copyOf(queriesByType);
        responsesByRcode = Map.copyOf(responsesByRcode);
    }

    /** Queries of this type so far ({@code "A"}, {@code "AAAA"}, ..., {@code "OTHER"}). */
    public long queries(String type) {
        return queriesByType.getOrDefault(type, 0L);
    }

    /** Responses with this rcode so far ({@code "NOERROR"}, {@code "NXDOMAIN"}, ...). */
    public long responses(String rcode) {
        return responsesByRcode.getOrDefault(rcode, 0L);
    }
}
