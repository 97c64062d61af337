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
}
