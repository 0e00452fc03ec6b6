package io.farmgate.dns;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Farms for tests: host reports and snapshots built the way the registry builds them. */
final class Farms {

    static final long T0 = 1_000_000L;

    private Farms() {
    }

    /** An active, lightly loaded host (10 of 1000 connections). */
    static HostReport host(String id, String address) {
        return new HostReport(id, "ws://" + id + ":9000", address, "", 10, 1000, 0.1, HostState.ACTIVE,
                1.0, T0, 1);
    }

    /** {@code n} IPv4 hosts: {@code hi} at {@code 10.0.0.i} (for i below 256). */
    static List<HostReport> ipv4Hosts(int n) {
        List<HostReport> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(host("h" + i, "10.0." + (i / 256) + "." + (i % 256)));
        }
        return out;
    }

    /** {@code n} IPv6 hosts {@code v1..vn} at {@code 2001:db8::1..n}. */
    static List<HostReport> ipv6Hosts(int n) {
        List<HostReport> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(host("v" + i, "2001:db8::" + Integer.toHexString(i)));
        }
        return out;
    }

    /** Five IPv4 and five IPv6 hosts ({@code h1..h5}, {@code v1..v5}), first snapshot. */
    static FarmSnapshot mixedFarm() {
        List<HostReport> hosts = new ArrayList<>(ipv4Hosts(5));
        hosts.addAll(ipv6Hosts(5));
        return snapshot(hosts);
    }

    /** The first snapshot of these hosts: established, no slow start. */
    static FarmSnapshot snapshot(List<HostReport> reports) {
        return FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(reports, Map.of(), T0);
    }

    /** The next snapshot one second later, with these operator states. */
    static FarmSnapshot next(FarmSnapshot before, List<HostReport> reports, Map<String, OperatorState> operators) {
        return before.next(reports, operators, before.builtAtMillis() + 1_000);
    }

    static OperatorState draining() {
        return OperatorState.DEFAULT.withDraining(true, T0);
    }

    /** An address literal as an InetAddress (a literal: no lookup happens). */
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
