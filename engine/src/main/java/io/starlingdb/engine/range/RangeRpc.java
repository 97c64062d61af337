package io.starlingdb.engine.range;

import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.engine.encoding.RowPredicate;

import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The requests a gateway sends to the node holding a range, and the answers, as they travel on
 * the cluster network (NORMAL lane): one registered frame type each way, whose payload this
 * class encodes. Decoding validates every length, so a malformed frame fails before anything
 * large is allocated.
 */
public final class RangeRpc {

    /** Wire type ids (SWIM uses 200-208, Raft 300-301). */
    public static final int requestTypeId = 302;
    public static final int responseTypeId = 303;

    /** A request frame. */
    public record RequestFrame(byte[] payload) {
    }

    /** A response frame. */
    public record ResponseFrame(byte[] payload) {
    }

    /** Registers the two frame types; call once on the MessageTypes the network is built with. */
    public static void registerTypes(MessageTypes types) {
        types.register(RequestFrame.class, requestTypeId).register(ResponseFrame.class, responseTypeId);
    }

    public enum Kind { GET, SCAN, WRITE, LOOKUP, MULTI_GET, HOST, TIMESTAMPS, VALIDATE, LOCKS, FIRST_KEYS, LEASE, OLDEST_LOCK }

    /**
     * One request. GET: key. SCAN: [key, endKey) (endKey null: to the end), at most maxRows
     * rows and about maxBytes. WRITE: command (a write batch or a split). LOOKUP: the newest
     * descriptor this node holds a replica of for key (rangeId 0). MULTI_GET: keys, all in the
     * range, read at one instant. HOST: host an empty replica of rangeId (placement adds it next). TIMESTAMPS: maxRows
     * timestamps from the oracle (meta range). VALIDATE: the read validation of a SERIALIZABLE
     * transaction started at timestamp and committing at untilTimestamp over [key, endKey), or,
     * when keys is not empty, over each of keys (its point reads in this range).
     * LOCKS: the transaction locks in [key, endKey), at most maxRows (an operator's view; resolves nothing).
     * FIRST_KEYS: keys holds spans as pairs (from, to; an empty to: no bound), each from in the
     * range; the answer is, per span, the first key visible at timestamp in the span's part inside
     * the range, or null (whether a UNIQUE index holds a value: many rows' checks in one request).
     * LEASE: the lease balancer's pull ({@link LeaseBalancer}): the store maxBytes, which leads
     * maxRows ranges, asks the leaseholder of rangeId to hand it the lease; OK if the transfer
     * started, UNAVAILABLE with the reason if not.
     * OLDEST_LOCK: the lock with the smallest start timestamp in [key, endKey), or none, as a
     * LOCKS answer of at most one lock (the version GC's survey, {@link RangeVersionGc}).
     *
     * <p>GET, MULTI_GET and SCAN read at timestamp (Long.MAX_VALUE: the newest versions, no
     * transaction), as the transaction started at timestamp (its own locks do not hide keys).
     * A SCAN with a filter (null: none) leaves out the rows whose value it rejects; maxBytes then
     * bounds the bytes the page looks at, kept or not, so a page that keeps few rows still ends.
     */
    public record Request(Kind kind, long rangeId, byte[] key, byte[] endKey, int maxRows, long maxBytes,
                          RangeCommand command, List<byte[]> keys, long timestamp, long untilTimestamp,
                          RowPredicate filter) {
        public Request {
            Objects.requireNonNull(kind, "kind");
            keys = keys == null ? List.of() : List.copyOf(keys);
            if (timestamp <= 0 || untilTimestamp < 0) {
                throw new IllegalArgumentException("bad request timestamps " + timestamp + ", " + untilTimestamp);
            }
            if (filter != null && kind != Kind.SCAN) {
                throw new IllegalArgumentException("only a scan takes a filter, not " + kind);
            }
        }

        public Request(Kind kind, long rangeId, byte[] key, byte[] endKey, int maxRows, long maxBytes,
                       RangeCommand command, List<byte[]> keys, long timestamp, long untilTimestamp) {
            this(kind, rangeId, key, endKey, maxRows, maxBytes, command, keys, timestamp, untilTimestamp, null);
        }

        public Request(Kind kind, long rangeId, byte[] key, byte[] endKey, int maxRows, long maxBytes,
                       RangeCommand command) {
            this(kind, rangeId, key, endKey, maxRows, maxBytes, command, List.of(), latest, 0);
        }

        public static Request getAll(long rangeId, List<byte[]> keys, long timestamp) {
            return new Request(Kind.MULTI_GET, rangeId, new byte[0], null, 0, 0, null, keys, timestamp, 0);
        }

        public static Request getAll(long rangeId, List<byte[]> keys) {
            return getAll(rangeId, keys, latest);
        }

        public static Request get(long rangeId, byte[] key, long timestamp) {
            return new Request(Kind.GET, rangeId, key, null, 0, 0, null, List.of(), timestamp, 0);
        }

        public static Request get(long rangeId, byte[] key) {
            return get(rangeId, key, latest);
        }

        public static Request scan(long rangeId, byte[] from, byte[] to, int maxRows, long maxBytes, long timestamp) {
            return scan(rangeId, from, to, maxRows, maxBytes, timestamp, null);
        }

        /** A scan leaving out the rows whose value filter rejects (null: none). */
        public static Request scan(long rangeId, byte[] from, byte[] to, int maxRows, long maxBytes, long timestamp,
                                   RowPredicate filter) {
            return new Request(Kind.SCAN, rangeId, from, to, maxRows, maxBytes, null, List.of(), timestamp, 0, filter);
        }

        public static Request scan(long rangeId, byte[] from, byte[] to, int maxRows, long maxBytes) {
            return scan(rangeId, from, to, maxRows, maxBytes, latest);
        }

        /** FIRST_KEYS of spans given as pairs (from, to) in keys; see {@link Kind}. */
        public static Request firstKeys(long rangeId, List<byte[]> fromToPairs, long timestamp) {
            if (fromToPairs.isEmpty() || fromToPairs.size() % 2 != 0) {
                throw new IllegalArgumentException("first keys need (from, to) pairs, got " + fromToPairs.size() + " keys");
            }
            return new Request(Kind.FIRST_KEYS, rangeId, new byte[0], null, 0, 0, null, fromToPairs, timestamp, 0);
        }

        public static Request locks(long rangeId, byte[] from, byte[] to, int max) {
            return new Request(Kind.LOCKS, rangeId, from, to, max, 0, null);
        }

        public static Request oldestLock(long rangeId, byte[] from, byte[] to) {
            return new Request(Kind.OLDEST_LOCK, rangeId, from, to, 1, 0, null);
        }

        public static Request validate(long rangeId, byte[] from, byte[] to, long startTs, long commitTs) {
            return new Request(Kind.VALIDATE, rangeId, from, to, 0, 0, null, List.of(), startTs, commitTs);
        }

        /** VALIDATE of point reads: each of keys (all in the range) as the span [key, key 0x00), in one request. */
        public static Request validateKeys(long rangeId, List<byte[]> keys, long startTs, long commitTs) {
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("a validation of keys needs keys");
            }
            return new Request(Kind.VALIDATE, rangeId, new byte[0], null, 0, 0, null, keys, startTs, commitTs);
        }

