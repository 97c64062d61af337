package io.starlingdb.testkit.swim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.cluster.membership.SwimMessage;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.PeerIdentity;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RandomLossTest {

    private static final PeerIdentity peer = new PeerIdentity("n2", NodeAddress.parse("127.0.0.1:7001"));
    private static final SwimMessage ack = new SwimMessage.Ack(1, "n2", new ArrayList<>());

    private static int admitted(RandomLoss filter, int messages) {
        int n = 0;
        for (int i = 0; i < messages; i++) {
            if (filter.admit(peer, ack)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void zeroRateAdmitsEverything() {
        assertEquals(10_000, admitted(new RandomLoss(0, new Random(1)), 10_000));
    }

    @Test
    void dropsAboutTheGivenShare() {
        int admitted = admitted(new RandomLoss(0.05, new Random(7)), 100_000);
        // 5,000 expected drops; the standard deviation is about 69, so +-500 cannot fail by chance.
        assertTrue(Math.abs(100_000 - admitted - 5_000) < 500, () -> "dropped " + (100_000 - admitted));
    }

    @Test
    void rejectsRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new RandomLoss(1, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new RandomLoss(-0.1, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new RandomLoss(Double.NaN, new Random()));
    }
}
