package io.starlingdb.engine.range;

import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.Transport;
import io.starlingdb.engine.Limits;
import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.OutcomeUnknownException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A node's (or a client's) gateway to the replicated key space: finds each key's range in its
 * {@link RangeCache} (asking the stores when it has none), sends the request to the range's
 * leaseholder as far as it knows it (to the local store without serialization when that is
 * here), and follows the answers: a key-mismatch or not-leaseholder hint fixes the cache and
 * tries again, with a growing pause, until the request's deadline. It retries only what is
 * known not to have applied; a write whose outcome is unknown fails with
 * {@link OutcomeUnknownException} and is never sent again.
 *
 * <p>Thread-safe; calls block the calling thread (at most {@link Options#requestTimeoutMillis}).
 */
public final class DistSender {

    /**
     * At DEBUG, one line per attempt that did not answer OK or took longer than
     * {@link #slowAttemptMillis}: how long a failover keeps requests waiting, and on what.
     */
    private static final Logger log = LoggerFactory.getLogger(DistSender.class);
    /** An attempt that takes longer than this is logged at DEBUG even when it succeeds. */
    static final long slowAttemptMillis = 250;

    /**
     * @param requestTimeoutMillis a request gives up after this long (unavailable, or outcome
     *                             unknown for a write that may have been delivered)
     * @param attemptTimeoutMillis one attempt waits this long for its answer; above the stores'
     *                             {@link RangeStore#proposalTimeoutMillis} so a store answers first
     * @param scanPageRows         rows asked per scan page
     */
    public record Options(long requestTimeoutMillis, long attemptTimeoutMillis, int scanPageRows) {
        public static Options defaults() {
            return new Options(30_000, RangeStore.proposalTimeoutMillis + 2_000, 1_000);
        }
    }

    /** One attempt of a read waits at most this long before trying another replica. */
    static final long readAttemptTimeoutMillis = 5_000;
    /** Keys of one multi-key request to one range at most; more are sent as several requests. */
    public static final int maxKeysPerRequest = 10_000;

    /** A lookup in meta that has no answer within this long asks the stores instead. */
    static final long metaLookupTimeoutMillis = 2_000;
    /** Descriptors read from meta per lookup: the key's range and those after it, for scans. */
    static final int metaPrefetch = 8;

    /**
     * A store a request could not reach (not sent, connection lost, no answer in time) is passed
     * over for this long when the gateway chooses whom to ask: a follower's "not leaseholder" hint
     * that still names a leader just killed does not send the next attempt back to it.
     */
    static final long unreachableStoreMillis = 1_000;

    /** Pauses between attempts grow from the first to the last. */
    static final long firstBackoffMillis = 5;
    static final long maxBackoffMillis = 200;

    private final Transport network;
    private final StoreDirectory directory;
    private final RangeStore local;
    private final Options options;
    private final RangeCache cache = new RangeCache();
    private volatile AnswerWait answerWait = AnswerWait.parking;
    private final LockResolver resolver = new LockResolver(this);
    /** Stores a request lately could not reach, with when (System.nanoTime()). */
    private final java.util.Map<Long, Long> unreachableSince = new java.util.concurrent.ConcurrentHashMap<>();

    public DistSender(Transport network, StoreDirectory directory, RangeStore local, Options options) {
        this.network = network;
        this.directory = directory;
        this.local = local;
        this.options = options;
    }

    /** Resolves the locks of transactions (through their primaries) that requests meet. */
    public LockResolver resolver() {
        return resolver;
    }

    public RangeCache cache() {
        return cache;
    }

    /**
     * A thread that waits for an answer alone (no other caller of this gateway waits) spins up
     * to spinMicros before it parks (0: parks at once, the default): {@link AnswerWait}. For a
     * client process, whose cores are not the nodes' own; a node's gateway parks.
     */
    public void spinBeforeParking(long spinMicros) {
        this.answerWait = spinMicros == 0 ? AnswerWait.parking : new AnswerWait(TimeUnit.MICROSECONDS.toNanos(spinMicros));
    }

    /** Waits answered while spinning (see {@link #spinBeforeParking}); for tests and probes. */
    public long answeredSpinning() {
        return answerWait.answeredSpinning();
    }

    // ------------------------------------------------------------------ operations

    /** The value of key, or null. Linearizable. */
    public byte[] get(byte[] key) {
        checkKey(key);
        return getKey(key);
    }

    byte[] getKey(byte[] key) {
        return getAt(key, RangeRpc.latest);
    }

    /**
     * The value of key visible at timestamp ts, as the transaction started at ts reads it (locks
     * of other transactions that hide it are resolved first; {@link RangeRpc#latest}: the newest).
     */
    public byte[] getAt(byte[] key, long ts) {
        RangeRpc.Response r = call(key, d -> RangeRpc.Request.get(d.rangeId(), key, ts), false, requestDeadline());
        return ((RangeResult.Value) r.result()).value();
    }

    /**
     * The newest value of key if this node's own store can give it now without waiting (see
     * {@link RangeStore#getNow}: it holds the lease of the key's range, as the cache knows the
     * range, and nothing holds the key); null if it cannot, and then nothing was asked of anyone:
     * {@link #getAt} reads it, waiting as it must. Never blocks, never sends over the network.
     */
    public RangeResult.Value getHereNow(byte[] key) {
        if (local == null) {
            return null;
        }
        RangeDescriptor d = cache.lookup(key);
        if (d == null) {
            return null;
        }
        RangeRpc.Response r = local.getNow(d.rangeId(), key);
        if (r == null) {
            return null;
        }
        requestsSent.increment();
        return (RangeResult.Value) r.result();
    }

    /**
     * Sends a write for key's range to this node's own store without waiting for the answer, if
     * that store leads the range now as the cache knows it (build may refuse the range by
     * throwing, and then nothing was sent); null if it does not, and then nothing was sent. The
     * answer is the store's, unrouted: no retry elsewhere, no lock resolution (the caller decides
     * what a status that says "not applied here" calls for). Never blocks, never sends over the
     * network.
     */
    public CompletableFuture<RangeRpc.Response> writeHereAsync(byte[] key, Function<RangeDescriptor, RangeRpc.Request> build) {
        if (local == null) {
            return null;
        }
        RangeDescriptor d = cache.lookup(key);
        if (d == null || local.leaseholder(d.rangeId()) != local.storeId()) {
            return null;
        }
        RangeRpc.Request request = build.apply(d);
        requestsSent.increment();
        return local.handle(request);
    }

    /** The range holding key, as the cache knows it (else as meta or the stores report it now). */
    public RangeDescriptor rangeOf(byte[] key) {
        RangeDescriptor d = cache.lookup(key);
        if (d == null) {
            d = lookup(key, requestDeadline());
            if (d == null) {
                throw new RangeUnavailableException("no store answers for the range of " + RangeDescriptor.hex(key));
            }
            cache.update(d);
        }
        return d;
    }

    /** Sends one request for key's range (routing, retries and lock resolution as every request): the answer. */
    public RangeRpc.Response request(byte[] key, Function<RangeDescriptor, RangeRpc.Request> build, boolean write) {
        return call(key, build, write, requestDeadline(), 0);
    }

    /**
     * {@link #request} on behalf of the transaction started at waiterStartTs, which waits for the
     * pending transactions whose locks it meets only if they are younger (wait-die: no two
     * transactions ever wait for each other). Meeting a pending older one, it gives up with
     * {@link WriteConflictException}.
     */
    public RangeRpc.Response request(byte[] key, Function<RangeDescriptor, RangeRpc.Request> build, boolean write,
                                     long waiterStartTs) {
        return call(key, build, write, requestDeadline(), waiterStartTs);
    }

    /** One range's part of {@link #sendGrouped}: the positions of its keys and its answer. */
    public record GroupAnswer(List<Integer> items, RangeRpc.Response response) {
    }

    /**
     * Groups keys by range and sends one request per range, all in parallel (routing, retries
     * and lock resolution as every request): the answers, per group.
     *
     * @throws OutcomeUnknownException if a write's outcome in some range is unknown (the others' are done)
     */
    public List<GroupAnswer> sendGrouped(List<byte[]> keys, boolean write,
                                         java.util.function.BiFunction<RangeDescriptor, List<Integer>, RangeRpc.Request> build) {
        return sendGrouped(keys, write, build, 0);
    }

    /** {@link #sendGrouped} on behalf of the transaction started at waiterStartTs: see {@link #request(byte[], Function, boolean, long)}. */
    public List<GroupAnswer> sendGrouped(List<byte[]> keys, boolean write,
                                         java.util.function.BiFunction<RangeDescriptor, List<Integer>, RangeRpc.Request> build,
                                         long waiterStartTs) {
        List<GroupAnswer> out = new ArrayList<>();
        fanOut(keys.size(), keys::get, write, build, (idx, r) -> out.add(new GroupAnswer(idx, r)), waiterStartTs);
        return out;
    }

    public void put(byte[] key, byte[] value) {
        write(List.of(new WriteOp.Put(key, value)));
    }

    public void delete(byte[] key) {
        write(List.of(new WriteOp.Delete(key)));
    }

    /** Sets key to newValue (null: deletes it) if it holds expected (null: absent); true if it did. */
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
        return write(List.of(new WriteOp.CompareAndSet(key, expected, newValue))) < 0;
    }

    /**
     * Applies the operations atomically; they must all fall in one range (transactions across
     * ranges come with issue 11). Returns -1 if applied, else the index of the condition that failed.
     */
    public int write(List<WriteOp> ops) {
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a write needs at least one operation");
        }
        for (WriteOp op : ops) {
            checkKey(op.key());
        }
        return writeOps(ops);
    }

    /** {@link #write} for keys of the system too (the meta range's). */
    int writeOps(List<WriteOp> ops) {
        long bytes = 0;
        for (WriteOp op : ops) {
            bytes += op.key().length + valueBytes(op);
        }
        if (bytes > MultiRaft.maxCommandBytes - 1024) {
            throw new LimitExceededException("maxCommandBytes", MultiRaft.maxCommandBytes - 1024, bytes);
        }
        byte[] first = ops.get(0).key();
        long deadline = requestDeadline();
        RangeRpc.Response r;
        do {
            r = writeOnce(first, ops, deadline);
            // A single write met a newer version under each timestamp its leaseholder took (a
            // lease that keeps moving): it read nothing, so it asks again.
        } while (r.result() instanceof RangeResult.WriteConflict);
        if (r.result() instanceof RangeResult.ConditionFailed f) {
            return f.opIndex();
        }
        if (r.result() instanceof RangeResult.Refused f) {
            throw new IllegalArgumentException(f.reason());
        }
        return -1;
    }

    private RangeRpc.Response writeOnce(byte[] first, List<WriteOp> ops, long deadline) {
        return call(first, d -> {
            for (WriteOp op : ops) {
                if (!d.contains(op.key())) {
                    throw new IllegalArgumentException("the batch's keys span more than one range (" + d
                            + "): a batch is atomic within one range");
                }
            }
            return RangeRpc.Request.write(d.rangeId(), new RangeCommand.Write(ops));
        }, true, deadline);
    }

    /**
     * The values of keys (null where absent), in the order asked. The keys are grouped by range
     * and each group is read with one request, all groups in parallel; each group is one
     * linearizable read, the whole is not one snapshot across ranges.
     */
    public List<byte[]> getAll(List<byte[]> keys) {
        for (byte[] key : keys) {
            checkKey(key);
        }
        return getAllKeys(keys);
    }

    /** {@link #getAll} for keys of the system too. */
    List<byte[]> getAllKeys(List<byte[]> keys) {
        return getAllAt(keys, RangeRpc.latest);
    }

    /** The values of keys visible at ts (see {@link #getAt}), in the order asked; each range's keys read at once. */
    public List<byte[]> getAllAt(List<byte[]> keys, long ts) {
        byte[][] out = new byte[keys.size()][];
        fanOut(keys.size(), i -> keys.get(i), false,
                (d, idx) -> RangeRpc.Request.getAll(d.rangeId(), pick(keys, idx), ts),
                (idx, r) -> {
                    List<byte[]> values = ((RangeResult.Values) r.result()).values();
                    for (int k = 0; k < idx.size(); k++) {
                        out[idx.get(k)] = values.get(k);
                    }
                });
        return Arrays.asList(out);
    }

    /**
     * Per span [froms[i], tos[i]) (tos[i] null: no bound), the first key visible at ts, or null:
     * the spans are grouped by the range of their start and each range answers its spans in one
     * request, all ranges in parallel; a span that goes on past its range's end and found nothing
     * there is asked again from the next range. Each range's answer is one linearizable read.
     */
    public List<byte[]> firstKeysAt(List<byte[]> froms, List<byte[]> tos, long ts) {
        if (froms.size() != tos.size()) {
            throw new IllegalArgumentException(froms.size() + " span starts but " + tos.size() + " ends");
        }
        byte[][] out = new byte[froms.size()][];
        List<Integer> pending = new ArrayList<>();
        List<byte[]> starts = new ArrayList<>(froms);
        for (int i = 0; i < froms.size(); i++) {
            checkKey(froms.get(i));
            pending.add(i);
        }
        while (!pending.isEmpty()) {
            List<Integer> asked = pending;
            List<Integer> next = new ArrayList<>();
            fanOut(asked.size(), k -> starts.get(asked.get(k)), false, (d, idx) -> {
                List<byte[]> pairs = new ArrayList<>(idx.size() * 2);
                for (int k : idx) {
                    byte[] to = tos.get(asked.get(k));
                    pairs.add(starts.get(asked.get(k)));
                    pairs.add(to == null ? new byte[0] : to);
                }
                return RangeRpc.Request.firstKeys(d.rangeId(), pairs, ts);
            }, (idx, r) -> {
                List<byte[]> found = ((RangeResult.Values) r.result()).values();
                byte[] rangeEnd = r.descriptor().end();
                for (int k = 0; k < idx.size(); k++) {
                    int span = asked.get(idx.get(k));
                    byte[] to = tos.get(span);
                    if (found.get(k) != null) {
                        out[span] = found.get(k);
                    } else if (rangeEnd != null && (to == null || Arrays.compareUnsigned(to, rangeEnd) > 0)) {
                        starts.set(span, rangeEnd);
                        next.add(span);
                    }
                }
            });
            pending = next;
        }
        return Arrays.asList(out);
    }

    /**
     * Writes every pair: one atomic batch per range, all ranges in parallel. Not atomic across
     * ranges (transactions come with issue 11): if it throws, some ranges' batches may have
     * applied; {@link OutcomeUnknownException} names the ranges whose outcome is unknown.
     */
    public void putAll(List<RangeResult.KeyValue> pairs) {
        for (RangeResult.KeyValue kv : pairs) {
            checkKey(kv.key());
            LimitExceededException.check("maxRowBytes", Limits.maxRowBytes, kv.value().length);
        }
        fanOut(pairs.size(), i -> pairs.get(i).key(), true, (d, idx) -> {
            List<WriteOp> ops = new ArrayList<>(idx.size());
            for (int i : idx) {
                ops.add(new WriteOp.Put(pairs.get(i).key(), pairs.get(i).value()));
            }
            return RangeRpc.Request.write(d.rangeId(), new RangeCommand.Write(ops));
        }, (idx, r) -> {
        });
    }

    private static List<byte[]> pick(List<byte[]> keys, List<Integer> idx) {
        List<byte[]> out = new ArrayList<>(idx.size());
        for (int i : idx) {
            out.add(keys.get(i));
        }
        return out;
    }

    private final java.util.concurrent.atomic.LongAdder requestsSent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder scanPageRowsReceived = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder scanPageValueBytesReceived = new java.util.concurrent.atomic.LongAdder();

    /** One range's part of a fanned-out request: the positions of its items, and the answer's future. */
    private record Part(RangeDescriptor range, long store, List<Integer> items, CompletableFuture<RangeRpc.Response> answer) {
    }

    /**
     * Groups items by the range of their key, sends one request per range (at most
     * {@link #maxKeysPerRequest} items each) without waiting, then collects: a group answered OK
     * is done; a group whose request did not apply (hint, not leaseholder, range moved) goes into
     * the next round, regrouped by the refreshed cache; a write group with an unknown outcome
     * fails the call once every other group is done.
     */
    private void fanOut(int count, java.util.function.IntFunction<byte[]> keyOf, boolean write,
                        java.util.function.BiFunction<RangeDescriptor, List<Integer>, RangeRpc.Request> build,
                        java.util.function.BiConsumer<List<Integer>, RangeRpc.Response> done) {
        fanOut(count, keyOf, write, build, done, 0);
    }

    private void fanOut(int count, java.util.function.IntFunction<byte[]> keyOf, boolean write,
                        java.util.function.BiFunction<RangeDescriptor, List<Integer>, RangeRpc.Request> build,
                        java.util.function.BiConsumer<List<Integer>, RangeRpc.Response> done, long waiterStartTs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMillis());
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.add(i);
        }
        List<String> unknown = new ArrayList<>();
        TransactionTooOldException tooOld = null;
        long backoff = firstBackoffMillis;
        for (int round = 0; !pending.isEmpty(); round++) {
            if (System.nanoTime() - deadline > 0) {
                throw new RangeUnavailableException(pending.size() + " of " + count + " items found no range able to"
                        + " answer within " + options.requestTimeoutMillis() + " ms");
            }
            java.util.Map<Long, List<Integer>> byRange = new java.util.LinkedHashMap<>();
            java.util.Map<Long, RangeDescriptor> ranges = new java.util.HashMap<>();
            List<Integer> unresolved = new ArrayList<>();
            for (int i : pending) {
                byte[] key = keyOf.apply(i);
                RangeDescriptor d = cache.lookup(key);
                if (d == null) {
                    d = lookup(key, deadline);
                    if (d == null) {
                        unresolved.add(i);
                        continue;
                    }
                    cache.update(d);
                }
                ranges.put(d.rangeId(), d);
                byRange.computeIfAbsent(d.rangeId(), k -> new ArrayList<>()).add(i);
            }
            List<Part> parts = new ArrayList<>();
            List<Integer> retry = new ArrayList<>(unresolved);
            boolean lockWait = false;
            for (java.util.Map.Entry<Long, List<Integer>> e : byRange.entrySet()) {
                RangeDescriptor d = ranges.get(e.getKey());
                List<Integer> items = e.getValue();
                for (int from = 0; from < items.size(); from += maxKeysPerRequest) {
                    List<Integer> chunk = items.subList(from, Math.min(items.size(), from + maxKeysPerRequest));
                    long store = target(d, round);
                    try {
                        parts.add(new Part(d, store, chunk, sendAsync(store, build.apply(d, chunk), timeout(write))));
                    } catch (NotSent ns) {
                        markUnreachable(store);
                        cache.setLeaseholder(d.rangeId(), 0);
                        retry.addAll(chunk);
                    }
                }
            }
            long sent = System.nanoTime();
            for (Part p : parts) {
                RangeRpc.Response r;
                try {
                    r = await(p.store(), p.answer(), timeout(write));
                    if (r.status() != RangeRpc.Status.OK || r.result() instanceof RangeResult.Locked
                            || System.nanoTime() - sent > TimeUnit.MILLISECONDS.toNanos(slowAttemptMillis)) {
                        logAttempt(p.range(), p.store(), round, sent, "fan-out " + r.status() + " hint " + r.leaderHint()
                                + (r.result() instanceof RangeResult.Locked ? " locked" : ""));
                    }
                } catch (NoAnswer e) {
                    logAttempt(p.range(), p.store(), round, sent, "fan-out no answer: " + e.getMessage());
                    markUnreachable(p.store());
                    cache.setLeaseholder(p.range().rangeId(), 0);
                    if (write) {
                        unknown.add("range " + p.range().rangeId() + ": " + e.getMessage());
                    } else {
                        retry.addAll(p.items());
                    }
                    continue;
                }
                if (r.status() == RangeRpc.Status.OK && r.result() instanceof RangeResult.Locked l) {
                    cache.setLeaseholder(p.range().rangeId(), p.store());
                    if (!resolveBeforeDeadline(l, deadline, waiterStartTs)) {
                        lockWait = true;
                    }
                    retry.addAll(p.items());
                } else if (r.status() == RangeRpc.Status.OK && r.result() instanceof RangeResult.BelowGcThreshold g) {
                    cache.setLeaseholder(p.range().rangeId(), p.store());
                    tooOld = TransactionTooOldException.of(g, p.range().rangeId()); // after the other parts' answers
                } else if (r.status() == RangeRpc.Status.OK && !(r.result() instanceof RangeResult.KeyMismatch)) {
                    cache.setLeaseholder(p.range().rangeId(), p.store());
                    done.accept(p.items(), r);
                } else if (r.status() == RangeRpc.Status.OUTCOME_UNKNOWN) {
                    unknown.add("range " + p.range().rangeId() + ": " + r.error());
                } else {
                    if (r.result() instanceof RangeResult.KeyMismatch m) {
                        cache.update(m.current());
                        if (cache.lookup(keyOf.apply(p.items().get(0))) == p.range()) {
                            cache.evict(p.range());
                        }
                    } else if (r.status() == RangeRpc.Status.NOT_LEASEHOLDER) {
                        cache.setLeaseholder(p.range().rangeId(), r.leaderHint() == p.store() ? 0 : r.leaderHint());
                    } else if (r.status() == RangeRpc.Status.RANGE_NOT_FOUND) {
                        cache.evict(p.range());
                    }
                    retry.addAll(p.items());
                }
            }
            pending = retry;
            if (!pending.isEmpty()) {
                backoff = pause(lockWait ? Math.max(backoff, lockWaitMillis) : backoff);
            }
        }
        if (!unknown.isEmpty()) {
            throw new OutcomeUnknownException("the outcome of " + unknown.size() + " range batches is unknown: " + unknown);
        }
        if (tooOld != null) {
            throw tooOld;
        }
    }

    /**
     * The pairs with from &lt;= key &lt; to (to null: the end), at most limit of them. Each page
     * (within one range) is a linearizable read; the scan as a whole is not one snapshot across
     * ranges until transactions (issue 11) read at a timestamp.
     */
    public List<RangeResult.KeyValue> scan(byte[] from, byte[] to, int limit) {
        if (from.length > 0) {
            LimitExceededException.check("maxKeyBytes", Limits.maxKeyBytes, from.length);
        }
        if (Arrays.compareUnsigned(from, MetaKeys.userSpanStart) < 0) {
            from = MetaKeys.userSpanStart; // users see their own keys only
        }
        if (to != null && Arrays.compareUnsigned(to, from) <= 0) {
            return List.of();
        }
        return scanKeys(from, to, limit, requestDeadline());
    }

    /**
     * The transaction locks with from &lt;= key &lt; to (to null: the end), at most max, in key
     * order, range by range: an operator's view (it resolves nothing).
     */
    public List<RangeResult.LockInfo> locks(byte[] from, byte[] to, int max) {
        List<RangeResult.LockInfo> out = new ArrayList<>();
        byte[] at = Arrays.compareUnsigned(from, MetaKeys.userSpanStart) < 0 ? MetaKeys.userSpanStart : from;
        while (at != null && out.size() < max) {
            byte[] key = at;
            int n = Math.min(RangeStore.maxScanRows, max - out.size());
            RangeRpc.Response r = call(key, d -> RangeRpc.Request.locks(d.rangeId(), key, to, n), false, requestDeadline());
            RangeResult.LockList page = (RangeResult.LockList) r.result();
            out.addAll(page.locks());
            byte[] end = r.descriptor().end();
            at = page.resumeKey() != null ? page.resumeKey()
                    : end == null || (to != null && Arrays.compareUnsigned(end, to) >= 0) ? null : end;
        }
        return out;
    }

    /**
     * The smallest start timestamp of any transaction lock with from &lt;= key &lt; to (to null:
     * the end), Long.MAX_VALUE if there is none: every range of the span answers from its
     * leaseholder (linearizable), in key order, so a range that splits meanwhile is still
     * covered. Throws as any request does when a range of the span does not answer in time.
     */
    public long oldestLock(byte[] from, byte[] to) {
        long oldest = Long.MAX_VALUE;
        byte[] at = from;
        while (at != null) {
            byte[] key = at;
            RangeRpc.Response r = call(key, d -> RangeRpc.Request.oldestLock(d.rangeId(), key, to), false, requestDeadline());
            RangeResult.LockList found = (RangeResult.LockList) r.result();
            for (RangeResult.LockInfo l : found.locks()) {
                oldest = Math.min(oldest, l.startTs());
            }
            byte[] end = r.descriptor().end();
            at = end == null || (to != null && Arrays.compareUnsigned(end, to) >= 0) ? null : end;
        }
        return oldest;
    }

    /** One page of a scan at ts: the rows, and the key the next page starts at (null: the span is done). */
    public record ScanPage(List<RangeResult.KeyValue> rows, byte[] next) {
    }

    /**
     * The first page (at most rows pairs, within one range) of the pairs visible at ts (see
     * {@link #getAt}) with from &lt;= key &lt; to (to null: the end).
     */
    public ScanPage scanPage(byte[] from, byte[] to, int rows, long ts) {
        return scanPage(from, to, rows, ts, null);
    }

    /**
     * {@link #scanPage(byte[], byte[], int, long)} less the rows whose value filter (null: none)
     * rejects, checked at the leaseholder: such a page may hold no rows and still not end the span.
     */
    public ScanPage scanPage(byte[] from, byte[] to, int rows, long ts, RowPredicate filter) {
        if (Arrays.compareUnsigned(from, MetaKeys.userSpanStart) < 0) {
            from = MetaKeys.userSpanStart;
        }
        if (to != null && Arrays.compareUnsigned(to, from) <= 0) {
            return new ScanPage(List.of(), null);
        }
        byte[] at = from;
        int n = Math.max(1, Math.min(rows, RangeStore.maxScanRows));
        RangeRpc.Response r = call(at, d -> RangeRpc.Request.scan(d.rangeId(), at, to, n, RangeStore.maxScanBytes, ts, filter),
                false, requestDeadline());
        RangeResult.Rows page = (RangeResult.Rows) r.result();
        scanPageRowsReceived.add(page.rows().size());
        for (RangeResult.KeyValue row : page.rows()) {
            scanPageValueBytesReceived.add(row.value().length);
        }
        if (page.resumeKey() != null) {
            return new ScanPage(page.rows(), page.resumeKey());
        }
        byte[] end = r.descriptor().end();
        return new ScanPage(page.rows(), end == null || (to != null && Arrays.compareUnsigned(end, to) >= 0) ? null : end);
    }

    /** {@link #scan} over any keys, the system's too, giving up at deadline (nanoTime). */
    List<RangeResult.KeyValue> scanKeys(byte[] from, byte[] to, int limit, long deadline) {
        List<RangeResult.KeyValue> out = new ArrayList<>();
        byte[] key = from;
        while (out.size() < limit) {
            byte[] at = key;
            int rows = Math.min(options.scanPageRows(), limit - out.size());
            RangeRpc.Response r = call(at, d -> RangeRpc.Request.scan(d.rangeId(), at, to, rows, RangeStore.maxScanBytes),
                    false, deadline);
            RangeResult.Rows page = (RangeResult.Rows) r.result();
            out.addAll(page.rows());
            if (page.resumeKey() != null) {
                key = page.resumeKey();
                continue;
            }
            byte[] end = r.descriptor().end();
            if (end == null || (to != null && Arrays.compareUnsigned(end, to) >= 0)) {
                break;
            }
            key = end;
        }
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** count consecutive timestamps from the oracle at the meta range's leaseholder. */
    public RangeResult.Timestamps timestamps(int count) {
        RangeRpc.Response r = call(MetaKeys.timestampMarkKey(), d -> RangeRpc.Request.timestamps(count), false,
                requestDeadline());
        return (RangeResult.Timestamps) r.result();
    }

    /**
     * Asks for count timestamps once, without waiting, from the store the cache names as the meta
     * range's leaseholder (this store's own oracle without the network): the answer, or null when
     * the cache names none. The future fails, or holds a response that is not OK, when that one
     * attempt did not get them; the caller then takes {@link #timestamps}, which routes, retries
     * and learns the leaseholder. Asking twice is harmless: unused timestamps are skipped.
     */
    public CompletableFuture<RangeRpc.Response> timestampsFromKnownLeaseholder(int count) {
        RangeDescriptor d = cache.lookup(MetaKeys.timestampMarkKey());
        if (d == null) {
            return null;
        }
        long target = local != null && local.leaseholder(d.rangeId()) == local.storeId() ? local.storeId()
                : cache.leaseholder(d.rangeId());
        if (target == 0 || !addressable(target) || !reachable(target)) {
            return null;
        }
        try {
            return sendAsync(target, RangeRpc.Request.timestamps(count), timeout(false)).whenComplete((r, e) -> {
                if (e != null) {
                    // As a routed request would: the next attempt (the caller's routed one) asks elsewhere
                    // instead of waiting out another attempt's timeout on the same store.
                    markUnreachable(target);
                    cache.setLeaseholder(d.rangeId(), 0);
                }
            });
        } catch (NotSent e) {
            markUnreachable(target);
            cache.setLeaseholder(d.rangeId(), 0);
            return null;
        }
    }

    /** Splits the range holding key at key; returns the two halves (or the range as it is if key is its start). */
    public List<RangeDescriptor> split(byte[] key, long newRangeId) {
        checkKey(key);
        for (int attempt = 1; ; attempt++) {
            long[] expected = new long[1];
            RangeRpc.Response r = call(key, d -> {
                expected[0] = d.generation();
                return RangeRpc.Request.write(d.rangeId(), new RangeCommand.Split(key, newRangeId, d.generation()));
            }, true, requestDeadline());
            if (r.result() instanceof RangeResult.SplitDone done) {
                return List.of(done.left(), done.right());
            }
            RangeDescriptor now = r.descriptor();
            // A membership change (placement) raised the generation since the cache learnt it:
            // the split was refused without effect; ask again with the range as it is now.
            if (attempt < maxSplitAttempts && now != null && now.generation() != expected[0] && now.contains(key)
                    && !Arrays.equals(now.start(), key)) {
                cache.update(now);
                continue;
            }
            throw new IllegalArgumentException("split at " + RangeDescriptor.hex(key) + " refused: "
                    + ((RangeResult.Refused) r.result()).reason());
        }
    }

    /** Times a split is asked again after the range's generation moved under it. */
    static final int maxSplitAttempts = 5;

    /** Every range, in key order, the meta range first, as meta (or, where it lags, the stores) reports them now. */
    public List<RangeDescriptor> ranges() {
        List<RangeDescriptor> out = new ArrayList<>();
        byte[] key = new byte[0];
        while (true) {
            RangeDescriptor d = lookup(key, requestDeadline());
            if (d == null) {
                throw new RangeUnavailableException("no store answers for the range of " + RangeDescriptor.hex(key));
            }
            out.add(d);
            if (d.end() == null) {
                return out;
            }
            key = d.end();
        }
    }

    private static long valueBytes(WriteOp op) {
        if (op instanceof WriteOp.Put p) {
            LimitExceededException.check("maxRowBytes", Limits.maxRowBytes, p.value().length);
            return p.value().length;
        }
        if (op instanceof WriteOp.CompareAndSet c) {
            long n = 0;
            if (c.expected() != null) {
                LimitExceededException.check("maxRowBytes", Limits.maxRowBytes, c.expected().length);
                n += c.expected().length;
            }
            if (c.newValue() != null) {
                LimitExceededException.check("maxRowBytes", Limits.maxRowBytes, c.newValue().length);
                n += c.newValue().length;
            }
            return n;
        }
        return 0;
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("a key must have at least one byte");
        }
        if (MetaKeys.isSystemKey(key)) {
            throw new IllegalArgumentException("keys that begin with byte 0x00 are the system's (the meta range);"
                    + " user keys begin with 0x01 or above");
        }
        LimitExceededException.check("maxKeyBytes", Limits.maxKeyBytes, key.length);
    }

    long requestDeadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMillis());
    }

    // ------------------------------------------------------------------ routing

    /** The request could not have reached the store (no address, refused before sending). */
    private static final class NotSent extends Exception {
        NotSent(String message) {
            super(message, null, false, false);
        }
    }

    /** The request may have reached the store, but no answer came. */
    private static final class NoAnswer extends Exception {
        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }

    private RangeRpc.Response call(byte[] key, Function<RangeDescriptor, RangeRpc.Request> build, boolean write,
                                   long deadline) {
        return call(key, build, write, deadline, 0);
    }

    private RangeRpc.Response call(byte[] key, Function<RangeDescriptor, RangeRpc.Request> build, boolean write,
                                   long deadline, long waiterStartTs) {
        long backoff = firstBackoffMillis;
        String last = "no attempt";
        for (int attempt = 0; ; attempt++) {
            if (System.nanoTime() - deadline > 0) {
                throw new RangeUnavailableException("no answer for key " + RangeDescriptor.hex(key) + " in time ("
                        + attempt + " attempts; last: " + last + ")");
            }
            RangeDescriptor d = cache.lookup(key);
            if (d == null) {
                d = lookup(key, deadline);
                if (d == null) {
                    last = "no store knows the range";
                    backoff = pause(backoff);
                    continue;
                }
                cache.update(d);
            }
            long target = target(d, attempt);
            RangeRpc.Response r;
            long sent = System.nanoTime();
            try {
                r = send(target, build.apply(d), write);
            } catch (NotSent e) {
                logAttempt(d, target, attempt, sent, "not sent: " + e.getMessage());
                markUnreachable(target);
                cache.setLeaseholder(d.rangeId(), 0);
                last = e.getMessage();
                backoff = pause(backoff);
                continue;
            } catch (NoAnswer e) {
                logAttempt(d, target, attempt, sent, "no answer: " + e.getMessage());
                markUnreachable(target);
                cache.setLeaseholder(d.rangeId(), 0);
                if (write) {
                    throw new OutcomeUnknownException("write to range " + d.rangeId() + " at store " + target
                            + " may or may not have applied: " + e.getMessage());
                }
                last = e.getMessage();
                continue;
            }
            if (r.status() != RangeRpc.Status.OK || r.result() instanceof RangeResult.Locked
                    || System.nanoTime() - sent > TimeUnit.MILLISECONDS.toNanos(slowAttemptMillis)) {
                logAttempt(d, target, attempt, sent, r.status() + (r.result() instanceof RangeResult.Locked l
                        ? " locked by " + l.locks().get(0).startTs() : "") + " hint " + r.leaderHint() + " "
                        + (r.error() == null ? "" : r.error()));
            }
            switch (r.status()) {
                case OK:
                    cache.setLeaseholder(d.rangeId(), target);
                    if (r.result() instanceof RangeResult.KeyMismatch m) {
                        RangeDescriptor stale = d;
                        cache.update(m.current());
                        if (cache.lookup(key) == stale) {
                            cache.evict(stale);
                        }
                        last = "range " + d.rangeId() + " no longer holds the key";
                        continue;
                    }
                    if (r.descriptor() != null) {
                        cache.update(r.descriptor());
                    }
                    if (r.result() instanceof RangeResult.Locked l) {
                        last = "key locked by " + l.locks().size() + " transaction locks";
                        if (!resolveBeforeDeadline(l, deadline, waiterStartTs)) {
                            backoff = pause(Math.max(backoff, lockWaitMillis));
                        }
                        continue;
                    }
                    if (r.result() instanceof RangeResult.BelowGcThreshold g) {
                        throw TransactionTooOldException.of(g, d.rangeId());
                    }
                    return r;
                case NOT_LEASEHOLDER:
                    cache.setLeaseholder(d.rangeId(), r.leaderHint() == target ? 0 : r.leaderHint());
                    last = "store " + target + " does not lead range " + d.rangeId();
                    // A hint at a store just found unreachable (a follower that has not noticed its
                    // leader died) is no lead: wait before asking again, as with no hint.
                    if (r.leaderHint() == 0 || r.leaderHint() == target || !reachable(r.leaderHint())) {
                        backoff = pause(backoff);
                    }
                    continue;
                case RANGE_NOT_FOUND:
                    cache.evict(d);
                    last = r.error();
                    backoff = pause(backoff);
                    continue;
                case DROPPED:
                case UNAVAILABLE:
                    last = r.error();
                    backoff = pause(backoff);
                    continue;
                default:
                    throw new OutcomeUnknownException(r.error());
            }
        }
    }

    /**
     * Whom to ask for range d: this node's own store if its replica leads the range (a new leader
     * here is known before any answer says so), else the leaseholder the cache knows unless it was
     * unreachable lately, else the voters in turn (by attempt), passing over those unreachable
     * lately (all of them unreachable: the one whose turn it is).
     */
    private long target(RangeDescriptor d, int attempt) {
        if (local != null && local.leaseholder(d.rangeId()) == local.storeId()) {
            return local.storeId();
        }
        long cached = cache.leaseholder(d.rangeId());
        if (cached != 0 && addressable(cached) && reachable(cached)) {
            return cached;
        }
        List<Long> voters = new ArrayList<>(d.conf().voters());
        for (int i = 0; i < voters.size(); i++) {
            long v = voters.get(Math.floorMod(attempt + i, voters.size()));
            if (addressable(v) && reachable(v)) {
                return v;
            }
        }
        return voters.get(Math.floorMod(attempt, voters.size()));
    }

    private boolean addressable(long store) {
        return directory.address(store) != null || (local != null && local.storeId() == store);
    }

    /** A request to store could not leave or got no answer: pass it over for {@link #unreachableStoreMillis}. */
    private void markUnreachable(long store) {
        if (local == null || store != local.storeId()) {
            unreachableSince.put(store, System.nanoTime());
        }
    }

    private boolean reachable(long store) {
        Long since = unreachableSince.get(store);
        if (since == null) {
            return true;
        }
        if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(unreachableStoreMillis)) {
            unreachableSince.remove(store, since);
            return true;
        }
        return false;
    }

    private static void logAttempt(RangeDescriptor d, long store, int attempt, long sentNanos, String outcome) {
        if (log.isDebugEnabled()) {
            log.debug("range {} attempt {} at store {}: {} after {} ms", d.rangeId(), attempt, store, outcome,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos));
        }
    }

    /** A request that met locks of a pending transaction asks again after at least this long. */
    static final long lockWaitMillis = 20;

    /**
     * Resolves the locks an answer met; false if some transaction is still pending (wait, then
     * ask again). On behalf of a transaction (waiterStartTs above 0) that meets a pending one that
     * started before it, gives up instead (wait-die), so two transactions never wait for each other.
     */
    private boolean resolveBeforeDeadline(RangeResult.Locked l, long deadline, long waiterStartTs) {
        if (System.nanoTime() - deadline > 0) {
            throw new RangeUnavailableException("keys stay locked by pending transactions (" + l.locks().size()
                    + " locks, e.g. of the transaction started at " + l.locks().get(0).startTs() + ")");
        }
        if (resolver.resolve(l.locks())) {
            return true;
        }
        if (waiterStartTs > 0) {
            for (RangeResult.LockInfo lock : l.locks()) {
                if (lock.startTs() < waiterStartTs) {
                    throw new io.starlingdb.engine.txn.WriteConflictException("transaction " + waiterStartTs
                            + " met a lock of the older transaction " + lock.startTs() + ", still in progress, on "
                            + RangeDescriptor.hex(lock.key()) + ": retry the transaction");
                }
            }
        }
        return false;
    }

    /**
     * The range holding key: for a user key, from the meta range (caching the next few
     * descriptors too, for scans); for a system key, or when meta has no answer in time or an
     * answer older than what the cache knows (a split meta does not show yet), from the stores.
     */
    private RangeDescriptor lookup(byte[] key, long deadline) {
        if (!MetaKeys.isSystemKey(key)) {
            RangeDescriptor d = lookupInMeta(key, Math.min(deadline,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(metaLookupTimeoutMillis)));
            if (d != null) {
                return d;
            }
        }
        return lookupAtStores(key, deadline);
    }

    private RangeDescriptor lookupInMeta(byte[] key, long deadline) {
        List<RangeResult.KeyValue> rows;
        try {
            rows = scanKeys(MetaKeys.lookupStart(key), MetaKeys.descriptorsEnd(), metaPrefetch, deadline);
        } catch (RangeUnavailableException e) {
            return null;
        }
        RangeDescriptor found = null;
        for (RangeResult.KeyValue kv : rows) {
            RangeDescriptor d = RangeCodec.decodeDescriptor(kv.value());
            cache.update(d);
            if (found == null) {
                found = d;
            }
        }
        // Null if meta does not hold the key's range (yet), or the cache knows something newer.
        return found != null && found.contains(key) && cache.lookup(key) == found ? found : null;
    }

    /** Asks the stores, one after the other, which range holds key; the newest answer wins. */
    private RangeDescriptor lookupAtStores(byte[] key, long deadline) {
        List<Long> stores = directory.stores();
        if (local != null && !stores.contains(local.storeId())) {
            stores.add(0, local.storeId());
        }
        RangeDescriptor best = null;
        for (long store : stores) {
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                RangeRpc.Response r = send(store, RangeRpc.Request.lookup(key), false);
                RangeDescriptor d = r.descriptor();
                if (d != null && (best == null || d.generation() > best.generation())) {
                    best = d;
                }
            } catch (NotSent | NoAnswer e) {
                // that store is down or slow: ask the next
            }
        }
        return best;
    }

    /** Sends one request to one store and waits (placement's requests to a given store). */
    public RangeRpc.Response sendTo(long store, RangeRpc.Request request, long timeoutMillis) {
        try {
            return await(store, sendAsync(store, request, timeoutMillis), timeoutMillis);
        } catch (NotSent | NoAnswer e) {
            throw new RangeUnavailableException(e.getMessage());
        }
    }

    private long timeout(boolean write) {
        return write ? options.attemptTimeoutMillis() : Math.min(options.attemptTimeoutMillis(), readAttemptTimeoutMillis);
    }

    /** Requests this gateway has sent to stores, its own store's included: for tests and operators. */
    public long requestsSent() {
        return requestsSent.sum();
    }

    /** Rows the pages of transactional scans ({@link #scanPage}) brought back: for tests and operators. */
    public long scanPageRowsReceived() {
        return scanPageRowsReceived.sum();
    }

    /** Bytes of the values those pages brought back: for tests and operators. */
    public long scanPageValueBytesReceived() {
        return scanPageValueBytesReceived.sum();
    }

    /** Sends without waiting: the answer's future, or NotSent if the request cannot leave. */
    private CompletableFuture<RangeRpc.Response> sendAsync(long store, RangeRpc.Request request, long timeout)
            throws NotSent {
        requestsSent.increment();
        if (local != null && store == local.storeId()) {
            return local.handle(request);
        }
        NodeAddress address = directory.address(store);
        if (address == null) {
            throw new NotSent("store " + store + " has no known address");
        }
        CompletableFuture<RangeRpc.ResponseFrame> f = network.request(address, Lane.NORMAL,
                new RangeRpc.RequestFrame(RangeRpc.encode(request)), Duration.ofMillis(timeout));
        if (f.isCompletedExceptionally()) {
            throw new NotSent("store " + store + " at " + address + " is unreachable");
        }
        return f.thenApply(frame -> RangeRpc.decodeResponse(frame.payload()));
    }

    private RangeRpc.Response send(long store, RangeRpc.Request request, boolean write) throws NotSent, NoAnswer {
        long timeout = timeout(write);
        return await(store, sendAsync(store, request, timeout), timeout);
    }

    private RangeRpc.Response await(long store, CompletableFuture<RangeRpc.Response> answer, long timeout)
            throws NoAnswer {
        try {
            return answerWait.get(answer, timeout);
        } catch (TimeoutException e) {
            throw new NoAnswer("no answer from store " + store + " within " + timeout + " ms");
        } catch (ExecutionException e) {
            throw new NoAnswer("store " + store + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoAnswer("interrupted waiting for store " + store);
        }
    }

    private static long pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RangeUnavailableException("interrupted");
        }
        return Math.min(maxBackoffMillis, millis * 2);
    }
}
