package io.farmgate.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a gateway for a host: {@code GET /v1/assign}, or the 307 of a plain request in redirect mode.
 * With several gateways it stays with the one that last answered and, when that one cannot be
 * reached (refused, reset, timed out), asks the next in the list, each at most once per call; only
 * when none answers does the call fail. A 503 is an answer: every gateway reads the same farm.
 */
final class GatewayAssigner {

    /** Told when a gateway could not be reached and the next one is asked instead. */
    interface FailoverListener {
        void failedOver(URI from, URI to, String why);
    }

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAssigner.class);
    static final int MAX_BODY_CHARS = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClientConfig config;
    private final HttpClient http;
    private final Clock clock;
    private final List<URI> requestUris;
    private final FailoverListener failovers;
    // The gateway asked first: the last one that answered. Calls of one client do not overlap.
    private final AtomicInteger current = new AtomicInteger();

    GatewayAssigner(ClientConfig config, HttpClient http, Clock clock) {
        this(config, http, clock, (from, to, why) -> { });
    }

    GatewayAssigner(ClientConfig config, HttpClient http, Clock clock, FailoverListener failovers) {
        this.config = config;
        this.http = http;
        this.clock = clock;
        this.failovers = failovers;
        if (config.frontDoor() == FrontDoor.REDIRECT && http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("httpClient: follows redirects (expected: HttpClient.Redirect.NEVER, "
                    + "so that the client can read the gateway's 307)");
        }
        this.requestUris = config.gateways().stream().map(g -> requestUri(config, g)).toList();
    }

    /** The request for the first gateway. */
    static URI requestUri(ClientConfig config) {
        return requestUri(config, config.gateway());
    }

    static URI requestUri(ClientConfig config, URI gateway) {
        String base = gateway.toString().replaceAll("/+$", "");
        if (config.frontDoor() == FrontDoor.REDIRECT) {
            String path = config.path().isEmpty() ? "/" : config.path();
            return URI.create(base + path + clientKeyQuery(config, path.contains("?") ? '&' : '?'));
        }
        return URI.create(base + "/v1/assign" + clientKeyQuery(config, '?'));
    }

    private static String clientKeyQuery(ClientConfig config, char separator) {
        return config.clientKey() == null ? "" : separator + "client=" + URLEncoder.encode(config.clientKey(), StandardCharsets.UTF_8);
    }

    /** The next assignment; fails with {@link NoHostAvailableException} on 503, {@link BadAnswerException} on anything unusable. */
    CompletableFuture<Assignment> next() {
        return ask(current.get(), requestUris.size());
    }

    /** The gateway asked first by the next call (index into {@link ClientConfig#gateways()}). */
    int currentGateway() {
        return current.get();
    }

    private CompletableFuture<Assignment> ask(int index, int triesLeft) {
        URI requestUri = requestUris.get(index);
        HttpRequest request = HttpRequest.newBuilder(requestUri)
                .timeout(Duration.ofMillis(config.connectTimeoutMillis()))
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<Assignment> answer = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> read(requestUri, response));
        if (triesLeft <= 1) {
            return answer;
        }
        return answer.exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof IOException)) {
                return CompletableFuture.failedFuture(cause);
            }
            int nextIndex = (index + 1) % requestUris.size();
            current.set(nextIndex);
            String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            try {
                failovers.failedOver(config.gateways().get(index), config.gateways().get(nextIndex), why);
            } catch (RuntimeException e) {
                LOG.warn("gateway failover listener failed", e);
            }
            return ask(nextIndex, triesLeft - 1);
        });
    }

    private Assignment read(URI requestUri, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 503) {
            throw new NoHostAvailableException(RetryAfter.millis(
                    response.headers().firstValue("Retry-After").orElse(null), clock, config.maxRetryAfterMillis()));
        }
        if (config.frontDoor() == FrontDoor.REDIRECT) {
            if (status >= 300 && status < 400) {
                String location = response.headers().firstValue("Location")
                        .orElseThrow(() -> new BadAnswerException("gateway: HTTP " + status + " without Location from " + requestUri));
                URI target = requestUri.resolve(location);
                return new Assignment(target.toString(), target.getRawAuthority(), null, null);
            }
            throw new BadAnswerException("gateway: HTTP " + status + " from " + requestUri + " (expected: a redirect)");
        }
        if (status != 200) {
            throw new BadAnswerException("gateway: HTTP " + status + " from " + requestUri + " (expected: 200)");
        }
        String body = response.body();
        if (body == null || body.length() > MAX_BODY_CHARS) {
            throw new BadAnswerException("gateway: assignment body missing or over " + MAX_BODY_CHARS + " characters");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadAnswerException("gateway: assignment is not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject() || !json.path("url").isTextual() || json.path("url").asText().isBlank()) {
            throw new BadAnswerException("gateway: assignment without \"url\" (expected: {\"url\", \"hostId\", \"token\", \"expiresAt\"})");
        }
        String url = json.get("url").asText();
        String hostId = textOrNull(json, "hostId");
        if (hostId == null) {
            hostId = URI.create(url).getRawAuthority();
        }
        return new Assignment(url, hostId, textOrNull(json, "token"), textOrNull(json, "expiresAt"));
    }

    private static String textOrNull(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /**
     * The WebSocket URL for an assignment: {@code http(s)} becomes {@code ws(s)}, the configured path is
     * appended in assign mode (a redirect already carries it), and the token travels as {@code fg_token}.
     */
    static URI webSocketUri(Assignment assignment, ClientConfig config) {
        URI url;
        try {
            url = new URI(assignment.url());
        } catch (URISyntaxException e) {
            throw new BadAnswerException("gateway: assigned url " + assignment.url() + " is not a URL");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String wsScheme;
        switch (scheme) {
            case "ws", "http" -> wsScheme = "ws";
            case "wss", "https" -> wsScheme = "wss";
            default -> throw new BadAnswerException("gateway: assigned url " + assignment.url() + " (expected: ws, wss, http or https)");
        }
        if (url.getHost() == null) {
            throw new BadAnswerException("gateway: assigned url " + assignment.url() + " has no host");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String query = url.getRawQuery();
        if (config.frontDoor() == FrontDoor.ASSIGN && !config.path().isEmpty()) {
            // The path's own query ("/chat?room=r") joins the assigned url's (which carries fg_token), as in JS.
            int q = config.path().indexOf('?');
            path = path.replaceAll("/+$", "") + (q < 0 ? config.path() : config.path().substring(0, q));
            String extra = q < 0 ? "" : config.path().substring(q + 1);
            if (!extra.isEmpty()) {
                query = query == null || query.isEmpty() ? extra : query + "&" + extra;
            }
        }
        // The gateway's /v1/assign url already carries the token; add it only where it is missing.
        if (assignment.token() != null && !assignment.token().isBlank() && !hasTokenParam(query)) {
            String tokenParam = "fg_token=" + URLEncoder.encode(assignment.token(), StandardCharsets.UTF_8);
            query = query == null || query.isEmpty() ? tokenParam : query + "&" + tokenParam;
        }
        return URI.create(wsScheme + "://" + url.getRawAuthority() + path + (query == null ? "" : "?" + query));
    }

    private static boolean hasTokenParam(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.equals("fg_token") || pair.startsWith("fg_token=")) {
                return true;
            }
        }
        return false;
    }

    /** The gateway's answer could not be used. */
    static final class BadAnswerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadAnswerException(String message) {
            super(message);
        }
    }
}
