package io.starlingdb.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.cluster.testing.Await;
import io.starlingdb.cluster.transport.TestMessages.Echo;
import io.starlingdb.cluster.transport.TestMessages.Note;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransportTest {

    private final TestTransports transports = new TestTransports();

    private Transport node(String id, TransportOptions options) throws InterruptedException {
        return transports.start(id, options, TestMessages.types());
    }

    @AfterEach
    void closeAll() {
        transports.close();
    }

    @Test
    void requestGetsItsResponse() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        b.handle(Echo.class, (from, m) -> new Echo(m.text() + " from " + from.nodeId() + " to b"));
        Echo reply = a.<Echo>request(b.localAddress(), Lane.NORMAL, new Echo("hi")).get(5, TimeUnit.SECONDS);
        assertEquals("hi from a to b", reply.text());
    }

    @Test
    void manyConcurrentRequestsShareOneConnection() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        b.handle(Note.class, (from, m) -> new Note(m.n() * 2));
        List<CompletableFuture<Note>> replies = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            replies.add(a.request(b.localAddress(), Lane.values()[i % 4], new Note(i)));
        }
        for (int i = 0; i < replies.size(); i++) {
            assertEquals(i * 2, replies.get(i).get(10, TimeUnit.SECONDS).n());
        }
        // Both directions at once still end with one connection per pair.
        a.handle(Note.class, (from, m) -> m);
        b.request(a.localAddress(), Lane.NORMAL, new Note(1)).get(5, TimeUnit.SECONDS);
        assertTrue(a.peerStats(b.localAddress()).connected());
        assertEquals(1, b.peerStatsCount());
    }

    @Test
    void simultaneousDialsKeepOneConnection() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        a.handle(Note.class, (from, m) -> m);
        b.handle(Note.class, (from, m) -> m);
        for (int round = 0; round < 5; round++) {
            CompletableFuture<Object> ab = a.request(b.localAddress(), Lane.CRITICAL, new Note(round));
            CompletableFuture<Object> ba = b.request(a.localAddress(), Lane.CRITICAL, new Note(round));
            ab.get(5, TimeUnit.SECONDS);
            ba.get(5, TimeUnit.SECONDS);
        }
        Await.until(Duration.ofSeconds(5), () -> a.openChannelCount() == 1 && b.openChannelCount() == 1,
                () -> "open channels a=" + a.openChannelCount() + " b=" + b.openChannelCount());
    }

    @Test
    void unencodableMessagesFailLoudly() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        assertThrows(TransportException.class, () -> a.send(b.localAddress(), Lane.NORMAL, new TestMessages.Stranger("x")));
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.request(b.localAddress(), Lane.NORMAL,
                java.util.List.of(1)).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("cannot encode"), e.getCause().getMessage());
    }

    @Test
    void requestTimesOutWhenNoResponseComes() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        b.handle(Echo.class, (from, m) -> new CompletableFuture<Echo>());
        CompletableFuture<Object> reply = a.request(b.localAddress(), Lane.NORMAL, new Echo("x"), Duration.ofMillis(200));
        ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TransportException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("timed out"), e.getCause().getMessage());
    }

    @Test
    void handlerFailureComesBackAsError() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        b.handle(Echo.class, (from, m) -> {
            throw new IllegalStateException("no such table");
        });
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.request(b.localAddress(), Lane.NORMAL, new Echo("x")).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("no such table"), e.getCause().getMessage());
    }

    @Test
    void fireAndForgetArrives() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        AtomicInteger sum = new AtomicInteger();
        b.handle(Note.class, (from, m) -> sum.addAndGet(m.n()));
        for (int i = 1; i <= 100; i++) {
            assertTrue(a.send(b.localAddress(), Lane.HIGH, new Note(i)));
        }
        Await.until(Duration.ofSeconds(5), () -> sum.get() == 5050, () -> "sum " + sum.get());
    }

    @Test
    void reliableSendIsDeliveredOnceDespiteRetransmits() throws Exception {
        Transport a = node("a", TestMessages.options().withReliable(20, 100));
        Transport b = node("b", TestMessages.options());
        b.handle(Echo.class, (from, m) -> m);
        a.request(b.localAddress(), Lane.HIGH, new Echo("connect first")).get(5, TimeUnit.SECONDS);
        AtomicInteger deliveries = new AtomicInteger();
        b.handle(Note.class, (from, m) -> {
            if (deliveries.incrementAndGet() == 1) {
                // Hold the ack back until the sender has resent, however slow the machine is.
                Await.until(Duration.ofSeconds(5), () -> a.metrics().retransmits() > 0, "a resend");
            }
            return null;
        });
        a.sendReliable(b.localAddress(), Lane.HIGH, new Note(7)).get(5, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(5), () -> a.metrics().retransmits() > 0
                && b.metrics().duplicatesSuppressed() > 0, "a retransmit and a suppressed duplicate");
        assertEquals(1, deliveries.get());
    }

    @Test
    void reliableSendGivesUpAfterBoundedAttempts() throws Exception {
        Transport a = node("a", TestMessages.options().withReliable(20, 3));
        Transport b = node("b", TestMessages.options());
        NodeAddress gone = b.localAddress();
        b.close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.sendReliable(gone, Lane.HIGH, new Note(1)).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("after 3 attempts"), e.getCause().getMessage());
    }

    @Test
    void unreachablePeerFailsFastAndCountsDrops() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        NodeAddress gone = b.localAddress();
        b.close();
        Await.until(Duration.ofSeconds(5), () -> {
            a.send(gone, Lane.CRITICAL, new Note(1));
            return a.metrics().drops(Lane.CRITICAL) > 0;
        }, "drops counted for an unreachable peer");
        assertThrows(ExecutionException.class,
                () -> a.request(gone, Lane.NORMAL, new Note(1), Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
    }

    @Test
    void reconnectsAfterThePeerRestarts() throws Exception {
        Transport a = node("a", TestMessages.options());
        Transport b = node("b", TestMessages.options());
        b.handle(Note.class, (from, m) -> m);
        a.request(b.localAddress(), Lane.NORMAL, new Note(1)).get(5, TimeUnit.SECONDS);
        int port = b.localAddress().port();
        b.close();
        Transport b2 = node("b", new TransportOptions("127.0.0.1", port, null, TestMessages.secret, null, 1,
                16 << 20, 4096, 5000, 3000, 50, 4096, 8L << 20, 128 << 10, 64, 256 << 10, 10_000, 65_536, 500, 5, 4096, 1024, 1024, 0));
        b2.handle(Note.class, (from, m) -> new Note(m.n() + 1));
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                return a.<Note>request(b2.localAddress(), Lane.NORMAL, new Note(1), Duration.ofMillis(500))
                        .get(2, TimeUnit.SECONDS).n() == 2;
            } catch (Exception e) {
                return false;
            }
        }, "a request to the restarted peer");
        assertFalse(a.metrics().refusedTotal() > 0);
    }

    @Test
    void criticalOvertakesAPacedLowTransfer() throws Exception {
        long pace = 1 << 20;
        Transport a = node("a", TestMessages.options().withLowLanePace(pace));
        Transport b = node("b", TestMessages.options());
        AtomicInteger chunks = new AtomicInteger();
        b.handle(TestMessages.Blob.class, (from, m) -> {
            chunks.incrementAndGet();
            return null;
        });
        b.handle(Note.class, (from, m) -> new Note(m.n() + 1));
        a.request(b.localAddress(), Lane.CRITICAL, new Note(0)).get(5, TimeUnit.SECONDS);
        int total = 24; // 1.5 MiB: about 1.5 s at the pace
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            assertTrue(a.send(b.localAddress(), Lane.LOW, new TestMessages.Blob(new byte[64 << 10])));
        }
        assertEquals(2, a.<Note>request(b.localAddress(), Lane.CRITICAL, new Note(1)).get(5, TimeUnit.SECONDS).n());
        assertTrue(chunks.get() < total, "the CRITICAL answer came while LOW still had " + (total - chunks.get())
                + " chunks to send");
        Await.until(Duration.ofSeconds(20), () -> chunks.get() == total, () -> chunks.get() + " of " + total + " chunks arrived");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // the pace holds LOW back: 1.5 MiB less the first bucket cannot go out in under ~1.4 s
        long floorMillis = (total * (64L << 10) - pace * LaneQueues.pacingBurstMillis / 1000) * 1000 / pace - 100;
        assertTrue(elapsedMillis >= floorMillis, "LOW took " + elapsedMillis + " ms, the pace allows no less than "
                + floorMillis + " ms");
    }
}
