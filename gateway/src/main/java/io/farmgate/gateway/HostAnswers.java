package io.farmgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The bytes an answer needs per eligible host of one snapshot, built once per snapshot (each
 * host's on its first pick), as gRPC's pickers precompute: the whole 307 head up to the end of
 * the {@code Location}'s base URL, for plain requests and for WebSocket upgrades, the start of the
 * {@code /v1/assign} JSON, and the token prefix. A request then costs a parse, a pick and a copy.
 * As an {@link IntPredicate} it says which hosts have a URL that may be sent to a client.
 */
final class HostAnswers implements IntPredicate {

    private static final Host UNUSABLE = new Host(null, null, null, null, null);
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
     */
    record Host(byte[] redirect, byte[] upgrade, byte[] assignUrl, byte[] assignHost, byte[] tokenPrefix) {
    }

    private final FarmSnapshot snapshot;
    private final ObjectMapper json;
    /** Filled on first use; racing builders write equal values, and a Host is immutable. */
    private final Host[] hosts;

    private HostAnswers(FarmSnapshot snapshot, ObjectMapper json) {
        this.snapshot = snapshot;
        this.json = json;
        this.hosts = new Host[snapshot.eligibleCount()];
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
        Optional<HostUrl> parsed = HostUrl.of(snapshot.eligible(index).report().url());
        Host h;
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
                    AssignmentTokens.prefix(id));
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
                a = new HostAnswers(snapshot, json);
                current = a;
            }
            return a;
        }
    }
}
