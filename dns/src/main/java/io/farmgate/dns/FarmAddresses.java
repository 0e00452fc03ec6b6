package io.farmgate.dns;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.pick.DistinctPicks;
import io.farmgate.scoring.pick.Picker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The address records of one {@link FarmSnapshot}, built once per snapshot so the query path only
 * picks and copies references: the apex record of every eligible host (by eligible index), each
 * known host's own record by id, and the fail-static candidates.
 */
final class FarmAddresses {

    private static final Logger log = LoggerFactory.getLogger(FarmAddresses.class);

    private final FarmSnapshot snapshot;
    private final Record[] apexByEligible;
    /** Per eligible index: Type.A, Type.AAAA, or 0 without a usable address. */
    private final int[] typeByEligible;
    private final int eligibleV4;
    private final int eligibleV6;
    private final Map<String, Record> byHostId;
    private final Record[] failStaticV4;
    private final Record[] failStaticV6;
    private final AtomicLong rotation = new AtomicLong();

    FarmAddresses(FarmSnapshot snapshot, Name zone, long ttlSeconds) {
        this.snapshot = snapshot;
        int n = snapshot.eligibleCount();
        this.apexByEligible = new Record[n];
        this.typeByEligible = new int[n];
        int v4 = 0;
        int v6 = 0;
        for (int i = 0; i < n; i++) {
            Record r = addressRecord(zone, ttlSeconds, snapshot.eligible(i));
            apexByEligible[i] = r;
            typeByEligible[i] = r == null ? 0 : r.getType();
            if (r != null && r.getType() == Type.A) {
                v4++;
            } else if (r != null) {
                v6++;
            }
        }
        this.eligibleV4 = v4;
        this.eligibleV6 = v6;
        Map<String, Record> ids = new HashMap<>();
        List<Record> staticV4 = new ArrayList<>();
        List<Record> staticV6 = new ArrayList<>();
        for (HostView h : snapshot.hosts()) {
            Name owner;
            try {
                owner = Name.fromString(h.id(), zone);
            } catch (TextParseException e) {
                continue; // host ids are validated DNS labels; unreachable in practice
            }
            Record own = addressRecord(owner, ttlSeconds, h);
            if (own != null) {
                ids.put(h.id(), own);
            }
            Record apex = addressRecord(zone, ttlSeconds, h);
            if (apex != null && !h.draining()) {
                (apex.getType() == Type.A ? staticV4 : staticV6).add(apex);
            }
        }
        this.byHostId = ids;
        this.failStaticV4 = staticV4.toArray(new Record[0]);
        this.failStaticV6 = staticV6.toArray(new Record[0]);
    }

    FarmSnapshot snapshot() {
        return snapshot;
    }

    /** The host's own address record, owned by {@code <host-id>.<zone>}, or null if unknown. */
    Record host(String hostId) {
        return byHostId.get(hostId);
    }

    /** Every host's own address record by host id (hosts without a usable address are absent). */
    Map<String, Record> hostRecords() {
        return Collections.unmodifiableMap(byHostId);
    }

    boolean knows(String hostId) {
        return snapshot.host(hostId) != null;
    }

    /** Eligible hosts that have an address of this type (A or AAAA). */
    int eligible(int type) {
        return type == Type.A ? eligibleV4 : eligibleV6;
    }

    /**
     * Up to {@code k} distinct eligible hosts with an address of {@code type}, chosen by the
     * picker, each recorded in the snapshot's ledger as {@code clientsPerHost} assignments.
     * Empty when no eligible host has such an address.
     */
    List<Record> choose(Picker picker, int type, int k, long clientsPerAnswer) {
        int want = Math.min(k, eligible(type));
        if (want == 0) {
            return List.of();
        }
        int[] chosen = new int[want];
        int got = chooseEligible(picker, type, want, clientsPerAnswer, chosen);
        Record[] out = new Record[got];
        for (int j = 0; j < got; j++) {
            out[j] = apexByEligible[chosen[j]];
        }
        return Arrays.asList(out);
    }

    /**
     * {@link #choose} without allocating, for the UDP fast path: writes the eligible indexes of up
     * to {@code k} distinct hosts with an address of {@code type} into {@code chosen} (at least
     * that long) and returns how many, each recorded in the snapshot's ledger the same way.
     */
    int chooseEligible(Picker picker, int type, int k, long clientsPerAnswer, int[] chosen) {
        return DistinctPicks.choose(snapshot, picker, typeByEligible, type, eligible(type), k, clientsPerAnswer,
                chosen);
    }

    /** Eligible hosts, with or without a usable address. */
    int eligibleCount() {
        return apexByEligible.length;
    }

    /** The apex record of eligible host {@code i}, or null when its address is no literal. */
    Record apex(int i) {
        return apexByEligible[i];
    }

    /**
     * Up to {@code k} of the last known hosts with an address of {@code type} that are not
     * draining, rotating through them; for a stale snapshot with no eligible host (fail static).
     */
    List<Record> failStatic(int type, int k) {
        Record[] all = type == Type.A ? failStaticV4 : failStaticV6;
        return rotate(all, k, rotation);
    }

    boolean hasFailStatic(int type) {
        return (type == Type.A ? failStaticV4 : failStaticV6).length > 0;
    }

    static List<Record> rotate(Record[] all, int k, AtomicLong rotation) {
        int want = Math.min(k, all.length);
        if (want == 0) {
            return List.of();
        }
        int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) all.length);
        Record[] out = new Record[want];
        for (int j = 0; j < want; j++) {
            out[j] = all[(start + j) % all.length];
        }
        return Arrays.asList(out);
    }

    /** A or AAAA record for the host's address literal; null when it is no literal. */
    static Record addressRecord(Name owner, long ttlSeconds, HostView h) {
        Record r = addressRecord(owner, ttlSeconds, h.report().address());
        if (r == null) {
            // debug, not warn: this runs on every snapshot refresh
            log.debug("host {} has no usable address '{}'; it gets no DNS answers", h.id(), h.report().address());
        }
        return r;
    }

    /** A or AAAA record for an address literal, or null when it is no literal (never a lookup). */
    static Record addressRecord(Name owner, long ttlSeconds, String literal) {
        try {
            byte[] v4 = Address.toByteArray(literal, Address.IPv4);
            if (v4 != null) {
                return new ARecord(owner, DClass.IN, ttlSeconds, InetAddress.getByAddress(v4));
            }
            byte[] v6 = Address.toByteArray(literal, Address.IPv6);
            if (v6 != null) {
                return new AAAARecord(owner, DClass.IN, ttlSeconds, InetAddress.getByAddress(v6));
            }
        } catch (UnknownHostException e) {
            // getByAddress only throws for a wrong length, which toByteArray rules out
        }
        return null;
    }

}
