package io.farmgate.dns;

import io.farmgate.scoring.pick.Picker;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The answer to the common UDP query without dnsjava and without allocating: one question, class
 * IN, type A or AAAA, for the apex or a host's own name, with or without a plain EDNS0 OPT (version
 * 0, no options). It reads the query straight from the receive buffer and writes the response into
 * the send buffer; the apex answer comes from the same picker and ledger as {@link QueryResponder}'s,
 * and counters and rate limiting are shared with it.
 *
 * <p>Anything else -- other types, names, flags, opcodes, counts, compression in the question,
 * trailing bytes, an answer that would not fit, no eligible host of the family -- is
 * {@link #DECLINED} before any side effect, and {@link QueryResponder} answers it as before.
 */
final class FastPathResponder {

    /** The response is in the output buffer, ready to send. */
    static final int ANSWERED = 1;
    /** Rate limiting dropped the response: send nothing. */
    static final int DROPPED = 2;
    /** Not a query this path answers: give it to {@link QueryResponder}. */
    static final int DECLINED = 3;

    private static final int HEADER_BYTES = 12;
    private static final int MAX_NAME_BYTES = 255;
    // Header flag bits of a query this path accepts (opcode QUERY, QR/AA/TC/Z and rcode clear):
    // RD and CD are copied to the response, AD and RA are ignored as QueryResponder ignores them.
    private static final int FLAG_RD = 0x0100;
    private static final int FLAG_CD = 0x0010;
    private static final int ACCEPTED_FLAGS = FLAG_RD | 0x0080 | 0x0020 | FLAG_CD;
    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_AA = 0x0400;
    private static final int FLAG_TC = 0x0200;
    private static final int EDNS_DO = 0x8000;
    private static final int OPT_BYTES = 11;
    private static final int POINTER_TO_QUESTION = 0xC00C;
    // An answer record after its compressed owner name: type, class, TTL, RDATA length.
    private static final int RECORD_FIXED_BYTES = 2 + 2 + 2 + 4 + 2;

    private final QueryResponder responder;
    private final Picker picker;
    private final DnsCounters counters;
    private final Name zone;
    private final byte[] zoneWire;
    private final int zoneHash;
    private final Predicate<Name> reservedName;
    private final int answerCount;
    private final long clientsPerAnswer;
    private final int ttlSeconds;
    private final int ednsMaxPayload;

    private volatile HostTable table;

    /**
     * @param reservedName names with one label more than the zone that are not host names (name
     *                     servers with glue, which QueryResponder answers first): declined
     */
    FastPathResponder(QueryResponder responder, DnsConfig config, Name zone, Picker picker, DnsCounters counters,
                      Predicate<Name> reservedName) {
        this.responder = responder;
        this.picker = picker;
        this.counters = counters;
        this.zone = zone;
        this.zoneWire = zone.toWireCanonical();
        this.zoneHash = zone.hashCode();
        this.reservedName = reservedName;
        this.answerCount = config.answerCount();
        this.clientsPerAnswer = config.clientsPerAnswer();
        this.ttlSeconds = config.ttlSeconds();
        this.ednsMaxPayload = config.ednsMaxPayload();
    }

    /**
     * Answers the query in {@code in} (position to limit) into {@code out} (cleared by the caller;
     * on {@link #ANSWERED} it is flipped, ready to send), or declines it without side effects.
     *
     * @param chosen scratch space of at least {@link DnsConfig#MAX_ANSWER_COUNT} ints, one per thread
     */
    int respond(ByteBuffer in, ByteBuffer out, InetAddress client, int[] chosen) {
        int base = in.position();
        int length = in.remaining();
        if (length < HEADER_BYTES + 1 + 4) {
            return DECLINED;
        }
        int flags = u16(in, base + 2);
        if ((flags & ~ACCEPTED_FLAGS) != 0 || u16(in, base + 4) != 1 || u16(in, base + 6) != 0
                || u16(in, base + 8) != 0) {
            return DECLINED;
        }
        int additional = u16(in, base + 10);
        if (additional > 1) {
            return DECLINED;
        }

        // The question name: plain labels only, either the zone or one label and the zone.
        int nameStart = base + HEADER_BYTES;
        int end = base + length;
        int at = nameStart;
        int firstLabel = in.get(nameStart) & 0xFF;
        while (true) {
            if (at >= end) {
                return DECLINED;
            }
            int len = in.get(at) & 0xFF;
            if (len == 0) {
                at++;
                break;
            }
            if (len > 63) {
                return DECLINED; // compression pointer or extended label type
            }
            at += 1 + len;
            if (at - nameStart >= MAX_NAME_BYTES) {
                return DECLINED;
            }
        }
        int nameBytes = at - nameStart;
        HostTable hosts = null;
        int host = -1;
        if (nameBytes == zoneWire.length) {
            if (!equalsIgnoreCase(in, nameStart, zoneWire, 0, zoneWire.length)) {
                return DECLINED;
            }
        } else if (nameBytes == 1 + firstLabel + zoneWire.length) {
            if (!equalsIgnoreCase(in, nameStart + 1 + firstLabel, zoneWire, 0, zoneWire.length)) {
                return DECLINED;
            }
            hosts = table();
            host = hosts.find(in, nameStart + 1, firstLabel);
            if (host < 0) {
                return DECLINED; // unknown, reserved or without an address: QueryResponder says which
            }
        } else {
            return DECLINED;
        }
        if (at + 4 > end) {
            return DECLINED;
        }
        int qtype = u16(in, at);
        int qclass = u16(in, at + 2);
        at += 4;
        if (qclass != 1 || qtype != Type.A && qtype != Type.AAAA) {
            return DECLINED;
        }
        int questionEnd = at;

        // The OPT record, if any: root owner, version 0, no options.
        boolean edns = additional == 1;
        boolean dnssecOk = false;
        int limit = QueryResponder.PLAIN_UDP_LIMIT;
        if (edns) {
            if (at + OPT_BYTES != end || in.get(at) != 0 || u16(in, at + 1) != Type.OPT
                    || in.get(at + 5) != 0 || in.get(at + 6) != 0 || u16(in, at + 9) != 0) {
                return DECLINED;
            }
            dnssecOk = (u16(in, at + 7) & EDNS_DO) != 0;
            limit = Math.max(QueryResponder.PLAIN_UDP_LIMIT, Math.min(u16(in, at + 3), ednsMaxPayload));
        } else if (at != end) {
            return DECLINED; // trailing bytes
        }

        int rdataBytes = qtype == Type.A ? 4 : 16;
        int questionBytes = questionEnd - nameStart;
        FarmAddresses farm;
        int answers;
        if (host < 0) {
            farm = responder.addresses();
            answers = Math.min(answerCount, farm.eligible(qtype));
            if (answers == 0) {
                return DECLINED; // fail static, fallback or SERVFAIL: QueryResponder's business
            }
        } else {
            if (hosts.type(host) != qtype) {
                return DECLINED; // no data of this type: QueryResponder adds the SOA
            }
            farm = null;
            answers = 1;
        }
        int size = HEADER_BYTES + questionBytes + answers * (2 + RECORD_FIXED_BYTES + rdataBytes)
                + (edns ? OPT_BYTES : 0);
        if (size > limit || size > out.remaining()) {
            return DECLINED; // QueryResponder truncates
        }

        // From here on the query is ours: count it and rate-limit it as QueryResponder does.
        counters.query(qtype);
        long rrlKey = (long) (host < 0 ? zoneHash : hosts.rrlHash(host)) << 16 | qtype;
        ResponseRateLimiter.Verdict verdict = responder.admit(client, QueryResponder.Transport.UDP, rrlKey);
        if (verdict == ResponseRateLimiter.Verdict.DROP) {
            return DROPPED;
        }
        int replyFlags = FLAG_QR | FLAG_AA | flags & (FLAG_RD | FLAG_CD);
        if (verdict == ResponseRateLimiter.Verdict.SLIP) {
            counters.rrlSlipped.increment();
            writeHeader(in, base, out, replyFlags | FLAG_TC, 0, edns);
            copy(in, nameStart, questionBytes, out);
            if (edns) {
                writeOpt(out, dnssecOk);
            }
            out.flip();
            return ANSWERED;
        }

        if (host < 0) {
            answers = farm.chooseEligible(picker, qtype, answerCount, clientsPerAnswer, chosen);
            hosts = table(farm);
        }
        writeHeader(in, base, out, replyFlags, answers, edns);
        copy(in, nameStart, questionBytes, out);
        for (int j = 0; j < answers; j++) {
            byte[] address = host < 0 ? hosts.apexAddress(chosen[j]) : hosts.address(host);
            out.putShort((short) POINTER_TO_QUESTION);
            out.putShort((short) qtype);
            out.putShort((short) 1);
            out.putInt(ttlSeconds);
            out.putShort((short) address.length);
            out.put(address);
        }
        if (edns) {
            writeOpt(out, dnssecOk);
        }
        out.flip();
        counters.response(Rcode.NOERROR);
        return ANSWERED;
    }

    private static void writeHeader(ByteBuffer in, int base, ByteBuffer out, int flags, int answers, boolean edns) {
        out.put(in.get(base)).put(in.get(base + 1));
        out.putShort((short) flags);
        out.putShort((short) 1);
        out.putShort((short) answers);
        out.putShort((short) 0);
        out.putShort((short) (edns ? 1 : 0));
    }

    private void writeOpt(ByteBuffer out, boolean dnssecOk) {
        out.put((byte) 0);
        out.putShort((short) Type.OPT);
        out.putShort((short) ednsMaxPayload);
        out.putShort((short) 0); // extended rcode, version 0
        out.putShort((short) (dnssecOk ? EDNS_DO : 0)); // RFC 3225: the DO bit is copied
        out.putShort((short) 0);
    }

    private static void copy(ByteBuffer in, int from, int count, ByteBuffer out) {
        for (int i = 0; i < count; i++) {
            out.put(in.get(from + i));
        }
    }

    private HostTable table() {
        return table(responder.addresses());
    }

    /** The wire-form host data of this farm, built once per snapshot. */
    private HostTable table(FarmAddresses farm) {
        HostTable t = table;
        if (t == null || t.farm != farm) {
            // Two threads may both build it once; both results are equal and either may win.
            t = new HostTable(farm, zone, reservedName);
            table = t;
        }
        return t;
    }

    private static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF);
    }

    private static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private static boolean equalsIgnoreCase(ByteBuffer in, int at, byte[] lowerCase, int from, int count) {
        for (int i = 0; i < count; i++) {
            if (lower(in.get(at + i) & 0xFF) != lowerCase[from + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * One farm's addresses as bytes: the apex address of every eligible host, and an open-addressing
     * table of host labels (lower case) to their own address, type and rate-limiting hash.
     */
    static final class HostTable {

        final FarmAddresses farm;
        private final byte[][] apexAddresses;
        private final int mask;
        private final byte[][] labels;
        private final byte[][] addresses;
        private final int[] types;
        private final int[] rrlHashes;

        HostTable(FarmAddresses farm, Name zone, Predicate<Name> reservedName) {
            this.farm = farm;
            int n = farm.eligibleCount();
            this.apexAddresses = new byte[n][];
            for (int i = 0; i < n; i++) {
                apexAddresses[i] = addressBytes(farm.apex(i));
            }
            Map<String, Record> own = farm.hostRecords();
            int size = Integer.highestOneBit(Math.max(4, own.size() * 2) - 1) << 1;
            this.mask = size - 1;
            this.labels = new byte[size][];
            this.addresses = new byte[size][];
            this.types = new int[size];
            this.rrlHashes = new int[size];
            for (Map.Entry<String, Record> e : own.entrySet()) {
                String id = e.getKey();
                Name name = hostName(id, zone);
                if (name == null || reservedName.test(name)) {
                    continue;
                }
                byte[] label = id.getBytes(StandardCharsets.US_ASCII);
                int slot = hash(label, 0, label.length) & mask;
                while (labels[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                labels[slot] = label;
                addresses[slot] = addressBytes(e.getValue());
                types[slot] = e.getValue().getType();
                rrlHashes[slot] = name.hashCode();
            }
        }

        /**
         * The owner name of a host the fast path may answer: ids QueryResponder finds by their
         * lower-cased label, i.e. lower-case letters, digits, '-' and '_' only; else null.
         */
        private static Name hostName(String id, Name zone) {
            if (id.isEmpty() || id.length() > 63 || !id.equals(id.toLowerCase(Locale.ROOT))) {
                return null;
            }
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    return null;
                }
            }
            try {
                return Name.fromString(id, zone);
            } catch (TextParseException e) {
                return null;
            }
        }

        private static byte[] addressBytes(Record r) {
            if (r instanceof ARecord a) {
                return a.getAddress().getAddress();
            }
            if (r instanceof AAAARecord a) {
                return a.getAddress().getAddress();
            }
            return null;
        }

        /** The slot of the host whose label is at {@code in[at, at + len)} (any case), or -1. */
        int find(ByteBuffer in, int at, int len) {
            int slot = hash(in, at, len) & mask;
            for (int probes = 0; probes <= mask; probes++) {
                byte[] label = labels[slot];
                if (label == null) {
                    return -1;
                }
                if (label.length == len && equalsIgnoreCase(in, at, label, 0, len)) {
                    return slot;
                }
                slot = (slot + 1) & mask;
            }
            return -1;
        }

        int type(int slot) {
            return types[slot];
        }

        byte[] address(int slot) {
            return addresses[slot];
        }

        int rrlHash(int slot) {
            return rrlHashes[slot];
        }

        byte[] apexAddress(int eligibleIndex) {
            return apexAddresses[eligibleIndex];
        }

        private static int hash(byte[] b, int at, int len) {
            int h = 0;
            for (int i = 0; i < len; i++) {
                h = 31 * h + lower(b[at + i] & 0xFF);
            }
            return h ^ h >>> 16;
        }

        private static int hash(ByteBuffer b, int at, int len) {
            int h = 0;
            for (int i = 0; i < len; i++) {
                h = 31 * h + lower(b.get(at + i) & 0xFF);
            }
            return h ^ h >>> 16;
        }
    }
}
