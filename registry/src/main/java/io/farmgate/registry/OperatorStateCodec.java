package io.farmgate.registry;

import io.farmgate.registry.JsonRecords.BadRecordException;
import io.farmgate.scoring.OperatorState;
import java.util.Map;

/** Operator state records: an {@link OperatorState} as the JSON stored in the farm's operator hash. */
public final class OperatorStateCodec {

    private OperatorStateCodec() {
    }

    static String encode(OperatorState state) {
        return new JsonRecordWriter()
                .field("draining", state.draining())
                .field("weight", state.weight())
                .field("targetConnections", state.targetConnections())
                .field("updatedAtMillis", state.updatedAtMillis())
                .finish();
    }

    /** The state in {@code json}; {@link OperatorState#DEFAULT} when there is none (null) or it cannot be trusted. */
    public static OperatorState decodeOrDefault(String json) {
        if (json == null) {
            return OperatorState.DEFAULT;
        }
        Decoded<OperatorState> d = decode(json);
        return d.ok() ? d.value() : OperatorState.DEFAULT;
    }

    /** The state in {@code json}, or why it cannot be trusted; never throws. */
    public static Decoded<OperatorState> decode(String json) {
        try {
            Map<String, Object> r = JsonRecords.read(json);
            return Decoded.of(new OperatorState(
                    JsonRecords.bool(r, "draining"),
                    JsonRecords.number(r, "weight"),
                    JsonRecords.integer(r, "targetConnections"),
                    JsonRecords.optionalLong(r, "updatedAtMillis", 0L)));
        } catch (BadRecordException | IllegalArgumentException e) {
            return Decoded.skipped(e.getMessage());
        }
    }
}
