package io.starlingdb.engine.range;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProposalTimeoutsTest {

    @Test
    void aProposalNotAnsweredFailsWithATimeoutNoSoonerThanItsTimeout() {
        ProposalTimeouts timeouts = new ProposalTimeouts(200);
        long start = System.nanoTime();
        CompletableFuture<Object> stuck = timeouts.orTimeout(new CompletableFuture<>());
        ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void answeredProposalsKeepTheirAnswerAndLeaveTheQueueWhileAnotherWaits() throws Exception {
        ProposalTimeouts timeouts = new ProposalTimeouts(300);
        CompletableFuture<Object> stuck = timeouts.orTimeout(new CompletableFuture<>());
        List<CompletableFuture<Object>> answered = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            CompletableFuture<Object> f = timeouts.orTimeout(new CompletableFuture<>());
            f.complete(i);
            answered.add(f);
        }
        // Already answered when registered: not queued.
        timeouts.orTimeout(CompletableFuture.completedFuture("done"));
        assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
        for (int i = 0; i < answered.size(); i++) {
            assertEquals(i, answered.get(i).get());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (timeouts.queued() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the next sweep drops the answered ones behind the failed one
        }
        assertEquals(0, timeouts.queued());
    }

    @Test
    void sweepsGoOnForProposalsAddedAfterTheQueueEmptied() {
        ProposalTimeouts timeouts = new ProposalTimeouts(100);
        for (int round = 0; round < 3; round++) {
            CompletableFuture<Object> stuck = timeouts.orTimeout(new CompletableFuture<>());
            ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
        }
    }
}
