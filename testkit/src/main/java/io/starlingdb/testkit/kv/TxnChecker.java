package io.starlingdb.testkit.kv;

import io.starlingdb.engine.txn.Isolation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the transactions of a run.
 *
 * <p><b>Bank.</b> Every snapshot read (a read-only transaction that scanned every account at
 * its start timestamp, and the final read) sees the accounts' constant total.
 *
 * <p><b>List append, Elle-style.</b> Each list key's value is the list of elements appended to
 * it, each element unique and written by one transaction (which read the list at its start
 * timestamp and wrote it back one longer). Every list observed for a key (read by any
 * transaction, or written by one that committed) must be a prefix of the longest: that gives
 * each key's version order, and two lists that are not prefixes of one another mean a lost
 * update (or a duplicated append). A list holding an element of a transaction that aborted is a
 * dirty read (G1a); a committed append missing from the final read is a lost write. Then the
 * dependency graph of the committed transactions (those whose outcome is unknown count as
 * committed once an element of theirs is observed): ww (the writer of an element, then the
 * writer of the next one), wr (the writer of the last element a transaction read, then that
 * transaction) and rw (a transaction that read a list, then the writer of the element after its
 * last one). Under SNAPSHOT ("l" keys) no cycle of ww and wr edges (G0, G1c) and none with exactly
 * one rw edge (G-single: read skew, a fractured read) may exist; under SERIALIZABLE ("s" keys) no
 * cycle at all (G2: write skew, too).
 */
final class TxnChecker {

    private final List<TxnRecord> txns;
    private final long total;

    TxnChecker(List<TxnRecord> txns, int accounts) {
        this.txns = txns;
        this.total = accounts * TxnSimParams.initialBalance;
    }

    /** The first anomaly found, or null. */
    String check() {
        String bank = checkBank();
        if (bank != null) {
            return bank;
        }
        String lists = checkLists("l", Isolation.SNAPSHOT);
        return lists != null ? lists : checkLists("s", Isolation.SERIALIZABLE);
    }

    private String checkBank() {
        for (TxnRecord t : txns) {
            if ((t.kind == TxnRecord.Kind.SNAPSHOT_READ || t.kind == TxnRecord.Kind.FINAL_READ)
                    && t.outcome == TxnRecord.Outcome.COMMITTED) {
                long sum = 0;
                int accounts = 0;
                for (Map.Entry<String, String> e : t.reads.entrySet()) {
                    if (e.getKey().startsWith("a")) {
                        sum += TxnSimClient.balance(e.getValue());
                        accounts++;
                    }
                }
                long missing = total / TxnSimParams.initialBalance - accounts;
                sum += missing * TxnSimParams.initialBalance; // accounts never written hold the initial balance
                if (sum != total) {
                    return "bank: snapshot read " + t + " sees a total of " + sum + ", not " + total;
                }
            }
        }
        return null;
    }

    private static List<Long> parse(String list) {
        List<Long> out = new ArrayList<>();
        if (list != null && !list.isEmpty()) {
            for (String e : list.split(",")) {
                out.add(Long.parseLong(e));
            }
        }
        return out;
    }

    private enum Edge { WW, WR, RW }

