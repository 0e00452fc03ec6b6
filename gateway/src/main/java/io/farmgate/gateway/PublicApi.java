package io.farmgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.Readiness;
import io.farmgate.scoring.pick.Picker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the public listener answers: it routes each parsed request to {@code GET /v1/assign}
 * for browsers (their WebSocket does not follow redirects) with CORS for the configured origins and
 * its preflight, the cooperating browser client ({@code GET /v1/client.js}), the health probes, and
 * everything else to the {@link RedirectHandler}. A bug never becomes a 500: it answers 503 with
 * Retry-After, counted and logged.
 */
final class PublicApi {

    private static final Logger LOG = LoggerFactory.getLogger(PublicApi.class);

    /** Where the client module ships the browser client. */
    static final String CLIENT_JS_RESOURCE = "/io/farmgate/client/farmgate-client.js";

    /** Longest {@code path} a client may ask {@code /v1/assign} to append. */
    static final int MAX_PATH_LENGTH = 2048;

    private static final byte[] ALLOW_API = Answer.ascii("Allow: GET, HEAD, OPTIONS\r\n");
    private static final byte[] ALLOW_GET = Answer.ascii("Allow: GET, HEAD\r\n");
    private static final byte[] CLIENT_JS_CACHE = Answer.ascii("Cache-Control: public, max-age=300\r\n");
    private static final byte[] PREFLIGHT = Answer.ascii("Access-Control-Allow-Methods: GET, OPTIONS\r\n"
            + "Access-Control-Allow-Headers: " + ClientKey.HEADER + "\r\nAccess-Control-Max-Age: 600\r\n");
    private static final byte[] ANY_ORIGIN = Answer.ascii("Access-Control-Allow-Origin: *\r\n"
            + "Access-Control-Expose-Headers: Retry-After\r\n");
    private static final byte[] OK_TEXT = Answer.ascii("ok\n");
    private static final byte[] NOT_FOUND = Answer.ascii("not found\n");
    private static final byte[] NO_BODY = new byte[0];
    private static final byte[] JSON_NULL = Answer.ascii("null");
    private static final byte[] EXPIRES_AT = Answer.ascii(",\"expiresAt\":");
    private static final byte[] TOKEN_PARAM = Answer.ascii("?" + AssignmentTokens.PARAM + "=");
    private static final byte[] PATH_PARAM_REFUSED = Answer.ascii("{\"error\":\"path: expected an absolute path of at most "
            + MAX_PATH_LENGTH + " characters\"}");
    private static final byte[] NO_HOST_JSON = Answer.ascii("{\"error\":\"no eligible host\"}");
    private static final byte[] UNAVAILABLE_JSON = Answer.ascii("{\"error\":\"temporarily unavailable\"}");
    private static final byte[] NO_UPGRADE = Answer.ascii("WebSocket upgrades are redirected to a host, not accepted here\n");
    private static final byte[] TIMED_OUT = Answer.ascii("request head not received in time\n");

    private final Assigner assigner;
    private final AssignmentTokens tokens;
    private final ClientAddress clientAddress;
    private final GatewayConfig config;
    private final Supplier<FarmSnapshot> snapshots;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final ObjectMapper json;
    private final RedirectHandler redirects;
    private final HostAnswers.Latest answers;
    private final boolean anyOrigin;
    /** Per allowed origin, its bytes and the CORS headers that answer it. */
    private final byte[][] origins;
    private final byte[][] originHeaders;
    private final byte[] retryAfter;
    private final byte[] clientJs;

