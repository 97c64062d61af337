package io.starlingdb.engine.range;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The multi-version data of a range and the rules of the transaction protocol on it (Percolator,
 * DESIGN.md "Transactions"), as pure functions of a storage snapshot that write into a batch: the
 * range's state machine applies them in log order, and reads run them at the leaseholder.
 *
 * <p>Each user key has, in the range's data span ({@link RangeKeys}):
 * <ul>
 * <li>a <b>lock slot</b>: the lock of the one transaction that has prewritten the key and not
 *     committed or rolled back yet (its start timestamp, primary key, TTL, and the value it
 *     writes);</li>
 * <li><b>versions</b>, newest first: each the value (or a deletion) committed at a commit
 *     timestamp, with the start timestamp of the transaction that wrote it, which is how a
 *     transaction's commit is found again (its status is the status of its primary key);</li>
 * <li><b>rollback markers</b>: a transaction rolled back on this key, so a prewrite of it that
 *     arrives late is refused, and its status stays "aborted".</li>
 * </ul>
 * Keys of the system (the meta range) have one version at timestamp 0, overwritten in place:
 * they are not read in transactions, and the timestamp oracle's own mark lives there.
 *
 * <p>The expiry of a lock is decided from the physical part of its start timestamp plus its TTL,
 * against the wall time the command carries (the caller's clock), so every replica decides the same.
 */
final class RangeMvcc {

    private static final byte tombstone = 0;
    private static final byte live = 1;
    /** A version's bytes before its value: live or tombstone, and the writer's start timestamp. */
    static final int VERSION_HEADER_BYTES = 9;
    private static final byte putLock = 1;
    private static final byte deleteLock = 2;
    /** A parallel commit's locks: the kinds above, followed by minCommitTs and the staged keys. */
    private static final byte putLockParallel = 3;
    private static final byte deleteLockParallel = 4;

    /** Locks one read answers at most; the reader resolves them and reads again. */
    static final int maxLocksPerAnswer = 1_000;

    private RangeMvcc() {
    }

    /** A committed version: value null means the key was deleted at commitTs. */
    record Version(long commitTs, long startTs, byte[] value) {
    }

    // ------------------------------------------------------------------ encoding

    static byte[] encodeVersion(long startTs, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(VERSION_HEADER_BYTES + (value == null ? 0 : value.length));
        b.put(value == null ? tombstone : live).putLong(startTs);
        if (value != null) {
            b.put(value);
        }
        return b.array();
    }

    static Version decodeVersion(long commitTs, byte[] v) {
        boolean holdsValue = isLive(v);
        long startTs = ByteBuffer.wrap(v, 1, 8).getLong();
        return new Version(commitTs, startTs, holdsValue ? Arrays.copyOfRange(v, VERSION_HEADER_BYTES, v.length) : null);
    }

    /** Whether an encoded version holds a value (after its {@link #VERSION_HEADER_BYTES}), not a tombstone. */
    static boolean isLive(byte[] v) {
        if (v.length < VERSION_HEADER_BYTES || (v[0] != tombstone && v[0] != live)) {
            throw new IllegalStateException("corrupt version of " + v.length + " bytes");
        }
        return v[0] == live;
    }

    /**
     * A lock in a key's lock slot; value null: the transaction deletes the key. minCommitTs: a
     * parallel commit's lower bound of its commit timestamp (0: not a parallel commit);
     * stagedKeys: in a parallel commit's primary lock, its STAGING record's list of the other
     * keys (else null).
     */
    record Lock(long startTs, byte[] primary, long ttlMillis, String coordinator, byte[] value, long minCommitTs,
                List<byte[]> stagedKeys) {
        Lock(long startTs, byte[] primary, long ttlMillis, String coordinator, byte[] value) {
            this(startTs, primary, ttlMillis, coordinator, value, 0, null);
        }

        RangeResult.LockInfo info(byte[] key) {
            return new RangeResult.LockInfo(key, startTs, primary, ttlMillis, coordinator);
        }

        boolean expiredAt(long nowMillis) {
            return nowMillis > HybridClock.physicalMillis(startTs) + ttlMillis;
        }

        boolean parallel() {
            return minCommitTs != 0;
        }

        /** The same lock with another TTL (a heartbeat). */
        Lock withTtl(long ttl) {
            return new Lock(startTs, primary, ttl, coordinator, value, minCommitTs, stagedKeys);
        }
    }

    static byte[] encodeLock(Lock l) {
        RangeCodec.Out out = new RangeCodec.Out();
        byte kind = l.parallel() ? (l.value() == null ? deleteLockParallel : putLockParallel)
                : (l.value() == null ? deleteLock : putLock);
        out.b(kind).l(l.startTs()).l(l.ttlMillis()).bytes(l.primary())
                .bytes(l.coordinator().getBytes(StandardCharsets.UTF_8));
        if (l.parallel()) {
            out.l(l.minCommitTs());
            if (l.stagedKeys() == null) {
                out.i(-1);
            } else {
                RangeCodec.putKeys(out, l.stagedKeys());
            }
        }
        if (l.value() != null) {
            out.raw(l.value());
        }
        return out.toByteArray();
    }

    static Lock decodeLock(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        byte kind = b.get();
        if (kind < putLock || kind > deleteLockParallel) {
            throw new IllegalStateException("corrupt lock of " + v.length + " bytes");
        }
        long startTs = b.getLong();
        long ttl = b.getLong();
        byte[] primary = new byte[b.getInt()];
        b.get(primary);
        byte[] coordinator = new byte[b.getInt()];
        b.get(coordinator);
        long minCommitTs = 0;
        List<byte[]> staged = null;
        if (kind == putLockParallel || kind == deleteLockParallel) {
            minCommitTs = b.getLong();
            int n = b.getInt();
            if (n >= 0) {
                staged = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] k = new byte[b.getInt()];
                    b.get(k);
                    staged.add(k);
                }
            }
        }
        byte[] value = null;
        if (kind == putLock || kind == putLockParallel) {
            value = new byte[b.remaining()];
            b.get(value);
        }
        return new Lock(startTs, primary, ttl, new String(coordinator, StandardCharsets.UTF_8), value, minCommitTs,
                staged);
    }

    // ------------------------------------------------------------------ reading one key

    static Lock lock(KvSnapshot s, byte[] key) {
        byte[] v = s.get(RangeKeys.dataKey(key));
        return v == null ? null : decodeLock(v);
    }

    /**
     * The first stored pair of key (its lock slot, else its newest version or a rollback marker),
     * or null when nothing is stored under key: one seek where {@link #lock} and {@link #newest}
     * are two. The lock slot sorts before every version and marker of its key, and every version
     * and marker sorts at or after {@code versionKey(key, Long.MAX_VALUE)}, where {@link #newest}
     * starts; so when the first pair is a version, it is the newest (the load phase's 500-row
     * batches check 500 keys this way, twice: the read-ahead and the one-phase commit's apply on
     * every replica; docs/cluster.md, "The load phase").
     */
    static Map.Entry<byte[], byte[]> firstPair(KvSnapshot s, byte[] key) {
        return s.first(RangeKeys.dataKey(key), RangeKeys.afterKey(key));
    }

    /**
     * {@link #firstPair} for many keys at one snapshot, which seeks only when the last seek does
     * not already answer: a seek from a key finds the first stored pair at or after it, so nothing
     * is stored between the two, and a later key in that gap has that same first pair (or none
     * of its own when the pair lies past the key's pairs). Keys asked in ascending order whose
     * neighbours are absent (a batch of new rows, as the load phase's 500-row INSERTs write) cost
     * one seek together instead of one each; keys in any other order cost at most the seek each
     * that {@link #firstPair} does. The snapshot does not change while it is open, so what a seek
     * found stays true.
     */
    static final class FirstPairs {
        private final KvSnapshot s;
        /** Where the last seek started, or null before the first. */
        private byte[] seekedFrom;
        /** What it found: the first stored pair at or after seekedFrom, or null if none. */
        private Map.Entry<byte[], byte[]> found;

        FirstPairs(KvSnapshot s) {
            this.s = s;
        }

        Map.Entry<byte[], byte[]> of(byte[] key) {
            byte[] from = RangeKeys.dataKey(key);
            byte[] end = RangeKeys.afterKey(key);
            boolean known = seekedFrom != null && Arrays.compareUnsigned(seekedFrom, from) <= 0
                    && (found == null || Arrays.compareUnsigned(from, found.getKey()) <= 0);
            if (!known) {
                seekedFrom = from;
                found = s.first(from, null);
            }
            return found != null && Arrays.compareUnsigned(found.getKey(), end) < 0 ? found : null;
        }
    }

    /** The lock of a key, given its first pair ({@link #firstPair}): that pair when it is the lock slot. */
    private static Lock lockFrom(Map.Entry<byte[], byte[]> first) {
        return first != null && RangeKeys.decode(first.getKey()).isLockSlot() ? decodeLock(first.getValue()) : null;
    }

    /**
     * The newest version of key at or before ts, given key's first pair ({@link #firstPair}): that
     * pair when it is such a version, else (a lock slot, a marker, a newer version) the same as
     * {@link #newest}.
     */
    private static Version newestFrom(KvSnapshot s, byte[] key, long ts, Map.Entry<byte[], byte[]> first) {
        if (first == null) {
            return null;
        }
        RangeKeys.DataKey dk = RangeKeys.decode(first.getKey());
        if (dk.isVersion() && dk.timestamp() <= ts) {
            return decodeVersion(dk.timestamp(), first.getValue());
        }
        return newest(s, key, ts);
    }

    /**
     * The newest version of key committed at or before ts, or null. One seek per pair looked at
     * ({@link KvSnapshot#first}), not a cursor: the first pair is the answer unless it is a
     * rollback marker, and a cursor copied a batch of the key's older versions with it (every put
     * and every get reads this).
     */
    static Version newest(KvSnapshot s, byte[] key, long ts) {
        byte[] from = RangeKeys.versionKey(key, ts);
        byte[] end = RangeKeys.afterKey(key);
        for (Map.Entry<byte[], byte[]> e; (e = s.first(from, end)) != null; ) {
            RangeKeys.DataKey dk = RangeKeys.decode(e.getKey());
            if (dk.isVersion()) {
                return decodeVersion(dk.timestamp(), e.getValue());
            }
            from = Arrays.copyOf(e.getKey(), e.getKey().length + 1); // the smallest key after this one
        }
        return null;
    }

    /** The version of key that the transaction started at startTs committed, or null. */
    static Version committedBy(KvSnapshot s, byte[] key, long startTs) {
        try (KvCursor c = s.scan(RangeKeys.dataKey(key), RangeKeys.versionKey(key, startTs))) {
            while (c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (dk.isVersion()) {
                    Version v = decodeVersion(dk.timestamp(), c.value());
                    if (v.startTs() == startTs) {
                        return v;
                    }
                }
            }
        }
        return null;
    }

    static boolean rolledBack(KvSnapshot s, byte[] key, long startTs) {
        return s.get(RangeKeys.rollbackKey(key, startTs)) != null;
    }

    // ------------------------------------------------------------------ reads

    /**
     * The value of key visible at ts (null: none), or the lock that hides it: a lock of another
     * transaction (not ownStartTs) that started at or before ts may commit below ts.
     */
    static RangeResult get(KvSnapshot s, byte[] key, long ts, long ownStartTs) {
        return get(s, key, ts, ownStartTs, firstPair(s, key));
    }

    /** {@link #get} given key's first pair ({@link #firstPair}). */
    private static RangeResult get(KvSnapshot s, byte[] key, long ts, long ownStartTs, Map.Entry<byte[], byte[]> first) {
        Lock l = lockFrom(first);
        if (l != null && l.startTs() <= ts && l.startTs() != ownStartTs) {
            return new RangeResult.Locked(List.of(l.info(key)));
        }
        Version v = newestFrom(s, key, ts, first);
        return new RangeResult.Value(v == null ? null : v.value());
    }

    /** {@link #get} of several keys at one snapshot: their values, or every lock that hides one. */
    static RangeResult getAll(KvSnapshot s, List<byte[]> keys, long ts, long ownStartTs) {
        List<byte[]> values = new ArrayList<>(keys.size());
        List<RangeResult.LockInfo> locks = new ArrayList<>();
        FirstPairs firstPairs = new FirstPairs(s);
        for (byte[] key : keys) {
            RangeResult r = get(s, key, ts, ownStartTs, firstPairs.of(key));
            if (r instanceof RangeResult.Locked l) {
                locks.addAll(l.locks());
                if (locks.size() >= maxLocksPerAnswer) {
                    break;
                }
            } else {
                values.add(((RangeResult.Value) r).value());
            }
        }
        return locks.isEmpty() ? new RangeResult.Values(values) : new RangeResult.Locked(locks);
    }

    /**
     * The pairs visible at ts with from &lt;= key &lt; end (null: the end of the data), at most
     * maxRows and about maxBytes (resumeKey: where the next page starts); or the locks found on
     * the way that hide a key (the reader resolves them and reads again). With a filter (null:
     * none), a visible pair whose value it rejects is left out but its bytes still count toward
     * maxBytes, which so bounds the work of a page that keeps few rows. Locks are answered
     * whatever the filter says: the value a lock hides is unknown until it is resolved. A kept value
     * comes without the columns the filter says the scan does not read. A value the filter cannot
     * read is kept whole; the reader's own checks see it. With an aggregate in the filter
     * ({@link RowPredicate#aggregate()}), the page is one pair (an empty key, the encoded
     * {@link RowAggregate.Partial} of the rows kept) and maxRows counts the rows folded.
     */
    static RangeResult scan(KvSnapshot s, byte[] from, byte[] end, long ts, long ownStartTs, int maxRows, long maxBytes,
                            RowPredicate filter) {
        RowAggregate.Partial partial = filter == null || filter.aggregate() == null ? null : filter.aggregate().start();
        RowPredicate.Matcher matcher = filter == null ? null : filter.matcher();
        List<RangeResult.KeyValue> rows = new ArrayList<>();
        List<RangeResult.LockInfo> locks = new ArrayList<>();
        long bytes = 0;
        // The storage-key prefix of the user key being read (compared raw: most keys a filtered
        // scan meets are left out, so their user keys are never decoded), and that user key once decoded.
        byte[] currentPrefix = null;
        byte[] current = null;
        boolean decided = false;
        try (KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(end))) {
            while (c.next()) {
                byte[] key = c.key();
                int userEnd = RangeKeys.userKeyEnd(key);
                if (currentPrefix == null || !Arrays.equals(currentPrefix, 0, currentPrefix.length, key, 0, userEnd)) {
                    if (locks.isEmpty() && ((partial == null ? rows.size() : partial.rows()) >= maxRows || bytes >= maxBytes)) {
                        return new RangeResult.Rows(partial == null ? rows : aggregated(partial), RangeKeys.userKey(key));
                    }
                    if (locks.size() >= maxLocksPerAnswer) {
                        break;
                    }
                    currentPrefix = Arrays.copyOf(key, userEnd);
                    current = null;
                    decided = false;
                }
                if (decided) {
                    continue;
                }
                RangeKeys.DataKind kind = RangeKeys.kind(key, userEnd);
                if (kind == RangeKeys.DataKind.ROLLBACK) {
                    continue;
                }
                if (kind == RangeKeys.DataKind.LOCK_SLOT) {
                    Lock l = decodeLock(c.value());
                    if (l.startTs() <= ts && l.startTs() != ownStartTs) {
                        current = current != null ? current : RangeKeys.userKey(key);
                        locks.add(l.info(current));
                        decided = true;
                    }
                    continue;
                }
                long timestamp = RangeKeys.timestamp(key, userEnd);
                if (timestamp > ts) {
                    continue;
                }
                decided = true;
                byte[] version = c.value();
                if (isLive(version) && locks.isEmpty()) {
                    if (partial != null) {
                        // Tested and folded where it lies in the version, not copied out of it.
                        if (passes(matcher, partial, version)) {
                            partial.fold(version, VERSION_HEADER_BYTES, version.length);
                        }
                    } else {
                        byte[] value = Arrays.copyOfRange(version, VERSION_HEADER_BYTES, version.length);
                        byte[] kept = filter == null ? value : kept(filter, matcher, value);
                        if (kept != null) {
                            current = current != null ? current : RangeKeys.userKey(key);
                            rows.add(new RangeResult.KeyValue(current, kept));
                        }
                    }
                    // The escaped user key's length (its prefix byte and terminator left out): the
                    // user key's, plus one per zero byte in it.
                    bytes += userEnd - 3 + version.length - VERSION_HEADER_BYTES;
                }
            }
        }
        return !locks.isEmpty() ? new RangeResult.Locked(locks) : new RangeResult.Rows(partial == null ? rows : aggregated(partial), null);
    }

    /**
     * Whether an aggregating scan folds the version's value: the filter keeps it. A value the
     * filter cannot read marks the partial unreadable (the reader then reads the rows).
     */
    private static boolean passes(RowPredicate.Matcher matcher, RowAggregate.Partial partial, byte[] version) {
        try {
            return matcher.test(version, VERSION_HEADER_BYTES, version.length);
        } catch (IllegalArgumentException e) {
            partial.markUnreadable();
            return false;
        }
    }

    /** A page of an aggregating scan: its partial, as the one pair of an empty key. */
    private static List<RangeResult.KeyValue> aggregated(RowAggregate.Partial partial) {
        return List.of(new RangeResult.KeyValue(new byte[0], partial.encode()));
    }

    /** The value as the filter's scan needs it (its columns), or null if it rejects the value. */
    private static byte[] kept(RowPredicate filter, RowPredicate.Matcher matcher, byte[] value) {
        try {
            return matcher.test(value, 0, value.length) ? filter.shape(value) : null;
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    /**
     * Read validation of a SERIALIZABLE transaction (started at startTs, committing at
     * commitTs) over [from, end): a version another transaction committed in (startTs,
     * commitTs] refutes what it read (a conflict); a lock of another transaction that started
     * below commitTs may still commit there, and is answered for the caller to resolve first.
     */
    static RangeResult validate(KvSnapshot s, byte[] from, byte[] end, long startTs, long commitTs) {
        List<RangeResult.LockInfo> locks = new ArrayList<>();
        try (KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(end))) {
            while (c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (dk.isLockSlot()) {
                    Lock l = decodeLock(c.value());
                    if (l.startTs() != startTs && l.startTs() < commitTs) {
                        locks.add(l.info(dk.userKey()));
                        if (locks.size() >= maxLocksPerAnswer) {
                            break;
                        }
                    }
                } else if (dk.isVersion() && dk.timestamp() > startTs && dk.timestamp() <= commitTs) {
                    Version v = decodeVersion(dk.timestamp(), c.value());
                    if (v.startTs() != startTs) {
                        return new RangeResult.WriteConflict(dk.userKey(), dk.timestamp());
                    }
                }
            }
        }
        return locks.isEmpty() ? new RangeResult.Written() : new RangeResult.Locked(locks);
    }

    /** A lock found in a range, with its key. */
    record KeyLock(byte[] key, Lock lock) {
    }

    /** The locks in [from, end) (end null: the end of the data), at most max of them, in key order. */
    static List<KeyLock> locks(KvSnapshot s, byte[] from, byte[] end, int max) {
        List<KeyLock> out = new ArrayList<>();
        try (KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(end))) {
            while (out.size() < max && c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (dk.isLockSlot()) {
                    out.add(new KeyLock(dk.userKey(), decodeLock(c.value())));
                }
            }
        }
        return out;
    }

    /** The lock with the smallest start timestamp among the keys in [from, end), or null. */
    static KeyLock oldestLock(KvSnapshot s, byte[] from, byte[] end) {
        KeyLock oldest = null;
        try (KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(end))) {
            while (c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (dk.isLockSlot()) {
                    Lock l = decodeLock(c.value());
                    if (oldest == null || l.startTs() < oldest.lock().startTs()) {
                        oldest = new KeyLock(dk.userKey(), l);
                    }
                }
            }
        }
        return oldest;
    }

    // ------------------------------------------------------------------ version GC

    /**
     * Whether key has versions no reader at or above threshold can see: versions below the
     * newest one at or below threshold, or that version itself if it is a deletion.
     */
    static boolean hasGarbage(KvSnapshot s, byte[] key, long threshold) {
        return !garbage(s, key, threshold).isEmpty();
    }

    /**
     * The storage keys of key's versions that no read at or above threshold can see, and of its
     * rollback markers of transactions that started below threshold: the range refuses every
     * prewrite of such a transaction ({@link RangeStateMachine#belowGcThreshold}), which is what
     * the marker was kept for, and a status check that finds neither its lock nor its commit nor
     * its marker still answers "aborted" once the lock would have expired.
     */
    private static List<byte[]> garbage(KvSnapshot s, byte[] key, long threshold) {
        List<byte[]> out = new ArrayList<>();
        boolean visibleFound = false;
        try (KvCursor c = s.scan(RangeKeys.versionKey(key, threshold), RangeKeys.afterKey(key))) {
            while (c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (dk.isRollback()) {
                    if (dk.timestamp() < threshold) {
                        out.add(c.key().clone());
                    }
                    continue;
                }
                if (!dk.isVersion()) {
                    continue;
                }
                if (!visibleFound) {
                    visibleFound = true;
                    if (c.value()[0] == tombstone) {
                        out.add(c.key().clone()); // a deletion nobody can read past: it goes with what it hides
                    }
                    continue;
                }
                out.add(c.key().clone());
            }
        }
        return out;
    }

    /**
     * Removes, for each key, the versions no read at or above threshold can see: those below the
     * newest version at or below threshold, and that version too if it is a deletion; and the
     * rollback markers of transactions that started below threshold. A key's versions and its
     * deletion go in the one batch of the command, so no reader and no crash ever sees a deleted
     * key's older value come back.
     */
    static RangeResult gc(KvSnapshot s, long threshold, List<byte[]> keys, KvBatch batch) {
        for (byte[] key : keys) {
            for (byte[] k : garbage(s, key, threshold)) {
                batch.delete(k);
            }
        }
        return new RangeResult.Written();
    }

    /** The keys in [from, end) with versions {@link #gc} would remove, at most max of them. */
    static List<byte[]> keysWithGarbage(KvSnapshot s, byte[] from, byte[] end, long threshold, int max) {
        List<byte[]> out = new ArrayList<>();
        byte[] current = null;
        int versionsAtOrBelow = 0;
        boolean tombstoneFirst = false;
        boolean markerBelow = false;
        try (KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(end))) {
            while (c.next()) {
                RangeKeys.DataKey dk = RangeKeys.decode(c.key());
                if (current == null || !Arrays.equals(current, dk.userKey())) {
                    if (current != null && (versionsAtOrBelow > 1 || tombstoneFirst || markerBelow)) {
                        out.add(current);
                        if (out.size() >= max) {
                            return out;
                        }
                    }
                    current = dk.userKey();
                    versionsAtOrBelow = 0;
                    tombstoneFirst = false;
                    markerBelow = false;
                }
                if (dk.isVersion() && dk.timestamp() <= threshold) {
                    if (versionsAtOrBelow == 0) {
                        tombstoneFirst = c.value()[0] == tombstone;
                    }
                    versionsAtOrBelow++;
                } else if (dk.isRollback() && dk.timestamp() < threshold) {
                    markerBelow = true;
                }
            }
        }
        if (current != null && (versionsAtOrBelow > 1 || tombstoneFirst || markerBelow)) {
            out.add(current);
        }
        return out;
    }

    // ------------------------------------------------------------------ commands

    /**
     * Writes at commitTs, in one step, if none of the keys has a lock of another transaction
     * and none has a version newer than what the writer read: startTs for a transaction
     * committing in one phase, or (startTs 0: a single write, not in a transaction) any version
     * at or above commitTs. Compare-and-set conditions are checked against the newest versions.
     * System keys (commitTs 0) are overwritten in place.
     */
    static RangeResult write(KvSnapshot s, List<WriteOp> ops, long startTs, long commitTs, KvBatch batch) {
        if (commitTs == 0) {
            return writeInPlace(s, ops, batch);
        }
        long readTs = startTs == 0 ? commitTs - 1 : startTs;
        List<RangeResult.LockInfo> locks = new ArrayList<>();
        Set<ByteBuffer> checked = new HashSet<>();
        FirstPairs firstPairs = new FirstPairs(s);
        for (int i = 0; i < ops.size(); i++) {
            byte[] key = ops.get(i).key();
            if (checked.add(ByteBuffer.wrap(key))) {
                Map.Entry<byte[], byte[]> first = firstPairs.of(key);
                Lock l = lockFrom(first);
                if (l != null && l.startTs() != startTs) {
                    locks.add(l.info(key));
                    continue;
                }
                Version v = newestFrom(s, key, Long.MAX_VALUE, first);
                if (v != null && v.commitTs() > readTs) {
                    return new RangeResult.WriteConflict(key, v.commitTs());
                }
            }
            if (ops.get(i) instanceof WriteOp.CompareAndSet cas && locks.isEmpty()) {
                byte[] actual = valueBefore(s, ops, i, key);
                if (!Arrays.equals(actual, cas.expected())) {
                    return new RangeResult.ConditionFailed(i, actual);
                }
            }
        }
        if (!locks.isEmpty()) {
            return new RangeResult.Locked(locks);
        }
        for (WriteOp op : ops) {
            batch.put(RangeKeys.versionKey(op.key(), commitTs), encodeVersion(startTs, newValue(op)));
        }
        return new RangeResult.Written();
    }

    private static RangeResult writeInPlace(KvSnapshot s, List<WriteOp> ops, KvBatch batch) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof WriteOp.CompareAndSet cas) {
                byte[] actual = valueBefore(s, ops, i, cas.key());
                if (!Arrays.equals(actual, cas.expected())) {
                    return new RangeResult.ConditionFailed(i, actual);
                }
            }
        }
        for (WriteOp op : ops) {
            byte[] value = newValue(op);
            byte[] key = RangeKeys.versionKey(op.key(), 0);
            if (value == null) {
                batch.delete(key);
            } else {
                batch.put(key, encodeVersion(0, value));
            }
        }
        return new RangeResult.Written();
    }

    private static byte[] newValue(WriteOp op) {
        if (op instanceof WriteOp.Put p) {
            return p.value();
        }
        if (op instanceof WriteOp.CompareAndSet c) {
            return c.newValue();
        }
        return null;
    }

    /** The value of key as the batch's operations before position upTo leave it (else the newest version). */
    private static byte[] valueBefore(KvSnapshot s, List<WriteOp> ops, int upTo, byte[] key) {
        for (int i = upTo - 1; i >= 0; i--) {
            if (Arrays.equals(ops.get(i).key(), key)) {
                return newValue(ops.get(i));
            }
        }
        Version v = newest(s, key, Long.MAX_VALUE);
        return v == null ? null : v.value();
    }

    /**
     * Locks every key of a transaction for its commit, or nothing: refused if a key has a lock of
     * another transaction (answered, to be resolved), a version committed after startTs (a
     * write-write conflict), or a rollback marker of this transaction (it was aborted).
     * Prewriting a key this transaction already locked again changes nothing.
     *
     * <p>A parallel commit's prewrite stores its minCommitTs in each new lock and the staged keys
     * in the primary's, and answers {@link RangeResult.Prewritten} with the largest minCommitTs
     * stored in the keys' locks: a retried prewrite finds its locks and answers what they hold,
     * never its own new timestamp, so the coordinator and a recoverer compute the same commit
     * timestamp. A key that already holds this transaction's commit (a recoverer committed it
     * while the prewrite was retried) answers committed.
     */
    static RangeResult prewrite(KvSnapshot s, RangeCommand.Prewrite p, KvBatch batch) {
        if (p.parallel() && p.minCommitTs() <= 0) {
            return new RangeResult.Refused("a parallel commit's prewrite takes its minCommitTs from the leaseholder");
        }
        List<RangeResult.LockInfo> locks = new ArrayList<>();
        List<WriteOp> toLock = new ArrayList<>();
        long largestMinCommitTs = 0;
        for (WriteOp op : p.ops()) {
            byte[] key = op.key();
            Lock l = lock(s, key);
            if (l != null) {
                if (l.startTs() != p.startTs()) {
                    locks.add(l.info(key));
                } else {
                    largestMinCommitTs = Math.max(largestMinCommitTs, l.minCommitTs());
                }
                continue;
            }
            if (rolledBack(s, key, p.startTs())) {
                return RangeResult.TxnStatus.aborted();
            }
            if (p.parallel()) {
                Version mine = committedBy(s, key, p.startTs());
                if (mine != null) {
                    return RangeResult.TxnStatus.committed(mine.commitTs());
                }
            }
            Version v = newest(s, key, Long.MAX_VALUE);
            if (v != null && v.commitTs() > p.startTs()) {
                return new RangeResult.WriteConflict(key, v.commitTs());
            }
            toLock.add(op);
        }
        if (!locks.isEmpty()) {
            return new RangeResult.Locked(locks);
        }
        for (WriteOp op : toLock) {
            boolean staging = p.stagedKeys() != null && Arrays.equals(op.key(), p.primary());
            batch.put(RangeKeys.dataKey(op.key()), encodeLock(new Lock(p.startTs(), p.primary(), p.ttlMillis(),
                    p.coordinator(), newValue(op), p.minCommitTs(), staging ? p.stagedKeys() : null)));
            largestMinCommitTs = Math.max(largestMinCommitTs, p.minCommitTs());
        }
        return p.parallel() ? new RangeResult.Prewritten(largestMinCommitTs) : new RangeResult.Written();
    }

    /**
     * Recovery's check of a parallel commit's keys ({@link RangeCommand.CheckPrewrite}):
     * committed if a key holds the transaction's commit; else aborted if a key holds its rollback
     * marker or nothing of it, in which case a marker is written on every key holding nothing
     * (prevented: the prewrite still on its way is refused when it applies); else every key holds
     * its lock, and the answer is {@link RangeResult.Prewritten} with their largest minCommitTs.
     */
    static RangeResult checkPrewrite(KvSnapshot s, long startTs, List<byte[]> keys, KvBatch batch) {
        long largestMinCommitTs = 0;
        boolean aborted = false;
        for (byte[] key : keys) {
            Lock l = lock(s, key);
            if (l != null && l.startTs() == startTs) {
                largestMinCommitTs = Math.max(largestMinCommitTs, l.minCommitTs());
                continue;
            }
            Version v = committedBy(s, key, startTs);
            if (v != null) {
                return RangeResult.TxnStatus.committed(v.commitTs());
            }
            aborted = true;
        }
        if (!aborted) {
            return new RangeResult.Prewritten(largestMinCommitTs);
        }
        for (byte[] key : keys) {
            Lock l = lock(s, key);
            if ((l == null || l.startTs() != startTs) && !rolledBack(s, key, startTs)) {
                batch.put(RangeKeys.rollbackKey(key, startTs), new byte[0]);
            }
        }
        return RangeResult.TxnStatus.aborted();
    }

    /**
     * Commits the transaction's locks on keys at commitTs. A key it already committed (at the same
     * timestamp) stays as it is; one committed at another timestamp refuses the command (a broken
     * invariant: nothing is written); if a key holds neither its lock nor its commit, the
     * transaction was rolled back (its lock was removed by a resolver): nothing is written and the
     * answer is "aborted".
     */
    static RangeResult commit(KvSnapshot s, long startTs, long commitTs, List<byte[]> keys, KvBatch batch) {
        List<byte[]> locked = new ArrayList<>();
        List<Lock> locks = new ArrayList<>();
        for (byte[] key : keys) {
            Lock l = lock(s, key);
            if (l != null && l.startTs() == startTs) {
                locked.add(key);
                locks.add(l);
                continue;
            }
            Version done = committedBy(s, key, startTs);
            if (done == null) {
                return RangeResult.TxnStatus.aborted();
            }
            if (done.commitTs() != commitTs) {
                // Everyone who commits a transaction computes one commit timestamp (the
                // coordinator, and a recoverer from the locks' minCommitTs): two mean a broken
                // invariant, and committing the rest at the second would fracture the transaction.
                return new RangeResult.Refused("transaction " + startTs + " committed " + RangeDescriptor.hex(key)
                        + " at " + done.commitTs() + ", not at " + commitTs);
            }
        }
        for (int i = 0; i < locked.size(); i++) {
            byte[] key = locked.get(i);
            batch.put(RangeKeys.versionKey(key, commitTs), encodeVersion(startTs, locks.get(i).value()));
            batch.delete(RangeKeys.dataKey(key));
        }
        return new RangeResult.Written();
    }

    /**
     * Rolls the transaction back on keys: removes its locks and leaves a rollback marker on each
     * key, so a prewrite of it that arrives later is refused. Refused (answering "committed")
     * if a key already holds the transaction's commit.
     */
    static RangeResult rollback(KvSnapshot s, long startTs, List<byte[]> keys, KvBatch batch) {
        for (byte[] key : keys) {
            Lock l = lock(s, key);
            if ((l == null || l.startTs() != startTs)) {
                Version v = committedBy(s, key, startTs);
                if (v != null) {
                    return RangeResult.TxnStatus.committed(v.commitTs());
                }
            }
        }
        for (byte[] key : keys) {
            Lock l = lock(s, key);
            if (l != null && l.startTs() == startTs) {
                batch.delete(RangeKeys.dataKey(key));
            }
            batch.put(RangeKeys.rollbackKey(key, startTs), new byte[0]);
        }
        return new RangeResult.Written();
    }

    /**
     * The status of the transaction started at startTs, read at its primary key: committed (and
     * when), aborted, pending (its lock is there and alive), or missing (no lock, no commit, no
     * rollback: its prewrite has not arrived). An expired lock is rolled back here, and so is a
     * missing one if rollbackIfMissing, so that the coordinator can never commit afterwards; but
     * an expired STAGING record (a parallel commit's primary) is answered as staging, with its
     * list, and nothing is written: the asker decides it from the listed keys ({@link #checkPrewrite}).
     * ttlMillis, when above 0, extends the lock of a pending transaction (its coordinator's heartbeat).
     */
    static RangeResult.TxnStatus status(KvSnapshot s, RangeCommand.CheckStatus c, KvBatch batch) {
        Lock l = lock(s, c.primary());
        if (l != null && l.startTs() == c.startTs()) {
            if (c.ttlMillis() > 0) {
                if (c.ttlMillis() > l.ttlMillis()) {
                    batch.put(RangeKeys.dataKey(c.primary()), encodeLock(l.withTtl(c.ttlMillis())));
                    return RangeResult.TxnStatus.pending(c.ttlMillis());
                }
                return RangeResult.TxnStatus.pending(l.ttlMillis());
            }
            if (!l.expiredAt(c.nowMillis())) {
                return RangeResult.TxnStatus.pending(l.ttlMillis());
            }
            if (l.stagedKeys() != null) {
                // A STAGING record is never rolled back on expiry: its coordinator may have
                // answered "committed" already. The asker decides it from the listed keys.
                return RangeResult.TxnStatus.staging(l.minCommitTs(), l.stagedKeys());
            }
            batch.delete(RangeKeys.dataKey(c.primary()));
            batch.put(RangeKeys.rollbackKey(c.primary(), c.startTs()), new byte[0]);
            return RangeResult.TxnStatus.aborted();
        }
        Version v = committedBy(s, c.primary(), c.startTs());
        if (v != null) {
            return RangeResult.TxnStatus.committed(v.commitTs());
        }
        if (rolledBack(s, c.primary(), c.startTs())) {
            return RangeResult.TxnStatus.aborted();
        }
        if (c.rollbackIfMissing()) {
            batch.put(RangeKeys.rollbackKey(c.primary(), c.startTs()), new byte[0]);
            return RangeResult.TxnStatus.aborted();
        }
        return RangeResult.TxnStatus.missing();
    }
}
