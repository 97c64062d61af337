package io.starlingdb.testkit.kv;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.range.RangeCache;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.StagingDecision;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The gateway of a simulated transaction client, as {@code DistSender} and {@code LockResolver}
 * are for {@code ClusterTransaction}: it routes each call to its range's leaseholder through its
 * own range cache, follows the hints (not leaseholder, range moved or split, proposal dropped),
 * and resolves the locks an answer names through their primaries (committed: roll forward;
 * aborted: remove; expired: roll back at the primary; pending: wait and ask again), then asks
 * again. A write whose attempt gets no answer has an unknown outcome and is not retried here:
 * the caller decides, as ClusterTransaction does. Everything is asynchronous, one step per tick,
 * so a run replays from its seed.
 */
final class TxnGateway {

    /**
     * A call's answer: result null means none (a write's outcome is unknown, or a read gave up;
     * spans: the keys no longer fit one range; died: it met a pending older transaction's lock
     * and gave up, wait-die).
     */
    record Answer(RangeResult result, RangeDescriptor descriptor, boolean spans, boolean died) {
        boolean known() {
            return result != null;
        }
    }

    /** What one attempt sends to the range d holding the call's key; null: the call's keys no longer fit one range. */
    interface Builder {
        Req build(RangeDescriptor d);
    }

    record Req(KvSimulation.Kind kind, byte[] key, byte[] endKey, RangeCommand command, long ts, long untilTs) {
        static Req write(RangeCommand c, byte[] key) {
            return new Req(KvSimulation.Kind.WRITE, key, null, c, 0, 0);
        }

        /** A committed transaction's commit, which the leaseholder may hold for the range's next proposal (RangeRpc's backgroundCommit). */
        static Req backgroundCommit(RangeCommand.Commit c, byte[] key) {
            return new Req(KvSimulation.Kind.WRITE, key, null, c, 0, KvSimulation.backgroundCommitMark);
        }
    }

    /** A call meeting locks of a pending transaction asks again after this many ticks (DistSender.lockWaitMillis). */
    static final int lockWaitTicks = 2;
    /** A call gives up after this many ticks (a read: unavailable; a write: outcome unknown). */
    static final int callDeadlineTicks = 400;

    private final int clientId;
    private final KvSimulation sim;
    private final Random random;
    private final TxnStats stats;
    private final RangeCache cache = new RangeCache();
    private final Map<Long, Call> byRequest = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private long nextReqId;
    private final java.util.function.LongSupplier clock;
    /**
     * Nodes that left a lookup of this gateway unanswered, asked no lookup until the tick given
     * (a destroyed node never answers), as KvSimClient: a gateway stops asking a silent store.
     */
    private final Map<Long, Long> silentUntil = new HashMap<>();
    /**
     * Measuring (the final reader): when each lock was first met; the longest time from then
     * until it was gone goes to stats.lockResolutionTicks. Per lock, not per transaction: a
     * reader learns of a transaction's locks one key at a time, and resolves only those it met
     * (the primary does not list the others), so a lock met later is measured from then.
     */
    private final Map<MetLock, Long> firstMet;

    TxnGateway(int clientId, KvSimulation sim, Random random, TxnStats stats, boolean measuring) {
        this(clientId, sim, random, stats, measuring, null);
    }

    /**
     * clock: the wall clock lock expiry is decided with (null: the sim's time; the recovery of a
     * dead coordinator's locks: the end of time). A gateway with a clock of its own numbers its
     * requests apart from one of the same client id without.
     */
    TxnGateway(int clientId, KvSimulation sim, Random random, TxnStats stats, boolean measuring,
               java.util.function.LongSupplier clock) {
        this.clock = clock;
        this.nextReqId = clock == null ? 1 : 1L << 40;
        this.clientId = clientId;
        this.sim = sim;
        this.random = random;
        this.stats = stats;
        this.firstMet = measuring ? new HashMap<>() : null;
    }

    private final class Call {
        final byte[] key;
        final boolean write;
        final Builder builder;
        final Consumer<Answer> done;
        /** The start timestamp of the transaction this call is for (0: none), for wait-die. */
        final long waiter;
        final long startedAt = sim.now();
        long reqId;
        long attemptAt;
        long retryAt = -1;
        /** The node the lookup in flight went to (0: the attempt in flight is no lookup). */
        long lookupNode;
        boolean attemptIsWrite;
        boolean resolving;
        boolean finished;

