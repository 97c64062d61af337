package io.starlingdb.testkit.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated replicas' state machine: a string map with put and compare-and-set, and one
 * session per client (last op id and its result) so that a retried command applies once.
 */
public final class KvStateMachine {

    private final TreeMap<String, String> data = new TreeMap<>();
    private final TreeMap<Integer, Long> lastOp = new TreeMap<>();
    private final TreeMap<Integer, String> lastResult = new TreeMap<>();

    /** Applies a command; returns its result, or null for a stale duplicate of an older op of the client. */
    public String apply(KvCommand c) {
        Long last = lastOp.get(c.client());
        if (last != null && c.opId() <= last) {
            return c.opId() == last ? lastResult.get(c.client()) : null;
        }
        String result;
        switch (c.op().kind()) {
            case PUT:
                data.put(c.op().key(), c.op().value());
                result = "ok";
                break;
            case CAS:
                boolean matches = java.util.Objects.equals(data.get(c.op().key()), c.op().expected());
                if (matches) {
                    data.put(c.op().key(), c.op().value());
                }
                result = String.valueOf(matches);
                break;
            default:
                throw new IllegalArgumentException("not a write: " + c.op());
        }
        lastOp.put(c.client(), c.opId());
        lastResult.put(c.client(), result);
        return result;
    }

    public String get(String key) {
        return data.get(key);
    }

    /** A digest of the whole state, to compare replicas at the same applied index. */
    public int digest() {
        return data.hashCode() * 31 + lastOp.hashCode();
    }

    public byte[] snapshot() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(data.size());
            for (Map.Entry<String, String> e : data.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(lastOp.size());
            for (Map.Entry<Integer, Long> e : lastOp.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue());
                KvCommand.writeNullable(out, lastResult.get(e.getKey()));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KvStateMachine restore(byte[] snapshot) {
        KvStateMachine sm = new KvStateMachine();
        if (snapshot == null) {
            return sm;
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot));
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                sm.data.put(in.readUTF(), in.readUTF());
            }
            int s = in.readInt();
            for (int i = 0; i < s; i++) {
                int client = in.readInt();
                sm.lastOp.put(client, in.readLong());
                String r = KvCommand.readNullable(in);
                if (r != null) {
                    sm.lastResult.put(client, r);
                }
            }
            return sm;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
