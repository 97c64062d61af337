package io.starlingdb.engine.raft;

import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random sequences of log writes (appends that replace a suffix, received snapshots, local
 * compactions, hard states) on several groups, against a plain in-memory model; after every
 * reopen of RocksDB, each group's recovered state must equal the model exactly.
 */
class RaftLogStoreModelTest {

    @TempDir
    Path dir;

    private static final class Model {
        HardState hs = HardState.EMPTY;
        Snapshot snap;
        final List<Entry> entries = new ArrayList<>();
        long term = 1;

        long snapIndex() {
            return snap == null ? 0 : snap.index();
        }

        long last() {
            return snapIndex() + entries.size();
        }
    }

    @Test
    void recoveredStateEqualsTheModelAfterEveryReopen() {
        long seed = 20261202L;
        Random r = new Random(seed);
        ConfState boot = ConfState.ofVoters(1L, 2L, 3L);
        Map<Long, Model> models = new HashMap<>();
        RocksStorage storage = RocksStorage.open(dir, StorageOptions.small());
        RaftLogStore store = new RaftLogStore(storage);
        try {
            for (long g = 1; g <= 3; g++) {
                store.load(g, boot);
                models.put(g, new Model());
            }
            for (int step = 0; step < 300; step++) {
                long g = 1 + r.nextInt(3);
                Model m = models.get(g);
                int op = r.nextInt(10);
                if (op < 6) {
                    // Append 1-5 entries from a random point after the snapshot (replacing the suffix).
                    long from = m.snapIndex() + 1 + (m.entries.isEmpty() ? 0 : r.nextInt(m.entries.size() + 1));
                    if (r.nextInt(4) == 0) {
                        m.term++;
                    }
                    List<Entry> ents = new ArrayList<>();
                    for (long i = from; i < from + 1 + r.nextInt(5); i++) {
                        ents.add(new Entry(m.term, i, EntryType.NORMAL, ("g" + g + "s" + step + "i" + i).getBytes()));
                    }
                    m.entries.subList((int) (from - m.snapIndex() - 1), m.entries.size()).clear();
                    m.entries.addAll(ents);
                    HardState hs = r.nextBoolean() ? new HardState(m.term, r.nextInt(4), Math.min(m.last(), m.hs.commit() + 1)) : null;
                    if (hs != null) {
                        m.hs = hs;
                    }
                    persist(store, g, new Ready(hs, ents, null, List.of(), List.of(), List.of(), true));
                } else if (op < 8 && m.last() > m.snapIndex()) {
                    long at = m.snapIndex() + 1 + r.nextInt((int) (m.last() - m.snapIndex()));
                    Snapshot s = new Snapshot(at, m.entries.get((int) (at - m.snapIndex() - 1)).term(), boot, ("c" + step).getBytes());
                    m.entries.subList(0, (int) (at - m.snapIndex())).clear();
                    m.snap = s;
                    store.compact(g, s);
                } else if (op == 8) {
                    // A snapshot from a leader, ahead of or inside our log, then one entry after it.
                    long at = m.last() + r.nextInt(5) - 2;
                    if (at <= m.snapIndex()) {
                        continue;
                    }
                    m.term++;
                    Snapshot s = new Snapshot(at, m.term, ConfState.ofVoters(1L, 2L), ("r" + step).getBytes());
                    Entry next = new Entry(m.term, at + 1, EntryType.NORMAL, ("after" + step).getBytes());
                    m.entries.clear();
                    m.snap = s;
                    m.entries.add(next);
                    m.hs = new HardState(m.term, 0, at);
                    persist(store, g, new Ready(m.hs, List.of(next), s, List.of(), List.of(), List.of(), true));
                } else {
                    storage.close();
                    storage = RocksStorage.open(dir, StorageOptions.small());
                    store = new RaftLogStore(storage);
                    for (long gg = 1; gg <= 3; gg++) {
                        check(seed, step, gg, models.get(gg), store.load(gg, ConfState.ofVoters(9L)), boot);
                    }
                }
            }
        } finally {
            storage.close();
        }
    }

    private static void persist(RaftLogStore store, long group, Ready rd) {
        RaftLogStore.WriteSet w = new RaftLogStore.WriteSet();
        store.stage(group, rd, w);
        store.write(w, false);
    }

    private static void check(long seed, int step, long g, Model m, RaftState s, ConfState boot) {
        String where = "seed " + seed + " step " + step + " group " + g;
        assertEquals(m.hs, s.hardState(), where);
        assertEquals(m.entries, s.entries(), where);
        assertEquals(boot, s.bootstrap(), where);
        if (m.snap == null) {
            assertEquals(null, s.snapshot(), where);
        } else {
            assertEquals(m.snap.index(), s.snapshot().index(), where);
            assertEquals(m.snap.term(), s.snapshot().term(), where);
            assertEquals(m.snap.conf(), s.snapshot().conf(), where);
            assertArrayEquals(m.snap.data(), s.snapshot().data(), where);
        }
    }
}