        Call(byte[] key, boolean write, Builder builder, Consumer<Answer> done, long waiter) {
            this.key = key;
            this.write = write;
            this.builder = builder;
            this.done = done;
            this.waiter = waiter;
        }
    }

    /** The wall clock of this client, in milliseconds: the sim's time. */
    long nowMillis() {
        return clock != null ? clock.getAsLong() : sim.now() * KvSimulation.millisPerTick;
    }

    boolean busy() {
        return !calls.isEmpty();
    }

    /** Drops every call in flight without answering it (the client stopped). */
    void abandon() {
        for (Call c : calls) {
            c.finished = true;
        }
        calls.clear();
        byRequest.clear();
    }

    void call(byte[] key, boolean write, Builder builder, Consumer<Answer> done) {
        call(key, write, builder, done, 0);
    }

    /**
     * A call on behalf of the transaction started at waiter, which waits for the pending
     * transactions whose locks it meets only if they are younger; meeting an older one, it gives
     * up (wait-die, as DistSender does for one-phase commits, prewrites and validations).
     */
    void call(byte[] key, boolean write, Builder builder, Consumer<Answer> done, long waiter) {
        Call c = new Call(key, write, builder, done, waiter);
        calls.add(c);
        send(c);
    }

    private void finish(Call c, Answer a) {
        if (c.finished) {
            return;
        }
        c.finished = true;
        calls.remove(c);
        byRequest.remove(c.reqId);
        c.done.accept(a);
    }

    void tick() {
        long now = sim.now();
        for (Call c : new ArrayList<>(calls)) {
            if (c.finished || c.resolving) {
                continue;
            }
            if (now - c.startedAt >= callDeadlineTicks) {
                finish(c, new Answer(null, null, false, false));
            } else if (c.retryAt >= 0 && now >= c.retryAt) {
                c.retryAt = -1;
                send(c);
            } else if (c.retryAt < 0 && now - c.attemptAt >= KvSimulation.attemptTimeoutTicks) {
                // As DistSender: an attempt without an answer forgets the leaseholder, a write's
                // too. Otherwise the next call asks the same silent node again, forever if it is
                // gone: in seed 3594 a coordinator checked a primary's status at a destroyed node
                // for 250 ticks, and the final reads, which wait for it, started too late.
                RangeDescriptor d = cache.lookup(c.key);
                if (d != null) {
                    cache.setLeaseholder(d.rangeId(), 0);
                }
                if (c.lookupNode != 0) {
                    silentUntil.put(c.lookupNode, now + 5L * KvSimulation.attemptTimeoutTicks);
                }
                if (c.attemptIsWrite) {
                    finish(c, new Answer(null, null, false, false)); // no answer: it may or may not have applied
                } else {
                    send(c);
                }
            }
        }
    }

    private void send(Call c) {
        byRequest.remove(c.reqId);
        c.reqId = nextReqId++;
        c.attemptAt = sim.now();
        c.attemptIsWrite = false;
        c.lookupNode = 0;
        byRequest.put(c.reqId, c);
        RangeDescriptor d = cache.lookup(c.key);
        if (d == null) {
            c.lookupNode = lookupTarget();
            sim.sendLookup(clientId, c.reqId, c.lookupNode, c.key);
            return;
        }
        Req q = c.builder.build(d);
        if (q == null) {
            finish(c, new Answer(null, d, true, false));
            return;
        }
        long target = cache.leaseholder(d.rangeId());
        if (target == 0) {
            List<Long> voters = new ArrayList<>(d.conf().voters());
            target = voters.get(random.nextInt(voters.size()));
        }
        c.attemptIsWrite = q.kind() == KvSimulation.Kind.WRITE;
        sim.sendRequest(new KvSimulation.Request(clientId, c.reqId, target, d.rangeId(), q.kind(), q.key(), q.endKey(),
                q.command(), q.ts(), q.untilTs()));
    }

