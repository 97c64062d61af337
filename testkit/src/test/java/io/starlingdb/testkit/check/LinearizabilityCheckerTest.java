package io.starlingdb.testkit.check;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearizabilityCheckerTest {

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private static HistoryOp op(int client, KvOp op, long call, long ret, String out) {
        return HistoryOp.completed(client, op, call, ret, out);
    }

    @Test
    void acceptsSequentialHistory() {
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "1"), 1, 2, "ok"),
                op(1, KvOp.get("x"), 3, 4, "1"),
                op(0, KvOp.cas("x", "1", "2"), 5, 6, "true"),
                op(1, KvOp.get("x"), 7, 8, "2"));
        assertTrue(checker.check(h).ok());
    }

    @Test
    void rejectsStaleReadAfterCompletedWrite() {
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "1"), 1, 2, "ok"),
                op(0, KvOp.put("x", "2"), 3, 4, "ok"),
                op(1, KvOp.get("x"), 5, 6, "1"));
        LinearizabilityChecker.Result r = checker.check(h);
        assertEquals(LinearizabilityChecker.Verdict.ILLEGAL, r.verdict());
        assertEquals("x", r.key());
        assertTrue(r.explanation().contains("at most 2 operations linearize; then this one cannot be placed: c1 get(x)"),
                r.explanation());
    }

    @Test
    void acceptsConcurrentReadSeeingEitherValue() {
        for (String seen : new String[] {"1", "2"}) {
            List<HistoryOp> h = List.of(
                    op(0, KvOp.put("x", "1"), 1, 2, "ok"),
                    op(0, KvOp.put("x", "2"), 3, 6, "ok"),
                    op(1, KvOp.get("x"), 4, 5, seen));
            assertTrue(checker.check(h).ok(), "read of " + seen + " overlaps the write");
        }
    }

    @Test
    void aFilteredReadSeesTheValueIfItMeetsTheFilterElseNothing() {
        ValueFilter atLeast5 = new ValueFilter(ValueFilter.Op.GE, 5);
        List<HistoryOp> before = List.of(op(0, KvOp.put("x", "c0-7"), 1, 2, "ok"));
        List<HistoryOp> ok = new ArrayList<>(before);
        ok.add(op(1, KvOp.getWhere("x", atLeast5), 3, 4, "c0-7"));
        ok.add(op(0, KvOp.put("x", "c0-3"), 5, 6, "ok"));
        ok.add(op(1, KvOp.getWhere("x", atLeast5), 7, 8, null)); // c0-3 is rejected: nothing
        assertTrue(checker.check(ok).ok());
        // A row the filter keeps left out (a page dropped it), and a row it rejects returned.
        for (HistoryOp wrong : List.of(op(1, KvOp.getWhere("x", atLeast5), 3, 4, null),
                op(1, KvOp.getWhere("x", new ValueFilter(ValueFilter.Op.LT, 5)), 3, 4, "c0-7"))) {
            List<HistoryOp> h = new ArrayList<>(before);
            h.add(wrong);
            assertEquals(LinearizabilityChecker.Verdict.ILLEGAL, checker.check(h).verdict(), wrong.toString());
        }
    }

    @Test
    void existsReadsAreCheckedAgainstWhetherTheKeyHoldsAValue() {
        List<HistoryOp> h = new ArrayList<>(List.of(
                op(0, KvOp.exists("x"), 1, 2, "false"),
                op(0, KvOp.put("x", "c0-1"), 3, 4, "ok"),
                op(1, KvOp.exists("x"), 5, 6, "true")));
        assertTrue(checker.check(h).ok());
        h.add(op(1, KvOp.exists("x"), 7, 8, "false"));
        assertEquals(LinearizabilityChecker.Verdict.ILLEGAL, checker.check(h).verdict());
    }

    @Test
    void rejectsReadsThatGoBackInTime() {
        // Both reads overlap the write, but once a reader saw the new value a later read cannot see the old.
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "1"), 1, 2, "ok"),
                op(0, KvOp.put("x", "2"), 3, 20, "ok"),
                op(1, KvOp.get("x"), 4, 5, "2"),
                op(2, KvOp.get("x"), 6, 7, "1"));
        assertFalse(checker.check(h).ok());
    }

    @Test
    void rejectsTwoSuccessfulCompareAndSetsFromTheSameValue() {
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "0"), 1, 2, "ok"),
                op(1, KvOp.cas("x", "0", "a"), 3, 10, "true"),
                op(2, KvOp.cas("x", "0", "b"), 4, 9, "true"));
        assertFalse(checker.check(h).ok());
    }

    @Test
    void rejectsFailedCompareAndSetThatShouldHaveSucceeded() {
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "0"), 1, 2, "ok"),
                op(1, KvOp.cas("x", "0", "a"), 3, 4, "false"));
        assertFalse(checker.check(h).ok());
    }

    @Test
    void rejectsReadOfValueNeverWritten() {
        assertFalse(checker.check(List.of(op(0, KvOp.get("x"), 1, 2, "ghost"))).ok());
    }

    @Test
    void acceptsTimedOutWriteThatTookEffect() {
        List<HistoryOp> h = List.of(
                HistoryOp.timedOut(0, KvOp.put("x", "1"), 1),
                op(1, KvOp.get("x"), 5, 6, "1"),
                op(1, KvOp.get("x"), 7, 8, "1"));
        assertTrue(checker.check(h).ok());
    }

    @Test
    void acceptsTimedOutWriteThatNeverTookEffect() {
        List<HistoryOp> h = List.of(
                HistoryOp.timedOut(0, KvOp.put("x", "1"), 1),
                op(1, KvOp.get("x"), 5, 6, null),
                op(1, KvOp.put("x", "2"), 7, 8, "ok"),
                op(1, KvOp.get("x"), 9, 10, "2"));
        assertTrue(checker.check(h).ok());
    }

    @Test
    void acceptsTimedOutWriteTakingEffectLate() {
        // The write timed out at the client but was applied after a later write of another client.
        List<HistoryOp> h = List.of(
                HistoryOp.timedOut(0, KvOp.put("x", "1"), 1),
                op(1, KvOp.put("x", "2"), 5, 6, "ok"),
                op(1, KvOp.get("x"), 7, 8, "1"));
        assertTrue(checker.check(h).ok());
    }

    @Test
    void rejectsTimedOutWriteObservedBeforeItWasInvoked() {
        List<HistoryOp> h = List.of(
                op(1, KvOp.get("x"), 1, 2, "1"),
                HistoryOp.timedOut(0, KvOp.put("x", "1"), 3));
        assertFalse(checker.check(h).ok());
    }

    @Test
    void rejectsFlipFlopEvenWithTimedOutWrite() {
        // One timed-out write of 1 can explain one change to 1, not 1 -> 2 -> 1.
        List<HistoryOp> h = List.of(
                HistoryOp.timedOut(0, KvOp.put("x", "1"), 1),
                op(1, KvOp.get("x"), 2, 3, "1"),
                op(1, KvOp.put("x", "2"), 4, 5, "ok"),
                op(1, KvOp.get("x"), 6, 7, "2"),
                op(1, KvOp.get("x"), 8, 9, "1"));
        assertFalse(checker.check(h).ok());
    }

    @Test
    void keysAreCheckedIndependently() {
        List<HistoryOp> h = List.of(
                op(0, KvOp.put("x", "1"), 1, 2, "ok"),
                op(0, KvOp.put("y", "1"), 3, 4, "ok"),
                op(1, KvOp.get("x"), 5, 6, "1"),
                op(1, KvOp.get("y"), 7, 8, null));
        LinearizabilityChecker.Result r = checker.check(h);
        assertFalse(r.ok());
        assertEquals("y", r.key());
    }

    @Test
    void acceptsLargeRandomLinearizableHistoryAndRejectsItWithOneStaleRead() {
        // Generate a history from a real register with overlapping intervals around each linearization point.
        Random random = new Random(42);
        List<HistoryOp> h = new ArrayList<>();
        String value = null;
        long t = 0;
        for (int i = 0; i < 300; i++) {
            t += 10;
            long call = t - random.nextInt(8);
            long ret = t + random.nextInt(8);
            int client = i % 5;
            if (random.nextInt(40) == 0) {
                String v = "v" + i;
                h.add(HistoryOp.timedOut(client, KvOp.put("x", v), call));
                value = v;
            } else if (random.nextBoolean()) {
                String v = "v" + i;
                h.add(op(client, KvOp.put("x", v), call, ret, "ok"));
                value = v;
            } else {
                h.add(op(client, KvOp.get("x"), call, ret, value));
            }
        }
        assertTrue(checker.check(h).ok());
        // Now a read far after everything returns a value overwritten long ago.
        String old = null;
        for (HistoryOp o : h) {
            if (o.op().kind() == KvOp.Kind.PUT && !o.unknown()) {
                old = o.op().value();
                break;
            }
        }
        h.add(op(9, KvOp.get("x"), t + 100, t + 101, old));
        assertEquals(LinearizabilityChecker.Verdict.ILLEGAL, checker.check(h).verdict());
    }
}
