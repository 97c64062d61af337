package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Byte encodings of range commands, descriptors and snapshots, big-endian. Decoding checks every
 * length against the bytes actually there, so a corrupt record fails with an exception instead
 * of allocating what a bad length asks for.
 */
public final class RangeCodec {

    private static final byte writeTag = 1;
    private static final byte splitTag = 2;
    private static final byte prewriteTag = 3;
    private static final byte commitTag = 4;
    private static final byte rollbackTag = 5;
    private static final byte statusTag = 6;
    private static final byte gcTag = 7;
    private static final byte parallelPrewriteTag = 8;
    private static final byte checkPrewriteTag = 9;
    private static final byte putTag = 1;
    private static final byte deleteTag = 2;
    private static final byte casTag = 3;

    private RangeCodec() {
    }

    public static byte[] encodeCommand(RangeCommand command) {
        Out out = new Out();
        if (command instanceof RangeCommand.Write w) {
            out.b(writeTag).l(w.startTs()).l(w.commitTs());
            putOps(out, w.ops());
        } else if (command instanceof RangeCommand.Prewrite p) {
            out.b(p.parallel() ? parallelPrewriteTag : prewriteTag).l(p.startTs()).bytes(p.primary()).l(p.ttlMillis())
                    .bytes(p.coordinator().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            putOps(out, p.ops());
            if (p.parallel()) {
                out.l(p.minCommitTs());
                if (p.stagedKeys() == null) {
                    out.i(-1);
                } else {
                    putKeys(out, p.stagedKeys());
                }
            }
        } else if (command instanceof RangeCommand.CheckPrewrite c) {
            out.b(checkPrewriteTag).l(c.startTs());
            putKeys(out, c.keys());
        } else if (command instanceof RangeCommand.Commit c) {
            out.b(commitTag).l(c.startTs()).l(c.commitTs());
            putKeys(out, c.keys());
        } else if (command instanceof RangeCommand.Rollback r) {
            out.b(rollbackTag).l(r.startTs());
            putKeys(out, r.keys());
        } else if (command instanceof RangeCommand.Gc g) {
            out.b(gcTag).l(g.threshold());
            putKeys(out, g.keys());
        } else if (command instanceof RangeCommand.CheckStatus c) {
            out.b(statusTag).bytes(c.primary()).l(c.startTs()).l(c.nowMillis()).l(c.ttlMillis())
                    .b((byte) (c.rollbackIfMissing() ? 1 : 0));
        } else {
            RangeCommand.Split s = (RangeCommand.Split) command;
            out.b(splitTag).bytes(s.splitKey()).l(s.newRangeId()).l(s.expectedGeneration());
        }
        return out.toByteArray();
    }

    private static void putOps(Out out, List<WriteOp> ops) {
        out.i(ops.size());
        for (WriteOp op : ops) {
            if (op instanceof WriteOp.Put p) {
                out.b(putTag).bytes(p.key()).bytes(p.value());
            } else if (op instanceof WriteOp.Delete d) {
                out.b(deleteTag).bytes(d.key());
            } else {
                WriteOp.CompareAndSet c = (WriteOp.CompareAndSet) op;
                out.b(casTag).bytes(c.key()).nullable(c.expected()).nullable(c.newValue());
            }
        }
    }

    private static List<WriteOp> getOps(In in) {
        int n = in.count(5);
        List<WriteOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte opTag = in.b.get();
            switch (opTag) {
                case putTag -> ops.add(new WriteOp.Put(in.bytes(), in.bytes()));
                case deleteTag -> ops.add(new WriteOp.Delete(in.bytes()));
                case casTag -> ops.add(new WriteOp.CompareAndSet(in.bytes(), in.nullable(), in.nullable()));
                default -> throw new IllegalArgumentException("unknown write operation tag " + opTag);
            }
        }
        return ops;
    }

    static void putKeys(Out out, List<byte[]> keys) {
        out.i(keys.size());
        for (byte[] k : keys) {
            out.bytes(k);
        }
    }

