package io.farmgate.gateway;

import io.javalin.config.JavalinConfig;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LowResourceMonitor;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty connectors for the admin listener's Javalin app, remembered so the bound ports can be read after start. */
final class Listeners {

    private final List<ServerConnector> connectors = new ArrayList<>();

    /**
     * Common Javalin settings: quiet start, bounded request heads, no version header, and no
     * low-resource monitor.
     */
    static void quiet(JavalinConfig cfg, int maxRequestHeaderBytes) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.startupWatcherEnabled = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        // Javalin's default server adds one, which wakes Jetty's scheduler every second for as long as
        // the gateway runs (one of an idle gateway's twenty-odd wake-ups a second) to shorten idle
        // timeouts when the thread pool runs low: the admin API's few clients never make it.
        cfg.jetty.modifyServer(server -> server.getBeans(LowResourceMonitor.class).forEach(server::removeBean));
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setRequestHeaderSize(maxRequestHeaderBytes);
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
        });
    }

    /** Adds a plain HTTP/1.1 connector; connectors are numbered from 0 in the order added. */
    void plain(JavalinConfig cfg, ListenAddress address) {
        int index = connectors.size();
        connectors.add(null);
        cfg.jetty.addConnector((server, http) -> remember(index, connector(server, address,
                new HttpConnectionFactory(http))));
    }

    private static ServerConnector connector(Server server, ListenAddress address,
                                             org.eclipse.jetty.server.ConnectionFactory... factories) {
        ServerConnector c = new ServerConnector(server, factories);
        c.setHost(address.host());
        c.setPort(address.port());
        return c;
    }

    private synchronized ServerConnector remember(int index, ServerConnector c) {
        connectors.set(index, c);
        return c;
    }

    /** The port connector {@code index} (0 = the first added) is bound to, after start. */
    synchronized int port(int index) {
        return connectors.get(index).getLocalPort();
    }
}
