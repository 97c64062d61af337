package io.starlingdb.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaneQueuesTest {

    private static Frame frame(Lane lane) {
        return new Frame(FrameType.ONEWAY, lane, 0, Frame.empty);
    }

    @Test
    void criticalGoesFirst() {
        LaneQueues queues = new LaneQueues(100, 1L << 30);
        for (int i = 0; i < 3; i++) {
            queues.offer(frame(Lane.LOW));
        }
        queues.offer(frame(Lane.CRITICAL));
        assertEquals(Lane.CRITICAL, queues.poll().lane());
    }

    @Test
    void lowIsNotStarvedUnderSustainedHigherLoad() {
        LaneQueues queues = new LaneQueues(10_000, 1L << 30);
        for (Lane lane : Lane.values()) {
            for (int i = 0; i < 1000; i++) {
                queues.offer(frame(lane));
            }
        }
        Map<Lane, Integer> served = new EnumMap<>(Lane.class);
        for (int i = 0; i < 150; i++) {
            served.merge(queues.poll().lane(), 1, Integer::sum);
        }
        // Weights 8:4:2:1 over 10 rounds of 15 frames.
        assertEquals(80, served.get(Lane.CRITICAL));
        assertEquals(40, served.get(Lane.HIGH));
        assertEquals(20, served.get(Lane.NORMAL));
        assertEquals(10, served.get(Lane.LOW));
    }

    @Test
    void aLoneLaneGetsTheWholeLink() {
        LaneQueues queues = new LaneQueues(100, 1L << 30);
        for (int i = 0; i < 50; i++) {
            queues.offer(frame(Lane.LOW));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(Lane.LOW, queues.poll().lane());
        }
        assertNull(queues.poll());
        assertTrue(queues.isEmpty());
    }

    @Test
    void laneIsBoundedInBytesToo() {
        LaneQueues queues = new LaneQueues(1000, 100);
        assertTrue(queues.offer(new Frame(FrameType.ONEWAY, Lane.LOW, 0, new byte[300])), "a lone frame always fits");
        assertFalse(queues.offer(new Frame(FrameType.ONEWAY, Lane.LOW, 0, new byte[1])));
        assertTrue(queues.offer(new Frame(FrameType.ONEWAY, Lane.NORMAL, 0, new byte[60])));
        assertFalse(queues.offer(new Frame(FrameType.ONEWAY, Lane.NORMAL, 0, new byte[60])));
        queues.poll();
        queues.poll();
        assertTrue(queues.offer(new Frame(FrameType.ONEWAY, Lane.NORMAL, 0, new byte[100])));
    }

    @Test
    void fullLaneRefusesButOthersStillAccept() {
        LaneQueues queues = new LaneQueues(2, 1L << 30);
        assertTrue(queues.offer(frame(Lane.LOW)));
        assertTrue(queues.offer(frame(Lane.LOW)));
        assertFalse(queues.offer(frame(Lane.LOW)));
        assertTrue(queues.offer(frame(Lane.CRITICAL)));
        assertEquals(2, queues.size(Lane.LOW));
    }

    private static Frame sized(Lane lane, int payloadBytes) {
        return new Frame(FrameType.ONEWAY, lane, 0, new byte[payloadBytes]);
    }

    @Test
    void pacedLowWaitsForItsTokensAndThenGoes() {
        long rate = 1 << 20; // 1 MiB/s: the bucket holds 2 ms, 2,097 bytes
        LaneQueues queues = new LaneQueues(100, 1L << 30, rate);
        for (int i = 0; i < 10; i++) {
            queues.offer(sized(Lane.LOW, 1000));
        }
        long now = 1_000_000_000L;
        int sent = 0;
        while (queues.poll(now) != null) {
            sent++;
        }
        assertEquals(3, sent, "a frame may go while the bucket is not empty, and leave it in debt");
        long wait = queues.lowWaitNanos(now);
        int debt = 3 * sized(Lane.LOW, 1000).wireBytes() - 2097;
        assertEquals((1 + debt) * 1_000_000_000L / rate + 1, wait);
        assertNull(queues.poll(now + wait - 1_000));
        assertEquals(Lane.LOW, queues.poll(now + wait).lane());
    }

    @Test
    void criticalIsNeverHeldBackByTheLowPace() {
        LaneQueues queues = new LaneQueues(100, 1L << 30, 1 << 20);
        for (int i = 0; i < 10; i++) {
            queues.offer(sized(Lane.LOW, 4000));
        }
        assertEquals(Lane.LOW, queues.poll(0).lane());
        assertNull(queues.poll(0), "LOW is in debt");
        queues.offer(frame(Lane.CRITICAL));
        queues.offer(frame(Lane.NORMAL));
        assertEquals(Lane.CRITICAL, queues.poll(0).lane());
        assertEquals(Lane.NORMAL, queues.poll(0).lane());
        assertNull(queues.poll(0));
        assertFalse(queues.isEmpty());
    }

    @Test
    void pacedLowKeepsItsRateOverTime() {
        long rate = 10L << 20;
        LaneQueues queues = new LaneQueues(100_000, 1L << 40, rate);
        long now = 0;
        long bytes = 0;
        int payload = 64 << 10;
        for (int i = 0; i < 1000; i++) {
            queues.offer(sized(Lane.LOW, payload));
        }
        // A writer that wakes exactly when told, for one virtual second.
        while (now < 1_000_000_000L) {
            Frame frame;
            while ((frame = queues.poll(now)) != null) {
                bytes += frame.wireBytes();
            }
            now += queues.lowWaitNanos(now);
        }
        long burst = rate * LaneQueues.pacingBurstMillis / 1000;
        assertTrue(bytes >= rate - payload && bytes <= rate + burst + payload + 64, "sent " + bytes + " bytes in 1 s");
    }

    @Test
    void pacedLowFillsItsBucketAfterAnIdleSpellButNoMore() {
        long rate = 1 << 20;
        LaneQueues queues = new LaneQueues(100, 1L << 30, rate);
        assertNull(queues.poll(0));
        for (int i = 0; i < 50; i++) {
            queues.offer(sized(Lane.LOW, 100));
        }
        long tenSeconds = 10_000_000_000L;
        long bytes = 0;
        Frame frame;
        while ((frame = queues.poll(tenSeconds)) != null) {
            bytes += frame.wireBytes();
        }
        assertTrue(bytes < 2097 + frame(Lane.LOW).wireBytes() + 100, "one bucket (2 ms) of burst, sent " + bytes);
    }

    @Test
    void unpacedQueuesRefuseNothingForTime() {
        LaneQueues queues = new LaneQueues(100, 1L << 30, 0);
        for (int i = 0; i < 50; i++) {
            queues.offer(sized(Lane.LOW, 60_000));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(Lane.LOW, queues.poll(0).lane());
        }
        assertEquals(0, queues.lowWaitNanos(0));
    }
}
