package io.farmgate.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.farmgate.registry.JsonRecords.BadRecordException;
import io.farmgate.scoring.OperatorState;

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

    /** The state in {@code json}, or why it cannot be trusted; never throws. */
    public static Decoded<OperatorState> decode(String json) {
        try {
            ObjectNode r = JsonRecords.read(json);
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
