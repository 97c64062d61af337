package io.starlingdb.testkit.kv;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.txn.Isolation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A simulated transaction client: it runs transactions one at a time, taking the steps of
 * {@code ClusterTransaction} against the simulated ranges (whose rules are the real
 * {@code RangeMvcc}): read at the start timestamp (resolving the locks met, {@link TxnGateway}),
 * buffer the writes, then commit in one {@code Write} if they fall in one range (and, under
 * SERIALIZABLE, nothing was read), else prewrite every key (the first in order is the primary),
 * heartbeat the primary every third of the TTL, take the commit timestamp, validate the reads
 * (SERIALIZABLE), commit the primary (the commit point; asked again up to three times when its
 * outcome is unknown), and commit the secondaries in the background.
 *
 * <p>Workloads: bank transfers between two accounts (read both, write both), snapshot reads that
 * scan every account, and list appends (read a list, write it with one more element; reads of
 * other lists) in a SNAPSHOT group and a SERIALIZABLE group of keys. Faults of the coordinator:
 * it stops forever after prewriting or after committing its first key (a replacement client
 * takes its place), or pauses for one to two TTLs after prewriting. The final reader reads every
 * key after the heal, resolving every lock left.
 */
final class TxnSimClient implements KvSimulation.Client {

    enum Role { WORKLOAD, FINAL_READER }

    private enum Fault { NONE, CRASH_AFTER_PREWRITE, CRASH_AFTER_FIRST_COMMIT, STALL_AFTER_PREWRITE }

    /** Times the commit of the primary is asked again when its outcome is unknown (ClusterTransaction.primaryCommitAttempts). */
    static final int primaryCommitAttempts = 3;

    private final int id;
    private final KvSimulation sim;
    private final Random random;
    private final Role role;
    private final TxnSimParams params;
    private final TxnStats stats;
    private final TxnGateway gateway;
    private boolean stopped;
    private boolean done;

    /** The transaction in progress (null: none). */
    private TxnRecord txn;
    private Fault fault = Fault.NONE;
    /** The timestamp its locks and one-phase write carry: the start timestamp, but in a broken variant. */
    private long writeTs;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    /** SERIALIZABLE: the spans read, [from, to). */
    private final List<byte[][]> readSpans = new ArrayList<>();
    private byte[] primary;
    private boolean heartbeating;
    private long nextHeartbeat;
    private long stallUntil = -1;
    /** What a coordinator stalled after answering a parallel commit does when it goes on (null: take the commit timestamp). */
    private Runnable afterStall;

