package io.farmgate.client;

/**
 * A position in a room (docs/client.md, resume): the id of the room's Redis stream entry,
 * {@code <ms>-<seq>}, both unsigned 64-bit numbers, compared as the pair (never as strings:
 * {@code "9-0" < "10-0"}). The clients and the demo backend share this one type.
 *
 * @param ms  the entry's milliseconds part (unsigned)
 * @param seq the entry's sequence part (unsigned)
 */
public record StreamPosition(long ms, long seq) implements Comparable<StreamPosition> {

    /** Before every entry: what an empty room reports. */
    public static final StreamPosition ZERO = new StreamPosition(0, 0);

    /** The position in {@code text}, or null when it is not {@code <digits>-<digits>} within unsigned 64 bits. */
    public static StreamPosition parse(String text) {
        if (text == null || text.length() > 41) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            return null;
        }
        Long ms = unsigned(text, 0, dash);
        Long seq = unsigned(text, dash + 1, text.length());
        return ms == null || seq == null ? null : new StreamPosition(ms, seq);
    }

    private static Long unsigned(String text, int from, int to) {
        if (to - from > 20) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Long.parseUnsignedLong(text, from, to, 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The smallest position after this one, or null when there is none (both parts at their maximum). */
    public StreamPosition next() {
        if (seq != -1L) {
            return new StreamPosition(ms, seq + 1);
        }
        return ms == -1L ? null : new StreamPosition(ms + 1, 0);
    }

    /** Whether this position comes after {@code other}. */
    public boolean after(StreamPosition other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(StreamPosition other) {
        int byMs = Long.compareUnsigned(ms, other.ms);
        return byMs != 0 ? byMs : Long.compareUnsigned(seq, other.seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
