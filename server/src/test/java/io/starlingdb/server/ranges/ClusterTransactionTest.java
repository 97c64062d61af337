package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.LockResolver;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.TransactionTooOldException;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.TransactionStepTimes;
import io.starlingdb.engine.txn.WriteConflictException;
import io.starlingdb.server.StarlingNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions across ranges on three nodes on loopback, through a StarlingClient: snapshot
 * reads, one- and two-phase commits, write-write conflicts, write skew under SERIALIZABLE, and
 * locks left by a coordinator that stopped, resolved by the readers that meet them.
 */
class ClusterTransactionTest {

    @TempDir
    Path dir;

    private ThreeNodeCluster cluster;
    private StarlingNode[] nodes;
    private StarlingClient client;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] num(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long num(byte[] v) {
        return ByteBuffer.wrap(v).getLong();
    }

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ThreeNodeCluster.start(dir, "testing");
        nodes = cluster.nodes;
        client = cluster.connect();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs body in a new transaction until it commits (40001: again); returns the attempts it took. */
    private int inTransaction(Isolation isolation, java.util.function.Consumer<ClusterTransaction> body) {
        for (int attempt = 1; ; attempt++) {
            try (ClusterTransaction t = client.begin(isolation)) {
                body.accept(t);
                t.commit();
                return attempt;
            } catch (WriteConflictException e) {
                assertTrue(attempt < 1_000, "no commit after 1,000 attempts: " + e.getMessage());
            }
        }
    }

    @Test
    void transfersAcrossRangesKeepTheTotalInEverySnapshotAndNoneIsLostOrDoubled() throws Exception {
        int accounts = 8;
        inTransaction(Isolation.SNAPSHOT, t -> {
            for (int i = 0; i < accounts; i++) {
                t.put(b("acct" + i), num(100));
            }
        });
        client.split(b("acct4")); // the accounts live in two ranges: transfers between them take two phases
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger transfers = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Long> moved = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Random random = new Random(w);
            threads.add(new Thread(() -> {
                try {
                    while (running.get()) {
                        int from = random.nextInt(accounts);
                        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                        long amount = 1 + random.nextInt(10);
                        inTransaction(Isolation.SERIALIZABLE, t -> {
                            long a = num(t.get(b("acct" + from)));
                            long c = num(t.get(b("acct" + to)));
                            t.put(b("acct" + from), num(a - amount));
                            t.put(b("acct" + to), num(c + amount));
                        });
                        transfers.incrementAndGet();
                        moved.add(amount);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        int snapshots = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline && failure.get() == null) {
            try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT); KvCursor c = t.scan(b("acct"), b("acct~"))) {
                long total = 0;
                int n = 0;
                while (c.next()) {
                    total += num(c.value());
                    n++;
                }
                assertEquals(accounts, n);
                assertEquals(100L * accounts, total, "a snapshot saw a transfer half done");
                snapshots++;
            }
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(transfers.get() > 0 && snapshots > 0, transfers + " transfers, " + snapshots + " snapshots");
        long total = 0;
        for (byte[] v : client.getAll(java.util.stream.IntStream.range(0, accounts).mapToObj(i -> b("acct" + i)).toList())) {
            total += num(v);
        }
        assertEquals(100L * accounts, total, "after " + transfers + " transfers (" + snapshots + " snapshots)");
    }

    @Test
    void firstKeysOfManySpansFollowASpanIntoTheNextRangeAndSeeOwnWrites() {
        inTransaction(Isolation.SNAPSHOT, t -> {
            for (String k : List.of("u/a1", "u/c5", "u/e7")) {
                t.put(b(k), num(1));
            }
        });
        client.split(b("u/c"));
        client.split(b("u/e"));
        try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT)) {
            java.util.function.Function<List<byte[]>, List<String>> text = keys -> keys.stream()
                    .map(k -> k == null ? null : new String(k, java.nio.charset.StandardCharsets.UTF_8)).toList();
            List<byte[]> tos = new ArrayList<>(java.util.Arrays.asList(b("u/b"), b("u/d"), b("u/c"), null));
            List<byte[]> froms = List.of(b("u/a"), b("u/b"), b("u/a2"), b("u/d"));
            // [u/a, u/b) in the first range; [u/b, u/d) found in the second after nothing in the first;
            // [u/a2, u/c) empty up to the first range's end; [u/d, end) found in the third range.
            assertEquals(java.util.Arrays.asList("u/a1", "u/c5", null, "u/e7"), text.apply(t.firstKeys(froms, tos)));
            t.put(b("u/b1"), num(2));
            t.delete(b("u/a1"));
            assertEquals(java.util.Arrays.asList(null, "u/b1", "u/b1", "u/e7"), text.apply(t.firstKeys(froms, tos)),
                    "the transaction's own writes count");
        }
    }

    @Test
    void snapshotReadsIgnoreLaterCommitsAndSeeOwnWrites() {
        client.put(b("k1"), b("old"));
        try (ClusterTransaction reader = client.begin(Isolation.SNAPSHOT)) {
            client.put(b("k1"), b("new"));
            inTransaction(Isolation.SNAPSHOT, t -> t.put(b("k2"), b("later")));
            assertArrayEquals(b("old"), reader.get(b("k1")), "a snapshot read ignores what committed after its start");
            assertNull(reader.get(b("k2")));
            reader.put(b("k3"), b("mine"));
            assertArrayEquals(b("mine"), reader.get(b("k3")));
            reader.commit();
        }
        assertArrayEquals(b("new"), client.get(b("k1")));
        assertArrayEquals(b("mine"), client.get(b("k3")));
    }

    /**
     * A transaction that started below a range's GC threshold (one that ran longer than
     * txn.max.duration.ms, which GC counts on) can neither read that range nor commit a write to
     * it: GC may have removed what it would read, or a deletion its conflict check needs. Other
     * ranges still serve it; its retry, with a new start timestamp, succeeds.
     */
    @Test
    void aTransactionThatStartedBelowARangesGcThresholdIsRefusedThereAndItsRetrySucceeds() throws Exception {
        client.split(b("m"));
        client.put(b("a-old"), b("1"));
        client.put(b("z-old"), b("1"));
        DistSender gateway = nodes[1].ranges().gateway();
        try (ClusterTransaction old = client.begin(Isolation.SNAPSHOT)) {
            long threshold = client.timestamp();
            assertInstanceOf(RangeResult.Written.class, gateway.request(b("a-old"), d -> RangeRpc.Request.write(d.rangeId(),
                    new RangeCommand.Gc(threshold, List.of(b("a-old")))), true).result());
            assertArrayEquals(b("1"), old.get(b("z-old")), "the other range has no GC threshold");
            assertThrows(TransactionTooOldException.class, () -> old.get(b("a-old")));
            assertThrows(TransactionTooOldException.class, () -> old.getAll(List.of(b("z-old"), b("a-old"))),
                    "a read fanned out over both ranges");
            old.put(b("a-old"), b("2"));
            old.put(b("z-old"), b("2"));
            RuntimeException refused = assertThrows(RuntimeException.class, old::commit);
            assertTrue(refused instanceof TransactionTooOldException || refused instanceof WriteConflictException,
                    "a retryable refusal, not " + refused);
        }
        assertArrayEquals(b("1"), client.get(b("a-old")), "nothing of it was written");
        assertArrayEquals(b("1"), client.get(b("z-old")));
        try (ClusterTransaction old = client.begin(Isolation.SNAPSHOT)) {
            long threshold = client.timestamp();
            gateway.request(b("a-old"), d -> RangeRpc.Request.write(d.rangeId(),
                    new RangeCommand.Gc(threshold, List.of(b("a-old")))), true);
            old.put(b("a-old"), b("3"));
            assertThrows(TransactionTooOldException.class, old::commit, "a one-phase commit in the range");
        }
        assertEquals(1, inTransaction(Isolation.SERIALIZABLE, t -> {
            assertArrayEquals(b("1"), t.get(b("a-old")));
            t.put(b("a-old"), b("4"));
        }), "the retry starts above the threshold");
        assertArrayEquals(b("4"), client.get(b("a-old")));
    }

    /** The step times the bench prints show each step a transaction took: a transfer's two phases, and no validation. */
    @Test
    void stepTimesCountTheStepsOfATwoRangeTransferThatAnswersOnceItsPrewritesAreDurableAndOfAOnePhaseCommit() {
        client.put(b("a1"), num(10));
        client.put(b("z1"), num(10));
        client.split(b("m")); // a1 and z1 in two ranges: a transfer between them commits in two phases
        TransactionStepTimes steps = client.transactions().stepTimes();
        steps.reset();
        inTransaction(Isolation.SERIALIZABLE, t -> {
            List<byte[]> v = t.getAll(List.of(b("a1"), b("z1")));
            t.put(b("a1"), num(num(v.get(0)) - 1));
            t.put(b("z1"), num(num(v.get(1)) + 1));
        });
        Map<TransactionStepTimes.Step, Long> counts = new HashMap<>();
        for (TransactionStepTimes.Total t : steps.totals()) {
            counts.put(t.step(), t.count());
            assertTrue(t.count() == 0 || t.nanos() > 0, t.toString());
        }
        long attempts = counts.get(TransactionStepTimes.Step.START_TIMESTAMP);
        assertTrue(attempts >= 1, "a start timestamp per attempt: " + counts);
        assertEquals(attempts, counts.get(TransactionStepTimes.Step.READ), "one getAll per attempt: " + counts);
        assertEquals(1, counts.get(TransactionStepTimes.Step.PREWRITE), "one prewrite of both ranges: " + counts);
        assertEquals(0, counts.get(TransactionStepTimes.Step.COMMIT_PRIMARY),
                "a parallel commit answers once its prewrites are durable; its primary is committed after: " + counts);
        assertEquals(0, counts.get(TransactionStepTimes.Step.VALIDATE), "a transfer reads only keys it writes: " + counts);
        assertEquals(0, counts.get(TransactionStepTimes.Step.COMMIT_TIMESTAMP),
                "the commit timestamp is the largest minCommitTs the prewrites answered, not the oracle's after them: "
                        + counts);
        assertEquals(0, counts.get(TransactionStepTimes.Step.ONE_PHASE_COMMIT), counts.toString());
        // The commit of both keys after the answer: one background step, awaited so that it lands before the reset.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (steps.totals().get(TransactionStepTimes.Step.BACKGROUND_COMMIT.ordinal()).count() < 1) {
            assertTrue(System.nanoTime() < deadline, "no background commit of the transfer's keys: " + steps.totals());
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(1, steps.totals().get(TransactionStepTimes.Step.BACKGROUND_COMMIT.ordinal()).count(),
                "one background commit for both keys: " + steps.totals());
        steps.reset();
        inTransaction(Isolation.SNAPSHOT, t -> t.put(b("a1"), num(num(t.get(b("a1"))) + 1)));
        for (TransactionStepTimes.Total t : steps.totals()) {
            boolean expected = t.step() == TransactionStepTimes.Step.ONE_PHASE_COMMIT
                    || t.step() == TransactionStepTimes.Step.START_TIMESTAMP || t.step() == TransactionStepTimes.Step.READ;
            assertEquals(expected, t.count() > 0, "a one-range read-modify-write commits in one phase: " + steps.totals());
        }
        assertEquals(10, num(client.get(b("a1"))), "the transfer took 1 from a1 and the increment gave it back");
        assertEquals(11, num(client.get(b("z1"))), "the transfer gave z1 1");
    }

    @Test
    void aTransfersBackgroundCommitRidesOnTheNextTransfersPrewriteAndReadersSeeItWithoutWaiting() {
        int pairs = 12;
        for (int i = 0; i < pairs; i++) {
            client.put(b("a" + i), num(100));
            client.put(b("z" + i), num(100));
        }
        client.split(b("m")); // a* and z* in two ranges: each transfer is a parallel commit over both
        // Held until a proposal of the range carries them or a request needs them: never by their timer here.
        for (int i = 1; i <= 3; i++) {
            nodes[i].ranges().store().commitDeferralMillis(600_000);
        }
        for (int i = 0; i < pairs; i++) {
            int pair = i;
            inTransaction(Isolation.SERIALIZABLE, t -> {
                List<byte[]> v = t.getAll(List.of(b("a" + pair), b("z" + pair)));
                t.put(b("a" + pair), num(num(v.get(0)) - pair));
                t.put(b("z" + pair), num(num(v.get(1)) + pair));
            });
        }
        long carried = 0;
        for (int i = 1; i <= 3; i++) {
            carried += nodes[i].ranges().store().commitsCarried();
        }
        // Each transfer's commit of a range rides on a later transfer's prewrite there (the first
        // after it arrived), never on a timer: without the hold, each would be a proposal of its own.
        assertTrue(carried >= pairs - 2, "background commits carried by the next prewrites: " + carried);
        // A reader of keys whose commit is still held has it proposed and reads the commit.
        for (int i = 0; i < pairs; i++) {
            assertEquals(100 - i, num(client.get(b("a" + i))), "a" + i);
            assertEquals(100 + i, num(client.get(b("z" + i))), "z" + i);
        }
        assertEquals(List.of(), client.locks(b("a"), null, 100), "every lock was committed");
    }

    @Test
    void concurrentWritersOfOneKeyCannotBothCommit() {
        client.put(b("counter"), num(0));
        ClusterTransaction first = client.begin(Isolation.SNAPSHOT);
        ClusterTransaction second = client.begin(Isolation.SNAPSHOT);
        first.put(b("counter"), num(num(first.get(b("counter"))) + 1));
        second.put(b("counter"), num(num(second.get(b("counter"))) + 1));
        first.commit();
        WriteConflictException e = assertThrows(WriteConflictException.class, second::commit);
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
        assertEquals(1, num(client.get(b("counter"))), "the lost update was refused");
    }

    /** One way a transaction commits, and a step it records when it commits that way. */
    private record Way(String name, Isolation isolation, java.util.function.Consumer<ClusterTransaction> body,
                       TransactionStepTimes.Step step) {
    }

    /**
     * Every way of committing refuses a commit timestamp at or above the transaction's deadline
     * and writes nothing (SQL bounds a commit by its node's catalog lease this way,
     * docs/cluster.md "Schema changes"); with a deadline ahead, the same transaction commits,
     * which shows it went that way.
     */
    @Test
    void aCommitDeadlineThatPassedRefusesEveryWayOfCommittingAndWritesNothing() throws Exception {
        client.split(b("m"));
        List<Way> ways = List.of(
                new Way("one phase at the newest value", Isolation.SNAPSHOT, t -> t.put(b("a-d"), b("after")),
                        TransactionStepTimes.Step.ONE_PHASE_COMMIT),
                new Way("one phase", Isolation.SNAPSHOT, t -> {
                    t.get(b("b-d"));
                    t.put(b("a-d"), b("after"));
                }, TransactionStepTimes.Step.ONE_PHASE_COMMIT),
                new Way("parallel commit of two ranges", Isolation.SNAPSHOT, t -> {
                    t.put(b("a-d"), b("after"));
                    t.put(b("z-d"), b("after"));
                }, TransactionStepTimes.Step.PREWRITE),
                new Way("two phases with read validation", Isolation.SERIALIZABLE, t -> {
                    t.get(b("b-d"));
                    t.put(b("a-d"), b("after"));
                    t.put(b("z-d"), b("after"));
                }, TransactionStepTimes.Step.VALIDATE));
        TransactionStepTimes steps = client.transactions().stepTimes();
        for (Way way : ways) {
            for (String k : List.of("a-d", "b-d", "z-d")) {
                client.put(b(k), b("before"));
            }
            long passed = client.timestamp();
            ClusterTransaction late = client.begin(way.isolation());
            way.body().accept(late);
            late.commitBefore(passed);
            WriteConflictException e = assertThrows(WriteConflictException.class, late::commit, way.name());
            assertTrue(e.getMessage().contains("deadline"), way.name() + ": " + e.getMessage());
            assertArrayEquals(b("before"), client.get(b("a-d")), way.name() + ": nothing written");
            assertArrayEquals(b("before"), client.get(b("z-d")), way.name() + ": nothing written");
            assertEquals(List.of(), client.locks(b("a"), null, 10), way.name() + ": no lock left");

            steps.reset();
            ClusterTransaction inTime = client.begin(way.isolation());
            way.body().accept(inTime);
            inTime.commitBefore(client.timestamp() + (60_000L << io.starlingdb.engine.mvcc.HybridClock.logicalBits));
            inTime.commit();
            assertArrayEquals(b("after"), client.get(b("a-d")), way.name());
            assertTrue(steps.totals().get(way.step().ordinal()).count() > 0, way.name() + " went another way: "
                    + steps.totals());
        }
    }

    @Test
    void writeSkewIsRefusedUnderSerializableAndAllowedUnderSnapshot() {
        client.split(b("m"));
        for (Isolation isolation : Isolation.values()) {
            String x = "a-oncall-" + isolation;
            String y = "z-oncall-" + isolation; // another range
            client.put(b(x), num(1));
            client.put(b(y), num(1));
            ClusterTransaction t1 = client.begin(isolation);
            ClusterTransaction t2 = client.begin(isolation);
            assertEquals(2, num(t1.get(b(x))) + num(t1.get(b(y))));
            assertEquals(2, num(t2.get(b(x))) + num(t2.get(b(y))));
            t1.put(b(x), num(0));
            t2.put(b(y), num(0));
            t1.commit();
            if (isolation == Isolation.SERIALIZABLE) {
                assertThrows(WriteConflictException.class, t2::commit, "write skew must be refused");
                assertEquals(1, num(client.get(b(y))));
            } else {
                t2.commit();
                assertEquals(0, num(client.get(b(x))) + num(client.get(b(y))), "snapshot isolation allows write skew");
            }
        }
    }

    @Test
    void serializableValidationOfPointReadsIsOneRequestPerRangeAndStillRefusesAChangedRead() {
        client.split(b("m"));
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add(b(String.format("a-read-%02d", i)));
            keys.add(b(String.format("z-read-%02d", i))); // the other range
        }
        client.putAll(keys.stream().map(k -> new RangeResult.KeyValue(k, num(1))).toList());
        for (boolean changed : new boolean[] {false, true}) {
            ClusterTransaction t = client.begin(Isolation.SERIALIZABLE);
            long sum = 0;
            for (byte[] k : keys) {
                sum += num(t.get(k)); // 80 point reads, one at a time
            }
            assertEquals(80, sum);
            t.put(b("a-sum"), num(sum));
            t.put(b("z-sum"), num(sum));
            if (changed) {
                client.put(b("z-read-37"), num(2)); // committed after t's start, before its commit
            }
            long validationsBefore = served(RangeRpc.Kind.VALIDATE);
            if (changed) {
                assertThrows(WriteConflictException.class, t::commit, "a read changed before the commit");
            } else {
                t.commit();
                assertArrayEquals(num(80), client.get(b("z-sum")));
            }
            long validations = served(RangeRpc.Kind.VALIDATE) - validationsBefore;
            assertTrue(validations >= 1 && validations <= 2, "80 point reads in two ranges took " + validations
                    + " VALIDATE requests");
        }
    }

    @Test
    void serializableTransactionsThatReadOnlyKeysTheyWriteNeedNoValidationAndCommitInOnePhaseInOneRange() {
        client.split(b("m"));
        byte[] left = b("a-account");
        byte[] right = b("z-account");
        client.put(left, num(100));
        client.put(right, num(100));
        long validationsBefore = served(RangeRpc.Kind.VALIDATE);
        inTransaction(Isolation.SERIALIZABLE, t -> {
            List<byte[]> v = t.getAll(List.of(left, right));
            t.put(left, num(num(v.get(0)) - 10));
            t.put(right, num(num(v.get(1)) + 10));
        });
        assertEquals(0, served(RangeRpc.Kind.VALIDATE) - validationsBefore, "a transfer validated the keys it wrote");
        assertArrayEquals(num(90), client.get(left));
        assertArrayEquals(num(110), client.get(right));

        // A change of a key read and written after the start is still refused (by the prewrite).
        ClusterTransaction t = client.begin(Isolation.SERIALIZABLE);
        List<byte[]> v = t.getAll(List.of(left, right));
        t.put(left, num(num(v.get(0)) - 10));
        t.put(right, num(num(v.get(1)) + 10));
        client.put(right, num(500));
        assertThrows(WriteConflictException.class, t::commit);
        assertArrayEquals(num(90), client.get(left));
        assertArrayEquals(num(500), client.get(right));

        // One key read and written in one range: one proposal each (two phases take two).
        byte[] counter = b("a-counter");
        client.put(counter, num(0));
        long rangeId = nodes[1].ranges().gateway().rangeOf(counter).rangeId();
        long before = maxApplied(rangeId);
        int increments = 6;
        for (int i = 0; i < increments; i++) {
            inTransaction(Isolation.SERIALIZABLE, tx -> tx.put(counter, num(num(tx.get(counter)) + 1)));
        }
        assertArrayEquals(num(increments), client.get(counter));
        long entries = maxApplied(rangeId) - before;
        assertTrue(entries < increments * 3 / 2, increments + " increments took " + entries + " log entries");
        // The one-phase check still refuses a lost update.
        ClusterTransaction slow = client.begin(Isolation.SERIALIZABLE);
        slow.put(counter, num(num(slow.get(counter)) + 1));
        client.put(counter, num(100));
        assertThrows(WriteConflictException.class, slow::commit);
        assertArrayEquals(num(100), client.get(counter));
    }

    /**
     * Auto-commit point statements (deferred transactions): a read of one key and a one-phase
     * write of it ask the oracle nothing themselves, see what committed before they began, and
     * never lose an update or insert a key twice.
     */
    @Test
    void deferredPointTransactionsSkipTheOracleAndNeverLoseAnUpdate() {
        var txns = nodes[1].ranges().transactions();
        client.put(b("d-counter"), num(0));
        java.util.function.Function<ClusterTransaction, Long> increment = t -> {
            long v = num(t.get(b("d-counter")));
            t.put(b("d-counter"), num(v + 1));
            t.commit();
            return v + 1;
        };
        for (int i = 1; i <= 3; i++) { // fills the gateway's range and leaseholder caches
            assertEquals(i, increment.apply(txns.begin(Isolation.SNAPSHOT)));
        }
        int statements = 30;
        // Timestamps asked of the oracle by any node (start timestamps here, commit timestamps at
        // the leaseholder): the gateway's count of requests also holds retries after a lease
        // moved and the node's background requests.
        long before = timestampsAsked();
        for (int i = 0; i < statements; i++) {
            increment.apply(txns.begin(Isolation.SERIALIZABLE));
        }
        long withTimestamp = timestampsAsked() - before;
        before = timestampsAsked();
        for (int i = 0; i < statements; i++) {
            assertEquals(4 + statements + i, increment.apply(txns.beginDeferred(Isolation.SERIALIZABLE)),
                    "a deferred read sees every write acknowledged before it");
        }
        long deferred = timestampsAsked() - before;
        assertTrue(withTimestamp - deferred >= statements * 2 / 3, statements + " read-modify-writes made " + withTimestamp
                + " timestamps with a start timestamp and " + deferred + " deferred (one timestamp fewer each)");

        for (Isolation isolation : Isolation.values()) {
            ClusterTransaction first = txns.beginDeferred(isolation);
            ClusterTransaction second = txns.beginDeferred(isolation);
            long a = num(first.get(b("d-counter")));
            long c = num(second.get(b("d-counter")));
            first.put(b("d-counter"), num(a + 1));
            second.put(b("d-counter"), num(c + 1));
            first.commit();
            WriteConflictException e = assertThrows(WriteConflictException.class, second::commit, "a lost update");
            assertTrue(e.getMessage().contains("retry"), e.getMessage());
            assertEquals(a + 1, num(client.get(b("d-counter"))));

            byte[] key = b("d-new-" + isolation);
            ClusterTransaction insert1 = txns.beginDeferred(isolation);
            ClusterTransaction insert2 = txns.beginDeferred(isolation);
            assertNull(insert1.get(key));
            assertNull(insert2.get(key));
            insert1.put(key, b("one"));
            insert2.put(key, b("two"));
            insert2.commit();
            assertThrows(WriteConflictException.class, insert1::commit, "a key inserted twice");
            assertArrayEquals(b("two"), client.get(key));

            ClusterTransaction delete = txns.beginDeferred(isolation);
            assertArrayEquals(b("two"), delete.get(key));
            delete.delete(key);
            delete.commit();
            assertNull(client.get(key));
        }
    }

    /**
     * A deferred transaction that reads more than one key takes its snapshot at its second read,
     * and refuses (40001) to go on if the first key changed in between; unchanged, it reads and
     * commits across ranges as any transaction.
     */
    @Test
    void deferredTransactionsThatReadMoreTakeOneSnapshotOrFail() {
        client.split(b("m"));
        var txns = nodes[2].ranges().transactions();
        client.put(b("a-first"), num(1));
        client.put(b("z-second"), num(2));

        ClusterTransaction changed = txns.beginDeferred(Isolation.SNAPSHOT);
        assertEquals(1, num(changed.get(b("a-first"))));
        client.put(b("a-first"), num(10));
        assertThrows(WriteConflictException.class, () -> changed.get(b("z-second")),
                "its two reads would not be one snapshot");

        ClusterTransaction moving = txns.beginDeferred(Isolation.SNAPSHOT);
        assertEquals(10, num(moving.get(b("a-first"))));
        assertEquals(10, num(moving.get(b("a-first"))), "the first key read again, still without a timestamp");
        assertEquals(2, num(moving.get(b("z-second"))));
        client.put(b("z-later"), num(3)); // after its snapshot
        assertNull(moving.get(b("z-later")), "the snapshot was taken at the second read");
        moving.put(b("a-first"), num(9));
        moving.put(b("z-second"), num(3));
        moving.commit(); // two ranges: two phases
        assertEquals(9, num(client.get(b("a-first"))));
        assertEquals(3, num(client.get(b("z-second"))));

        ClusterTransaction readOnly = txns.beginDeferred(Isolation.SNAPSHOT);
        try (KvCursor c = readOnly.scan(b("a"), b("b"))) {
            assertTrue(c.next());
            assertEquals(9, num(c.value()));
        }
        readOnly.commit();

        ClusterTransaction blind = txns.beginDeferred(Isolation.SERIALIZABLE);
        blind.put(b("a-blind"), num(5));
        blind.commit();
        assertEquals(5, num(client.get(b("a-blind"))));
    }

    private long timestampsAsked() {
        long n = 0;
        for (int i = 1; i <= 3; i++) {
            n += nodes[i].ranges().timestamps().asked();
        }
        return n;
    }

    private long served(RangeRpc.Kind kind) {
        long n = 0;
        for (int i = 1; i <= 3; i++) {
            n += nodes[i].ranges().store().served(kind);
        }
        return n;
    }

    @Test
    void locksOfAStoppedCoordinatorAreRolledBackOnceExpiredAndCommittedOnesRollForward() throws Exception {
        client.split(b("m"));
        client.put(b("a-left"), b("before"));
        client.put(b("z-right"), b("before"));
        DistSender gateway = nodes[1].ranges().gateway();
        long ttl = 500;

        // A coordinator that prewrote both keys and stopped before committing.
        long abandoned = client.timestamp();
        prewrite(gateway, abandoned, b("a-left"), ttl, b("a-left"), b("z-right"));
        long began = System.nanoTime();
        assertArrayEquals(b("before"), client.get(b("z-right")), "a reader waits out the lock, then rolls it back");
        assertTrue(System.nanoTime() - began >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ttl / 2),
                "the reader did not wait for a live lock");
        assertArrayEquals(b("before"), client.get(b("a-left")));
        RangeResult.TxnStatus st = gateway.resolver().status(b("a-left"), abandoned, System.currentTimeMillis(), 0, false);
        assertEquals(RangeResult.TxnStatus.State.ABORTED, st.state());
        RangeResult late = gateway.request(b("a-left"), d -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(abandoned, abandoned + 1, List.of(b("a-left")))), true).result();
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) late).state(),
                "a coordinator can never commit after its transaction was rolled back");

        // A coordinator that committed its primary and stopped before its secondary.
        long committed = client.timestamp();
        prewrite(gateway, committed, b("a-left"), 60_000, b("a-left"), b("z-right"));
        long commitTs = client.timestamp();
        gateway.request(b("a-left"), d -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(committed, commitTs, List.of(b("a-left")))), true);
        assertArrayEquals(b("after-z-right"), client.get(b("z-right")), "the secondary rolls forward at once");
        assertArrayEquals(b("after-a-left"), client.get(b("a-left")));
    }

    @Test
    void aStoppedCoordinatorsParallelCommitIsCommittedByAReaderIfEveryPrewriteLandedAndElsePreventedAndRolledBack()
            throws Exception {
        client.split(b("m"));
        client.put(b("a-left"), b("before"));
        client.put(b("z-right"), b("before"));
        DistSender gateway = nodes[1].ranges().gateway();
        long ttl = 500;

        // Every prewrite durable, then the coordinator stopped (it may have answered "committed").
        long staged = client.timestamp();
        long commitTs = parallelPrewrite(gateway, staged, ttl, List.of(b("z-right")), b("a-left"), b("z-right"));
        assertArrayEquals(b("after-z-right"), client.get(b("z-right")),
                "a reader waits out the STAGING record, finds every listed prewrite and commits it");
        assertArrayEquals(b("after-a-left"), client.get(b("a-left")));
        RangeResult.TxnStatus st = gateway.resolver().status(b("a-left"), staged, System.currentTimeMillis(), 0, false);
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, st.state());
        assertEquals(commitTs, st.commitTs(), "at the largest minCommitTs, as the coordinator computed it");

        // The primary's STAGING record durable, the other prewrite never sent.
        long half = client.timestamp();
        parallelPrewrite(gateway, half, ttl, List.of(b("z-right")), b("a-left"));
        assertArrayEquals(b("after-a-left"), client.get(b("a-left")), "a reader waits out the record, then rolls it back");
        assertEquals(RangeResult.TxnStatus.State.ABORTED,
                gateway.resolver().status(b("a-left"), half, System.currentTimeMillis(), 0, false).state());
        RangeResult late = gateway.request(b("z-right"), d -> RangeRpc.Request.write(d.rangeId(),
                RangeCommand.Prewrite.parallel(half, b("a-left"), ttl, "late", List.of(new WriteOp.Put(b("z-right"),
                        b("never"))), null)), true).result();
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) late).state(),
                "the missing prewrite was prevented: it can never land");
        assertArrayEquals(b("after-z-right"), client.get(b("z-right")));
    }

    /** Prewrites keys as a parallel commit started at startTs would (primary: the first key), then stops; answers its commit timestamp. */
    private static long parallelPrewrite(DistSender gateway, long startTs, long ttl, List<byte[]> staged, byte[]... keys) {
        List<byte[]> list = List.of(keys);
        long commitTs = 0;
        for (DistSender.GroupAnswer a : gateway.sendGrouped(list, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                RangeCommand.Prewrite.parallel(startTs, keys[0], ttl, "a-coordinator-that-stopped", idx.stream()
                        .map(i -> (WriteOp) new WriteOp.Put(list.get(i), b("after-" + new String(list.get(i),
                                StandardCharsets.UTF_8)))).toList(), d.contains(keys[0]) ? staged : null)))) {
            RangeResult.Prewritten p = assertInstanceOf(RangeResult.Prewritten.class, a.response().result());
            assertTrue(p.commitFloorTs() > startTs, "a minCommitTs above the start timestamp " + startTs);
            commitTs = Math.max(commitTs, p.commitFloorTs());
        }
        return commitTs;
    }

    @Test
    void statusPollsOfALiveTransactionProposeNothingAndAnExpiredOneIsRolledBackThroughTheLog() throws Exception {
        client.split(b("m"));
        DistSender gateway = nodes[1].ranges().gateway();
        long startTs = client.timestamp();
        prewrite(gateway, startTs, b("a-polled"), 60_000, b("a-polled"), b("z-polled"));
        long rangeId = gateway.rangeOf(b("a-polled")).rangeId();
        long appliedBefore = maxApplied(rangeId);
        long readsBefore = statusReads();
        int polls = 30;
        for (int i = 0; i < polls; i++) {
            assertEquals(RangeResult.TxnStatus.State.PENDING, gateway.resolver()
                    .status(b("a-polled"), startTs, System.currentTimeMillis(), 0, false).state());
        }
        // Each poll used to be a Raft proposal; a leadership change may still add an entry or two.
        long grown = maxApplied(rangeId) - appliedBefore;
        assertTrue(grown < polls / 3, "30 status polls of a live transaction grew the range's log by " + grown);
        assertTrue(statusReads() - readsBefore >= polls, "answered from state: " + (statusReads() - readsBefore));

        // Expired (as of a clock past its TTL): the rollback must be written, through the log.
        long beforeRollback = maxApplied(rangeId);
        assertEquals(RangeResult.TxnStatus.State.ABORTED, gateway.resolver()
                .status(b("a-polled"), startTs, System.currentTimeMillis() + 120_000, 0, false).state());
        assertTrue(maxApplied(rangeId) > beforeRollback, "the rollback of an expired transaction was not proposed");
        long commitTs = client.timestamp();
        RangeResult late = gateway.request(b("a-polled"), d -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(startTs, commitTs, List.of(b("a-polled")))), true).result();
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) late).state(),
                "its coordinator can no longer commit");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, gateway.resolver()
                .status(b("a-polled"), startTs, System.currentTimeMillis(), 0, false).state());
    }

    private long maxApplied(long rangeId) {
        long max = -1;
        for (int i = 1; i <= 3; i++) {
            max = Math.max(max, nodes[i].ranges().store().appliedIndex(rangeId));
        }
        return max;
    }

    private long statusReads() {
        long n = 0;
        for (int i = 1; i <= 3; i++) {
            n += nodes[i].ranges().store().statusReads();
        }
        return n;
    }

    private static void prewrite(DistSender gateway, long startTs, byte[] primary, long ttl, byte[]... keys) {
        prewrite(gateway, "a-coordinator-that-stopped", startTs, primary, ttl, keys);
    }

    /** Prewrites keys as the transaction started at startTs would, then does nothing more (its coordinator stopped). */
    private static void prewrite(DistSender gateway, String coordinator, long startTs, byte[] primary, long ttl,
                                 byte[]... keys) {
        List<byte[]> list = List.of(keys);
        for (DistSender.GroupAnswer a : gateway.sendGrouped(list, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Prewrite(startTs, primary, ttl, coordinator, idx.stream()
                        .map(i -> (WriteOp) new WriteOp.Put(list.get(i), b("after-" + new String(list.get(i),
                                StandardCharsets.UTF_8)))).toList())))) {
            assertTrue(a.response().result() instanceof RangeResult.Prewritten p && p.commitFloorTs() > startTs,
                    "prewrite: " + a.response().result() + ", a commit floor above the start timestamp " + startTs);
        }
    }

    @Test
    void locksOfACoordinatorThatLeftAreResolvedLongBeforeTheirTtl() throws Exception {
        client.split(b("m"));
        client.put(b("a-left"), b("before"));
        client.put(b("z-right"), b("before"));
        StarlingClient coordinator = cluster.connect();
        long startTs = coordinator.timestamp();
        prewrite(nodes[1].ranges().gateway(), coordinator.memberId(), startTs, b("a-left"), 120_000, b("a-left"),
                b("z-right"));
        coordinator.close(); // gone between prewrite and commit
        long began = System.nanoTime();
        assertArrayEquals(b("before"), client.get(b("z-right")), "rolled back once the coordinator is gone");
        assertArrayEquals(b("before"), client.get(b("a-left")));
        long waited = (System.nanoTime() - began) / 1_000_000;
        assertTrue(waited < 20_000, "the locks lived " + waited + " ms: they waited for their TTL, not for the membership");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, nodes[1].ranges().gateway().resolver()
                .status(b("a-left"), startTs, System.currentTimeMillis(), 0, false).state());
    }

    @Test
    void expiredLocksNobodyReadsAreSweptWithinTheirTtlAndASweepInterval() throws Exception {
        client.split(b("m"));
        long startTs = client.timestamp();
        prewrite(nodes[1].ranges().gateway(), client.memberId(), startTs, b("a-swept"), 300, b("a-swept"), b("z-swept"));
        // The sweep of the primary's range resolves the primary; the sweep of the other range
        // asks the primary's status, which rolls back an expired primary on the way, so the
        // sweepers' own count may be 1 or 2. What counts is that no lock is left, and client.locks
        // only lists them (a reader would resolve them).
        io.starlingdb.testkit.Await.until(java.time.Duration.ofSeconds(15),
                () -> client.locks(b("a"), null, 10).isEmpty(),
                () -> "the expired locks were not swept: " + client.locks(b("a"), null, 10));
        assertTrue(resolvedByRecovery() >= 1, "the recovery sweep resolved them");
        assertNull(client.get(b("z-swept")));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, nodes[1].ranges().gateway().resolver()
                .status(b("a-swept"), startTs, System.currentTimeMillis(), 0, false).state());
    }

    /**
     * Version GC keeps a committed primary's version while a lock of its transaction is left
     * elsewhere (here: a coordinator that committed its primary and stopped, its other lock with
     * a long TTL, as on a range that was unavailable for longer than the GC horizon). The GC
     * rounds run as of a day later, when by the clock alone every old version could go.
     */
    @Test
    void versionGcKeepsTheCommitOfATransactionWithALockLeft() throws Exception {
        client.split(b("m"));
        long startTs = client.timestamp();
        LockResolver resolver = nodes[1].ranges().gateway().resolver();
        prewrite(nodes[1].ranges().gateway(), "a-coordinator-that-stopped", startTs, b("a-gc"), 120_000, b("a-gc"),
                b("z-gc"));
        long commitTs = client.timestamp();
        resolver.commit(startTs, commitTs, List.of(b("a-gc"))); // the commit point; then the coordinator stops
        client.put(b("a-gc"), b("newer")); // the transaction's version is no longer the newest
        long aDayLater = System.currentTimeMillis() + java.util.concurrent.TimeUnit.DAYS.toMillis(1);
        for (int i = 1; i <= 3; i++) {
            nodes[i].ranges().versionGc().collect(aDayLater);
        }
        RangeResult.TxnStatus st = resolver.status(b("a-gc"), startTs, Long.MAX_VALUE, 0, true);
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, st.state(), "the primary's commit is still there: " + st);
        assertEquals(commitTs, st.commitTs());
        for (int i = 1; i <= 3; i++) {
            nodes[i].ranges().recovery().coordinatorDead("a-coordinator-that-stopped");
        }
        assertArrayEquals(b("after-z-gc"), client.get(b("z-gc")), "the other lock rolled forward, not back");
        assertArrayEquals(b("newer"), client.get(b("a-gc")));
        assertEquals(List.of(), client.locks(b("a"), null, 10));
        long collected = 0;
        for (int i = 1; i <= 3; i++) {
            collected += nodes[i].ranges().versionGc().collect(aDayLater);
        }
        assertTrue(collected >= 1, "with no lock left, GC goes on: the old version of a-gc goes");
    }

    private long resolvedByRecovery() {
        long n = 0;
        for (int i = 1; i <= 3; i++) {
            n += nodes[i].ranges().recovery().resolved();
        }
        return n;
    }

    @Test
    void singleWritesMeetingALockWaitForItsTransaction() throws Exception {
        ClusterTransaction t = client.begin(Isolation.SNAPSHOT);
        t.put(b("a-key"), b("txn"));
        t.put(b("z-key"), b("txn"));
        t.commit();
        try {
            client.put(b("a-key"), b("single"));
        } catch (OutcomeUnknownException | RangeUnavailableException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(b("single"), client.get(b("a-key")));
        assertArrayEquals(b("txn"), client.get(b("z-key")));
    }
}
