package io.starlingdb.testkit.examples;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.engine.range.WriteOp;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The cluster manager API in one program: connects to a running cluster as a client member,
 * writes and reads keys, swaps one with compare-and-set, applies an atomic batch, scans, splits
 * a range and lists the ranges and stores. {@code bin/starling example kv --seeds HOST:PORT,...}
 * runs it (docs/ranges.md, "Using it").
 */
public final class KvExample {

    private KvExample() {
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? "(absent)" : new String(b, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String seeds = null;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--seeds")) {
                seeds = args[i + 1];
            }
        }
        if (seeds == null) {
            System.err.println("usage: starling example kv --seeds HOST:PEERPORT[,HOST:PEERPORT...]");
            System.exit(2);
        }
        run(seeds, System.out);
    }

    /** Runs the example against the cluster reached through seeds, printing what it does. */
    public static void run(String seeds, PrintStream out) throws InterruptedException {
        try (StarlingClient client = StarlingClient.connect(seeds)) {
            // A put is acknowledged once a quorum of the range's replicas has it.
            client.put(b("example/greeting"), b("hello"));
            out.println("get example/greeting -> " + s(client.get(b("example/greeting"))));

            // Compare-and-set: succeeds only if the key holds what we expect (null: absent).
            boolean swapped = client.compareAndSet(b("example/greeting"), b("hello"), b("hello again"));
            out.println("compareAndSet hello -> hello again: " + swapped);
            out.println("compareAndSet from a stale value: "
                    + client.compareAndSet(b("example/greeting"), b("hello"), b("lost update")));

            // A batch within one range is atomic: a failed condition applies nothing.
            int failed = client.write(List.of(new WriteOp.Put(b("example/a"), b("1")),
                    new WriteOp.CompareAndSet(b("example/b"), b("not there"), b("2"))));
            out.println("batch with a failing condition: condition " + failed + " failed, example/a is "
                    + s(client.get(b("example/a"))));
            client.write(List.of(new WriteOp.Put(b("example/a"), b("1")), new WriteOp.Put(b("example/b"), b("2"))));

            // Writes whose outcome is unknown are never reported as failed: retry only if the
            // write is idempotent, or read to find out.
            try {
                client.put(b("example/c"), b("3"));
            } catch (OutcomeUnknownException e) {
                out.println("example/c may or may not be written: " + e.getMessage());
            } catch (RangeUnavailableException e) {
                out.println("example/c was not written: " + e.getMessage());
            }

            // An operator split, then a scan that pages across both halves.
            List<RangeDescriptor> halves = client.split(b("example/b"));
            out.println("split at example/b -> ranges " + halves.get(0).rangeId() + " and " + halves.get(1).rangeId());
            for (RangeResult.KeyValue kv : client.scan(b("example/"), b("example0"), 100)) {
                out.println("scan: " + s(kv.key()) + " = " + s(kv.value()));
            }
            for (RangeDescriptor d : client.ranges()) {
                out.println("range " + d + ", leaseholder store " + client.leaseholder(d.start()));
            }
            for (StoreRecord r : client.stores()) {
                out.println("store " + r.storeId() + " at " + r.address() + " zone " + r.zone() + ": " + r.state());
            }
        }
    }
}