    TxnSimClient(int id, KvSimulation sim, Random random, Role role, TxnSimParams params, TxnStats stats) {
        this.id = id;
        this.sim = sim;
        this.random = random;
        this.role = role;
        this.params = params;
        this.stats = stats;
        this.gateway = new TxnGateway(id, sim, random, stats, role == Role.FINAL_READER);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    boolean done() {
        return done;
    }

    @Override
    public boolean idle() {
        return stopped || (txn == null && !gateway.busy() && stallUntil < 0 && (role != Role.FINAL_READER || done));
    }

    @Override
    public void abandon() {
        if (txn != null && !stopped) {
            end(txn.kind == TxnRecord.Kind.SNAPSHOT_READ || writes.isEmpty() ? TxnRecord.Outcome.ABORTED
                    : TxnRecord.Outcome.UNKNOWN, "abandoned at the end of the run");
        }
        gateway.abandon();
        stopped = true;
    }

    @Override
    public void onResponse(KvSimulation.Response r) {
        if (!stopped) {
            gateway.onResponse(r);
        }
    }

    @Override
    public void onLookup(long reqId, RangeDescriptor d) {
        if (!stopped) {
            gateway.onLookup(reqId, d);
        }
    }

    @Override
    public void onTick(boolean chaos) {
        if (stopped) {
            return;
        }
        long now = sim.now();
        if (stallUntil >= 0) {
            if (now < stallUntil) {
                return; // paused: no heartbeats, no steps
            }
            stallUntil = -1;
            Runnable then = afterStall;
            afterStall = null;
            if (then != null) {
                then.run();
            } else {
                takeCommitTimestamp();
            }
        }
        gateway.tick();
        if (heartbeating && now >= nextHeartbeat) {
            heartbeat();
        }
        if (txn == null && !gateway.busy()) {
            if (role == Role.FINAL_READER && !done) {
                beginFinalRead();
            } else if (role == Role.WORKLOAD && chaos && random.nextDouble() < sim.params().clientRate()) {
                beginRandom();
            }
        }
    }

    // ------------------------------------------------------------------ workloads

    /** Takes a start timestamp from the oracle, then begins the transaction and runs then (nothing if no timestamp came). */
    private void begin(TxnRecord.Kind kind, Isolation isolation, Runnable then) {
        writes.clear();
        readSpans.clear();
        primary = null;
        fault = Fault.NONE;
        long asked = sim.now();
        timestamp(startTs -> {
            writeTs = startTs;
            txn = new TxnRecord(sim.nextTxnId(), id, kind, isolation, startTs, asked);
            then.run();
        }, () -> stats.unavailable++);
    }

    /**
     * One timestamp from the oracle, through the gateway (a TIMESTAMPS request routed to the
     * meta range's leaseholder, as TimestampClient asks; retried until the call's deadline);
     * failed runs if none came.
     */
    private void timestamp(java.util.function.LongConsumer then, Runnable failed) {
        byte[] k = KvSimulation.timestampMarkKey;
        gateway.call(k, false, d -> new TxnGateway.Req(KvSimulation.Kind.TIMESTAMPS, k, null, null, 0, 1), a -> {
            if (a.result() instanceof RangeResult.Timestamps t) {
                then.accept(t.first());
            } else if (!a.known()) {
                failed.run();
            } else {
                throw new KvSimChecks.Violation("client " + id + ": the oracle answered " + a.result());
            }
        });
    }

    private void beginRandom() {
        double r = random.nextDouble();
        if (r < 0.35) {
            int a = random.nextInt(params.accounts());
            int b = (a + 1 + random.nextInt(params.accounts() - 1)) % params.accounts();
            Isolation isolation = random.nextInt(10) < 7 ? Isolation.SNAPSHOT : Isolation.SERIALIZABLE;
            long amount = 1 + random.nextInt(20);
            begin(TxnRecord.Kind.TRANSFER, isolation, () -> readKeys(List.of("a" + a, "a" + b), 0, () -> {
                long from = balance(txn.reads.get("a" + a));
                long to = balance(txn.reads.get("a" + b));
                write("a" + a, Long.toString(from - amount));
                write("a" + b, Long.toString(to + amount));
                commit();
            }));
        } else if (r < 0.5) {
            begin(TxnRecord.Kind.SNAPSHOT_READ, random.nextBoolean() ? Isolation.SNAPSHOT : Isolation.SERIALIZABLE,
                    () -> scan(bytes("a"), bytes("b"), this::commit));
        } else {
            boolean serializable = random.nextBoolean();
            stats.listTransactions++;
            String group = serializable ? "s" : "l";
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < params.listKeys(); k++) {
                keys.add(group + k);
            }
            Collections.shuffle(keys, random);
            List<String> picked;
            List<String> appendTo = new ArrayList<>();
            if (serializable) {
                // Read two or three lists and append to one: the shape of write skew.
                picked = keys.subList(0, 2 + random.nextInt(Math.min(2, keys.size() - 1)));
                appendTo.add(picked.get(random.nextInt(picked.size())));
            } else {
                picked = keys.subList(0, 1 + random.nextInt(Math.min(3, keys.size())));
                for (String k : picked) {
                    if (random.nextBoolean()) {
                        appendTo.add(k);
                    }
                }
            }
            begin(TxnRecord.Kind.LIST, serializable ? Isolation.SERIALIZABLE : Isolation.SNAPSHOT,
                    () -> readKeys(new ArrayList<>(picked), 0, () -> {
                for (String k : appendTo) {
                    long element = sim.nextTxnId();
                    String before = txn.reads.get(k);
                    txn.appended.put(k, element);
                    write(k, before == null ? Long.toString(element) : before + "," + element);
                }
                commit();
            }));
        }
    }

