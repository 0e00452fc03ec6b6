package io.farmgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The bytes an answer needs per eligible host of one snapshot, built once per snapshot (each
 * host's on its first pick, or carried over from the previous snapshot when its URL is the same),
 * as gRPC's pickers precompute: the whole 307 head up to the end of
 * the {@code Location}'s base URL, for plain requests and for WebSocket upgrades, the start of the
 * {@code /v1/assign} JSON, and the token prefix. A request then costs a parse, a pick and a copy.
 * As an {@link IntPredicate} it says which hosts have a URL that may be sent to a client.
 */
final class HostAnswers implements IntPredicate {

    private static final Host UNUSABLE = new Host(null, null, null, null, null, null);
    private static final String REDIRECT_HEAD = "HTTP/1.1 307 Temporary Redirect\r\nCache-Control: no-store\r\n"
            + "Content-Length: 0\r\nLocation: ";

    /**
     * One host's precomputed bytes.
     *
     * @param redirect    the 307 head up to and including the {@code http(s)://} base URL
     * @param upgrade     the same with the {@code ws(s)://} base URL
     * @param assignUrl   {@code {"url":"ws(s)://base}
     * @param assignHost  {@code ","hostId":"<id>","token":}
     * @param tokenPrefix {@code v1.<id>.}
     * @param url         the heartbeat's URL these bytes were built from
     */
    record Host(byte[] redirect, byte[] upgrade, byte[] assignUrl, byte[] assignHost, byte[] tokenPrefix, String url) {
    }

    private final FarmSnapshot snapshot;
    private final ObjectMapper json;
    /** Filled on first use; racing builders write equal values, and a Host is immutable. */
    private final Host[] hosts;
    /**
     * The previous snapshot's bytes by host id: a refresh (4 a second under load) mostly brings the
     * same hosts at the same URLs, whose bytes need not be built again on an event loop.
     */
    private final Map<String, Host> carried;

    private HostAnswers(FarmSnapshot snapshot, ObjectMapper json, HostAnswers previous) {
        this.snapshot = snapshot;
        this.json = json;
        this.hosts = new Host[snapshot.eligibleCount()];
        this.carried = previous == null ? Map.of() : previous.builtById();
    }

    /** What this snapshot's hosts have built, or carried and not needed yet; never more than its eligible hosts. */
    private Map<String, Host> builtById() {
        Map<String, Host> byId = new HashMap<>();
        for (int i = 0; i < hosts.length; i++) {
            String id = snapshot.eligible(i).id();
            Host h = hosts[i] != null ? hosts[i] : carried.get(id);
            if (h != null && h != UNUSABLE) {
                byId.put(id, h);
            }
        }
        return byId;
    }

    FarmSnapshot snapshot() {
        return snapshot;
    }

    /** Host {@code index}'s bytes; only for an index {@link #test} accepted. */
    Host host(int index) {
        Host h = hosts[index];
        return h != null ? h : build(index);
    }

    @Override
    public boolean test(int index) {
        return host(index) != UNUSABLE;
    }

    private Host build(int index) {
        String id = snapshot.eligible(index).id();
        String rawUrl = snapshot.eligible(index).report().url();
        Host h = carried.get(id);
        if (h != null && h.url().equals(rawUrl)) {
            hosts[index] = h;
            return h;
        }
        Optional<HostUrl> parsed = HostUrl.of(rawUrl);
        if (parsed.isEmpty()) {
            h = UNUSABLE;
        } else {
            HostUrl url = parsed.get();
            String quotedId;
            try {
                quotedId = json.writeValueAsString(id);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            h = new Host(Answer.ascii(REDIRECT_HEAD + url.base(false)), Answer.ascii(REDIRECT_HEAD + url.base(true)),
                    Answer.ascii("{\"url\":\"" + url.base(true)),
                    ("\",\"hostId\":" + quotedId + ",\"token\":").getBytes(StandardCharsets.UTF_8),
                    AssignmentTokens.prefix(id), rawUrl);
        }
        hosts[index] = h;
        return h;
    }

    /** The answers of the latest snapshot, rebuilt when the snapshot changes. */
    static final class Latest {
        private final ObjectMapper json;
        private volatile HostAnswers current;

        Latest(ObjectMapper json) {
            this.json = json;
        }

        HostAnswers of(FarmSnapshot snapshot) {
            HostAnswers a = current;
            if (a == null || a.snapshot != snapshot) {
                a = new HostAnswers(snapshot, json, a);
                current = a;
            }
            return a;
        }
    }
}
