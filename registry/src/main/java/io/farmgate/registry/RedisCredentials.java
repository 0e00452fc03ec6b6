package io.farmgate.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The user and password of a registry URI's user info, as Lettuce reads them:
 * {@code password}, {@code :password} or {@code user:password}, URL-decoded.
 *
 * @param user     the ACL user, or null for the default user
 * @param password the password, or null for none
 */
public record RedisCredentials(String user, String password) {

    /** No user info in the URI. */
    public static final RedisCredentials NONE = new RedisCredentials(null, null);

    /** The credentials in the user info part (before the last '@'), or {@link #NONE} for null. */
    public static RedisCredentials fromUserInfo(String userInfo) {
        if (userInfo == null) {
            return NONE;
        }
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
            return new RedisCredentials(null, decode(userInfo));
        }
        return new RedisCredentials(colon == 0 ? null : decode(userInfo.substring(0, colon)),
                decode(userInfo.substring(colon + 1)));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    // Never print the password.
    @Override
    public String toString() {
        return "RedisCredentials[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
