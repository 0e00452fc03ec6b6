package io.farmgate.dns;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.Picker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.HINFORecord;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The authoritative answer to one DNS packet: bytes in, bytes out (or nothing, for packets that
 * must be dropped). Transport-free and thread-safe; the UDP and TCP listeners and the fuzz tests
 * call it directly. Reads the farm only through the snapshot supplier, so no I/O happens here.
 */
final class QueryResponder {

    /** How the query arrived: UDP answers are size-limited and rate-limited, TCP ones are not. */
    enum Transport { UDP, TCP }

    /** Largest DNS message over TCP (two-byte length prefix). */
    static final int MAX_TCP_MESSAGE = 65_535;
    /** Largest UDP response to a client without EDNS0 (RFC 1035). */
    static final int PLAIN_UDP_LIMIT = 512;

    private static final Logger log = LoggerFactory.getLogger(QueryResponder.class);

    // Smallest wire size of a question (root name, type, class) and of a resource record.
    private static final int MIN_QUESTION_BYTES = 5;
    private static final int MIN_RECORD_BYTES = 11;

    // Response-rate-limiting keys: answers are keyed by name and type, the rest by kind.
    private static final long RRL_NXDOMAIN = 0x4E58_0000_0000_0000L;
    private static final long RRL_ERROR = 0x4552_0000_0000_0000L;

    /** The TC bit in the third byte of a wire-format header (Flags.TC is a bit index, not a mask). */
    private static final int TC_MASK_IN_BYTE_2 = 0x02;

    private final DnsConfig config;
    private final Name zone;
    private final Supplier<FarmSnapshot> snapshots;
    private final Picker picker;
    private final ResponseRateLimiter limiter;
    private final DnsCounters counters;
    private final long clientsPerAnswer;

    private final SOARecord soa;
    private final SOARecord negativeSoa;
    private final List<Record> nsRecords;
    private final Map<Name, List<Record>> glue;
    private final List<Record> allGlue;
    private final Set<Name> emptyNonTerminals;
    private final Record[] fallbackV4;
    private final Record[] fallbackV6;
    private final AtomicLong fallbackRotation = new AtomicLong();
    // The OPT records echoed with every EDNS answer (RFC 3225: the DO bit is copied).
    private final OPTRecord opt0;
    private final OPTRecord optDnssecOk;

    private final FastPathResponder fastPath;

    private volatile FarmAddresses current;

    QueryResponder(DnsConfig config, Supplier<FarmSnapshot> snapshots, Picker picker,
                   ResponseRateLimiter limiter, DnsCounters counters) {
        this.config = config;
        this.zone = DnsConfig.parseName("zone", config.zone());
        this.snapshots = snapshots;
        this.picker = picker;
        this.limiter = limiter;
        this.counters = counters;
        this.clientsPerAnswer = config.clientsPerAnswer();

        long staticTtl = config.staticTtlSeconds();
        DnsConfig.Soa s = config.soa();
        Name primary = DnsConfig.parseName("nameServers.name", config.nameServers().get(0).name());
        Name rname = DnsConfig.parseName("soa.rname", s.rname());
        this.soa = new SOARecord(zone, DClass.IN, staticTtl, primary, rname, s.serial(), s.refreshSeconds(),
                s.retrySeconds(), s.expireSeconds(), s.minimumSeconds());
        // RFC 2308: negative answers are cached for the smaller of the SOA's TTL and its minimum.
        this.negativeSoa = new SOARecord(zone, DClass.IN, Math.min(staticTtl, s.minimumSeconds()), primary,
                rname, s.serial(), s.refreshSeconds(), s.retrySeconds(), s.expireSeconds(), s.minimumSeconds());

        List<Record> ns = new ArrayList<>();
        Map<Name, List<Record>> glueByName = new HashMap<>();
        List<Record> glueAll = new ArrayList<>();
        Set<Name> between = new HashSet<>();
        for (DnsConfig.NameServer server : config.nameServers()) {
            Name name = DnsConfig.parseName("nameServers.name", server.name());
            ns.add(new NSRecord(zone, DClass.IN, staticTtl, name));
            if (!name.subdomain(zone)) {
                continue; // out-of-zone glue is not ours to serve
            }
            List<Record> addresses = new ArrayList<>();
            for (String a : server.addresses()) {
                addresses.add(FarmAddresses.addressRecord(name, staticTtl, a));
            }
            glueByName.put(name, List.copyOf(addresses));
            glueAll.addAll(addresses);
            for (int strip = 1; name.labels() - strip > zone.labels(); strip++) {
                between.add(new Name(name, strip));
            }
        }
        this.nsRecords = List.copyOf(ns);
        this.glue = Map.copyOf(glueByName);
        this.allGlue = List.copyOf(glueAll);
        between.removeAll(glueByName.keySet());
        this.emptyNonTerminals = Set.copyOf(between);

        this.opt0 = new OPTRecord(config.ednsMaxPayload(), 0, 0, 0);
        this.optDnssecOk = new OPTRecord(config.ednsMaxPayload(), 0, 0, ExtendedFlags.DO);
        this.fallbackV4 = fallback(config, zone, Type.A);
        this.fallbackV6 = fallback(config, zone, Type.AAAA);
        this.fastPath = new FastPathResponder(this, config, zone, picker, counters, glue::containsKey);
    }

