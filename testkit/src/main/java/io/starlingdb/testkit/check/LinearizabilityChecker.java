package io.starlingdb.testkit.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a history of single-key register operations (get, put, compare-and-set, and the reads
 * of a filtered scan and of a first-keys request) for
 * linearizability: the Wing-Gong search with Lowe's memoisation of (linearized set, state), as
 * in Porcupine. Keys are independent registers, so the history is split per key and each part
 * is searched on its own (linearizability is compositional).
 *
 * <p>An operation with unknown outcome never returns: its return event comes after every other
 * event, so the search may linearize it anywhere after its call, including at the very end —
 * which is the same as "never took effect" for every observer.
 */
public final class LinearizabilityChecker {

    /** Search steps per key before giving up (the problem is NP-complete in general). */
    public static final long defaultMaxStepsPerKey = 20_000_000;

    /** The outcome for a whole history. */
    public record Result(Verdict verdict, String key, String explanation) {
        public boolean ok() {
            return verdict == Verdict.OK;
        }
    }

    public enum Verdict {
        OK,
        ILLEGAL,
        /** The search exceeded its step budget: neither proven nor refuted. */
        GAVE_UP
    }

    private final long maxStepsPerKey;

    public LinearizabilityChecker() {
        this(defaultMaxStepsPerKey);
    }

    public LinearizabilityChecker(long maxStepsPerKey) {
        this.maxStepsPerKey = maxStepsPerKey;
    }

    public Result check(List<HistoryOp> history) {
        Map<String, List<HistoryOp>> byKey = new TreeMap<>();
        for (HistoryOp h : history) {
            byKey.computeIfAbsent(h.op().key(), k -> new ArrayList<>()).add(h);
        }
        for (Map.Entry<String, List<HistoryOp>> e : byKey.entrySet()) {
            Search search = new Search();
            Verdict v = checkKey(e.getValue(), search);
            if (v != Verdict.OK) {
                return new Result(v, e.getKey(), describe(e.getKey(), e.getValue(), v, search));
            }
        }
        return new Result(Verdict.OK, null, "linearizable");
    }

    /** What the search got furthest to, to point at the operation that cannot be placed. */
    private static final class Search {
        int deepest = -1;
        int stuckAt = -1;
    }

    private static String describe(String key, List<HistoryOp> ops, Verdict v, Search search) {
        StringBuilder b = new StringBuilder();
        b.append(v == Verdict.ILLEGAL ? "not linearizable" : "checker gave up").append(" on key ").append(key)
                .append(" (").append(ops.size()).append(" operations):\n");
        if (search.stuckAt >= 0) {
            b.append("  at most ").append(search.deepest).append(" operations linearize; then this one cannot be placed: ")
                    .append(ops.get(search.stuckAt)).append('\n');
        }
        List<HistoryOp> sorted = new ArrayList<>(ops);
        sorted.sort(Comparator.comparingLong(HistoryOp::call));
        for (HistoryOp h : sorted) {
            b.append("  ").append(h).append('\n');
        }
        return b.toString();
    }

    /** Register semantics: returns the new state, or NO if the operation cannot produce its output in this state. */
    private static final Object NO = new Object();

    static Object step(String state, HistoryOp h) {
        KvOp op = h.op();
        switch (op.kind()) {
            case GET:
                return h.unknown() || Objects.equals(state, h.output()) ? state : NO;
            case GET_WHERE:
                if (h.unknown()) {
                    return state;
                }
                if (h.output() == null) {
                    return state == null || !op.filter().test(state) ? state : NO;
                }
                return h.output().equals(state) && op.filter().test(state) ? state : NO;
            case EXISTS:
                return h.unknown() || String.valueOf(state != null).equals(h.output()) ? state : NO;
            case PUT:
                return op.value();
            default:
                boolean matches = Objects.equals(state, op.expected());
                if (!h.unknown() && !String.valueOf(matches).equals(h.output())) {
                    return NO;
                }
                return matches ? op.value() : state;
        }
    }

    private record CacheKey(BitSet linearized, String state) {
    }

    /** A node of the doubly linked list of call and return events. */
    private static final class Node {
        final int op;
        final boolean call;
        Node match;
        Node prev;
        Node next;

        Node(int op, boolean call) {
            this.op = op;
            this.call = call;
        }
    }

    private Verdict checkKey(List<HistoryOp> ops, Search search) {
        int n = ops.size();
        // Events in real-time order; at equal times calls come first (so the ops overlap: never a false alarm).
        List<long[]> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            events.add(new long[] {ops.get(i).call(), 0, i});
            events.add(new long[] {ops.get(i).ret(), 1, i});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : a[1] != b[1] ? Long.compare(a[1], b[1])
                : Long.compare(a[2], b[2]));
        Node head = new Node(-1, false);
        Node tail = head;
        Node[] calls = new Node[n];
        Node[] rets = new Node[n];
        for (long[] ev : events) {
            Node node = new Node((int) ev[2], ev[1] == 0);
            if (node.call) {
                calls[node.op] = node;
            } else {
                rets[node.op] = node;
            }
            tail.next = node;
            node.prev = tail;
            tail = node;
        }
        for (int i = 0; i < n; i++) {
            calls[i].match = rets[i];
        }

        Set<CacheKey> cache = new HashSet<>();
        BitSet linearized = new BitSet(n);
        String state = null;
        ArrayList<Node> stackNode = new ArrayList<>();
        ArrayList<String> stackState = new ArrayList<>();
        Node entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (++steps > maxStepsPerKey) {
                return Verdict.GAVE_UP;
            }
            if (entry.call) {
                Object next = step(state, ops.get(entry.op));
                boolean advanced = false;
                if (next != NO) {
                    BitSet lin = (BitSet) linearized.clone();
                    lin.set(entry.op);
                    if (cache.add(new CacheKey(lin, (String) next))) {
                        stackNode.add(entry);
                        stackState.add(state);
                        state = (String) next;
                        linearized.set(entry.op);
                        lift(entry);
                        entry = head.next;
                        advanced = true;
                    }
                }
                if (!advanced) {
                    entry = entry.next;
                }
            } else {
                // A return whose call is not linearized yet: this order fails, backtrack.
                if (stackNode.size() > search.deepest) {
                    search.deepest = stackNode.size();
                    search.stuckAt = entry.op;
                }
                if (stackNode.isEmpty()) {
                    return Verdict.ILLEGAL;
                }
                Node top = stackNode.remove(stackNode.size() - 1);
                state = stackState.remove(stackState.size() - 1);
                linearized.clear(top.op);
                unlift(top);
                entry = top.next;
            }
        }
        return Verdict.OK;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
