package io.starlingdb.engine.range;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.raft.ConfState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LatchesTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static RangeDescriptor range(String start, String end) {
        return new RangeDescriptor(7, b(start), end == null ? null : b(end), new ConfState(Set.of(1L), Set.of()), 1);
    }

    @Test
    void aScanWaitsForALatchInsideItsRangeAndSpan() {
        Latches latches = new Latches();
        CompletableFuture<Void> write = latches.acquire(List.of(b("c"))).join();
        CompletableFuture<Void> scan = latches.awaitSpan(range("a", "m"), b("a"), b("z"));
        assertFalse(scan.isDone(), "the write's key is in the range and the span");
        latches.release(List.of(b("c")), write);
        assertTrue(scan.isDone());
    }

    @Test
    void aScanOfOneRangeDoesNotWaitForAWriteToAnotherRangeOfTheStore() {
        Latches latches = new Latches();
        // The store writes "p" in another range [m, end), for instance a proposal left pending when
        // this store lost that range's leadership: it holds its latch until its proposal times out.
        latches.acquire(List.of(b("p"))).join();
        // The gateway asks range [a, m) for the rest of a scan to "z".
        assertTrue(latches.awaitSpan(range("a", "m"), b("a"), b("z")).isDone());
        assertTrue(latches.awaitSpan(range("a", "m"), b("b"), null).isDone());
        assertFalse(latches.awaitSpan(range("m", null), b("a"), b("z")).isDone(), "the write's own range waits");
    }
}
