package io.farmgate.backend;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real WebSocket client on loopback (the JDK's) that remembers what it received and how it was
 * closed: the server's close code, or 1006 when the connection dropped without a close frame.
 */
final class ChatClient implements WebSocket.Listener {

    /** What a dropped connection looks like to a browser: closed without a close frame. */
    static final int ABNORMAL = 1006;

    /** Every frame but the position frames (which open each connection to a backend with room positions). */
    final List<String> received = new CopyOnWriteArrayList<>();
    /** The position frames. */
    final List<String> positions = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    volatile String closeReason;
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;

    /** Connects and waits for the upgrade; the server may still close it right after. */
    static ChatClient connect(HttpClient http, String url) {
        ChatClient client = new ChatClient();
        client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), client).join();
        return client;
    }

    static CompletableFuture<ChatClient> connectAsync(HttpClient http, String url) {
        ChatClient client = new ChatClient();
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
                .buildAsync(URI.create(url), client)
                .thenApply(ws -> {
                    client.socket = ws;
                    return client;
                });
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    boolean closed() {
        return closeCode.isDone();
    }

    void abort() {
        if (socket != null) {
            socket.abort();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                (frame.startsWith("{\"type\":\"position\"") ? positions : received).add(frame);
                partial.setLength(0);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeReason = error.toString();
        closeCode.complete(ABNORMAL);
    }
}
