package io.farmgate.gateway;

import java.nio.charset.StandardCharsets;

/**
 * The affinity key of the request one event loop is answering: {@code ?client=}, else the
 * {@code X-Farmgate-Client} header, else (when configured) the client's address; reused, and
 * readable as a {@link CharSequence} for hashing without building a string when it is ASCII.
 */
final class ClientKey implements CharSequence {

    /** Longest client key accepted, in characters. */
    static final int MAX_LENGTH = 256;
    static final String HEADER = "X-Farmgate-Client";
    private static final String PARAM = "client";

    private byte[] bytes;
    private int length;
    private boolean present;
    private boolean ascii;
    /** The key as a string when it is not ASCII (hashing and length go by UTF-16 characters). */
    private String text;

    ClientKey(int capacity) {
        this.bytes = new byte[capacity];
    }

    /**
     * Reads the key of a request.
     *
     * @param peer the TCP peer's address, asked only for affinity by address
     * @return null, or why the key is refused (for a 400)
     */
    String read(RequestHead h, PeerAddress peer, ClientAddress clientAddress, boolean affinityByAddress) {
        present = false;
        text = null;
        byte[] b = h.bytes;
        if (h.queryStart >= 0) {
            int v = RequestTarget.param(b, h.queryStart, h.queryEnd, PARAM);
            if (v >= 0) {
                int n = RequestTarget.decode(b, v, RequestTarget.valueEnd(b, v, h.queryEnd), bytes);
                if (n < 0) {
                    return "client: badly percent-encoded";
                }
                set(n);
            }
        }
        if (!present && h.hasClientHeader()) {
            int n = h.clientEnd - h.clientStart;
            System.arraycopy(b, h.clientStart, bytes, 0, n);
            set(n);
        }
        if (present) {
            int chars = length();
            if (chars > MAX_LENGTH) {
                present = false;
                return "client: " + chars + " characters (expected: at most " + MAX_LENGTH + ")";
            }
            return null;
        }
        if (affinityByAddress) {
            String forwarded = h.forwardedStart < 0 ? null
                    : new String(b, h.forwardedStart, h.forwardedEnd - h.forwardedStart, StandardCharsets.ISO_8859_1);
            set(clientAddress.of(peer.peerAddress(), forwarded));
        }
        return null;
    }

    private void set(int n) {
        length = n;
        present = n > 0;
        ascii = true;
        for (int i = 0; i < n; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                text = new String(bytes, 0, n, StandardCharsets.UTF_8);
                return;
            }
        }
    }

    private void set(String key) {
        if (key == null || key.isEmpty()) {
            return;
        }
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > bytes.length) {
            bytes = new byte[utf8.length];
        }
        System.arraycopy(utf8, 0, bytes, 0, utf8.length);
        set(utf8.length);
    }

    boolean present() {
        return present;
    }

    /** The key's UTF-8 bytes, valid for {@link #byteLength} bytes. */
    byte[] utf8() {
        if (!ascii && text != null) {
            // A malformed sequence hashes and signs as the replacement character it decodes to.
            byte[] normal = text.getBytes(StandardCharsets.UTF_8);
            if (normal.length > bytes.length) {
                bytes = new byte[normal.length];
            }
            System.arraycopy(normal, 0, bytes, 0, normal.length);
            length = normal.length;
            ascii = true;
        }
        return bytes;
    }

    int byteLength() {
        return present ? length : 0;
    }

    /** The key for hashing: this object when ASCII, else the decoded string; null when absent. */
    CharSequence forHash() {
        return !present ? null : text != null ? text : this;
    }

    /** The key as a string (allocates; for the rare paths only). */
    String asString() {
        return !present ? null : text != null ? text : new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    @Override
    public int length() {
        return text != null ? text.length() : length;
    }

    @Override
    public char charAt(int index) {
        return text != null ? text.charAt(index) : (char) (bytes[index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return asString().subSequence(start, end);
    }

    @Override
    public String toString() {
        return String.valueOf(asString());
    }

    /** Where a connection's peer address comes from, computed once per connection when asked. */
    interface PeerAddress {
        String peerAddress();
    }
}