    static List<byte[]> getKeys(In in) {
        int n = in.count(4);
        List<byte[]> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(in.bytes());
        }
        return keys;
    }

    public static RangeCommand decodeCommand(byte[] data) {
        In in = new In(data);
        try {
            byte tag = in.b.get();
            RangeCommand c;
            if (tag == writeTag) {
                long startTs = in.b.getLong();
                long commitTs = in.b.getLong();
                c = new RangeCommand.Write(getOps(in), startTs, commitTs);
            } else if (tag == prewriteTag || tag == parallelPrewriteTag) {
                long startTs = in.b.getLong();
                byte[] primary = in.bytes();
                long ttl = in.b.getLong();
                String coordinator = new String(in.bytes(), java.nio.charset.StandardCharsets.UTF_8);
                List<WriteOp> ops = getOps(in);
                if (tag == prewriteTag) {
                    c = new RangeCommand.Prewrite(startTs, primary, ttl, coordinator, ops);
                } else {
                    long minCommitTs = in.b.getLong();
                    int n = in.b.getInt();
                    List<byte[]> staged = null;
                    if (n != -1) {
                        in.b.position(in.b.position() - 4);
                        staged = getKeys(in);
                    }
                    c = new RangeCommand.Prewrite(startTs, primary, ttl, coordinator, ops, true, minCommitTs, staged);
                }
            } else if (tag == checkPrewriteTag) {
                long startTs = in.b.getLong();
                c = new RangeCommand.CheckPrewrite(startTs, getKeys(in));
            } else if (tag == commitTag) {
                long startTs = in.b.getLong();
                long commitTs = in.b.getLong();
                c = new RangeCommand.Commit(startTs, commitTs, getKeys(in));
            } else if (tag == rollbackTag) {
                long startTs = in.b.getLong();
                c = new RangeCommand.Rollback(startTs, getKeys(in));
            } else if (tag == gcTag) {
                long threshold = in.b.getLong();
                c = new RangeCommand.Gc(threshold, getKeys(in));
            } else if (tag == statusTag) {
                c = new RangeCommand.CheckStatus(in.bytes(), in.b.getLong(), in.b.getLong(), in.b.getLong(), in.b.get() != 0);
            } else if (tag == splitTag) {
                c = new RangeCommand.Split(in.bytes(), in.b.getLong(), in.b.getLong());
            } else {
                throw new IllegalArgumentException("unknown range command tag " + tag);
            }
            in.end();
            return c;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated range command of " + data.length + " bytes", e);
        }
    }

    public static byte[] encodeDescriptor(RangeDescriptor d) {
        Out out = new Out();
        putDescriptor(out, d);
        return out.toByteArray();
    }

    public static RangeDescriptor decodeDescriptor(byte[] data) {
        In in = new In(data);
        try {
            RangeDescriptor d = getDescriptor(in);
            in.end();
            return d;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated range descriptor of " + data.length + " bytes", e);
        }
    }

    /** A range's whole state: its descriptor, applied index, GC threshold and every pair in its span. */
    public record RangeSnapshot(RangeDescriptor descriptor, long appliedIndex, long gcThreshold,
                                List<RangeResult.KeyValue> pairs) {
    }

    public static byte[] encodeSnapshot(RangeSnapshot s) {
        Out out = new Out();
        putDescriptor(out, s.descriptor());
        out.l(s.appliedIndex()).l(s.gcThreshold()).i(s.pairs().size());
        for (RangeResult.KeyValue kv : s.pairs()) {
            out.bytes(kv.key()).bytes(kv.value());
        }
        return out.toByteArray();
    }

    public static RangeSnapshot decodeSnapshot(byte[] data) {
        In in = new In(data);
        try {
            RangeDescriptor d = getDescriptor(in);
            long applied = in.b.getLong();
            long gcThreshold = in.b.getLong();
            int n = in.count(8);
            List<RangeResult.KeyValue> pairs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pairs.add(new RangeResult.KeyValue(in.bytes(), in.bytes()));
            }
            in.end();
            return new RangeSnapshot(d, applied, gcThreshold, pairs);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated range snapshot of " + data.length + " bytes", e);
        }
    }

    static void putDescriptor(Out out, RangeDescriptor d) {
        out.l(d.rangeId()).bytes(d.start()).nullable(d.end()).l(d.generation());
        out.i(d.conf().voters().size());
        for (long v : d.conf().voters()) {
            out.l(v);
        }
        out.i(d.conf().learners().size());
        for (long l : d.conf().learners()) {
            out.l(l);
        }
    }

    static RangeDescriptor getDescriptor(In in) {
        long id = in.b.getLong();
        byte[] start = in.bytes();
        byte[] end = in.nullable();
        long generation = in.b.getLong();
        TreeSet<Long> voters = new TreeSet<>();
        for (int i = in.count(8); i > 0; i--) {
            voters.add(in.b.getLong());
        }
        TreeSet<Long> learners = new TreeSet<>();
        for (int i = in.count(8); i > 0; i--) {
            learners.add(in.b.getLong());
        }
        return new RangeDescriptor(id, start, end, new ConfState(voters, learners), generation);
    }

    /** A growing big-endian buffer. */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8);

        Out b(byte v) {
            bytes.write(v);
            return this;
        }

        Out i(int v) {
            bytes.write(scratch.clear().putInt(v).array(), 0, 4);
            return this;
        }

        Out l(long v) {
            bytes.write(scratch.clear().putLong(v).array(), 0, 8);
            return this;
        }

        Out bytes(byte[] v) {
            i(v.length);
            bytes.write(v, 0, v.length);
            return this;
        }

        /** The bytes of v, without a length (the last field of a record). */
        Out raw(byte[] v) {
            bytes.write(v, 0, v.length);
            return this;
        }

        Out nullable(byte[] v) {
            if (v == null) {
                return i(-1);
            }
            return bytes(v);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Bounds-checked reads. */
    static final class In {
        final ByteBuffer b;

        In(byte[] data) {
            b = ByteBuffer.wrap(data);
        }

        /** A count of items of at least minItemBytes each, checked against what is left. */
        int count(int minItemBytes) {
            int n = b.getInt();
            if (n < 0 || (long) n * minItemBytes > b.remaining()) {
                throw new IllegalArgumentException("count " + n + " does not fit the " + b.remaining() + " bytes left");
            }
            return n;
        }

        byte[] bytes() {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("length " + n + " does not fit the " + b.remaining() + " bytes left");
            }
            byte[] v = new byte[n];
            b.get(v);
            return v;
        }

        byte[] nullable() {
            int n = b.getInt();
            if (n == -1) {
                return null;
            }
            b.position(b.position() - 4);
            return bytes();
        }

        void end() {
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " unexpected trailing bytes");
            }
        }
    }
}