    /**
     * A node to ask for a lookup, drawn from those that have not left one of this gateway's
     * lookups unanswered lately (all of them if every one has). Drawn from all nodes, a reader
     * kept asking a destroyed node, an attempt timeout each time (KV seeds 4168 and 6745). With
     * no node silent, the draw is the one made before (same random numbers, same schedule).
     */
    private long lookupTarget() {
        long now = sim.now();
        List<Long> candidates = new ArrayList<>();
        for (long n = 1; n <= sim.params().nodes(); n++) {
            if (silentUntil.getOrDefault(n, 0L) <= now) {
                candidates.add(n);
            }
        }
        if (candidates.isEmpty()) {
            silentUntil.clear();
            for (long n = 1; n <= sim.params().nodes(); n++) {
                candidates.add(n);
            }
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private void retrySoon(Call c) {
        c.retryAt = sim.now() + 2 + random.nextInt(4);
    }

    void onLookup(long reqId, RangeDescriptor d) {
        Call c = byRequest.get(reqId);
        if (c == null || c.finished) {
            return;
        }
        if (d != null) {
            cache.update(d);
            send(c);
        } else {
            retrySoon(c);
        }
    }

    void onResponse(KvSimulation.Response r) {
        Call c = byRequest.get(r.reqId());
        if (c == null || c.finished || c.resolving) {
            return;
        }
        byRequest.remove(r.reqId());
        if (r.descriptor() != null) {
            cache.update(r.descriptor());
        }
        RangeDescriptor d = cache.lookup(c.key);
        long range = d == null ? 0 : d.rangeId();
        switch (r.status()) {
            case NOT_LEASEHOLDER -> {
                cache.setLeaseholder(range, r.leaderHint() == r.node() ? 0 : r.leaderHint());
                if (r.leaderHint() != 0 && r.leaderHint() != r.node()) {
                    send(c);
                } else {
                    retrySoon(c);
                }
            }
            case RANGE_NOT_FOUND -> {
                if (d != null) {
                    cache.evict(d);
                }
                retrySoon(c);
            }
            case DROPPED -> retrySoon(c);
            case UNKNOWN -> finish(c, new Answer(null, null, false, false));
            case OK -> {
                cache.setLeaseholder(range, r.node());
                onResult(c, r);
            }
        }
    }

    private void onResult(Call c, KvSimulation.Response r) {
        RangeResult result = r.result();
        if (result instanceof RangeResult.KeyMismatch m) {
            RangeDescriptor stale = cache.lookup(c.key);
            cache.update(m.current());
            if (stale != null && cache.lookup(c.key) == stale) {
                cache.evict(stale);
            }
            send(c);
            return;
        }
        if (result instanceof RangeResult.Locked l) {
            c.resolving = true;
            resolve(l.locks(), allGone -> {
                c.resolving = false;
                if (c.finished) {
                    return;
                }
                if (allGone) {
                    send(c);
                } else if (c.waiter > 0 && l.locks().stream().anyMatch(x -> x.startTs() < c.waiter)) {
                    stats.waitDie++;
                    finish(c, new Answer(null, null, false, true));
                } else {
                    c.retryAt = sim.now() + lockWaitTicks;
                }
            });
            return;
        }
        finish(c, new Answer(result, r.descriptor(), false, false));
    }

    // ------------------------------------------------------------------ several ranges

    /**
     * Sends cmdFor(keys of one range) to each range holding some of keys, one range after
     * another in a random order (so a transaction's primary is sometimes locked last), until
     * every key was answered or goOn refuses an answer; done gets whether all were.
     */
    void sendGrouped(List<byte[]> keys, Function<List<byte[]>, RangeCommand> cmdFor, Predicate<Answer> goOn,
                     Consumer<Boolean> done) {
        sendGrouped(keys, cmdFor, goOn, done, 0);
    }

    /** {@link #sendGrouped} on behalf of the transaction started at waiter: see {@link #call(byte[], boolean, Builder, Consumer, long)}. */
    void sendGrouped(List<byte[]> keys, Function<List<byte[]>, RangeCommand> cmdFor, Predicate<Answer> goOn,
                     Consumer<Boolean> done, long waiter) {
        sendRest(new ArrayList<>(keys), cmdFor, goOn, done, waiter, false);
    }

    /** {@link #sendGrouped} of a committed transaction's commits, each sent as a background commit ({@link Req#backgroundCommit}). */
    void sendBackgroundCommits(List<byte[]> keys, Function<List<byte[]>, RangeCommand> cmdFor, Predicate<Answer> goOn,
                               Consumer<Boolean> done) {
        sendRest(new ArrayList<>(keys), cmdFor, goOn, done, 0, true);
    }

    private void sendRest(List<byte[]> remaining, Function<List<byte[]>, RangeCommand> cmdFor, Predicate<Answer> goOn,
                          Consumer<Boolean> done, long waiter, boolean background) {
        if (remaining.isEmpty()) {
            done.accept(true);
            return;
        }
        byte[] route = remaining.get(random.nextInt(remaining.size()));
        List<List<byte[]>> sent = new ArrayList<>(List.of(List.of()));
        call(route, true, d -> {
            List<byte[]> part = new ArrayList<>();
            for (byte[] k : remaining) {
                if (d.contains(k)) {
                    part.add(k);
                }
            }
            sent.set(0, part);
            RangeCommand cmd = cmdFor.apply(part);
            return background && cmd instanceof RangeCommand.Commit c ? Req.backgroundCommit(c, route) : Req.write(cmd, route);
        }, a -> {
            if ((!a.known() && !a.died()) || !goOn.test(a)) {
                done.accept(false);
                return;
            }
            List<byte[]> rest = new ArrayList<>(remaining);
            rest.removeIf(k -> sent.get(0).stream().anyMatch(s -> Arrays.equals(s, k)));
            sendRest(rest, cmdFor, goOn, done, waiter, background);
        }, waiter);
    }

    // ------------------------------------------------------------------ resolving locks

    private record Holder(long startTs, ByteBuffer primary) {
    }

    private record MetLock(long startTs, ByteBuffer key) {
    }

    /**
     * As LockResolver.resolve: through each transaction's primary, one transaction after
     * another; done gets true if every lock is gone, false if one is pending (or an answer
     * was missing) and the caller should wait and ask again.
     */
    void resolve(List<RangeResult.LockInfo> locks, Consumer<Boolean> done) {
        Map<Holder, List<RangeResult.LockInfo>> byTxn = new LinkedHashMap<>();
        for (RangeResult.LockInfo l : locks) {
            Holder h = new Holder(l.startTs(), ByteBuffer.wrap(l.primary()));
            byTxn.computeIfAbsent(h, x -> new ArrayList<>()).add(l);
            if (firstMet != null) {
                // Counted from when it was met, or from its start timestamp's physical time if that
                // is later: a lock expires by its start timestamp, which may be ahead of the
                // clocks (an oracle's clock skew; after a failover, up to the oracle's window).
                firstMet.putIfAbsent(new MetLock(l.startTs(), ByteBuffer.wrap(l.key())),
                        Math.max(sim.now(), HybridClock.physicalMillis(l.startTs()) / KvSimulation.millisPerTick));
            }
        }
        resolveFrom(new ArrayList<>(byTxn.values()), 0, true, done);
    }

    /** ok: these locks of the transaction started at startTs are gone; measured if measuring. */
    private boolean gone(long startTs, List<byte[]> keys, boolean ok) {
        if (firstMet == null || !ok) {
            return ok;
        }
        for (byte[] key : keys) {
            Long met = firstMet.get(new MetLock(startTs, ByteBuffer.wrap(key)));
            if (met != null) {
                stats.lockResolutionTicks = Math.max(stats.lockResolutionTicks, sim.now() - met);
            }
        }
        return ok;
    }

    private void resolveFrom(List<List<RangeResult.LockInfo>> groups, int i, boolean all, Consumer<Boolean> done) {
        if (i == groups.size()) {
            done.accept(all);
            return;
        }
        List<RangeResult.LockInfo> held = groups.get(i);
        long startTs = held.get(0).startTs();
        byte[] primary = held.get(0).primary();
        long now = nowMillis();
        boolean expired = held.stream().anyMatch(l -> now > HybridClock.physicalMillis(l.startTs()) + l.ttlMillis());
        List<byte[]> keys = held.stream().map(RangeResult.LockInfo::key).toList();
        if (sim.broken(KvSimulation.Broken.EXPIRED_COORDINATOR_COMMITS) && expired
                && keys.stream().noneMatch(k -> Arrays.equals(k, primary))) {
            // Broken on purpose: the expired secondaries are removed without a rollback at the
            // primary, whose coordinator may therefore still commit.
            stats.rolledBack++;
            sendGrouped(keys, ks -> new RangeCommand.Rollback(startTs, ks), a -> true,
                    ok -> resolveFrom(groups, i + 1, all && gone(startTs, keys, ok), done));
            return;
        }
        call(primary, true, d -> Req.write(new RangeCommand.CheckStatus(primary, startTs, now, 0, expired), primary), a -> {
            if (!(a.result() instanceof RangeResult.TxnStatus st)) {
                resolveFrom(groups, i + 1, false, done);
                return;
            }
            if (st.state() == RangeResult.TxnStatus.State.STAGING) {
                decideStaging(primary, startTs, st, decided -> {
                    if (decided == null) {
                        resolveFrom(groups, i + 1, false, done);
                    } else {
                        act(groups, i, all, done, decided, expired);
                    }
                });
                return;
            }
            act(groups, i, all, done, st, expired);
        });
    }

    /** Acts on the status of the transaction holding groups[i]: roll its locks forward, back, or leave them. */
    private void act(List<List<RangeResult.LockInfo>> groups, int i, boolean all, Consumer<Boolean> done,
                     RangeResult.TxnStatus st, boolean expired) {
        List<RangeResult.LockInfo> held = groups.get(i);
        long startTs = held.get(0).startTs();
        List<byte[]> keys = held.stream().map(RangeResult.LockInfo::key).toList();
        switch (st.state()) {
            case COMMITTED -> {
                stats.rolledForward++;
                sendGrouped(keys, ks -> new RangeCommand.Commit(startTs, st.commitTs(), ks), x -> true,
                        ok -> resolveFrom(groups, i + 1, all && gone(startTs, keys, ok), done));
            }
            case ABORTED -> {
                stats.rolledBack++;
                if (expired) {
                    stats.expiredRolledBack++;
                }
                sendGrouped(keys, ks -> new RangeCommand.Rollback(startTs, ks), x -> true,
                        ok -> resolveFrom(groups, i + 1, all && gone(startTs, keys, ok), done));
            }
            default -> resolveFrom(groups, i + 1, false, done);
        }
    }

    /**
     * As LockResolver.decideStaging: checks every key the STAGING record lists (CheckPrewrite,
     * which prevents a missing prewrite), then commits the primary at the largest minCommitTs or
     * rolls it back ({@link StagingDecision}); done gets the outcome the primary shows after
     * (committed or aborted), or null if an answer was missing (asked again on the next round).
     */
    private void decideStaging(byte[] primary, long startTs, RangeResult.TxnStatus staging,
                               Consumer<RangeResult.TxnStatus> done) {
        StagingDecision decision = new StagingDecision(staging);
        if (sim.broken(KvSimulation.Broken.STAGING_COMMITTED_WITHOUT_CHECK)) {
            // Broken on purpose: the record is taken as committed without checking the listed prewrites.
            atPrimary(primary, startTs, decision.outcome(), done);
            return;
        }
        sendGrouped(staging.stagedKeys(), ks -> new RangeCommand.CheckPrewrite(startTs, ks), a -> {
            decision.add(a.result());
            return true;
        }, ok -> {
            if (ok) {
                atPrimary(primary, startTs, decision.outcome(), done);
            } else {
                done.accept(null);
            }
        });
    }

    private void atPrimary(byte[] primary, long startTs, StagingDecision.Outcome outcome,
                           Consumer<RangeResult.TxnStatus> done) {
        RangeCommand c = outcome instanceof StagingDecision.Outcome.Commit commit
                ? new RangeCommand.Commit(startTs, commit.commitTs(), List.of(primary))
                : new RangeCommand.Rollback(startTs, List.of(primary));
        call(primary, true, d -> Req.write(c, primary), a -> {
            if (a.result() instanceof RangeResult.Written) {
                if (c instanceof RangeCommand.Commit commit) {
                    stats.stagingCommitted++;
                    done.accept(new RangeResult.TxnStatus(RangeResult.TxnStatus.State.COMMITTED, commit.commitTs(), 0));
                } else {
                    stats.stagingAborted++;
                    done.accept(new RangeResult.TxnStatus(RangeResult.TxnStatus.State.ABORTED, 0, 0));
                }
            } else if (a.result() instanceof RangeResult.TxnStatus t) {
                done.accept(t); // the other step was done first
            } else if (!a.known()) {
                done.accept(null);
            } else {
                throw new KvSimChecks.Violation("the primary of transaction " + startTs + " answered " + a.result()
                        + " to " + c);
            }
        });
    }
}