    PublicApi(Assigner assigner, AssignmentTokens tokens, ClientAddress clientAddress, GatewayConfig config,
              Supplier<FarmSnapshot> snapshots, Clock clock, GatewayMetrics metrics, ObjectMapper json) {
        this.assigner = assigner;
        this.tokens = tokens;
        this.clientAddress = clientAddress;
        this.config = config;
        this.snapshots = snapshots;
        this.clock = clock;
        this.metrics = metrics;
        this.json = json;
        this.answers = new HostAnswers.Latest(json);
        this.redirects = new RedirectHandler(assigner, tokens, clientAddress, config.affinityByAddress(),
                config.retryAfterSeconds(), answers);
        this.anyOrigin = config.corsOrigins().contains("*");
        List<String> allowed = config.corsOrigins().stream().filter(o -> !o.equals("*")).toList();
        this.origins = new byte[allowed.size()][];
        this.originHeaders = new byte[allowed.size()][];
        for (int i = 0; i < allowed.size(); i++) {
            origins[i] = Answer.ascii(allowed.get(i));
            originHeaders[i] = Answer.ascii("Access-Control-Allow-Origin: " + allowed.get(i) + "\r\nVary: Origin\r\n"
                    + "Access-Control-Expose-Headers: Retry-After\r\n");
        }
        this.retryAfter = Answer.ascii("Retry-After: " + config.retryAfterSeconds() + "\r\n");
        this.clientJs = clientJs();
    }