        public static Request write(long rangeId, RangeCommand command) {
            return new Request(Kind.WRITE, rangeId, new byte[0], null, 0, 0, command);
        }

        /**
         * A write whose commit timestamp, where the leaseholder takes it (a one-phase write of
         * user keys, a parallel commit's prewrite), must be below commitDeadline (0: no bound):
         * if the oracle's timestamp is not, the leaseholder proposes nothing and answers
         * {@link RangeResult.CommitDeadlinePassed}. Carried in untilTimestamp. SQL's catalog lease
         * uses it (docs/cluster.md, "Schema changes").
         */
        public static Request write(long rangeId, RangeCommand command, long commitDeadline) {
            return new Request(Kind.WRITE, rangeId, new byte[0], null, 0, 0, command, List.of(), latest, commitDeadline);
        }

        /** maxRows of a WRITE that is a {@link #backgroundCommit}. */
        public static final int backgroundCommitMark = 1;

        /**
         * The commit of a transaction that is committed already (a parallel commit's keys after
         * its answer): the leaseholder may hold it for a few milliseconds so that the range's next
         * proposal carries it into the log (docs/transactions.md, "Background commits ride on the
         * next proposal"). Answered as {@link #write}, once applied.
         */
        public static Request backgroundCommit(long rangeId, RangeCommand.Commit commit) {
            return new Request(Kind.WRITE, rangeId, new byte[0], null, backgroundCommitMark, 0, commit);
        }