    private void beginFinalRead() {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < params.listKeys(); k++) {
            keys.add("l" + k);
            keys.add("s" + k);
        }
        begin(TxnRecord.Kind.FINAL_READ, Isolation.SNAPSHOT, () -> scan(bytes("a"), bytes("b"), () -> readKeys(keys, 0, () -> {
            done = true;
            commit();
        })));
    }

    static long balance(String value) {
        return value == null ? TxnSimParams.initialBalance : Long.parseLong(value);
    }

    private void write(String key, String value) {
        writes.put(bytes(key), bytes(value));
        txn.writes.put(key, value);
    }

    // ------------------------------------------------------------------ reads

    private void readKeys(List<String> keys, int i, Runnable then) {
        if (i == keys.size()) {
            then.run();
            return;
        }
        String key = keys.get(i);
        byte[] k = bytes(key);
        long ts = txn.startTs;
        gateway.call(k, false, d -> new TxnGateway.Req(KvSimulation.Kind.GET, k, null, null, ts, 0), a -> {
            if (!(a.result() instanceof RangeResult.Value v)) {
                unavailable(a);
                return;
            }
            txn.reads.put(key, text(v.value()));
            readSpans.add(new byte[][] {k, Arrays.copyOf(k, k.length + 1)});
            readKeys(keys, i + 1, then);
        });
    }

    /** Reads [from, to) at the start timestamp, a page at a time, range by range. */
    private void scan(byte[] from, byte[] to, Runnable then) {
        long ts = txn.startTs;
        readSpans.add(new byte[][] {from, to});
        scanFrom(from, to, ts, then);
    }

    private void scanFrom(byte[] at, byte[] to, long ts, Runnable then) {
        gateway.call(at, false, d -> new TxnGateway.Req(KvSimulation.Kind.SCAN, at, to, null, ts, 0), a -> {
            if (!(a.result() instanceof RangeResult.Rows rows)) {
                unavailable(a);
                return;
            }
            for (RangeResult.KeyValue kv : rows.rows()) {
                txn.reads.put(text(kv.key()), text(kv.value()));
            }
            byte[] next = rows.resumeKey();
            if (next == null) {
                byte[] end = a.descriptor().end();
                next = end != null && Arrays.compareUnsigned(end, to) < 0 ? end : null;
            }
            if (next == null) {
                then.run();
            } else {
                scanFrom(next, to, ts, then);
            }
        });
    }

    private void unavailable(TxnGateway.Answer a) {
        if (a.known()) {
            throw new KvSimChecks.Violation("client " + id + ": unexpected answer " + a.result() + " in " + txn);
        }
        stats.unavailable++;
        end(TxnRecord.Outcome.ABORTED, "a read got no answer");
    }

    // ------------------------------------------------------------------ commit

    private void commit() {
        if (writes.isEmpty()) {
            txn.commitTs = txn.startTs;
            if (txn.kind != TxnRecord.Kind.FINAL_READ) {
                stats.readOnlyCommits++;
            }
            end(TxnRecord.Outcome.COMMITTED, "");
            return;
        }
        if (sim.chaos()) {
            double r = random.nextDouble();
            fault = r < params.crashAfterPrewriteRate() ? Fault.CRASH_AFTER_PREWRITE
                    : r < params.crashAfterPrewriteRate() + params.crashAfterCommitRate() ? Fault.CRASH_AFTER_FIRST_COMMIT
                    : r < params.crashAfterPrewriteRate() + params.crashAfterCommitRate() + params.stallRate()
                    ? Fault.STALL_AFTER_PREWRITE : Fault.NONE;
        }
        if (sim.broken(KvSimulation.Broken.PREWRITE_WITHOUT_CONFLICT_CHECK)) {
            timestamp(ts -> {
                writeTs = ts;
                commitWrites();
            }, () -> {
                stats.unavailable++;
                end(TxnRecord.Outcome.ABORTED, "no timestamp for the broken write");
            });
            return;
        }
        commitWrites();
    }

    private void commitWrites() {
        List<WriteOp> ops = ops(new ArrayList<>(writes.keySet()));
        primary = ops.get(0).key();
        byte[] last = ops.get(ops.size() - 1).key();
        if (txn.isolation == Isolation.SNAPSHOT || readsToValidate().isEmpty()) {
            gateway.call(primary, true, d -> d.contains(last)
                    ? TxnGateway.Req.write(new RangeCommand.Write(ops, writeTs, 0), primary) : null, a -> {
                if (a.spans()) {
                    prewrite();
                } else if (a.died()) {
                    end(TxnRecord.Outcome.ABORTED, "met an older transaction's lock (wait-die, one phase)");
                } else if (a.result() instanceof RangeResult.Written) {
                    stats.onePhaseCommits++;
                    end(TxnRecord.Outcome.COMMITTED, "one phase");
                } else if (a.result() instanceof RangeResult.WriteConflict) {
                    stats.conflicts++;
                    end(TxnRecord.Outcome.ABORTED, "write conflict (one phase)");
                } else if (!a.known()) {
                    stats.unknownOutcomes++;
                    end(TxnRecord.Outcome.UNKNOWN, "one-phase commit not answered");
                } else {
                    throw new KvSimChecks.Violation("client " + id + ": one-phase commit answered " + a.result() + " in " + txn);
                }
            }, writeTs);
        } else {
            prewrite();
        }
    }

    private List<WriteOp> ops(List<byte[]> keys) {
        List<WriteOp> ops = new ArrayList<>();
        for (byte[] k : keys) {
            ops.add(new WriteOp.Put(k, writes.get(k)));
        }
        return ops;
    }

    /**
     * Of the transactions that may commit in parallel, the share that commits its primary first
     * instead, standing in for those ClusterTransaction sends that way for their size (more keys
     * than RangeCommand.Prewrite.maxStagedKeys, or more bytes than one command): without them the
     * workload's two-phase commits would almost all be parallel (a SERIALIZABLE list transaction
     * writes one key), and the path that validates reads would go untested across ranges.
     */
    static final double primaryFirstShare = 0.3;

    private void prewrite() {
        if ((txn.isolation == Isolation.SNAPSHOT || readsToValidate().isEmpty())
                && random.nextDouble() >= primaryFirstShare) {
            prewriteInParallel(0);
            return;
        }
        long ttl = gateway.nowMillis() - HybridClock.physicalMillis(writeTs) + params.lockTtlMillis();
        String[] failure = {"no answer"};
        commitFloor = Long.MAX_VALUE;
        gateway.sendGrouped(new ArrayList<>(writes.keySet()),
                ks -> new RangeCommand.Prewrite(writeTs, primary, Math.max(1, ttl), "c" + id, ops(ks)), a -> {
                    if (a.result() instanceof RangeResult.Prewritten p) {
                        commitFloor = commitFloor == 0 ? 0 : commitFloor == Long.MAX_VALUE ? p.commitFloorTs()
                                : Math.max(commitFloor, p.commitFloorTs());
                        return true;
                    }
                    if (a.result() instanceof RangeResult.Written) {
                        commitFloor = 0;
                        return true;
                    }
                    failure[0] = a.died() ? "met an older transaction's lock (wait-die)" : String.valueOf(a.result());
                    return false;
                }, ok -> {
                    if (ok) {
                        afterPrewrite();
                    } else {
                        if (failure[0].startsWith("WriteConflict")) {
                            stats.conflicts++;
                        }
                        abort("prewrite failed: " + failure[0]);
                    }
                }, writeTs);
    }

    // ------------------------------------------------------------------ parallel commits

    /**
     * As ClusterTransaction.commitInParallel: prewrites every key, the primary's lock carrying the
     * STAGING record (the other keys), each lock a minCommitTs from its leaseholder; answers
     * "committed" once all are durable, at the largest minCommitTs; then commits the primary and
     * the others. A prewrite of unknown outcome is sent again (it answers the locks' own
     * minCommitTs). Faults: the coordinator stops after some of its prewrites (even transaction
     * ids) or after all of them before answering; or it answers and stops before committing the
     * primary; or it answers and pauses one to two TTLs before committing it.
     */
    private void prewriteInParallel(int attempt) {
        long ttl = Math.max(1, gateway.nowMillis() - HybridClock.physicalMillis(writeTs) + params.lockTtlMillis());
        byte[] p = primary;
        long ts = writeTs;
        List<byte[]> all = new ArrayList<>(writes.keySet());
        List<byte[]> others = new ArrayList<>(all.subList(1, all.size()));
        boolean early = sim.broken(KvSimulation.Broken.ANSWER_BEFORE_STAGING_DURABLE);
        long[] commitTs = {0};
        String[] failure = {null};
        boolean[] crashHere = {false};
        gateway.sendGrouped(early ? others : all, ks -> RangeCommand.Prewrite.parallel(ts, p, ttl, "c" + id, ops(ks),
                ks.stream().anyMatch(k -> Arrays.equals(k, p)) ? others : null), a -> {
                    if (a.result() instanceof RangeResult.Prewritten pw) {
                        commitTs[0] = Math.max(commitTs[0], pw.commitFloorTs());
                        if (fault == Fault.CRASH_AFTER_PREWRITE && txn.id % 2 == 0) {
                            crashHere[0] = true;
                            return false;
                        }
                        return true;
                    }
                    failure[0] = a.died() ? "met an older transaction's lock (wait-die)" : String.valueOf(a.result());
                    return false;
                }, ok -> {
                    if (crashHere[0]) {
                        crash("after some of its prewrites");
                    } else if (ok && early) {
                        answerBeforeStaging(p, ts, ttl, others, commitTs[0]);
                    } else if (ok) {
                        afterParallelPrewrite(p, ts, others, commitTs[0]);
                    } else if (failure[0] == null && attempt + 1 < primaryCommitAttempts) {
                        stats.prewriteRetries++;
                        prewriteInParallel(attempt + 1);
                    } else {
                        if (failure[0] != null && failure[0].startsWith("WriteConflict")) {
                            stats.conflicts++;
                        }
                        abandonParallel(failure[0] == null ? "a prewrite was not answered" : "prewrite failed: " + failure[0]);
                    }
                }, writeTs);
    }

    private void afterParallelPrewrite(byte[] p, long ts, List<byte[]> others, long commitTs) {
        txn.commitTs = commitTs;
        if (fault == Fault.CRASH_AFTER_PREWRITE) {
            crash("after all its prewrites, before answering");
            return;
        }
        Fault f = fault;
        stats.parallelCommits++;
        stats.twoPhaseCommits++;
        end(TxnRecord.Outcome.COMMITTED, "parallel commit");
        if (f == Fault.CRASH_AFTER_FIRST_COMMIT) {
            stopAfterAnswering();
            return;
        }
        Runnable commitRest = () -> commitPrimaryInBackground(p, ts, commitTs, others, 0);
        if (f == Fault.STALL_AFTER_PREWRITE) {
            stats.coordinatorStalls++;
            stallUntil = sim.now() + params.lockTtlTicks() + random.nextInt((int) params.lockTtlTicks() + 1);
            sim.trace("c" + id + " coordinator stalls after answering until t=" + stallUntil);
            afterStall = commitRest;
        } else {
            commitRest.run();
        }
    }

    /** Broken on purpose: answers "committed" with the other keys prewritten, then prewrites the primary's STAGING record. */
    private void answerBeforeStaging(byte[] p, long ts, long ttl, List<byte[]> others, long othersTs) {
        txn.commitTs = othersTs;
        List<WriteOp> primaryOps = ops(List.of(p));
        stats.parallelCommits++;
        stats.twoPhaseCommits++;
        end(TxnRecord.Outcome.COMMITTED, "answered before its STAGING record was durable");
        long[] commitTs = {othersTs};
        gateway.sendGrouped(List.of(p), ks -> RangeCommand.Prewrite.parallel(ts, p, ttl, "c" + id, primaryOps, others), a -> {
            if (a.result() instanceof RangeResult.Prewritten pw) {
                commitTs[0] = Math.max(commitTs[0], pw.commitFloorTs());
                return true;
            }
            return false;
        }, ok -> {
            if (ok) {
                commitPrimaryInBackground(p, ts, commitTs[0], others, 0);
            }
        });
    }

    /**
     * Commits a parallel commit's keys, all at once (one Commit per range, in a random order of
     * ranges, so the primary's is sometimes last), as ClusterTransaction.commitAllInBackground
     * does; sent again when some range's answer is unknown; left to readers after the attempts.
     */
    private void commitPrimaryInBackground(byte[] p, long ts, long commitTs, List<byte[]> others, int attempt) {
        List<byte[]> all = new ArrayList<>(others.size() + 1);
        all.add(p);
        all.addAll(others);
        gateway.sendBackgroundCommits(all, ks -> new RangeCommand.Commit(ts, commitTs, ks), a -> {
            if (a.known() && !(a.result() instanceof RangeResult.Written)) {
                throw new KvSimChecks.Violation("client " + id + ": transaction " + ts + " answered committed, but the"
                        + " commit of its keys answered " + a.result());
            }
            return a.known();
        }, ok -> {
            if (!ok && attempt + 1 < primaryCommitAttempts) {
                commitPrimaryInBackground(p, ts, commitTs, others, attempt + 1);
            }
        });
    }

    /**
     * After a parallel prewrite failed: rolls back the primary first (a recoverer that found every
     * lock may have committed it), then the rest; committed if the primary says so.
     */
    private void abandonParallel(String why) {
        byte[] p = primary;
        long ts = writeTs;
        List<byte[]> others = new ArrayList<>(writes.keySet());
        others.remove(0);
        gateway.call(p, true, d -> TxnGateway.Req.write(new RangeCommand.Rollback(ts, List.of(p)), p), a -> {
            if (a.result() instanceof RangeResult.Written) {
                abort(why);
            } else if (a.result() instanceof RangeResult.TxnStatus t && t.state() == RangeResult.TxnStatus.State.COMMITTED) {
                txn.commitTs = t.commitTs();
                stats.parallelCommits++;
                stats.twoPhaseCommits++;
                end(TxnRecord.Outcome.COMMITTED, "committed by a recoverer (" + why + ")");
                gateway.sendGrouped(others, ks -> new RangeCommand.Commit(ts, t.commitTs(), ks), x -> true, ok -> {
                });
            } else if (!a.known()) {
                stats.unknownOutcomes++;
                end(TxnRecord.Outcome.UNKNOWN, why + "; the rollback of its primary was not answered");
            } else {
                throw new KvSimChecks.Violation("client " + id + ": rolling back the primary answered " + a.result()
                        + " in " + txn);
            }
        });
    }

    /** The coordinator stops forever after answering a parallel commit, before committing its primary. */
    private void stopAfterAnswering() {
        stats.coordinatorCrashes++;
        sim.trace("c" + id + " coordinator CRASH after answering, before committing the primary");
        gateway.abandon();
        stopped = true;
        heartbeating = false;
        sim.replaceTxnClient(id);
    }

    private void afterPrewrite() {
        heartbeating = true;
        nextHeartbeat = sim.now() + Math.max(1, params.lockTtlTicks() / 3);
        if (fault == Fault.CRASH_AFTER_PREWRITE) {
            crash("after prewriting");
            return;
        }
        if (fault == Fault.STALL_AFTER_PREWRITE) {
            stats.coordinatorStalls++;
            stallUntil = sim.now() + params.lockTtlTicks() + random.nextInt((int) params.lockTtlTicks() + 1);
            sim.trace("c" + id + " T" + txn.id + " coordinator stalls until t=" + stallUntil);
            return;
        }
        takeCommitTimestamp();
    }

    /**
     * As ClusterTransaction.readsToValidate: every read but the point reads of keys the
     * transaction writes (its prewrite's conflict check and its lock cover those).
     */
    private List<byte[][]> readsToValidate() {
        List<byte[][]> out = new ArrayList<>();
        for (byte[][] span : readSpans) {
            boolean point = Arrays.equals(span[1], Arrays.copyOf(span[0], span[0].length + 1));
            if (!(point && writes.containsKey(span[0]))) {
                out.add(span);
            }
        }
        return out;
    }

    /**
     * The largest commit floor the prewrites' leaseholders gave (as ClusterTransaction.prewrite);
     * 0: some range gave none, so the commit timestamp comes from the oracle.
     */
    private long commitFloor;

    private void takeCommitTimestamp() {
        if (commitFloor != Long.MAX_VALUE && commitFloor > writeTs) {
            commitAt(commitFloor);
        } else {
            timestamp(this::commitAt, () -> {
                stats.unavailable++;
                abort("no commit timestamp from the oracle");
            });
        }
    }

    private void commitAt(long commitTs) {
        txn.commitTs = commitTs;
        toValidate = readsToValidate();
        if (txn.isolation == Isolation.SERIALIZABLE && !sim.broken(KvSimulation.Broken.SERIALIZABLE_WITHOUT_VALIDATION)) {
            validate(0, toValidate.isEmpty() ? null : toValidate.get(0)[0]);
        } else {
            commitPrimary(0);
        }
    }

    /** The reads the commit validates (set when it takes its commit timestamp). */
    private List<byte[][]> toValidate = List.of();

    /** Validates toValidate[i] from at, then the next spans; then commits. */
    private void validate(int i, byte[] at) {
        if (i == toValidate.size()) {
            commitPrimary(0);
            return;
        }
        byte[] to = toValidate.get(i)[1];
        long commitTs = txn.commitTs;
        gateway.call(at, false, d -> new TxnGateway.Req(KvSimulation.Kind.VALIDATE, at,
                d.end() == null || (to != null && Arrays.compareUnsigned(to, d.end()) <= 0) ? to : d.end(), null,
                writeTs, commitTs), a -> {
            if (a.result() instanceof RangeResult.Written) {
                byte[] end = a.descriptor().end();
                if (end != null && (to == null || Arrays.compareUnsigned(end, to) < 0)) {
                    validate(i, end);
                } else {
                    validate(i + 1, i + 1 < toValidate.size() ? toValidate.get(i + 1)[0] : null);
                }
            } else if (a.result() instanceof RangeResult.WriteConflict) {
                stats.validationFailures++;
                abort("read validation failed");
            } else if (a.died()) {
                abort("read validation met an older transaction's lock (wait-die)");
            } else if (!a.known()) {
                stats.unavailable++;
                abort("read validation got no answer");
            } else {
                throw new KvSimChecks.Violation("client " + id + ": validation answered " + a.result() + " in " + txn);
            }
        }, writeTs);
    }

    private void commitPrimary(int attempt) {
        List<byte[]> secondaries = new ArrayList<>(writes.keySet());
        secondaries.remove(0);
        if (sim.broken(KvSimulation.Broken.SECONDARY_BEFORE_PRIMARY) && attempt == 0 && !secondaries.isEmpty()) {
            // Broken on purpose: the secondaries are committed before the commit point.
            long commitTs = txn.commitTs;
            gateway.sendGrouped(secondaries, ks -> new RangeCommand.Commit(writeTs, commitTs, ks), a -> true, ok -> {
                if (fault == Fault.CRASH_AFTER_FIRST_COMMIT) {
                    crash("after committing the secondaries");
                } else {
                    sendPrimaryCommit(attempt, List.of());
                }
            });
            return;
        }
        sendPrimaryCommit(attempt, secondaries);
    }

    private void sendPrimaryCommit(int attempt, List<byte[]> secondaries) {
        long commitTs = txn.commitTs;
        gateway.call(primary, true, d -> TxnGateway.Req.write(new RangeCommand.Commit(writeTs, commitTs, List.of(primary)),
                primary), a -> {
            if (a.result() instanceof RangeResult.Written) {
                heartbeating = false;
                if (fault == Fault.CRASH_AFTER_FIRST_COMMIT) {
                    crash("after committing the primary");
                    return;
                }
                stats.twoPhaseCommits++;
                end(TxnRecord.Outcome.COMMITTED, "two phases");
                if (!secondaries.isEmpty()) {
                    gateway.sendGrouped(secondaries, ks -> new RangeCommand.Commit(writeTs, commitTs, ks), x -> true, ok -> {
                    });
                }
            } else if (a.result() instanceof RangeResult.TxnStatus) {
                heartbeating = false;
                stats.abortedAtCommit++;
                end(TxnRecord.Outcome.ABORTED, "rolled back by another before its commit");
            } else if (!a.known()) {
                if (attempt + 1 < primaryCommitAttempts) {
                    sendPrimaryCommit(attempt + 1, secondaries);
                } else {
                    heartbeating = false;
                    stats.unknownOutcomes++;
                    end(TxnRecord.Outcome.UNKNOWN, "the commit of the primary was not answered");
                }
            } else {
                throw new KvSimChecks.Violation("client " + id + ": commit answered " + a.result() + " in " + txn);
            }
        });
    }

    private void heartbeat() {
        nextHeartbeat = sim.now() + Math.max(1, params.lockTtlTicks() / 3);
        long now = gateway.nowMillis();
        long ttl = now - HybridClock.physicalMillis(writeTs) + params.lockTtlMillis();
        if (ttl < 0) {
            // The start timestamp is ahead of this clock by more than the TTL (the oracle's skew,
            // or its window after a failover): CheckStatus refuses a negative TTL, and
            // ClusterTransaction's heartbeat catches that and tries again at the next one. The
            // lock expires by its start timestamp, later than that next heartbeat.
            return;
        }
        byte[] p = primary;
        long ts = writeTs;
        gateway.call(p, true, d -> TxnGateway.Req.write(new RangeCommand.CheckStatus(p, ts, now, ttl, false), p), a -> {
        });
    }

    /** Ends the transaction as aborted and rolls its locks back in the background (best effort). */
    private void abort(String why) {
        heartbeating = false;
        long ts = writeTs;
        List<byte[]> keys = new ArrayList<>(writes.keySet());
        end(TxnRecord.Outcome.ABORTED, why);
        gateway.sendGrouped(keys, ks -> new RangeCommand.Rollback(ts, ks), a -> true, ok -> {
        });
    }

    /** The coordinator stops forever here; a new client takes its place. */
    private void crash(String where) {
        stats.coordinatorCrashes++;
        sim.trace("c" + id + " T" + txn.id + " coordinator CRASH " + where);
        end(TxnRecord.Outcome.UNKNOWN, "coordinator crashed " + where);
        gateway.abandon();
        stopped = true;
        heartbeating = false;
        sim.replaceTxnClient(id);
    }

    private void end(TxnRecord.Outcome outcome, String why) {
        TxnRecord t = txn;
        t.outcome = outcome;
        t.why = why;
        t.endTick = sim.now();
        txn = null;
        heartbeating = false;
        if (outcome == TxnRecord.Outcome.COMMITTED && (t.kind == TxnRecord.Kind.SNAPSHOT_READ || t.kind == TxnRecord.Kind.FINAL_READ)) {
            stats.snapshotReadsChecked++;
        }
        sim.recordTxn(t);
    }
}