    /** The browser client, read once: it is part of the jar and never changes while running. */
    private static byte[] clientJs() {
        try (InputStream in = PublicApi.class.getResourceAsStream(CLIENT_JS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLIENT_JS_RESOURCE + " is missing from the classpath (farmgate-client)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends the answer to one parsed request to the loop's answer.
     *
     * @param close whether the connection closes after it (said in the head)
     */
    void answer(RequestHead h, boolean close, LoopState loop, ClientKey.PeerAddress peer, long nowMillis) {
        Answer out = loop.answer;
        int mark = out.length();
        boolean assign = h.pathIs("/v1/assign");
        long start = System.nanoTime();
        try {
            if (h.websocket && (h.pathStartsWith("/v1/") || h.pathIs("/healthz") || h.pathIs("/readyz"))) {
                // Only redirects take upgrades (to a host); the gateway itself never speaks WebSocket.
                out.append(Answer.BAD_REQUEST).append(Answer.NO_STORE)
                        .body(h, Answer.TEXT, NO_UPGRADE, close, nowMillis);
            } else if (assign) {
                assign(h, close, loop, peer, nowMillis);
            } else if (h.pathStartsWith("/v1/")) {
                if (h.pathIs("/v1/client.js")) {
                    clientScript(h, close, out, nowMillis);
                } else {
                    out.append(Answer.NOT_FOUND).append(Answer.NO_STORE).body(h, Answer.TEXT, NOT_FOUND, close, nowMillis);
                }
            } else if (h.pathIs("/healthz") && h.pathEnd - h.pathStart == 8) {
                probe(h, close, out, Answer.OK, Answer.TEXT, OK_TEXT, nowMillis);
            } else if (h.pathIs("/readyz") && h.pathEnd - h.pathStart == 7) {
                readyz(h, close, out, nowMillis);
            } else {
                redirects.redirect(h, close, loop, peer, nowMillis);
            }
        } catch (RuntimeException e) {
            // A bug must not turn into a 500 for the client: it may retry, and we count and log it.
            out.truncate(mark);
            metrics.unexpected();
            LOG.error("public request failed", e);
            if (assign) {
                out.append(Answer.UNAVAILABLE).append(retryAfter).append(Answer.NO_STORE)
                        .body(h, Answer.JSON, UNAVAILABLE_JSON, close, nowMillis);
            } else {
                redirects.unavailable(h, close, out, nowMillis);
            }
        } finally {
            long nanos = System.nanoTime() - start;
            if (assign) {
                metrics.assignNanos(nanos);
            } else {
                metrics.redirectNanos(nanos);
            }
        }
    }

    /** The answer to a head that could not be parsed; the connection closes after it. */
    void refuse(int status, RequestHead h, Answer out, long nowMillis) {
        metrics.refusedHead();
        byte[] line = switch (status) {
            case RequestHead.URI_TOO_LONG -> Answer.URI_TOO_LONG;
            case RequestHead.HEADERS_TOO_LARGE -> Answer.HEADERS_TOO_LARGE;
            default -> Answer.BAD_REQUEST;
        };
        String why = switch (status) {
            case RequestHead.URI_TOO_LONG -> "request line longer than " + config.maxRequestHeaderBytes() + " bytes";
            case RequestHead.HEADERS_TOO_LARGE -> "request head longer than " + config.maxRequestHeaderBytes() + " bytes";
            default -> "bad request: " + h.problem;
        };
        byte[] body = Answer.ascii(why + "\n");
        out.append(line).append(Answer.NO_STORE).append("Content-Type: " + Answer.TEXT + "\r\n")
                .contentLength(body.length).endHead(false, true, nowMillis).append(body);
    }

    /** The 408 for a head that did not arrive within the header read timeout. */
    void timedOut(Answer out, long nowMillis) {
        out.append(Answer.REQUEST_TIMEOUT).append(Answer.NO_STORE).append("Content-Type: " + Answer.TEXT + "\r\n")
                .contentLength(TIMED_OUT.length).endHead(false, true, nowMillis).append(TIMED_OUT);
    }

    private void probe(RequestHead h, boolean close, Answer out, byte[] status, String type, byte[] body,
                       long nowMillis) {
        if (h.method != RequestHead.GET && h.method != RequestHead.HEAD) {
            out.append(Answer.METHOD_NOT_ALLOWED).append(ALLOW_GET).append(Answer.NO_STORE)
                    .body(h, Answer.TEXT, NO_BODY, close, nowMillis);
            return;
        }
        out.append(status).append(Answer.NO_STORE).body(h, type, body, close, nowMillis);
    }

    private void readyz(RequestHead h, boolean close, Answer out, long nowMillis) {
        Readiness r = Readiness.of(snapshots.get(), clock.millis(), config.snapshotFreshMillis(),
                config.snapshotMaxStaleMillis());
        byte[] body = Health.json(r, json).getBytes(StandardCharsets.UTF_8);
        probe(h, close, out, r.httpStatus() == 200 ? Answer.OK : Answer.UNAVAILABLE, Answer.JSON, body, nowMillis);
    }

    private void clientScript(RequestHead h, boolean close, Answer out, long nowMillis) {
        if (h.method != RequestHead.GET && h.method != RequestHead.HEAD) {
            out.append(Answer.METHOD_NOT_ALLOWED).append(ALLOW_GET).append(Answer.NO_STORE)
                    .body(h, Answer.TEXT, NO_BODY, close, nowMillis);
            return;
        }
        out.append(Answer.OK);
        cors(h, out);
        out.append(CLIENT_JS_CACHE).body(h, "application/javascript; charset=utf-8", clientJs, close, nowMillis);
    }

    private void assign(RequestHead h, boolean close, LoopState loop, ClientKey.PeerAddress peer, long nowMillis) {
        Answer out = loop.answer;
        if (h.method == RequestHead.OPTIONS) {
            out.append(Answer.NO_CONTENT);
            cors(h, out);
            out.append(PREFLIGHT).endHead(h.http10, close, nowMillis);
            return;
        }
        if (h.method != RequestHead.GET && h.method != RequestHead.HEAD) {
            out.append(Answer.METHOD_NOT_ALLOWED).append(ALLOW_API).append(Answer.NO_STORE)
                    .body(h, Answer.TEXT, NO_BODY, close, nowMillis);
            return;
        }
        byte[] b = h.bytes;
        byte[] path = loop.scratch;
        int pathLength = 0;
        if (h.queryStart >= 0) {
            int v = RequestTarget.param(b, h.queryStart, h.queryEnd, "path");
            if (v >= 0) {
                pathLength = RequestTarget.decode(b, v, RequestTarget.valueEnd(b, v, h.queryEnd), path);
                if (pathLength < 0 || (pathLength > 0 && path[0] != '/') || pathLength > MAX_PATH_LENGTH) {
                    error(h, close, out, Answer.BAD_REQUEST, PATH_PARAM_REFUSED, nowMillis);
                    return;
                }
            }
        }
        ClientKey key = loop.key;
        String refused = key.read(h, peer, clientAddress, config.affinityByAddress());
        if (refused != null) {
            error(h, close, out, Answer.BAD_REQUEST, jsonError(refused), nowMillis);
            return;
        }
        FarmSnapshot snapshot = assigner.snapshot();
        HostAnswers hosts = answers.of(snapshot);
        int i = assigner.pick(snapshot, key.forHash(), hosts);
        if (i == Picker.NO_HOST) {
            out.append(Answer.UNAVAILABLE).append(retryAfter);
            cors(h, out);
            out.append(Answer.NO_STORE).body(h, Answer.JSON, NO_HOST_JSON, close, nowMillis);
            return;
        }
        HostAnswers.Host host = hosts.host(i);
        out.append(Answer.OK);
        cors(h, out);
        out.append(Answer.NO_STORE).append("Content-Type: " + Answer.JSON + "\r\n");
        // The body goes after the head, whose Content-Length is known only once the body is built.
        int headAt = out.length();
        int bodyAt = out.reserve(0);
        out.append(host.assignUrl());
        if (pathLength == 0) {
            out.append('/');
        } else {
            RequestTarget.appendPath(out, path, 0, pathLength);
        }
        long expiresAt = tokens.expiresAtSeconds();
        int tokenAt = -1;
        int tokenEnd = -1;
        if (tokens.enabled()) {
            out.append(TOKEN_PARAM);
            tokenAt = out.length();
            loop.signer.append(out, host.tokenPrefix(), key.utf8(), key.byteLength(), expiresAt);
            tokenEnd = out.length();
        }
        out.append(host.assignHost());
        if (tokenAt < 0) {
            out.append(JSON_NULL);
        } else {
            out.append('"').append(out.array(), tokenAt, tokenEnd - tokenAt).append('"');
        }
        out.append(EXPIRES_AT).decimal(expiresAt).append('}');
        int bodyLength = out.length() - bodyAt;
        // Move the body behind its head: append the head's end, then rotate it in front of the body.
        int headEndAt = out.length();
        out.contentLength(bodyLength).endHead(h.http10, close, nowMillis);
        rotate(out.array(), headAt, headEndAt, out.length());
        if (h.method == RequestHead.HEAD) {
            out.truncate(out.length() - bodyLength);
        }
    }

    /** Swaps {@code a[from, mid)} and {@code a[mid, to)} in place. */
    private static void rotate(byte[] a, int from, int mid, int to) {
        reverse(a, from, mid);
        reverse(a, mid, to);
        reverse(a, from, to);
    }

    private static void reverse(byte[] a, int from, int to) {
        for (int i = from, j = to - 1; i < j; i++, j--) {
            byte t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private void error(RequestHead h, boolean close, Answer out, byte[] status, byte[] body, long nowMillis) {
        out.append(status);
        cors(h, out);
        out.append(Answer.NO_STORE).body(h, Answer.JSON, body, close, nowMillis);
    }

    private byte[] jsonError(String message) {
        try {
            return json.writeValueAsBytes(Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void cors(RequestHead h, Answer out) {
        if (h.originStart < 0) {
            return;
        }
        if (anyOrigin) {
            out.append(ANY_ORIGIN);
            return;
        }
        int n = h.originEnd - h.originStart;
        for (int i = 0; i < origins.length; i++) {
            if (origins[i].length == n && java.util.Arrays.equals(origins[i], 0, n, h.bytes, h.originStart, h.originEnd)) {
                out.append(originHeaders[i]);
                return;
            }
        }
    }
}
