package io.farmgate.scoring;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * A host's advertised base URL, checked and split: its scheme says only whether it is secure
 * ({@code ws}/{@code http} plain, {@code wss}/{@code https} TLS). Agents write these URLs, so they
 * are checked like any other input before reaching a client; a host whose URL fails the check is
 * {@link Eligibility#UNUSABLE_URL}, never picked.
 *
 * @param secure           TLS or not
 * @param authorityAndPath {@code host:port} plus any base path, no trailing slash
 */
public record AdvertisedUrl(boolean secure, String authorityAndPath) {

    /** Longest URL accepted. */
    public static final int MAX_LENGTH = 2048;

    /**
     * The parsed URL, or empty when a client cannot be sent to it (it could not be a
     * {@code Location} header): not absolute, another scheme, a query, fragment or user info,
     * longer than {@link #MAX_LENGTH}, or anything but visible ASCII.
     */
    public static Optional<AdvertisedUrl> parse(String url) {
        if (url == null || url.length() > MAX_LENGTH || !visibleAscii(url)) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure;
        switch (scheme) {
            case "ws", "http" -> secure = false;
            case "wss", "https" -> secure = true;
            default -> {
                return Optional.empty();
            }
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return Optional.of(new AdvertisedUrl(secure, uri.getRawAuthority() + path));
    }

    /** Whether clients can be sent to {@code url}. */
    public static boolean usable(String url) {
        return parse(url).isPresent();
    }

    private static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
