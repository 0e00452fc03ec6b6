package io.farmgate.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The live counters behind {@link DnsStats}; LongAdders so receive threads never contend. */
final class DnsCounters {

    private static final int[] COUNTED_TYPES = {Type.A, Type.AAAA, Type.SOA, Type.NS, Type.ANY};
    private static final int RCODES = 24;

    private final LongAdder[] queriesByType = adders(COUNTED_TYPES.length + 1);
    private final LongAdder[] responsesByRcode = adders(RCODES);
    final LongAdder truncated = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder droppedResponses = new LongAdder();
    final LongAdder rrlDropped = new LongAdder();
    final LongAdder rrlSlipped = new LongAdder();
    final LongAdder tcpRejected = new LongAdder();
    final LongAdder tcpOpen = new LongAdder();
    final LongAdder internalErrors = new LongAdder();
    final LongAdder udpSendFailures = new LongAdder();

    void query(int type) {
        queriesByType[typeSlot(type)].increment();
    }

    void response(int rcode) {
        responsesByRcode[rcode >= 0 && rcode < RCODES ? rcode : RCODES - 1].increment();
    }

    DnsStats snapshot() {
        Map<String, Long> byType = new LinkedHashMap<>();
        for (int i = 0; i < COUNTED_TYPES.length; i++) {
            byType.put(Type.string(COUNTED_TYPES[i]), queriesByType[i].sum());
        }
        byType.put("OTHER", queriesByType[COUNTED_TYPES.length].sum());
        Map<String, Long> byRcode = new LinkedHashMap<>();
        for (int r = 0; r < RCODES; r++) {
            long n = responsesByRcode[r].sum();
            if (n > 0) {
                byRcode.put(Rcode.string(r), n);
            }
        }
        return new DnsStats(byType, byRcode, truncated.sum(), malformed.sum(), droppedResponses.sum(),
                rrlDropped.sum(), rrlSlipped.sum(), tcpRejected.sum(), tcpOpen.sum(), internalErrors.sum(),
                udpSendFailures.sum());
    }

    private static int typeSlot(int type) {
        for (int i = 0; i < COUNTED_TYPES.length; i++) {
            if (COUNTED_TYPES[i] == type) {
                return i;
            }
        }
        return COUNTED_TYPES.length;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
