package io.farmgate.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path of the public listener: every request outside {@code /v1/}, {@code /healthz} and
 * {@code /readyz} gets a 307 to the chosen host. It sits in front of Javalin as a plain Jetty
 * handler, so a redirect costs one pick and one small response, and so WebSocket upgrade requests
 * are redirected like any GET instead of reaching Javalin's WebSocket servlet.
 */
final class RedirectHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(RedirectHandler.class);

    /** Longest client key accepted, in characters. */
    static final int MAX_CLIENT_KEY_LENGTH = 256;
    static final String CLIENT_HEADER = "X-Farmgate-Client";

    private final Assigner assigner;
    private final AssignmentTokens tokens;
    private final ClientAddress clientAddress;
    private final boolean affinityByAddress;
    private final String retryAfter;
    private final GatewayMetrics metrics;

    RedirectHandler(Assigner assigner, AssignmentTokens tokens, ClientAddress clientAddress, boolean affinityByAddress,
                    int retryAfterSeconds, GatewayMetrics metrics) {
        this.assigner = assigner;
        this.tokens = tokens;
        this.clientAddress = clientAddress;
        this.affinityByAddress = affinityByAddress;
        this.retryAfter = Integer.toString(retryAfterSeconds);
        this.metrics = metrics;
    }

    /** Paths Javalin answers; everything else is redirected. */
    static boolean isApiPath(String rawPath) {
        return rawPath.startsWith("/v1/") || rawPath.equals("/healthz") || rawPath.equals("/readyz");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        if (path != null && isApiPath(path)) {
            return super.handle(request, response, callback);
        }
        long start = System.nanoTime();
        try {
            redirect(request, response, callback, uri);
        } catch (RuntimeException e) {
            // A bug must not turn into a 500 for the client: it may retry, and we count and log it.
            metrics.unexpected();
            LOG.error("redirect failed for {} {}", request.getMethod(), path, e);
            unavailable(response, callback);
        } finally {
            metrics.redirectNanos(System.nanoTime() - start);
        }
        return true;
    }

    private void redirect(Request request, Response response, Callback callback, HttpURI uri) {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            text(response, callback, 405, "only GET and HEAD are redirected\n");
            return;
        }
        HttpFields headers = request.getHeaders();
        String rawQuery = uri.getQuery();
        String clientKey;
        try {
            clientKey = clientKey(request, headers, rawQuery, clientAddress, affinityByAddress);
        } catch (IllegalArgumentException e) {
            text(response, callback, 400, e.getMessage() + "\n");
            return;
        }
        Assigner.Assignment a = assigner.assign(clientKey);
        if (a == null) {
            unavailable(response, callback);
            return;
        }
        StringBuilder location = new StringBuilder(128);
        location.append(a.url().base(isWebSocketUpgrade(headers)));
        RequestTarget.appendPath(location, uri.getPath());
        if (tokens.enabled()) {
            String query = RequestTarget.withoutParam(rawQuery, AssignmentTokens.PARAM);
            RequestTarget.appendQuery(location, query);
            location.append(query == null ? '?' : '&').append(AssignmentTokens.PARAM).append('=')
                    .append(tokens.sign(a.hostId(), clientKey, tokens.expiresAtSeconds()));
        } else {
            RequestTarget.appendQuery(location, rawQuery);
        }
        response.setStatus(307);
        HttpFields.Mutable out = response.getHeaders();
        out.put(HttpHeader.LOCATION, location.toString());
        out.put(HttpHeader.CACHE_CONTROL, "no-store");
        out.put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
    }

    /**
     * The client's affinity key: {@code ?client=}, else the {@code X-Farmgate-Client} header, else
     * (when configured) its address; null for none.
     *
     * @throws IllegalArgumentException when the key is too long or badly encoded
     */
    static String clientKey(Request request, HttpFields headers, String rawQuery, ClientAddress clientAddress,
                            boolean affinityByAddress) {
        String key = null;
        if (rawQuery != null && rawQuery.contains("client")) {
            try {
                key = RequestTarget.queryParam(rawQuery, "client");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("client: badly percent-encoded");
            }
        }
        if (key == null || key.isEmpty()) {
            key = headers.get(CLIENT_HEADER);
        }
        if (key != null && !key.isEmpty()) {
            if (key.length() > MAX_CLIENT_KEY_LENGTH) {
                throw new IllegalArgumentException("client: " + key.length() + " characters (expected: at most "
                        + MAX_CLIENT_KEY_LENGTH + ")");
            }
            return key;
        }
        if (affinityByAddress) {
            return clientAddress.of(Request.getRemoteAddr(request), headers.get("X-Forwarded-For"));
        }
        return null;
    }

    static boolean isWebSocketUpgrade(HttpFields headers) {
        HttpField upgrade = headers.getField(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.contains("websocket");
    }

    private void unavailable(Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfter);
        text(response, callback, 503, "no eligible host\n");
    }

    private static void text(Response response, Callback callback, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        HttpFields.Mutable out = response.getHeaders();
        out.put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        out.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        out.put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
