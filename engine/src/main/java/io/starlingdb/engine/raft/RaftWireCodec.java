package io.starlingdb.engine.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte encoding of Raft messages for a network transport: a batch of group messages, or one
 * snapshot chunk. Decoding validates every count and length against the bytes that are
 * actually there, so a malformed payload fails with an exception before anything large is
 * allocated.
 */
public final class RaftWireCodec {

    private RaftWireCodec() {
    }

    public static byte[] encodeBatch(List<GroupMessage> batch) {
        int size = 4;
        for (GroupMessage gm : batch) {
            size += 8 + messageSize(gm.message());
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(batch.size());
        for (GroupMessage gm : batch) {
            b.putLong(gm.group());
            putMessage(b, gm.message());
        }
        return b.array();
    }

    public static List<GroupMessage> decodeBatch(byte[] payload) {
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int n = count(b, 8 + 1);
            List<GroupMessage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long group = b.getLong();
                out.add(new GroupMessage(group, getMessage(b)));
            }
            requireEnd(b);
            return out;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated raft batch of " + payload.length + " bytes", e);
        }
    }

    public static byte[] encodeChunk(SnapshotChunk c) {
        ByteBuffer b = ByteBuffer.allocate(8 + messageSize(c.header()) + 8 + 4 + c.bytes().length + 1);
        b.putLong(c.group());
        putMessage(b, c.header());
        b.putLong(c.offset());
        b.putInt(c.bytes().length).put(c.bytes());
        b.put((byte) (c.last() ? 1 : 0));
        return b.array();
    }

    public static SnapshotChunk decodeChunk(byte[] payload) {
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            long group = b.getLong();
            Message header = getMessage(b);
            long offset = b.getLong();
            byte[] bytes = bytes(b);
            boolean last = b.get() != 0;
            requireEnd(b);
            return new SnapshotChunk(group, header, offset, bytes, last);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated snapshot chunk of " + payload.length + " bytes", e);
        }
    }

    // type, from, to, term, logTerm, index, commit, reject, rejectHint, context, entries, snapshot
    private static int messageSize(Message m) {
        int size = 1 + 8 * 6 + 1 + 8 + 8 + 4 + 1;
        for (Entry e : m.entries()) {
            size += 8 + 8 + 1 + 4 + e.data().length;
        }
        if (m.snapshot() != null) {
            Snapshot s = m.snapshot();
            size += 8 + 8 + 4 + 8 * s.conf().voters().size() + 4 + 8 * s.conf().learners().size() + 4 + s.data().length;
        }
        return size;
    }

    private static void putMessage(ByteBuffer b, Message m) {
        b.put((byte) m.type().ordinal());
        b.putLong(m.from()).putLong(m.to()).putLong(m.term()).putLong(m.logTerm()).putLong(m.index()).putLong(m.commit());
        b.put((byte) (m.reject() ? 1 : 0));
        b.putLong(m.rejectHint()).putLong(m.context());
        b.putInt(m.entries().size());
        for (Entry e : m.entries()) {
            b.putLong(e.term()).putLong(e.index()).put((byte) e.type().ordinal());
            b.putInt(e.data().length).put(e.data());
        }
        Snapshot s = m.snapshot();
        b.put((byte) (s == null ? 0 : 1));
        if (s != null) {
            b.putLong(s.index()).putLong(s.term());
            b.putInt(s.conf().voters().size());
            for (long v : s.conf().voters()) {
                b.putLong(v);
            }
            b.putInt(s.conf().learners().size());
            for (long l : s.conf().learners()) {
                b.putLong(l);
            }
            b.putInt(s.data().length).put(s.data());
        }
    }

    private static Message getMessage(ByteBuffer b) {
        MessageType type = enumValue(MessageType.values(), b.get());
        long from = b.getLong();
        long to = b.getLong();
        long term = b.getLong();
        long logTerm = b.getLong();
        long index = b.getLong();
        long commit = b.getLong();
        boolean reject = b.get() != 0;
        long rejectHint = b.getLong();
        long context = b.getLong();
        int n = count(b, 8 + 8 + 1 + 4);
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t = b.getLong();
            long idx = b.getLong();
            EntryType et = enumValue(EntryType.values(), b.get());
            entries.add(new Entry(t, idx, et, bytes(b)));
        }
        Snapshot snapshot = null;
        if (b.get() != 0) {
            long si = b.getLong();
            long st = b.getLong();
            List<Long> voters = ids(b);
            List<Long> learners = ids(b);
            snapshot = new Snapshot(si, st, new ConfState(new java.util.TreeSet<>(voters), new java.util.TreeSet<>(learners)),
                    bytes(b));
        }
        return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, context);
    }

    private static List<Long> ids(ByteBuffer b) {
        int n = count(b, 8);
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(b.getLong());
        }
        return out;
    }

    /** A count of items of at least minBytes each: never more than the bytes left allow. */
    private static int count(ByteBuffer b, int minBytes) {
        int n = b.getInt();
        if (n < 0 || (long) n * minBytes > b.remaining()) {
            throw new IllegalArgumentException("count " + n + " does not fit in the " + b.remaining() + " bytes left");
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer b) {
        int n = count(b, 1);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static <E> E enumValue(E[] values, byte ordinal) {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IllegalArgumentException("unknown " + values[0].getClass().getSimpleName() + " " + ordinal);
        }
        return values[ordinal];
    }

    private static void requireEnd(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(b.remaining() + " unexpected trailing bytes");
        }
    }
}
