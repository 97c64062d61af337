package io.starlingdb.testkit.kv;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.range.RangeCache;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.testkit.check.HistoryOp;
import io.starlingdb.testkit.check.KvOp;
import io.starlingdb.testkit.check.ValueFilter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A client with its own gateway: it finds each key's range in its {@link RangeCache} (asking a
 * node when the cache has none), sends the request to the range's leaseholder as far as it knows
 * it, and follows the answers: a key-mismatch hint or a not-leaseholder hint fixes the cache and
 * retries, as does a proposal known not to have applied. A write whose outcome is not known (no
 * answer, or a proposal overtaken by a snapshot) is recorded as unknown and never retried: a
 * retry could apply it twice. Scans page through ranges; every page is a consistent read of the
 * keys it covers at one instant, recorded as one read per key. A filtered scan (RangeRpc's SCAN
 * with a row predicate) records, per key its page covers, the value if the page kept it, else
 * "absent or rejected" ({@link KvOp#getWhere}). A first-keys request (RangeRpc's FIRST_KEYS: the
 * first key of each of several spans, a span past its range's end asked again from the next
 * range, as Transaction.firstKeys does) records, per span, the keys before the answer as absent
 * and the answer as present ({@link KvOp#exists}); an answer outside its span is a violation.
 * Values are stored as rows ({@link SimRow}) so that the leaseholder can filter them.
 */
final class KvSimClient implements KvSimulation.Client {

    enum Role { WORKLOAD, SPLITTER, PROBE, FINAL_READER }

    private final int id;
    private final KvSimulation sim;
    private final Random random;
    private final Role role;
    private final RangeCache cache = new RangeCache();
    private long nextReqId = 1;
    private long nextValue = 1;
    private String lastSeen;

    /** The operation in progress; null when idle. */
    private KvOp op;
    private boolean scanning;
    /** Of a filtered scan; null for a plain one. */
    private ValueFilter filter;
    private boolean splitting;
    private boolean firstKeys;
    /** FIRST_KEYS: the spans (from, to; to null: no bound) not yet answered, and those of the attempt in flight. */
    private final List<byte[][]> pendingSpans = new ArrayList<>();
    private final List<byte[][]> sentSpans = new ArrayList<>();
    private byte[] key;
    private byte[] scanEnd;
    private long callEvent;
    private long startedAt;
    /** The attempt in flight. */
    private long reqId;
    private long attemptAt;
    private long retryAt = -1;
    /** The node the lookup in flight went to (0: the attempt in flight is no lookup). */
    private long lookupNode;
    /** Nodes that left a lookup unanswered, asked no lookup until the tick given (a destroyed node never answers). */
    private final java.util.Map<Long, Long> silentUntil = new java.util.HashMap<>();
    private boolean attemptIsWrite;
    private boolean done;
    /** FINAL_READER: keys still to read, then one whole scan. */
    private final List<String> finalReads = new ArrayList<>();

    KvSimClient(int id, KvSimulation sim, Random random, Role role) {
        this.id = id;
        this.sim = sim;
        this.random = random;
        this.role = role;
        if (role == Role.PROBE) {
            begin(KvOp.put("probe", "live-" + id));
        } else if (role == Role.FINAL_READER) {
            for (int k = 0; k < sim.params().keys(); k++) {
                finalReads.add("k" + k);
            }
        }
    }

    /** No operation in progress and none to come (the final reader has read everything). */
    @Override
    public boolean idle() {
        return !busy() && (role != Role.FINAL_READER || done);
    }

    private boolean busy() {
        return op != null || scanning || splitting || firstKeys;
    }

    boolean done() {
        return done;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void onTick(boolean chaos) {
        long now = sim.now();
        if (!busy()) {
            if (role == Role.FINAL_READER && !done) {
                nextFinalRead();
            } else if ((role == Role.WORKLOAD && chaos && random.nextDouble() < sim.params().clientRate())
                    || (role == Role.SPLITTER && chaos && random.nextDouble() < sim.params().splitRate() * 20)) {
                beginRandom();
            }
            return;
        }
        if (retryAt >= 0 && now >= retryAt) {
            retryAt = -1;
            send();
            return;
        }
        if (now - attemptAt >= KvSimulation.attemptTimeoutTicks) {
            // As DistSender: an attempt without an answer forgets the leaseholder, a write's too.
            cache.setLeaseholder(currentRange(), 0);
            if (lookupNode != 0) {
                silentUntil.put(lookupNode, now + 5L * KvSimulation.attemptTimeoutTicks);
            }
            if (attemptIsWrite) {
                // No answer: the write may or may not have applied. Never retry it.
                finishUnknown();
            } else if (chaos && role == Role.WORKLOAD && now - startedAt >= KvSimulation.operationTimeoutTicks) {
                finish(); // a read given up: nothing to record
            } else {
                send();
            }
        }
    }

    private void beginRandom() {
        if (role == Role.SPLITTER) {
            splitting = true;
            key = sim.splitKey(random);
            callEvent = sim.nextEvent();
            startedAt = sim.now();
            send();
            return;
        }
        String k = "k" + random.nextInt(sim.params().keys());
        String value = "c" + id + "-" + nextValue++;
        double r = random.nextDouble();
        if (r < 0.25) {
            begin(KvOp.get(k));
        } else if (r < 0.42) {
            int a = random.nextInt(sim.params().keys());
            int b = random.nextInt(sim.params().keys() + 1);
            if (random.nextBoolean()) {
                filter = new ValueFilter(ValueFilter.Op.values()[random.nextInt(ValueFilter.Op.values().length)],
                        random.nextInt((int) nextValue + 1));
            }
            beginScan(bytes("k" + Math.min(a, b)), Math.max(a, b) >= sim.params().keys() ? null : bytes("k" + Math.max(a, b)));
        } else if (r < 0.5) {
            beginFirstKeys();
        } else if (r < 0.75) {
            begin(KvOp.put(k, value));
        } else {
            begin(KvOp.cas(k, random.nextBoolean() ? lastSeen : null, value));
        }
    }

    /** One to three spans between model keys (compared as bytes, as ranges compare them), some open-ended. */
    private void beginFirstKeys() {
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            byte[] a = bytes("k" + random.nextInt(sim.params().keys()));
            int bi = random.nextInt(sim.params().keys() + 1);
            byte[] b = bi == sim.params().keys() ? null : bytes("k" + bi);
            if (b != null && Arrays.compareUnsigned(a, b) > 0) {
                byte[] t = a;
                a = b;
                b = t;
            }
            pendingSpans.add(new byte[][] {a, b != null && Arrays.equals(a, b) ? null : b});
        }
        firstKeys = true;
        key = pendingSpans.get(0)[0];
        startedAt = sim.now();
        send();
    }

    private void nextFinalRead() {
        if (!finalReads.isEmpty()) {
            begin(KvOp.get(finalReads.remove(0)));
        } else {
            beginScan(new byte[0], null);
            done = true;
        }
    }

    private void begin(KvOp next) {
        op = next;
        key = bytes(next.key());
        callEvent = sim.nextEvent();
        startedAt = sim.now();
        send();
    }

    private void beginScan(byte[] from, byte[] to) {
        scanning = true;
        key = from;
        scanEnd = to;
        startedAt = sim.now();
        send();
    }

    private long currentRange() {
        RangeDescriptor d = cache.lookup(key);
        return d == null ? 0 : d.rangeId();
    }

    /** Sends the current operation's next attempt: to the range's leaseholder, or a lookup first. */
    private void send() {
        reqId = nextReqId++;
        attemptAt = sim.now();
        RangeDescriptor d = cache.lookup(key);
        attemptIsWrite = false;
        lookupNode = 0;
        if (d == null) {
            // As a gateway that stops asking a store that did not answer: a node drawn from those
            // that have not left a lookup unanswered lately. Drawn from all of them, a final
            // reader kept asking a destroyed node, 30 ticks each time, and ran out of its window
            // (seeds 4168 and 6745 of the long run).
            List<Long> candidates = new ArrayList<>();
            for (long n = 1; n <= sim.params().nodes(); n++) {
                if (silentUntil.getOrDefault(n, 0L) <= sim.now()) {
                    candidates.add(n);
                }
            }
            if (candidates.isEmpty()) {
                silentUntil.clear();
                for (long n = 1; n <= sim.params().nodes(); n++) {
                    candidates.add(n);
                }
            }
            lookupNode = candidates.get(random.nextInt(candidates.size()));
            sim.sendLookup(id, reqId, lookupNode, key);
            return;
        }
        long target = cache.leaseholder(d.rangeId());
        if (target == 0) {
            List<Long> voters = new ArrayList<>(d.conf().voters());
            target = voters.get(random.nextInt(voters.size()));
        }
        if (scanning) {
            callEvent = sim.nextEvent();
            sim.sendRequest(new KvSimulation.Request(id, reqId, target, d.rangeId(), KvSimulation.Kind.SCAN, key, scanEnd, null,
                    0, 0, List.of(), filter == null ? null : predicate(filter)));
        } else if (firstKeys) {
            // The spans whose start is in this range, in one request (as DistSender batches them).
            callEvent = sim.nextEvent();
            sentSpans.clear();
            List<byte[]> pairs = new ArrayList<>();
            for (byte[][] span : pendingSpans) {
                if (d.contains(span[0])) {
                    sentSpans.add(span);
                    pairs.add(span[0]);
                    pairs.add(span[1] == null ? new byte[0] : span[1]);
                }
            }
            sim.sendRequest(new KvSimulation.Request(id, reqId, target, d.rangeId(), KvSimulation.Kind.FIRST_KEYS, key, null,
                    null, 0, 0, pairs, null));
        } else if (splitting) {
            attemptIsWrite = true;
            RangeCommand split = KvSimNode.splitCommand(key, sim.newRangeId(), d.generation());
            sim.sendRequest(new KvSimulation.Request(id, reqId, target, d.rangeId(), KvSimulation.Kind.SPLIT, key, null, split));
        } else if (op.kind() == KvOp.Kind.GET) {
            sim.sendRequest(new KvSimulation.Request(id, reqId, target, d.rangeId(), KvSimulation.Kind.GET, key, null, null));
        } else {
            attemptIsWrite = true;
            WriteOp w = op.kind() == KvOp.Kind.PUT ? new WriteOp.Put(key, SimRow.encode(op.value()))
                    : new WriteOp.CompareAndSet(key, SimRow.encode(op.expected()), SimRow.encode(op.value()));
            sim.sendRequest(new KvSimulation.Request(id, reqId, target, d.rangeId(), KvSimulation.Kind.WRITE, key, null,
                    new RangeCommand.Write(List.of(w))));
        }
    }

    /** The leaseholder's side of a filter: the same comparison on the row's number column. */
    static RowPredicate predicate(ValueFilter f) {
        return new RowPredicate(List.of(new RowPredicate.Comparison(SimRow.numberColumn, ValueType.BIGINT,
                RowPredicate.Op.valueOf(f.op().name()), f.bound())));
    }

    private void retrySoon() {
        retryAt = sim.now() + 2 + random.nextInt(4);
    }

    @Override
    public void onLookup(long forReq, RangeDescriptor d) {
        if (forReq != reqId || !busy()) {
            return;
        }
        if (d != null) {
            cache.update(d);
            send();
        } else {
            retrySoon();
        }
    }

    @Override
    public void onResponse(KvSimulation.Response r) {
        if (r.reqId() != reqId || !busy()) {
            return;
        }
        if (r.descriptor() != null) {
            cache.update(r.descriptor());
        }
        RangeDescriptor d = cache.lookup(key);
        long range = d == null ? 0 : d.rangeId();
        switch (r.status()) {
            case NOT_LEASEHOLDER -> {
                cache.setLeaseholder(range, r.leaderHint() == r.node() ? 0 : r.leaderHint());
                if (r.leaderHint() != 0 && r.leaderHint() != r.node()) {
                    send();
                } else {
                    retrySoon();
                }
            }
            case RANGE_NOT_FOUND -> {
                if (d != null) {
                    cache.evict(d);
                }
                retrySoon();
            }
            case DROPPED -> retrySoon();
            case UNKNOWN -> finishUnknown();
            case OK -> {
                cache.setLeaseholder(range, r.node());
                onResult(r);
            }
        }
    }

    private void onResult(KvSimulation.Response r) {
        RangeResult result = r.result();
        if (result instanceof RangeResult.KeyMismatch m) {
            // Not applied: the range no longer holds the key. Learn its new shape and go again.
            RangeDescriptor stale = cache.lookup(key);
            cache.update(m.current());
            if (stale != null && cache.lookup(key) == stale) {
                cache.evict(stale);
            }
            send();
            return;
        }
        if (result instanceof RangeResult.WriteConflict) {
            // Not applied: a newer version came first (its timestamp was older); go again.
            send();
            return;
        }
        if (splitting) {
            finish();
            return;
        }
        if (scanning) {
            onScanPage(r.descriptor(), (RangeResult.Rows) result);
            return;
        }
        if (firstKeys) {
            onFirstKeys(r.descriptor(), (RangeResult.Values) result);
            return;
        }
        String output;
        if (result instanceof RangeResult.Value v) {
            output = SimRow.decode(v.value());
            lastSeen = output;
        } else if (result instanceof RangeResult.Written) {
            output = op.kind() == KvOp.Kind.CAS ? "true" : "ok";
            lastSeen = op.value();
        } else if (result instanceof RangeResult.ConditionFailed) {
            output = "false";
        } else {
            throw new KvSimChecks.Violation("client " + id + ": unexpected answer " + result + " to " + op);
        }
        sim.record(HistoryOp.completed(id, op, callEvent, sim.nextEvent(), output));
        if (role == Role.PROBE) {
            done = true;
        }
        finish();
    }

    /**
     * A page is a read of every key it covers at one instant: from the page's first key up to its
     * resume key, or up to the end of the range (or the scan) when the range is exhausted.
     */
    private void onScanPage(RangeDescriptor served, RangeResult.Rows rows) {
        byte[] coveredEnd = rows.resumeKey() != null ? rows.resumeKey()
                : served.end() == null ? scanEnd
                : scanEnd == null || Arrays.compareUnsigned(served.end(), scanEnd) < 0 ? served.end() : scanEnd;
        long ret = sim.nextEvent();
        for (int k = 0; k < sim.params().keys(); k++) {
            byte[] kb = bytes("k" + k);
            if (Arrays.compareUnsigned(kb, key) < 0 || (coveredEnd != null && Arrays.compareUnsigned(kb, coveredEnd) >= 0)) {
                continue;
            }
            String value = null;
            for (RangeResult.KeyValue kv : rows.rows()) {
                if (Arrays.equals(kv.key(), kb)) {
                    value = SimRow.decode(kv.value());
                }
            }
            sim.record(HistoryOp.completed(id, filter == null ? KvOp.get("k" + k) : KvOp.getWhere("k" + k, filter),
                    callEvent, ret, value));
        }
        if (coveredEnd == null || (scanEnd != null && Arrays.compareUnsigned(coveredEnd, scanEnd) >= 0)) {
            finish();
            return;
        }
        key = coveredEnd;
        send();
    }

    /**
     * A FIRST_KEYS answer, one key or null per span sent, read at one instant: the keys of the
     * span's part in the serving range before its answer are absent and the answer is present;
     * a span without a key in this range that goes past its end is asked again from there.
     */
    private void onFirstKeys(RangeDescriptor served, RangeResult.Values answer) {
        if (answer.values().size() != sentSpans.size()) {
            throw new KvSimChecks.Violation("client " + id + ": " + answer.values().size() + " first keys for "
                    + sentSpans.size() + " spans");
        }
        long ret = sim.nextEvent();
        for (int i = 0; i < sentSpans.size(); i++) {
            byte[][] span = sentSpans.get(i);
            byte[] partEnd = served.end() == null ? span[1]
                    : span[1] == null || Arrays.compareUnsigned(served.end(), span[1]) < 0 ? served.end() : span[1];
            byte[] first = answer.values().get(i);
            if (first != null && (Arrays.compareUnsigned(first, span[0]) < 0
                    || (partEnd != null && Arrays.compareUnsigned(first, partEnd) >= 0))) {
                throw new KvSimChecks.Violation("client " + id + ": FIRST_KEYS of " + text(span[0]) + ".." + text(span[1])
                        + " in " + served + " answered " + text(first) + ", outside the span's part in the range");
            }
            for (int k = 0; k < sim.params().keys(); k++) {
                byte[] kb = bytes("k" + k);
                if (Arrays.compareUnsigned(kb, span[0]) < 0) {
                    continue;
                }
                if (first != null ? Arrays.compareUnsigned(kb, first) < 0
                        : partEnd == null || Arrays.compareUnsigned(kb, partEnd) < 0) {
                    sim.record(HistoryOp.completed(id, KvOp.exists("k" + k), callEvent, ret, "false"));
                } else if (first != null && Arrays.equals(kb, first)) {
                    sim.record(HistoryOp.completed(id, KvOp.exists("k" + k), callEvent, ret, "true"));
                }
            }
            boolean continues = first == null && partEnd != null && (span[1] == null || Arrays.compareUnsigned(partEnd, span[1]) < 0);
            if (continues) {
                span[0] = partEnd;
            } else {
                pendingSpans.remove(span);
            }
        }
        if (pendingSpans.isEmpty()) {
            finish();
            return;
        }
        key = pendingSpans.get(0)[0];
        send();
    }

    private static String text(byte[] key) {
        return key == null ? "end" : new String(key, StandardCharsets.UTF_8);
    }

    private void finishUnknown() {
        if (op != null && op.isWrite()) {
            sim.record(HistoryOp.timedOut(id, op, callEvent));
            if (role == Role.PROBE) {
                // The probe must see a write succeed: try again with a new value.
                begin(KvOp.put("probe", "live-" + id + "-" + nextValue++));
                return;
            }
        }
        finish();
    }

    private void finish() {
        op = null;
        scanning = false;
        filter = null;
        splitting = false;
        firstKeys = false;
        pendingSpans.clear();
        sentSpans.clear();
        retryAt = -1;
    }

    /** Ends the run: an operation still in flight is unknown if it writes, dropped if it reads. */
    @Override
    public void abandon() {
        if (op != null && op.isWrite()) {
            sim.record(HistoryOp.timedOut(id, op, callEvent));
        }
        finish();
    }
}