    /** The allocation-free UDP answer to the common query; it declines the rest back to {@link #respond}. */
    FastPathResponder fastPath() {
        return fastPath;
    }

    /**
     * The response to one packet, or null when it must be dropped (too short for a header, a
     * response rather than a query, or rate-limited).
     *
     * @param packet    the received bytes, {@code [0, length)} is the message
     * @param client    the sender, for response rate limiting
     * @param transport how it arrived
     */
    byte[] respond(byte[] packet, int length, InetAddress client, Transport transport) {
        if (length < Header.LENGTH) {
            counters.malformed.increment();
            return null;
        }
        int flags = (packet[2] & 0xFF) << 8 | (packet[3] & 0xFF);
        if ((flags & 0x8000) != 0) {
            // Answering responses would let two servers bounce packets at each other forever.
            counters.droppedResponses.increment();
            return null;
        }
        Message query = parse(packet, length);
        if (query == null) {
            counters.malformed.increment();
            return send(formErrFromHeader(packet, flags), Rcode.FORMERR, client, transport, RRL_ERROR | Rcode.FORMERR);
        }
        try {
            return answer(query, client, transport);
        } catch (RuntimeException e) {
            counters.internalErrors.increment();
            long n = counters.internalErrors.sum();
            if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, ... failure: visible, never a log flood
                log.warn("query failed inside the responder ({} so far); answering SERVFAIL", n, e);
            }
            Message reply = reply(query, Rcode.SERVFAIL, false);
            return send(reply.toWire(limitFor(query, transport)), Rcode.SERVFAIL, client, transport,
                    RRL_ERROR | Rcode.SERVFAIL);
        }
    }

    private byte[] answer(Message query, InetAddress client, Transport transport) {
        Header header = query.getHeader();
        if (header.getOpcode() != Opcode.QUERY) {
            return error(query, Rcode.NOTIMP, client, transport);
        }
        if (header.getCount(Section.QUESTION) != 1) {
            return error(query, Rcode.FORMERR, client, transport);
        }
        Record question = query.getQuestion();
        int qtype = question.getType();
        counters.query(qtype);
        int opts = 0;
        for (Record r : query.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.OPT) {
                opts++;
            }
        }
        if (opts > 1) {
            return error(query, Rcode.FORMERR, client, transport);
        }
        OPTRecord opt = query.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            return error(query, Rcode.BADVERS, client, transport);
        }
        if (question.getDClass() != DClass.IN || qtype == Type.AXFR || qtype == Type.IXFR) {
            // Answers are computed per query: there is no zone to transfer, and no other class.
            return error(query, Rcode.REFUSED, client, transport);
        }
        Name qname = question.getName();
        if (!qname.subdomain(zone)) {
            return error(query, Rcode.REFUSED, client, transport);
        }

        int depth = qname.labels() - zone.labels();
        List<Record> glueOfName = depth == 0 ? null : glue.get(qname);
        FarmAddresses farm = null;
        String hostId = null;
        if (depth == 1 && glueOfName == null) {
            farm = addresses();
            hostId = qname.getLabelString(0).toLowerCase(Locale.ROOT);
            if (!farm.knows(hostId)) {
                hostId = null;
            }
        }
        boolean exists = depth == 0 || glueOfName != null || hostId != null || emptyNonTerminals.contains(qname);
        long rrlKey = exists ? (long) qname.hashCode() << 16 | qtype : RRL_NXDOMAIN;
        ResponseRateLimiter.Verdict verdict = admit(client, transport, rrlKey);
        if (verdict == ResponseRateLimiter.Verdict.DROP) {
            return null;
        }
        if (verdict == ResponseRateLimiter.Verdict.SLIP) {
            return slip(query, true);
        }
        if (!exists) {
            return finish(negative(query, Rcode.NXDOMAIN), query, transport);
        }

        Message reply = reply(query, Rcode.NOERROR, true);
        if (depth == 0) {
            apex(reply, qname, qtype);
        } else if (glueOfName != null) {
            nameServerName(reply, glueOfName, qtype);
        } else if (hostId != null) {
            Record own = farm.host(hostId);
            if (own != null && (qtype == own.getType() || qtype == Type.ANY)) {
                reply.addRecord(own, Section.ANSWER);
            }
        }
        if (reply.getHeader().getRcode() == Rcode.NOERROR && reply.getHeader().getCount(Section.ANSWER) == 0) {
            reply.addRecord(negativeSoa, Section.AUTHORITY);
        }
        return finish(reply, query, transport);
    }

    private void apex(Message reply, Name qname, int qtype) {
        switch (qtype) {
            case Type.A, Type.AAAA -> apexAddresses(reply, qtype);
            case Type.SOA -> reply.addRecord(soa, Section.ANSWER);
            case Type.NS -> {
                for (Record r : nsRecords) {
                    reply.addRecord(r, Section.ANSWER);
                }
                for (Record r : allGlue) {
                    reply.addRecord(r, Section.ADDITIONAL);
                }
            }
            // RFC 8482: one synthesized HINFO instead of everything, and no pick is spent on it.
            case Type.ANY -> reply.addRecord(new HINFORecord(qname, DClass.IN, config.staticTtlSeconds(),
                    "RFC8482", ""), Section.ANSWER);
            default -> { } // no data: the caller adds the SOA
        }
    }

    private void apexAddresses(Message reply, int qtype) {
        FarmAddresses farm = addresses();
        List<Record> chosen = farm.choose(picker, qtype, config.answerCount(), clientsPerAnswer);
        if (chosen.isEmpty()) {
            chosen = noEligibleHost(farm, qtype);
        }
        if (chosen == null) {
            reply.getHeader().setRcode(Rcode.SERVFAIL);
            reply.getHeader().unsetFlag(Flags.AA);
            return;
        }
        for (Record r : chosen) {
            reply.addRecord(r, Section.ANSWER);
        }
    }

    /**
     * What the apex says when no host at all is eligible: for a stale snapshot, the last known
     * hosts of this family that are not draining (fail static); else the configured fallback of
     * this family; else empty (no data) when the other family has either; else null (SERVFAIL).
     * When the farm is up but only on the other family, the answer is empty.
     */
    private List<Record> noEligibleHost(FarmAddresses farm, int qtype) {
        FarmSnapshot snapshot = farm.snapshot();
        if (snapshot.eligibleCount() > 0) {
            return List.of();
        }
        int other = qtype == Type.A ? Type.AAAA : Type.A;
        if (snapshot.stale()) {
            List<Record> known = farm.failStatic(qtype, config.answerCount());
            if (!known.isEmpty()) {
                return known;
            }
        }
        Record[] mine = qtype == Type.A ? fallbackV4 : fallbackV6;
        if (mine.length > 0) {
            return FarmAddresses.rotate(mine, config.answerCount(), fallbackRotation);
        }
        Record[] theirs = qtype == Type.A ? fallbackV6 : fallbackV4;
        if (theirs.length > 0 || snapshot.stale() && farm.hasFailStatic(other)) {
            return List.of();
        }
        return null;
    }

    private void nameServerName(Message reply, List<Record> addresses, int qtype) {
        int want = qtype;
        if (qtype == Type.ANY) {
            // Minimal (RFC 8482): one RRset, the A one when there is one.
            want = addresses.stream().anyMatch(r -> r.getType() == Type.A) ? Type.A : Type.AAAA;
        }
        for (Record r : addresses) {
            if (r.getType() == want) {
                reply.addRecord(r, Section.ANSWER);
            }
        }
    }

    /** The addresses of the current snapshot, built once per snapshot. */
    FarmAddresses addresses() {
        FarmSnapshot snapshot = snapshots.get();
        FarmAddresses farm = current;
        if (farm == null || farm.snapshot() != snapshot) {
            // Two threads may both build it once; both results are equal and either may win.
            farm = new FarmAddresses(snapshot, zone, config.ttlSeconds());
            current = farm;
        }
        return farm;
    }

    // ---- building and sending responses ----

    private byte[] error(Message query, int rcode, InetAddress client, Transport transport) {
        ResponseRateLimiter.Verdict verdict = admit(client, transport, RRL_ERROR | rcode);
        if (verdict == ResponseRateLimiter.Verdict.DROP) {
            return null;
        }
        boolean withQuestion = query.getHeader().getCount(Section.QUESTION) == 1;
        if (verdict == ResponseRateLimiter.Verdict.SLIP) {
            return slip(query, withQuestion);
        }
        Message reply = reply(query, rcode, false);
        if (!withQuestion) {
            reply.removeAllRecords(Section.QUESTION);
        }
        return finish(reply, query, transport);
    }

    private Message negative(Message query, int rcode) {
        Message reply = reply(query, rcode, true);
        reply.addRecord(negativeSoa, Section.AUTHORITY);
        return reply;
    }

    /** A response skeleton: same id and question, QR, RD copied, RA clear, OPT echoed. */
    private Message reply(Message query, int rcode, boolean authoritative) {
        Header q = query.getHeader();
        Message reply = new Message(q.getID());
        Header h = reply.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(q.getOpcode());
        if (q.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (q.getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        if (authoritative) {
            h.setFlag(Flags.AA);
        }
        h.setRcode(rcode & 0xF);
        Record question = query.getQuestion();
        if (question != null) {
            reply.addRecord(question, Section.QUESTION);
        }
        OPTRecord opt = query.getOPT();
        if (opt != null) {
            boolean dnssecOk = (opt.getFlags() & ExtendedFlags.DO) != 0;
            OPTRecord echo = rcode < 16 ? (dnssecOk ? optDnssecOk : opt0)
                    : new OPTRecord(config.ednsMaxPayload(), rcode >>> 4, 0, dnssecOk ? ExtendedFlags.DO : 0);
            reply.addRecord(echo, Section.ADDITIONAL);
        }
        return reply;
    }

    /** A rate-limited response let through truncated: no data, TC set, so a real client retries over TCP. */
    private byte[] slip(Message query, boolean withQuestion) {
        counters.rrlSlipped.increment();
        Message reply = reply(query, Rcode.NOERROR, true);
        if (!withQuestion) {
            reply.removeAllRecords(Section.QUESTION);
        }
        reply.getHeader().setFlag(Flags.TC);
        return reply.toWire(PLAIN_UDP_LIMIT);
    }

    private byte[] finish(Message reply, Message query, Transport transport) {
        byte[] wire = reply.toWire(limitFor(query, transport));
        if (transport == Transport.UDP && (wire[2] & TC_MASK_IN_BYTE_2) != 0) {
            counters.truncated.increment();
        }
        counters.response(reply.getRcode());
        return wire;
    }

    private byte[] send(byte[] wire, int rcode, InetAddress client, Transport transport, long rrlKey) {
        ResponseRateLimiter.Verdict verdict = admit(client, transport, rrlKey);
        if (verdict == ResponseRateLimiter.Verdict.DROP) {
            return null;
        }
        if (verdict == ResponseRateLimiter.Verdict.SLIP) {
            counters.rrlSlipped.increment();
            wire[2] |= TC_MASK_IN_BYTE_2;
            return wire;
        }
        counters.response(rcode);
        return wire;
    }

    ResponseRateLimiter.Verdict admit(InetAddress client, Transport transport, long rrlKey) {
        if (limiter == null || transport != Transport.UDP) {
            return ResponseRateLimiter.Verdict.SEND;
        }
        ResponseRateLimiter.Verdict verdict = limiter.check(client, rrlKey);
        if (verdict == ResponseRateLimiter.Verdict.DROP) {
            counters.rrlDropped.increment();
        }
        return verdict;
    }

    private int limitFor(Message query, Transport transport) {
        if (transport == Transport.TCP) {
            return MAX_TCP_MESSAGE;
        }
        OPTRecord opt = query.getOPT();
        if (opt == null) {
            return PLAIN_UDP_LIMIT;
        }
        return Math.max(PLAIN_UDP_LIMIT, Math.min(opt.getPayloadSize(), config.ednsMaxPayload()));
    }

    // ---- parsing ----

    /** The parsed query, or null when it is not a well-formed DNS message. */
    private static Message parse(byte[] packet, int length) {
        int qd = u16(packet, 4);
        long records = (long) u16(packet, 6) + u16(packet, 8) + u16(packet, 10);
        // Counts that cannot fit the packet are rejected before dnsjava sizes lists by them.
        if ((long) qd * MIN_QUESTION_BYTES + records * MIN_RECORD_BYTES > length - Header.LENGTH) {
            return null;
        }
        Message query;
        try {
            query = new Message(ByteBuffer.wrap(packet, 0, length));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        // With TC set, dnsjava keeps what it could read instead of failing (and lowers the header
        // counts to match); a query is never legitimately truncated, so anything short of the
        // records the packet announced is malformed.
        for (int section = 0; section < 4; section++) {
            if (query.getSection(section).size() != u16(packet, 4 + 2 * section)) {
                return null;
            }
        }
        return query;
    }

    /** FORMERR for a packet whose header is all that could be read: same id and opcode, nothing else. */
    private static byte[] formErrFromHeader(byte[] packet, int flags) {
        byte[] wire = new byte[Header.LENGTH];
        wire[0] = packet[0];
        wire[1] = packet[1];
        int replyFlags = 0x8000 | (flags & 0x7800) | (flags & 0x0100) | Rcode.FORMERR;
        wire[2] = (byte) (replyFlags >>> 8);
        wire[3] = (byte) replyFlags;
        return wire;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static Record[] fallback(DnsConfig config, Name zone, int type) {
        List<Record> out = new ArrayList<>();
        for (String a : config.fallbackAddresses()) {
            Record r = FarmAddresses.addressRecord(zone, config.ttlSeconds(), a);
            if (r != null && r.getType() == type) {
                out.add(r);
            }
        }
        return out.toArray(new Record[0]);
    }
}