    private String checkLists(String group, Isolation isolation) {
        Map<Long, TxnRecord> writerOf = new HashMap<>();
        for (TxnRecord t : txns) {
            if (t.kind == TxnRecord.Kind.LIST) {
                for (Map.Entry<String, Long> e : t.appended.entrySet()) {
                    if (e.getKey().startsWith(group)) {
                        writerOf.put(e.getValue(), t);
                    }
                }
            }
        }
        // Observations: every read, and the value every committed transaction wrote.
        Map<String, List<Long>> longest = new HashMap<>();
        Map<String, String> longestFrom = new HashMap<>();
        Set<TxnRecord> committed = new HashSet<>();
        for (TxnRecord t : txns) {
            if (t.outcome == TxnRecord.Outcome.COMMITTED) {
                committed.add(t);
            }
        }
        for (TxnRecord t : txns) {
            for (Map.Entry<String, String> e : t.reads.entrySet()) {
                if (e.getKey().startsWith(group)) {
                    for (long el : parse(e.getValue())) {
                        TxnRecord w = writerOf.get(el);
                        if (w == null) {
                            return "list " + e.getKey() + ": " + t + " read element " + el + " that nobody appended";
                        }
                        if (w.outcome == TxnRecord.Outcome.ABORTED) {
                            return "dirty read (G1a): " + t + " read element " + el + " of " + e.getKey()
                                    + ", appended by the aborted " + w;
                        }
                        if (w.outcome == TxnRecord.Outcome.UNKNOWN) {
                            committed.add(w);
                        }
                    }
                }
            }
        }
        List<Object[]> observations = new ArrayList<>();
        for (TxnRecord t : txns) {
            for (Map.Entry<String, String> e : t.reads.entrySet()) {
                if (e.getKey().startsWith(group)) {
                    observations.add(new Object[] {e.getKey(), parse(e.getValue()), "read by " + t});
                }
            }
            if (committed.contains(t) && t.kind == TxnRecord.Kind.LIST) {
                for (Map.Entry<String, String> e : t.writes.entrySet()) {
                    if (e.getKey().startsWith(group)) {
                        observations.add(new Object[] {e.getKey(), parse(e.getValue()), "written by " + t});
                    }
                }
            }
        }
        for (Object[] o : observations) {
            String key = (String) o[0];
            @SuppressWarnings("unchecked")
            List<Long> list = (List<Long>) o[1];
            if (new HashSet<>(list).size() != list.size()) {
                return "list " + key + " holds an element twice: " + list + " (" + o[2] + ")";
            }
            List<Long> l = longest.get(key);
            if (l == null || list.size() > l.size()) {
                longest.put(key, list);
                longestFrom.put(key, (String) o[2]);
            }
        }
        for (Object[] o : observations) {
            String key = (String) o[0];
            @SuppressWarnings("unchecked")
            List<Long> list = (List<Long>) o[1];
            List<Long> l = longest.get(key);
            if (!l.subList(0, list.size()).equals(list)) {
                return "lost update on " + key + ": " + list + " (" + o[2] + ") is not a prefix of " + l + " ("
                        + longestFrom.get(key) + ")";
            }
        }
        TxnRecord fin = null;
        for (TxnRecord t : txns) {
            if (t.kind == TxnRecord.Kind.FINAL_READ && t.outcome == TxnRecord.Outcome.COMMITTED) {
                fin = t;
            }
        }
        if (fin != null) {
            // Every append of a committed transaction (or of one whose outcome was unknown and
            // some of whose appends are seen: all or nothing) is in the final read.
            for (TxnRecord t : txns) {
                if (t.kind == TxnRecord.Kind.LIST && committed.contains(t)) {
                    for (Map.Entry<String, Long> e : t.appended.entrySet()) {
                        if (e.getKey().startsWith(group) && !parse(fin.reads.get(e.getKey())).contains(e.getValue())) {
                            return (t.outcome == TxnRecord.Outcome.COMMITTED ? "lost write: the committed "
                                    : "not atomic: some appends are seen of ") + t + ", but its append of " + e.getValue() + " to " + e.getKey()
                                    + ", which the final read " + parse(fin.reads.get(e.getKey())) + " lacks";
                        }
                    }
                }
            }
        }
        // The dependency graph of the committed transactions.
        Map<TxnRecord, Map<TxnRecord, Edge>> graph = new LinkedHashMap<>();
        for (Map.Entry<String, List<Long>> e : longest.entrySet()) {
            List<Long> order = e.getValue();
            for (int i = 0; i + 1 < order.size(); i++) {
                edge(graph, writerOf.get(order.get(i)), writerOf.get(order.get(i + 1)), Edge.WW);
            }
        }
        for (TxnRecord t : committed) {
            if (t.kind == TxnRecord.Kind.FINAL_READ) {
                continue;
            }
            for (Map.Entry<String, String> e : t.reads.entrySet()) {
                if (!e.getKey().startsWith(group)) {
                    continue;
                }
                List<Long> read = parse(e.getValue());
                List<Long> order = longest.get(e.getKey());
                if (!read.isEmpty()) {
                    edge(graph, writerOf.get(read.get(read.size() - 1)), t, Edge.WR);
                }
                if (order.size() > read.size()) {
                    edge(graph, t, writerOf.get(order.get(read.size())), Edge.RW);
                }
            }
        }
        return isolation == Isolation.SERIALIZABLE ? anyCycle(graph) : snapshotCycle(graph);
    }

