package io.farmgate.backend;

/**
 * A position in a room: the id of a Redis stream entry, {@code <ms>-<seq>}, both unsigned 64-bit
 * numbers, compared as the pair (never as strings: {@code "9-0" < "10-0"}).
 *
 * @param ms  the entry's milliseconds part (unsigned)
 * @param seq the entry's sequence part (unsigned)
 */
record RoomPosition(long ms, long seq) implements Comparable<RoomPosition> {

    /** Before every entry: what an empty room reports. */
    static final RoomPosition ZERO = new RoomPosition(0, 0);

    /** The position in {@code text}, or null when it is not {@code <digits>-<digits>} within unsigned 64 bits. */
    static RoomPosition parse(String text) {
        if (text == null || text.length() > 41) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            return null;
        }
        Long ms = unsigned(text, 0, dash);
        Long seq = unsigned(text, dash + 1, text.length());
        return ms == null || seq == null ? null : new RoomPosition(ms, seq);
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
    RoomPosition next() {
        if (seq != -1L) {
            return new RoomPosition(ms, seq + 1);
        }
        return ms == -1L ? null : new RoomPosition(ms + 1, 0);
    }

    boolean after(RoomPosition other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(RoomPosition other) {
        int byMs = Long.compareUnsigned(ms, other.ms);
        return byMs != 0 ? byMs : Long.compareUnsigned(seq, other.seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
