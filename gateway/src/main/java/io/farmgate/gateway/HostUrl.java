package io.farmgate.gateway;

import io.farmgate.scoring.AdvertisedUrl;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A host's advertised base URL, checked and split so redirects can pick the scheme: the host's
 * scheme says only whether it is secure ({@code ws}/{@code http} plain, {@code wss}/{@code https}
 * TLS); a WebSocket upgrade is sent to {@code ws(s)://}, anything else to {@code http(s)://}.
 *
 * @param secure           TLS or not
 * @param authorityAndPath {@code host:port} plus any base path, no trailing slash
 */
record HostUrl(boolean secure, String authorityAndPath) {

    /** Past this many distinct URLs the cache starts over; it only grows with host churn. */
    private static final int MAX_CACHED = 4096;
    private static final ConcurrentHashMap<String, Optional<HostUrl>> CACHE = new ConcurrentHashMap<>();

    /** The base URL for a client of this kind. */
    String base(boolean websocket) {
        String scheme = websocket ? (secure ? "wss://" : "ws://") : (secure ? "https://" : "http://");
        return scheme + authorityAndPath;
    }

    /**
     * The parsed URL, or empty when it cannot be used in a {@code Location} header: not absolute,
     * another scheme, a query, fragment or user info, or anything but visible ASCII. Agents write
     * these URLs, so they are checked like any other input before reaching a client.
     */
    static Optional<HostUrl> of(String url) {
        Optional<HostUrl> known = CACHE.get(url);
        if (known != null) {
            return known;
        }
        if (CACHE.size() >= MAX_CACHED) {
            CACHE.clear();
        }
        Optional<HostUrl> parsed = parse(url);
        CACHE.put(url, parsed);
        return parsed;
    }

    /** The check is {@link AdvertisedUrl}'s: the snapshot already ruled hosts with unusable URLs out. */
    static Optional<HostUrl> parse(String url) {
        return AdvertisedUrl.parse(url).map(u -> new HostUrl(u.secure(), u.authorityAndPath()));
    }
}
