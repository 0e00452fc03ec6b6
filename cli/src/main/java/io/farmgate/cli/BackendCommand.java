package io.farmgate.cli;

import io.farmgate.backend.BackendConfig;
import io.farmgate.backend.ChatBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate backend}: the demo WebSocket chat server with the agent embedded. */
@Command(name = "backend",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Demo WebSocket chat server with the agent embedded.",
        description = {
            "A WebSocket chat server (any path) with the farm agent embedded, speaking",
            "the chat protocol of docs/client.md: {\"id\", \"type\": \"chat\", \"body\"}",
            "reaches every client of its room (?room=NAME, default lobby) on every host",
            "through a Redis stream per room; each frame carries the room's position,",
            "and a client that reconnects with resume=<position> gets what it missed.",
            "A resent id is acked, not broadcast again. With --token-secret, clients without a",
            "valid fg_token are closed with 1008. Shed clients get 1012. SIGTERM",
            "drains: every client gets 1012, then the heartbeat is removed.",
            ""},
        footer = {"", "Example: farmgate backend --redis redis://127.0.0.1:6379 --farm demo --port 9001"})
final class BackendCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    AgentOptions agent;

    @Option(names = "--port", defaultValue = "0", paramLabel = "N", description = "Port to listen on (default: ${DEFAULT-VALUE}, any free port).")
    int port;

    @Option(names = "--listen-host", defaultValue = "127.0.0.1", paramLabel = "IP",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String listenHost;

    @Option(names = "--token-secret", paramLabel = "SECRET",
            description = "Secret shared with the gateways (16+ bytes); when set, fg_token is required.")
    String tokenSecret;

    @Option(names = "--token-skew-seconds", defaultValue = "5", paramLabel = "S",
            description = "Clock difference with the gateways tolerated for fg_token (default: ${DEFAULT-VALUE}).")
    long tokenSkewSeconds;

    @Option(names = "--room-positions", defaultValue = "true", paramLabel = "true|false", arity = "1",
            description = "Rooms through Redis streams, frames with positions, resume (default: ${DEFAULT-VALUE});"
                    + " false: the plain pub/sub relay of one farm-wide room.")
    boolean roomPositions;

    @Option(names = "--room-retention", defaultValue = "" + BackendConfig.DEFAULT_ROOM_RETENTION, paramLabel = "N",
            description = "Entries each room's stream keeps (MAXLEN ~): how far back a client can resume; the same"
                    + " on every host (default: ${DEFAULT-VALUE}).")
    int roomRetention;

    @Override
    public Integer call() throws InterruptedException {
        BackendConfig backendConfig;
        try {
            backendConfig = new BackendConfig(listenHost, port, tokenSecret, tokenSkewSeconds, agent.toConfig(port),
                    roomPositions, roomRetention);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ChatBackend backend = ChatBackend.start(backendConfig);
        spec.commandLine().getOut().printf("farmgate backend %s: ws://%s:%d/ in farm %s%n",
                backendConfig.agent().hostId(), listenHost, backend.port(), backendConfig.agent().farm());
        spec.commandLine().getOut().flush();
        UntilShutdown.await(backend, "farmgate-backend-shutdown");
        return 0;
    }
}
