package io.starlingdb.engine.range;

import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A store in meta's registry: where it listens, where it stands (zone, for spreading replicas),
 * and what the operators decided about it. A store registers itself when it starts; an operator
 * drains it before removing it.
 *
 * @param address host:port of its peer endpoint, as it last registered
 * @param zone    its failure domain ("" if unknown); replicas of one range go to different zones
 *                where the stores say theirs
 */
public record StoreRecord(long storeId, String address, String zone, State state) {

    public enum State {
        /** Holds replicas and leases. */
        ACTIVE,
        /** Being emptied: its replicas and leases move to other stores; it receives none. */
        DRAINING,
        /** Emptied and gone: never receives a replica again. */
        REMOVED
    }

    public StoreRecord {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(state, "state");
        if (storeId <= 0) {
            throw new IllegalArgumentException("store id must be > 0, got " + storeId);
        }
    }

    public StoreRecord withState(State s) {
        return new StoreRecord(storeId, address, zone, s);
    }

    byte[] encode() {
        return new RangeCodec.Out().l(storeId).bytes(address.getBytes(StandardCharsets.UTF_8))
                .bytes(zone.getBytes(StandardCharsets.UTF_8)).b((byte) state.ordinal()).toByteArray();
    }

    static StoreRecord decode(byte[] data) {
        RangeCodec.In in = new RangeCodec.In(data);
        try {
            long id = in.b.getLong();
            String address = new String(in.bytes(), StandardCharsets.UTF_8);
            String zone = new String(in.bytes(), StandardCharsets.UTF_8);
            int s = in.b.get();
            in.end();
            if (s < 0 || s >= State.values().length) {
                throw new IllegalArgumentException("unknown store state " + s);
            }
            return new StoreRecord(id, address, zone, State.values()[s]);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated store record of " + data.length + " bytes", e);
        }
    }
}
