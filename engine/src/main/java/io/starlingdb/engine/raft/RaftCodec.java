package io.starlingdb.engine.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Byte encodings of the durable Raft records (log entries, hard state, snapshots), big-endian. */
final class RaftCodec {

    private RaftCodec() {
    }

    /** Log key: group id then index, so one group's entries are contiguous and ordered. */
    static byte[] logKey(long group, long index) {
        return ByteBuffer.allocate(16).putLong(group).putLong(index).array();
    }

    static long indexOfLogKey(byte[] key) {
        return ByteBuffer.wrap(key, 8, 8).getLong();
    }

    /** State key: group id then a record tag. */
    static byte[] stateKey(long group, byte tag) {
        return ByteBuffer.allocate(9).putLong(group).put(tag).array();
    }

    static byte[] encodeEntry(Entry e) {
        return ByteBuffer.allocate(9 + e.data().length).putLong(e.term()).put((byte) e.type().ordinal()).put(e.data()).array();
    }

    static Entry decodeEntry(long index, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long term = b.getLong();
        EntryType type = EntryType.values()[b.get()];
        byte[] data = new byte[b.remaining()];
        b.get(data);
        return new Entry(term, index, type, data);
    }

    static byte[] encodeHardState(HardState hs) {
        return ByteBuffer.allocate(24).putLong(hs.term()).putLong(hs.vote()).putLong(hs.commit()).array();
    }

    static HardState decodeHardState(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        return new HardState(b.getLong(), b.getLong(), b.getLong());
    }

    static byte[] encodeConf(ConfState c) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * (c.voters().size() + c.learners().size()));
        putIds(b, c.voters());
        putIds(b, c.learners());
        return b.array();
    }

    static ConfState decodeConf(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        return new ConfState(new java.util.TreeSet<>(getIds(b)), new java.util.TreeSet<>(getIds(b)));
    }

    static byte[] encodeSnapshot(Snapshot s) {
        byte[] conf = encodeConf(s.conf());
        return ByteBuffer.allocate(20 + conf.length + s.data().length).putLong(s.index()).putLong(s.term())
                .putInt(conf.length).put(conf).put(s.data()).array();
    }

    static Snapshot decodeSnapshot(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long index = b.getLong();
        long term = b.getLong();
        byte[] conf = new byte[b.getInt()];
        b.get(conf);
        byte[] data = new byte[b.remaining()];
        b.get(data);
        return new Snapshot(index, term, decodeConf(conf), data);
    }

    private static void putIds(ByteBuffer b, Set<Long> ids) {
        b.putInt(ids.size());
        for (long id : ids) {
            b.putLong(id);
        }
    }

    private static List<Long> getIds(ByteBuffer b) {
        int n = b.getInt();
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(b.getLong());
        }
        return ids;
    }
}
