package io.starlingdb.engine.range;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.raft.ConfState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RangeRpcTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void requestsAndResponsesSurviveTheWire() {
        RangeRpc.Request write = RangeRpc.Request.write(7, new RangeCommand.Write(List.of(
                new WriteOp.Put(b("a"), b("1")), new WriteOp.CompareAndSet(b("b"), null, b("2")), new WriteOp.Delete(b("c")))));
        RangeRpc.Request back = RangeRpc.decodeRequest(RangeRpc.encode(write));
        assertEquals(RangeRpc.Kind.WRITE, back.kind());
        assertEquals(7, back.rangeId());
        RangeCommand.Write w = assertInstanceOf(RangeCommand.Write.class, back.command());
        assertEquals(3, w.ops().size());
        assertArrayEquals(b("2"), ((WriteOp.CompareAndSet) w.ops().get(1)).newValue());

        RangeRpc.Request scan = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.scan(3, b("k"), null, 10, 1024)));
        assertEquals(10, scan.maxRows());
        assertEquals(null, scan.endKey());
        assertEquals(null, scan.filter());
        RowPredicate filter = new RowPredicate(List.of(new RowPredicate.Comparison(2, ValueType.BIGINT, RowPredicate.Op.GE, 7L)));
        RangeRpc.Request filtered = RangeRpc.decodeRequest(RangeRpc.encode(
                RangeRpc.Request.scan(3, b("k"), b("m"), 10, 1024, 99, filter)));
        assertEquals(filter.comparisons(), filtered.filter().comparisons());
        assertEquals(99, filtered.timestamp());
        assertThrows(IllegalArgumentException.class, () -> new RangeRpc.Request(RangeRpc.Kind.GET, 3, b("k"), null, 0, 0, null,
                List.of(), 5, 0, filter), "only scans take a filter");

        RangeDescriptor d = new RangeDescriptor(3, b("k"), b("q"), ConfState.ofVoters(1L, 2L, 3L), 4);
        RangeRpc.Response rows = RangeRpc.decodeResponse(RangeRpc.encode(RangeRpc.Response.ok(new RangeResult.Rows(
                List.of(new RangeResult.KeyValue(b("k1"), b("v1"))), b("k2")), d)));
        assertEquals(d, rows.descriptor());
        RangeResult.Rows r = assertInstanceOf(RangeResult.Rows.class, rows.result());
        assertArrayEquals(b("k2"), r.resumeKey());
        RangeRpc.Response hint = RangeRpc.decodeResponse(RangeRpc.encode(
                RangeRpc.Response.of(RangeRpc.Status.NOT_LEASEHOLDER, 2, null)));
        assertEquals(RangeRpc.Status.NOT_LEASEHOLDER, hint.status());
        assertEquals(2, hint.leaderHint());

        RangeRpc.Request ts = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.timestamps(50)));
        assertEquals(RangeRpc.Kind.TIMESTAMPS, ts.kind());
        assertEquals(50, ts.maxRows());
        assertEquals(new RangeResult.Timestamps(123L << 16, 50), RangeRpc.decodeResponse(RangeRpc.encode(
                RangeRpc.Response.ok(new RangeResult.Timestamps(123L << 16, 50), null))).result());
        assertEquals(new RangeResult.Prewritten(456L << 16 | 7), RangeRpc.decodeResponse(RangeRpc.encode(
                RangeRpc.Response.ok(new RangeResult.Prewritten(456L << 16 | 7), null))).result());
        assertEquals(new RangeResult.BelowGcThreshold(120L << 16, 200L << 16), RangeRpc.decodeResponse(RangeRpc.encode(
                RangeRpc.Response.ok(new RangeResult.BelowGcThreshold(120L << 16, 200L << 16), null))).result());
        assertEquals(new RangeResult.CommitDeadlinePassed(120L << 16, 121L << 16), RangeRpc.decodeResponse(RangeRpc.encode(
                RangeRpc.Response.ok(new RangeResult.CommitDeadlinePassed(120L << 16, 121L << 16), null))).result());
        RangeRpc.Request bounded = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.write(3,
                new RangeCommand.Write(List.of(new WriteOp.Put(new byte[] {1}, new byte[] {2}))), 99L << 16)));
        assertEquals(99L << 16, bounded.untilTimestamp(), "a write's commit deadline");
        RangeRpc.Request oldest = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.oldestLock(4, new byte[] {1}, null)));
        assertEquals(RangeRpc.Kind.OLDEST_LOCK, oldest.kind());
        RangeRpc.Request host = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.host(9, true)));
        assertEquals(RangeRpc.Kind.HOST, host.kind());
        assertEquals(1, host.maxRows(), "replace");
        assertEquals(9, host.rangeId());
        RangeRpc.Request lease = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.lease(9, 4, 3)));
        assertEquals(RangeRpc.Kind.LEASE, lease.kind());
        assertEquals(9, lease.rangeId());
        assertEquals(4, lease.maxBytes(), "the asking store");
        assertEquals(3, lease.maxRows(), "the leases it leads");
    }

    @Test
    void aParallelCommitsPrewriteCheckAndStagingStatusTravelWithEveryField() {
        RangeCommand.Prewrite p = RangeCommand.Prewrite.parallel(100, b("p"), 3_000, "n1",
                List.of(new WriteOp.Put(b("p"), b("v")), new WriteOp.Delete(b("q"))), List.of(b("s1"), b("s2")))
                .withMinCommitTs(150);
        RangeCommand.Prewrite back = (RangeCommand.Prewrite) RangeCodec.decodeCommand(RangeCodec.encodeCommand(p));
        assertEquals(true, back.parallel());
        assertEquals(150, back.minCommitTs());
        assertEquals(2, back.stagedKeys().size());
        assertArrayEquals(b("s2"), back.stagedKeys().get(1));
        RangeCommand.Prewrite secondary = (RangeCommand.Prewrite) RangeCodec.decodeCommand(RangeCodec.encodeCommand(
                RangeCommand.Prewrite.parallel(100, b("p"), 3_000, "n1", List.of(new WriteOp.Put(b("s1"), b("v"))), null)));
        assertEquals(true, secondary.parallel());
        assertNull(secondary.stagedKeys());
        RangeCommand.CheckPrewrite check = (RangeCommand.CheckPrewrite) RangeCodec.decodeCommand(RangeCodec.encodeCommand(
                new RangeCommand.CheckPrewrite(100, List.of(b("s1")))));
        assertEquals(100, check.startTs());
        assertArrayEquals(b("s1"), check.keys().get(0));

        RangeResult.TxnStatus st = (RangeResult.TxnStatus) RangeRpc.decodeResponse(RangeRpc.encode(RangeRpc.Response.ok(
                new RangeResult.TxnStatus(RangeResult.TxnStatus.State.STAGING, 150, 0, List.of(b("s1"))), null))).result();
        assertEquals(RangeResult.TxnStatus.State.STAGING, st.state());
        assertEquals(150, st.commitTs());
        assertArrayEquals(b("s1"), st.stagedKeys().get(0));
        assertThrows(IllegalArgumentException.class, () -> RangeCommand.Prewrite.parallel(100, b("p"), 3_000, "n1",
                List.of(new WriteOp.Put(b("p"), b("v"))), null), "the primary's prewrite carries the STAGING list");
    }

    @Test
    void aValidationOfKeysCarriesItsKeysAndTimestamps() {
        RangeRpc.Request v = RangeRpc.decodeRequest(RangeRpc.encode(RangeRpc.Request.validateKeys(4, List.of(b("x"), b("y")),
                100, 200)));
        assertEquals(RangeRpc.Kind.VALIDATE, v.kind());
        assertEquals(2, v.keys().size());
        assertArrayEquals(b("y"), v.keys().get(1));
        assertEquals(100, v.timestamp());
        assertEquals(200, v.untilTimestamp());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RangeRpc.Request.validateKeys(4, List.of(), 100, 200));
    }

    @Test
    void malformedFramesAreRefusedWithAnErrorNotAnAllocation() {
        byte[] valid = RangeRpc.encode(RangeRpc.Request.get(1, b("key")));
        for (int cut = 0; cut < valid.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(valid, cut);
            assertThrows(IllegalArgumentException.class, () -> RangeRpc.decodeRequest(truncated), "cut at " + cut);
        }
        // A length field claiming two gigabytes.
        byte[] huge = valid.clone();
        huge[9] = 0x7f;
        assertThrows(IllegalArgumentException.class, () -> RangeRpc.decodeRequest(huge));
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            try {
                RangeRpc.decodeResponse(noise);
                RangeRpc.decodeRequest(noise);
            } catch (IllegalArgumentException expected) {
                // the only way garbage may fail
            }
        }
    }
}