        /**
         * Host an empty replica of the range, initialised by a snapshot. replace: the store is
         * about to be added as a learner, so it is not a member now, and a replica it still holds
         * is stale (removed earlier, not collected yet): it is deleted first, so its old log never
         * replays onto keys that other ranges here hold now.
         */
        public static Request host(long rangeId, boolean replace) {
            return new Request(Kind.HOST, rangeId, new byte[0], null, replace ? 1 : 0, 0, null);
        }

        /** The lease of rangeId for store requester, which leads leases ranges (the lease balancer's pull). */
        public static Request lease(long rangeId, long requester, int leases) {
            return new Request(Kind.LEASE, rangeId, new byte[0], null, leases, requester, null);
        }

        /** maxRows timestamps from the oracle, at the meta range's leaseholder. */
        public static Request timestamps(int count) {
            return new Request(Kind.TIMESTAMPS, MetaKeys.metaRangeId, new byte[0], null, count, 0, null);
        }

        public static Request lookup(byte[] key) {
            return new Request(Kind.LOOKUP, 0, key, null, 0, 0, null);
        }
    }

    /** The read timestamp of a read outside any transaction: the newest versions. */
    public static final long latest = Long.MAX_VALUE;

    public enum Status {
        /** result (and descriptor: the range as the node saw it) is the answer. */
        OK,
        /** This node does not lead the range; leaderHint is the node it believes does (0: none known). Not applied. */
        NOT_LEASEHOLDER,
        /** This node holds no replica of the range. Not applied. */
        RANGE_NOT_FOUND,
        /** The write was refused or overwritten by another leader's entry: it did not apply. Safe to retry. */
        DROPPED,
        /** The write may or may not have applied. Never retried. */
        OUTCOME_UNKNOWN,
        /** The node could not take the request (overloaded, shutting down); error says why. Not applied. */
        UNAVAILABLE
    }

    public record Response(Status status, RangeResult result, RangeDescriptor descriptor, long leaderHint, String error) {
        public static Response ok(RangeResult result, RangeDescriptor descriptor) {
            return new Response(Status.OK, result, descriptor, 0, null);
        }

        public static Response of(Status status, long leaderHint, String error) {
            return new Response(status, null, null, leaderHint, error);
        }
    }

    private RangeRpc() {
    }

    // ------------------------------------------------------------------ requests

    public static byte[] encode(Request r) {
        RangeCodec.Out out = new RangeCodec.Out();
        out.b((byte) r.kind().ordinal()).l(r.rangeId()).bytes(r.key()).nullable(r.endKey()).i(r.maxRows()).l(r.maxBytes());
        out.nullable(r.command() == null ? null : RangeCodec.encodeCommand(r.command()));
        out.i(r.keys().size());
        for (byte[] k : r.keys()) {
            out.bytes(k);
        }
        out.l(r.timestamp()).l(r.untilTimestamp());
        out.nullable(r.filter() == null ? null : r.filter().encode());
        return out.toByteArray();
    }

    public static Request decodeRequest(byte[] payload) {
        RangeCodec.In in = new RangeCodec.In(payload);
        try {
            int kind = in.b.get();
            if (kind < 0 || kind >= Kind.values().length) {
                throw new IllegalArgumentException("unknown request kind " + kind);
            }
            long rangeId = in.b.getLong();
            byte[] key = in.bytes();
            byte[] end = in.nullable();
            int maxRows = in.b.getInt();
            long maxBytes = in.b.getLong();
            byte[] command = in.nullable();
            int n = in.count(4);
            List<byte[]> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(in.bytes());
            }
            long timestamp = in.b.getLong();
            long until = in.b.getLong();
            byte[] filter = in.nullable();
            in.end();
            return new Request(Kind.values()[kind], rangeId, key, end, maxRows, maxBytes,
                    command == null ? null : RangeCodec.decodeCommand(command), keys, timestamp, until,
                    filter == null ? null : RowPredicate.decode(filter));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated range request of " + payload.length + " bytes", e);
        }
    }

    // ------------------------------------------------------------------ responses

    private static final byte written = 1;
    private static final byte conditionFailed = 2;
    private static final byte keyMismatch = 3;
    private static final byte splitDone = 4;
    private static final byte refused = 5;
    private static final byte value = 6;
    private static final byte rows = 7;
    private static final byte values = 8;
    private static final byte timestamps = 9;
    private static final byte locked = 10;
    private static final byte writeConflict = 11;
    private static final byte txnStatus = 12;
    private static final byte lockList = 13;
    private static final byte prewritten = 14;
    private static final byte belowGcThreshold = 15;
    private static final byte commitDeadlinePassed = 16;

    public static byte[] encode(Response r) {
        RangeCodec.Out out = new RangeCodec.Out();
        out.b((byte) r.status().ordinal()).l(r.leaderHint());
        out.nullable(r.error() == null ? null : r.error().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.b((byte) (r.descriptor() == null ? 0 : 1));
        if (r.descriptor() != null) {
            RangeCodec.putDescriptor(out, r.descriptor());
        }
        putResult(out, r.result());
        return out.toByteArray();
    }

    public static Response decodeResponse(byte[] payload) {
        RangeCodec.In in = new RangeCodec.In(payload);
        try {
            int status = in.b.get();
            if (status < 0 || status >= Status.values().length) {
                throw new IllegalArgumentException("unknown response status " + status);
            }
            long hint = in.b.getLong();
            byte[] error = in.nullable();
            RangeDescriptor d = in.b.get() == 0 ? null : RangeCodec.getDescriptor(in);
            RangeResult result = getResult(in);
            in.end();
            return new Response(Status.values()[status], result, d, hint,
                    error == null ? null : new String(error, java.nio.charset.StandardCharsets.UTF_8));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated range response of " + payload.length + " bytes", e);
        }
    }

    private static void putResult(RangeCodec.Out out, RangeResult r) {
        if (r == null) {
            out.b((byte) 0);
        } else if (r instanceof RangeResult.Written) {
            out.b(written);
        } else if (r instanceof RangeResult.ConditionFailed c) {
            out.b(conditionFailed).i(c.opIndex()).nullable(c.actual());
        } else if (r instanceof RangeResult.KeyMismatch m) {
            out.b(keyMismatch);
            RangeCodec.putDescriptor(out, m.current());
        } else if (r instanceof RangeResult.SplitDone s) {
            out.b(splitDone);
            RangeCodec.putDescriptor(out, s.left());
            RangeCodec.putDescriptor(out, s.right());
        } else if (r instanceof RangeResult.Refused f) {
            out.b(refused).bytes(f.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else if (r instanceof RangeResult.Value v) {
            out.b(value).nullable(v.value());
        } else if (r instanceof RangeResult.Values vs) {
            out.b(values).i(vs.values().size());
            for (byte[] v : vs.values()) {
                out.nullable(v);
            }
        } else if (r instanceof RangeResult.Prewritten p) {
            out.b(prewritten).l(p.commitFloorTs());
        } else if (r instanceof RangeResult.Timestamps t) {
            out.b(timestamps).l(t.first()).i(t.count());
        } else if (r instanceof RangeResult.Locked l) {
            out.b(locked);
            putLocks(out, l.locks());
        } else if (r instanceof RangeResult.LockList l) {
            out.b(lockList);
            putLocks(out, l.locks());
            out.nullable(l.resumeKey());
        } else if (r instanceof RangeResult.WriteConflict w) {
            out.b(writeConflict).bytes(w.key()).l(w.commitTs());
        } else if (r instanceof RangeResult.BelowGcThreshold g) {
            out.b(belowGcThreshold).l(g.timestamp()).l(g.gcThreshold());
        } else if (r instanceof RangeResult.CommitDeadlinePassed c) {
            out.b(commitDeadlinePassed).l(c.deadline()).l(c.timestamp());
        } else if (r instanceof RangeResult.TxnStatus t) {
            out.b(txnStatus).b((byte) t.state().ordinal()).l(t.commitTs()).l(t.ttlMillis());
            if (t.stagedKeys() != null) {
                RangeCodec.putKeys(out, t.stagedKeys());
            }
        } else {
            RangeResult.Rows rs = (RangeResult.Rows) r;
            out.b(rows).i(rs.rows().size());
            for (RangeResult.KeyValue kv : rs.rows()) {
                out.bytes(kv.key()).bytes(kv.value());
            }
            out.nullable(rs.resumeKey());
        }
    }

    private static void putLocks(RangeCodec.Out out, List<RangeResult.LockInfo> locks) {
        out.i(locks.size());
        for (RangeResult.LockInfo li : locks) {
            out.bytes(li.key()).l(li.startTs()).bytes(li.primary()).l(li.ttlMillis())
                    .bytes(li.coordinator().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static List<RangeResult.LockInfo> getLocks(RangeCodec.In in) {
        int n = in.count(28);
        List<RangeResult.LockInfo> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(new RangeResult.LockInfo(in.bytes(), in.b.getLong(), in.bytes(), in.b.getLong(),
                    new String(in.bytes(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        return list;
    }

    private static RangeResult getResult(RangeCodec.In in) {
        byte tag = in.b.get();
        switch (tag) {
            case 0:
                return null;
            case written:
                return new RangeResult.Written();
            case conditionFailed:
                return new RangeResult.ConditionFailed(in.b.getInt(), in.nullable());
            case keyMismatch:
                return new RangeResult.KeyMismatch(RangeCodec.getDescriptor(in));
            case splitDone:
                return new RangeResult.SplitDone(RangeCodec.getDescriptor(in), RangeCodec.getDescriptor(in));
            case refused:
                return new RangeResult.Refused(new String(in.bytes(), java.nio.charset.StandardCharsets.UTF_8));
            case value:
                return new RangeResult.Value(in.nullable());
            case values: {
                int n = in.count(4);
                List<byte[]> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(in.nullable());
                }
                return new RangeResult.Values(list);
            }
            case rows: {
                int n = in.count(8);
                List<RangeResult.KeyValue> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(new RangeResult.KeyValue(in.bytes(), in.bytes()));
                }
                return new RangeResult.Rows(list, in.nullable());
            }
            case timestamps: {
                long first = in.b.getLong();
                int count = in.b.getInt();
                if (first < 0 || count < 1) {
                    throw new IllegalArgumentException("bad timestamps " + first + " x " + count);
                }
                return new RangeResult.Timestamps(first, count);
            }
            case locked:
                return new RangeResult.Locked(getLocks(in));
            case lockList:
                return new RangeResult.LockList(getLocks(in), in.nullable());
            case prewritten:
                return new RangeResult.Prewritten(in.b.getLong());
            case writeConflict:
                return new RangeResult.WriteConflict(in.bytes(), in.b.getLong());
            case belowGcThreshold:
                return new RangeResult.BelowGcThreshold(in.b.getLong(), in.b.getLong());
            case commitDeadlinePassed:
                return new RangeResult.CommitDeadlinePassed(in.b.getLong(), in.b.getLong());
            case txnStatus: {
                int state = in.b.get();
                if (state < 0 || state >= RangeResult.TxnStatus.State.values().length) {
                    throw new IllegalArgumentException("unknown transaction state " + state);
                }
                RangeResult.TxnStatus.State st = RangeResult.TxnStatus.State.values()[state];
                long commitTs = in.b.getLong();
                long ttl = in.b.getLong();
                return new RangeResult.TxnStatus(st, commitTs, ttl,
                        st == RangeResult.TxnStatus.State.STAGING ? RangeCodec.getKeys(in) : null);
            }
            default:
                throw new IllegalArgumentException("unknown result tag " + tag);
        }
    }
}
