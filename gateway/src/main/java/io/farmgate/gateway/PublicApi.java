package io.farmgate.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listener's JSON side: {@code GET /v1/assign} for browsers (their WebSocket does not
 * follow redirects), with CORS for the configured origins, the cooperating browser client
 * ({@code GET /v1/client.js}), and the health probes.
 */
final class PublicApi {

    private static final Logger LOG = LoggerFactory.getLogger(PublicApi.class);

    /** Where the client module ships the browser client. */
    static final String CLIENT_JS_RESOURCE = "/io/farmgate/client/farmgate-client.js";

    /** Longest {@code path} a client may ask {@code /v1/assign} to append. */
    static final int MAX_PATH_LENGTH = 2048;

    private final Assigner assigner;
    private final AssignmentTokens tokens;
    private final ClientAddress clientAddress;
    private final GatewayConfig config;
    private final Supplier<FarmSnapshot> snapshots;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final ObjectMapper json;
    private final boolean anyOrigin;
    private final List<String> origins;

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
        this.anyOrigin = config.corsOrigins().contains("*");
        this.origins = config.corsOrigins();
    }

    void routes(RoutesConfig routes) {
        routes.get("/v1/assign", this::assign);
        byte[] clientJs = clientJs();
        routes.get("/v1/client.js", ctx -> {
            cors(ctx);
            ctx.header("Cache-Control", "public, max-age=300");
            ctx.contentType("application/javascript; charset=utf-8").result(clientJs);
        });
        routes.options("/v1/assign", this::preflight);
        routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
        routes.get("/readyz", ctx -> Health.readyz(ctx, snapshots.get(), clock.millis(), config, json));
        routes.exception(Exception.class, (e, ctx) -> {
            // Never a 500 on the public side: a bug answers "try again" and is counted and logged.
            metrics.unexpected();
            LOG.error("public {} {} failed", ctx.method(), ctx.path(), e);
            ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
            ctx.status(503).contentType("application/json").result("{\"error\":\"temporarily unavailable\"}");
        });
    }

    /** The browser client, read once: it is part of the jar and never changes while running. */
    private static byte[] clientJs() {
        try (java.io.InputStream in = PublicApi.class.getResourceAsStream(CLIENT_JS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLIENT_JS_RESOURCE + " is missing from the classpath (farmgate-client)");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assign(Context ctx) throws Exception {
        long start = System.nanoTime();
        try {
            cors(ctx);
            ctx.header("Cache-Control", "no-store");
            String path = ctx.queryParam("path");
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            if (path.charAt(0) != '/' || path.length() > MAX_PATH_LENGTH) {
                error(ctx, 400, "path: expected an absolute path of at most " + MAX_PATH_LENGTH + " characters");
                return;
            }
            String key = ctx.queryParam("client");
            if (key == null || key.isEmpty()) {
                key = ctx.header(RedirectHandler.CLIENT_HEADER);
            }
            if (key != null && key.length() > RedirectHandler.MAX_CLIENT_KEY_LENGTH) {
                error(ctx, 400, "client: " + key.length() + " characters (expected: at most "
                        + RedirectHandler.MAX_CLIENT_KEY_LENGTH + ")");
                return;
            }
            if ((key == null || key.isEmpty()) && config.affinityByAddress()) {
                key = clientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
            }
            if (key != null && key.isEmpty()) {
                key = null;
            }
            Assigner.Assignment a = assigner.assign(key);
            if (a == null) {
                ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
                error(ctx, 503, "no eligible host");
                return;
            }
            long expiresAt = tokens.expiresAtSeconds();
            String token = tokens.sign(a.hostId(), key, expiresAt);
            StringBuilder url = new StringBuilder(a.url().base(true));
            // Javalin hands the path decoded; re-encoding it keeps the URL to visible ASCII.
            RequestTarget.appendPath(url, path);
            if (token != null) {
                url.append('?').append(AssignmentTokens.PARAM).append('=').append(token);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("url", url.toString());
            body.put("hostId", a.hostId());
            body.put("token", token);
            body.put("expiresAt", expiresAt);
            ctx.contentType("application/json").result(json.writeValueAsString(body));
        } finally {
            metrics.assignNanos(System.nanoTime() - start);
        }
    }

    private void preflight(Context ctx) {
        cors(ctx);
        ctx.header("Access-Control-Allow-Methods", "GET, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", RedirectHandler.CLIENT_HEADER);
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        if (anyOrigin) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else if (origins.contains(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        } else {
            return;
        }
        // The browser client reads a 503's Retry-After; cross-origin, it may only if told so.
        ctx.header("Access-Control-Expose-Headers", "Retry-After");
    }

    private void error(Context ctx, int status, String message) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(Map.of("error", message)));
    }
}
