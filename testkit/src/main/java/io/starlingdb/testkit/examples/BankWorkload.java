package io.starlingdb.testkit.examples;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.WriteConflictException;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bank through the cluster manager API: transfers between accounts in SERIALIZABLE
 * transactions, each also writing a record of itself (from, to, amount), so that afterwards every
 * balance can be checked against the records that committed. Runs in the test JVM or as its own
 * process, which tests SIGKILL in the middle of transactions:
 * {@code BankWorkload --seeds HOST:PORT,... --accounts N --threads T --worker NAME} prints
 * {@code ack ID} for every acknowledged transfer and {@code unknown ID} for every transfer whose
 * outcome is unknown, flushed at once.
 */
public final class BankWorkload {

    /** Every account's balance before the first transfer. */
    public static final long initialBalance = 1_000;

    private BankWorkload() {
    }

    public static byte[] account(int i) {
        return String.format("bank/acct%03d", i).getBytes(StandardCharsets.UTF_8);
    }

    /** The first key after every account (and before the records). */
    public static byte[] accountsEnd() {
        return "bank/acct~".getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] record(String id) {
        return ("bank/xfer/" + id).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] recordsStart() {
        return "bank/xfer/".getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] recordsEnd() {
        return "bank/xfer~".getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] amount(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    public static long amount(byte[] v) {
        return ByteBuffer.wrap(v).getLong();
    }

    /** A transfer record: from, to, amount. */
    public record Transfer(int from, int to, long amount) {
        public byte[] encode() {
            return ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(amount).array();
        }

        public static Transfer decode(byte[] v) {
            ByteBuffer b = ByteBuffer.wrap(v);
            return new Transfer(b.getInt(), b.getInt(), b.getLong());
        }
    }

    /** Opens the accounts (one transaction), unless they exist. */
    public static void open(StarlingClient client, int accounts) {
        try (ClusterTransaction t = client.begin(Isolation.SERIALIZABLE)) {
            if (t.get(account(0)) != null) {
                return;
            }
            for (int i = 0; i < accounts; i++) {
                t.put(account(i), amount(initialBalance));
            }
            t.commit();
        }
    }

    /** What one transfer came to. */
    public enum Outcome { COMMITTED, UNKNOWN, UNAVAILABLE }

    /** Moves amount from one account to another, recording it under id; retries conflicts (40001). */
    public static Outcome transfer(StarlingClient client, String id, Transfer x) {
        while (true) {
            try (ClusterTransaction t = client.begin(Isolation.SERIALIZABLE)) {
                long a = amount(t.get(account(x.from())));
                long b = amount(t.get(account(x.to())));
                t.put(account(x.from()), amount(a - x.amount()));
                t.put(account(x.to()), amount(b + x.amount()));
                t.put(record(id), x.encode());
                t.commit();
                return Outcome.COMMITTED;
            } catch (WriteConflictException e) {
                // nothing was committed: run it again
            } catch (OutcomeUnknownException e) {
                return Outcome.UNKNOWN;
            } catch (RangeUnavailableException e) {
                return Outcome.UNAVAILABLE; // a read found no range in time: nothing was committed
            }
        }
    }

    /** Runs threads transferring until running turns false, printing each outcome to out. */
    public static List<Thread> start(StarlingClient client, String worker, int accounts, int threads,
                                     AtomicBoolean running, PrintStream out) {
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                Random random = new Random(worker.hashCode() * 31L + thread);
                for (long seq = 0; running.get(); seq++) {
                    int from = random.nextInt(accounts);
                    int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                    String id = worker + "-" + thread + "-" + seq;
                    Outcome o = transfer(client, id, new Transfer(from, to, 1 + random.nextInt(20)));
                    if (o != Outcome.UNAVAILABLE) {
                        synchronized (out) {
                            out.println((o == Outcome.COMMITTED ? "ack " : "unknown ") + id);
                            out.flush();
                        }
                    }
                }
            }, "bank-" + worker + "-" + t);
            th.start();
            list.add(th);
        }
        return list;
    }

    public static void main(String[] args) throws Exception {
        String seeds = null;
        String worker = "w";
        int accounts = 10;
        int threads = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seeds" -> seeds = args[i + 1];
                case "--worker" -> worker = args[i + 1];
                case "--accounts" -> accounts = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (seeds == null) {
            System.err.println("usage: BankWorkload --seeds HOST:PORT,... [--accounts N] [--threads T] [--worker NAME]");
            System.exit(2);
        }
        StarlingClient client = StarlingClient.connect(seeds);
        System.out.println("member " + client.memberId());
        System.out.flush();
        for (Thread t : start(client, worker, accounts, threads, new AtomicBoolean(true), System.out)) {
            t.join();
        }
    }
}
