package io.starlingdb.engine.range;

import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;

/**
 * A range store's data that runs a test's hook once: before the next snapshot a given thread (or
 * any) takes, or when the next cursor first moves. Tests put a driver's work (a split, a new
 * leader's write) at the points where another thread can interleave with a read.
 */
final class HookedStore implements KvStore {

    /** A hook that may throw (an await, say): a failure fails the read that ran it. */
    interface Hook {
        void run() throws Exception;
    }

    private final KvStore inner;
    private volatile Hook beforeSnapshot;
    private volatile Thread snapshotThread;
    private volatile Hook onFirstNext;
    private volatile boolean snapshotHookRan;

    HookedStore(KvStore inner) {
        this.inner = inner;
    }

    /** Runs hook before the next snapshot that thread takes (null: any thread), then takes it. */
    void beforeNextSnapshot(Thread thread, Hook hook) {
        snapshotThread = thread;
        beforeSnapshot = hook;
    }

    /** Runs hook when the next cursor of a snapshot first moves. */
    void onFirstNext(Hook hook) {
        onFirstNext = hook;
    }

    /** Whether the snapshot hook ran. */
    boolean snapshotHookRan() {
        return snapshotHookRan;
    }

    private static void run(Hook hook) {
        try {
            hook.run();
        } catch (Exception e) {
            throw new IllegalStateException("the test's hook failed", e);
        }
    }

    @Override
    public KvSnapshot snapshot() {
        Hook hook = beforeSnapshot;
        Thread only = snapshotThread;
        if (hook != null && (only == null || only == Thread.currentThread())) {
            beforeSnapshot = null;
            run(hook);
            snapshotHookRan = true;
        }
        KvSnapshot s = inner.snapshot();
        return new KvSnapshot() {
            @Override
            public byte[] get(byte[] key) {
                return s.get(key);
            }

            @Override
            public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
                KvCursor c = s.scan(fromInclusive, toExclusive);
                return new KvCursor() {
                    @Override
                    public boolean next() {
                        Hook h = onFirstNext;
                        if (h != null) {
                            onFirstNext = null;
                            run(h);
                        }
                        return c.next();
                    }

                    @Override
                    public byte[] key() {
                        return c.key();
                    }

                    @Override
                    public byte[] value() {
                        return c.value();
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public void apply(KvBatch batch, boolean sync) {
        inner.apply(batch, sync);
    }

    @Override
    public void compactRange(byte[] fromInclusive, byte[] toExclusive) {
        inner.compactRange(fromInclusive, toExclusive);
    }

    @Override
    public long approximateBytes(byte[] fromInclusive, byte[] toExclusive) {
        return inner.approximateBytes(fromInclusive, toExclusive);
    }

    @Override
    public void close() {
        inner.close();
    }
}
