package io.starlingdb.engine.txn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.range.DistSender;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The background threads of transactions: resolving secondary locks (each step a Raft round)
 * runs many at a time, and never delays the heartbeats that keep committing transactions alive.
 */
class ClusterTransactionsTest {

    @Test
    void lockResolutionRunsManyAtOnceAndHeartbeatsDoNotWaitBehindIt() throws Exception {
        DistSender unused = new DistSender(null, null, null, DistSender.Options.defaults());
        try (ClusterTransactions txns = new ClusterTransactions(unused, new TimestampClient(unused),
                ClusterTransactions.Settings.defaults(), "test")) {
            int n = ClusterTransactions.resolutionThreads;
            CountDownLatch allRunning = new CountDownLatch(n);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                txns.resolveLater(() -> {
                    allRunning.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS); // a commit waiting for its Raft round
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(allRunning.await(10, TimeUnit.SECONDS), allRunning.getCount() + " of " + n
                    + " resolutions waited for others to finish");
            CountDownLatch heartbeat = new CountDownLatch(1);
            txns.later(heartbeat::countDown, 1);
            assertTrue(heartbeat.await(10, TimeUnit.SECONDS), "a heartbeat waited behind lock resolution");
            release.countDown();
        }
    }
}