    private static void edge(Map<TxnRecord, Map<TxnRecord, Edge>> graph, TxnRecord from, TxnRecord to, Edge kind) {
        if (from == null || to == null || from == to) {
            return;
        }
        Map<TxnRecord, Edge> out = graph.computeIfAbsent(from, k -> new LinkedHashMap<>());
        Edge had = out.get(to);
        // Keep the strongest kind: a ww or wr edge makes a cycle an anomaly under SNAPSHOT too.
        if (had == null || had == Edge.RW) {
            out.put(to, kind);
        }
        graph.computeIfAbsent(to, k -> new LinkedHashMap<>());
    }

    /** SERIALIZABLE: any cycle (G2 included). */
    private static String anyCycle(Map<TxnRecord, Map<TxnRecord, Edge>> graph) {
        for (TxnRecord start : graph.keySet()) {
            for (Map.Entry<TxnRecord, Edge> e : graph.get(start).entrySet()) {
                List<TxnRecord> back = path(graph, e.getKey(), start, false);
                if (back != null) {
                    return "cycle under SERIALIZABLE (" + (e.getValue() == Edge.RW || hasRw(graph, back) ? "G2" : "G1c")
                            + "): " + describe(graph, start, back);
                }
            }
        }
        return null;
    }

    /** SNAPSHOT: a cycle of ww and wr edges (G0, G1c), or one with a single rw edge (G-single). */
    private static String snapshotCycle(Map<TxnRecord, Map<TxnRecord, Edge>> graph) {
        for (TxnRecord start : graph.keySet()) {
            for (Map.Entry<TxnRecord, Edge> e : graph.get(start).entrySet()) {
                List<TxnRecord> back = path(graph, e.getKey(), start, true);
                if (back != null) {
                    return (e.getValue() == Edge.RW ? "G-single (read skew)" : "G1c") + " under SNAPSHOT: "
                            + describe(graph, start, back);
                }
            }
        }
        return null;
    }

    private static boolean hasRw(Map<TxnRecord, Map<TxnRecord, Edge>> graph, List<TxnRecord> path) {
        for (int i = 0; i + 1 < path.size(); i++) {
            if (graph.get(path.get(i)).get(path.get(i + 1)) == Edge.RW) {
                return true;
            }
        }
        return false;
    }

    /** A path from 'from' to 'to' (breadth first), over ww and wr edges only if noRw; null if none. */
    private static List<TxnRecord> path(Map<TxnRecord, Map<TxnRecord, Edge>> graph, TxnRecord from, TxnRecord to,
                                        boolean noRw) {
        Map<TxnRecord, TxnRecord> parent = new HashMap<>();
        Deque<TxnRecord> queue = new ArrayDeque<>();
        queue.add(from);
        parent.put(from, from);
        while (!queue.isEmpty()) {
            TxnRecord at = queue.poll();
            if (at == to) {
                List<TxnRecord> out = new ArrayList<>();
                for (TxnRecord x = to; x != from; x = parent.get(x)) {
                    out.add(0, x);
                }
                out.add(0, from);
                return out;
            }
            for (Map.Entry<TxnRecord, Edge> e : graph.getOrDefault(at, Map.of()).entrySet()) {
                if ((!noRw || e.getValue() != Edge.RW) && !parent.containsKey(e.getKey())) {
                    parent.put(e.getKey(), at);
                    queue.add(e.getKey());
                }
            }
        }
        return null;
    }

    private static String describe(Map<TxnRecord, Map<TxnRecord, Edge>> graph, TxnRecord start, List<TxnRecord> back) {
        StringBuilder b = new StringBuilder().append(start);
        TxnRecord prev = start;
        for (TxnRecord t : back) {
            b.append(" -").append(graph.get(prev).get(t)).append("-> ").append(t == start ? "T" + t.id : t);
            prev = t;
        }
        return b.toString();
    }
}
