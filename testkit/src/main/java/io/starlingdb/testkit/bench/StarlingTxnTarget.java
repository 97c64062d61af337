package io.starlingdb.testkit.bench;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.WriteConflictException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The transactional workloads on Starling through a {@link StarlingClient}: transfers are
 * SERIALIZABLE transactions over two ranges (two-phase commit), increments are SNAPSHOT
 * transactions on one key (one-phase commit: under SNAPSHOT a transaction whose writes fall in one
 * range commits in one proposal, which refuses the lost update with 40001; under SERIALIZABLE
 * a transaction that read something always commits in two phases, see ClusterTransaction).
 */
final class StarlingTxnTarget implements TxnTarget {

    private final StarlingClient client;
    private final int accounts;
    private final int counters;

    StarlingTxnTarget(StarlingClient client, int accounts, int counters) {
        this.client = client;
        this.accounts = accounts;
        this.counters = counters;
    }

    static byte[] account(int i) {
        return String.format(Locale.ROOT, "acct%08d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] counter(int i) {
        return String.format(Locale.ROOT, "ctr%08d", i).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Splits the key space so that accounts below accounts/2 and the others live in different
     * ranges (and the accounts in ranges of their own), then writes every account's initial
     * balance and every counter at 0.
     */
    static void prepare(StarlingClient client, int accounts, long initialBalance, int counters) {
        client.split(account(accounts / 2));
        client.split(account(accounts)); // the end of the accounts: the counters and the kv keys lie beyond
        List<RangeResult.KeyValue> pairs = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            pairs.add(new RangeResult.KeyValue(account(i), num(initialBalance)));
        }
        for (int i = 0; i < counters; i++) {
            pairs.add(new RangeResult.KeyValue(counter(i), num(0)));
        }
        for (int i = 0; i < pairs.size(); i += loadBatch) {
            client.putAll(pairs.subList(i, Math.min(pairs.size(), i + loadBatch)));
        }
    }

    /** Pairs written per putAll while loading. */
    private static final int loadBatch = 1_000;

    @Override
    public void transfer(int from, int to, long amount) {
        try (ClusterTransaction t = client.begin(Isolation.SERIALIZABLE)) {
            byte[] a = account(from);
            byte[] b = account(to);
            List<byte[]> values = t.getAll(List.of(a, b)); // one read per range, in parallel
            t.put(a, num(num(values.get(0), a) - amount));
            t.put(b, num(num(values.get(1), b) + amount));
            t.commit();
        }
    }

    @Override
    public void increment(int counter) {
        try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT)) {
            byte[] k = counter(counter);
            t.put(k, num(num(t.get(k), k) + 1));
            t.commit();
        }
    }

    @Override
    public long bankTotal() {
        long[] sum = sum(account(0), account(accounts));
        if (sum[1] != accounts) {
            throw new IllegalStateException(sum[1] + " accounts, expected " + accounts);
        }
        return sum[0];
    }

    @Override
    public long counterTotal() {
        long[] sum = sum(counter(0), counter(counters));
        if (sum[1] != counters) {
            throw new IllegalStateException(sum[1] + " counters, expected " + counters);
        }
        return sum[0];
    }

    /** {sum, count} of the values in [from, to), read in one snapshot (locks left by transfers are resolved). */
    private long[] sum(byte[] from, byte[] to) {
        try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT); KvCursor c = t.scan(from, to)) {
            long total = 0;
            long n = 0;
            while (c.next()) {
                total += num(c.value(), c.key());
                n++;
            }
            return new long[] {total, n};
        }
    }

    @Override
    public Failure classify(Exception e) {
        if (e instanceof WriteConflictException) {
            return Failure.RETRY;
        }
        return e instanceof OutcomeUnknownException ? Failure.UNKNOWN : Failure.ERROR;
    }

    @Override
    public void close() {
        // the client is shared by every thread and closed by KvBench
    }

    private static byte[] num(long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    private static long num(byte[] v, byte[] key) {
        if (v == null || v.length != Long.BYTES) {
            throw new IllegalStateException("key " + new String(key, StandardCharsets.US_ASCII) + " holds "
                    + (v == null ? "nothing" : v.length + " bytes") + ", expected a balance");
        }
        return ByteBuffer.wrap(v).getLong();
    }
}
