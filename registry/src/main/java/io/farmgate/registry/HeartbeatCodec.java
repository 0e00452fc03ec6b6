package io.farmgate.registry;

import io.farmgate.registry.JsonRecords.BadRecordException;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import java.util.Locale;
import java.util.Map;

/**
 * Heartbeat records: a {@link HostReport} as the JSON stored under a host's key. Decoding never
 * throws; a record that this reader cannot trust comes back as a problem to skip. See
 * docs/registry.md for the format.
 */
public final class HeartbeatCodec {

    private HeartbeatCodec() {
    }

    /**
     * The JSON of {@code report}.
     *
     * @throws IllegalArgumentException when it would exceed the record size limit (16 KiB)
     */
    public static String encode(HostReport report) {
        // Without Jackson: the sidecar writes one every second and loads no JSON library for it.
        return new JsonRecordWriter()
                .field("hostId", report.hostId())
                .field("url", report.url())
                .field("address", report.address())
                .field("zone", report.zone())
                .field("connections", report.connections())
                .field("capacity", report.capacity())
                .field("cpu", report.cpu())
                .field("state", report.state().name().toLowerCase(Locale.ROOT))
                .field("weight", report.weight())
                .field("reportedAtMillis", report.reportedAtMillis())
                .field("sequence", report.sequence())
                .finish();
    }

    /**
     * The report in {@code json}, read from the key of host {@code expectedHostId}; a record
     * naming another host is a problem too.
     */
    public static Decoded<HostReport> decode(String expectedHostId, String json) {
        try {
            Map<String, Object> r = JsonRecords.read(json);
            String hostId = JsonRecords.text(r, "hostId");
            if (!hostId.equals(expectedHostId)) {
                return Decoded.skipped("field hostId: '" + hostId + "' (expected: '" + expectedHostId
                        + "', the id in its key)");
            }
            HostReport report = new HostReport(
                    hostId,
                    JsonRecords.text(r, "url"),
                    JsonRecords.text(r, "address"),
                    JsonRecords.optionalText(r, "zone", ""),
                    JsonRecords.integer(r, "connections"),
                    JsonRecords.integer(r, "capacity"),
                    JsonRecords.number(r, "cpu"),
                    state(r),
                    JsonRecords.optionalNumber(r, "weight", 1.0),
                    JsonRecords.longInteger(r, "reportedAtMillis"),
                    JsonRecords.longInteger(r, "sequence"));
            return Decoded.of(report);
        } catch (BadRecordException | IllegalArgumentException e) {
            return Decoded.skipped(e.getMessage());
        }
    }

    private static HostState state(Map<String, Object> r) throws BadRecordException {
        String s = JsonRecords.text(r, "state");
        switch (s) {
            case "active":
                return HostState.ACTIVE;
            case "draining":
                return HostState.DRAINING;
            default:
                throw new BadRecordException("field state: '" + s + "' (expected: active or draining)");
        }
    }
}
