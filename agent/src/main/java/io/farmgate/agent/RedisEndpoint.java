package io.farmgate.agent;

import io.farmgate.registry.RedisCredentials;
import io.farmgate.registry.RegistryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the lean registry link finds Redis, read from the registry URI in Lettuce's
 * {@code RedisURI} syntax: one server ({@code redis://}, {@code rediss://}), or the master that
 * Sentinels name ({@code redis-sentinel://}, {@code rediss-sentinel://}), with the credentials and
 * database of the URI. {@link #connect()} returns a connection that is authenticated, on the right
 * database and, behind Sentinels, to the current master.
 */
final class RedisEndpoint {

    private static final int REDIS_PORT = 6379;
    private static final int SENTINEL_PORT = 26379;

    /** One host:port of the URI. */
    record Node(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    private final List<Node> nodes;
    private final String masterName;
    private final String user;
    private final String password;
    private final int database;
    private final boolean tls;
    private final Path caFile;
    private final int timeoutMillis;
    private SSLSocketFactory sslFactory;

    private RedisEndpoint(List<Node> nodes, String masterName, String user, String password, int database,
            boolean tls, Path caFile, int timeoutMillis) {
        this.nodes = List.copyOf(nodes);
        this.masterName = masterName;
        this.user = user;
        this.password = password;
        this.database = database;
        this.tls = tls;
        this.caFile = caFile;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * The endpoint of {@code config}'s URI, or null when the lean link does not speak it: Redis
     * Cluster, and URI options other than the database and the Sentinel master name (Lettuce's
     * link takes those).
     *
     * @throws IllegalArgumentException when the URI is malformed (the message names {@code redisUri})
     */
    static RedisEndpoint of(RegistryConfig config) {
        if (config.clusterMode()) {
            return null;
        }
        if (config.redisCaFile() != null && !Files.isReadable(config.redisCaFile())) {
            throw new IllegalArgumentException("redisCaFile: '" + config.redisCaFile() + "' (expected: a readable PEM file)");
        }
        String uri = config.redisUri();
        int schemeEnd = uri.indexOf("://");
        String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean sentinel = scheme.endsWith("-sentinel");
        boolean tls = scheme.startsWith("rediss");
        String rest = uri.substring(schemeEnd + 3);
        String masterName = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            masterName = decode(rest.substring(hash + 1));
            rest = rest.substring(0, hash);
        }
        int database = 0;
        int question = rest.indexOf('?');
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (key) {
                    case "database", "db" -> database = number(config, "database", value);
                    case "sentinelMasterId" -> masterName = value;
                    default -> {
                        return null; // e.g. verifyPeer, clientName: Lettuce knows them, this link does not
                    }
                }
            }
            rest = rest.substring(0, question);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String path = rest.substring(slash + 1);
            if (!path.isEmpty()) {
                database = number(config, "database", path);
            }
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        RedisCredentials credentials = RedisCredentials.fromUserInfo(at >= 0 ? rest.substring(0, at) : null);
        rest = rest.substring(at + 1);
        List<Node> nodes = new ArrayList<>();
        for (String hostPort : rest.split(",")) {
            nodes.add(node(config, hostPort.trim(), sentinel ? SENTINEL_PORT : REDIS_PORT));
        }
        if (!sentinel && nodes.size() != 1) {
            throw bad(config, "expected: one host:port");
        }
        if (sentinel && (masterName == null || masterName.isEmpty())) {
            throw bad(config, "expected: the master's name after '#'");
        }
        return new RedisEndpoint(nodes, sentinel ? masterName : null, credentials.user(), credentials.password(), database, tls,
                config.redisCaFile(), (int) Math.min(Integer.MAX_VALUE, config.commandTimeoutMillis()));
    }

    private static Node node(RegistryConfig config, String hostPort, int defaultPort) {
        String host = hostPort;
        int port = defaultPort;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw bad(config, "expected: ']' after an IPv6 address");
            }
            host = hostPort.substring(1, close);
            if (close + 1 < hostPort.length()) {
                if (hostPort.charAt(close + 1) != ':') {
                    throw bad(config, "expected: ':' and a port after ']'");
                }
                port = number(config, "port", hostPort.substring(close + 2));
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                port = number(config, "port", hostPort.substring(colon + 1));
            }
        }
        if (host.isEmpty()) {
            throw bad(config, "expected: a host");
        }
        if (port < 1 || port > 65535) {
            throw bad(config, "expected: port in [1, 65535]");
        }
        return new Node(host, port);
    }

    private static int number(RegistryConfig config, String what, String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(config, "expected: " + what + " a number >= 0, not '" + s + "'");
    }

    private static IllegalArgumentException bad(RegistryConfig config, String problem) {
        return new IllegalArgumentException("redisUri: '" + config.maskedRedisUri() + "' (" + problem + ")");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The Sentinel master name, or null for one server. */
    String masterName() {
        return masterName;
    }

    int database() {
        return database;
    }

    /**
     * A new connection, authenticated and on the URI's database; behind Sentinels, to the master
     * they name now (asked in the URI's order, the first that answers wins), checked with ROLE.
     *
     * @throws IOException when no server could be reached or it refused us; the message says which
     */
    RespConnection connect() throws IOException {
        Node target = masterName == null ? nodes.get(0) : askSentinels();
        RespConnection c = RespConnection.open(target.host(), target.port(), ssl(), timeoutMillis);
        try {
            authenticate(c);
            if (database != 0) {
                c.call("SELECT", Integer.toString(database));
            }
            if (masterName != null) {
                Object role = c.call("ROLE");
                if (!(role instanceof List<?> r) || r.isEmpty() || !"master".equals(r.get(0))) {
                    throw new IOException(target + " named by the Sentinels as master of " + masterName
                            + " is not a master (failover in progress?)");
                }
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void authenticate(RespConnection c) throws IOException {
        if (password == null) {
            return;
        }
        if (user != null) {
            c.call("AUTH", user, password);
        } else {
            c.call("AUTH", password);
        }
    }

    private Node askSentinels() throws IOException {
        IOException failure = null;
        for (Node sentinel : nodes) {
            try (RespConnection s = RespConnection.open(sentinel.host(), sentinel.port(), ssl(), timeoutMillis)) {
                Object reply;
                try {
                    reply = s.call("SENTINEL", "get-master-addr-by-name", masterName);
                } catch (RespConnection.ErrorReply e) {
                    if (!e.is("NOAUTH") || password == null) {
                        throw e;
                    }
                    authenticate(s); // a Sentinel with requirepass: the URI's credentials
                    reply = s.call("SENTINEL", "get-master-addr-by-name", masterName);
                }
                if (reply instanceof List<?> address && address.size() == 2) {
                    return new Node(String.valueOf(address.get(0)), Integer.parseInt(String.valueOf(address.get(1))));
                }
                failure = new IOException("Sentinel " + sentinel + " does not know master " + masterName);
            } catch (IOException | NumberFormatException e) {
                IOException wrapped = new IOException("Sentinel " + sentinel + ": " + e.getMessage(), e);
                if (failure != null) {
                    wrapped.addSuppressed(failure);
                }
                failure = wrapped;
            }
        }
        throw failure;
    }

    /** The TLS socket factory, made once: trusting the CA file, else the JVM's trust store; null without TLS. */
    private synchronized SSLSocketFactory ssl() throws IOException {
        if (!tls) {
            return null;
        }
        if (sslFactory == null) {
            try {
                if (caFile == null) {
                    sslFactory = SSLContext.getDefault().getSocketFactory();
                } else {
                    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                    trusted.load(null, null);
                    try (InputStream pem = Files.newInputStream(caFile)) {
                        int i = 0;
                        for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                            trusted.setCertificateEntry("ca-" + i++, cert);
                        }
                    }
                    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(trusted);
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(null, tmf.getTrustManagers(), null);
                    sslFactory = context.getSocketFactory();
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("redisCaFile: '" + caFile + "' (" + e.getMessage() + ")", e);
            }
        }
        return sslFactory;
    }
}
