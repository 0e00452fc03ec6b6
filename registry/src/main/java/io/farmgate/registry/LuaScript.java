package io.farmgate.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script of the registry and its SHA-1, for EVALSHA (sent in full with EVAL only when the
 * server does not know it yet). Scripts are how the registry makes multi-key changes atomic:
 * MULTI/EXEC is not part of the command interface standalone and cluster connections share, and
 * the farm's keys share one cluster slot, so a script may touch all of them. No Redis client
 * here: the Lettuce code runs it through {@code RegistryConnection.eval}, the agent's lean link
 * sends it itself, so both send the same text.
 */
public final class LuaScript {

    private final String source;
    private final String sha1;

    LuaScript(String source) {
        this.source = source;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            this.sha1 = HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /** The Lua text, for EVAL. */
    public String source() {
        return source;
    }

    /** Lower-case hex SHA-1 of the text, for EVALSHA. */
    public String sha1() {
        return sha1;
    }
}
