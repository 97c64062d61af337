package io.starlingdb.testkit.swim;

import io.starlingdb.cluster.membership.InboundFilter;
import io.starlingdb.cluster.membership.SwimMessage;
import io.starlingdb.cluster.transport.PeerIdentity;
import java.util.Random;

/**
 * Drops each inbound membership message independently with probability {@code rate}: a lossy
 * network for SWIM over real sockets (the membership benchmark's loss run). {@link Random} is
 * thread-safe, which the transport threads calling {@link #admit} need.
 */
public final class RandomLoss implements InboundFilter {

    private final double rate;
    private final Random random;

    /** @param rate share of messages dropped, in [0, 1) */
    public RandomLoss(double rate, Random random) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("loss rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
        this.random = random;
    }

    public double rate() {
        return rate;
    }

    @Override
    public boolean admit(PeerIdentity from, SwimMessage message) {
        return rate == 0 || random.nextDouble() >= rate;
    }
}
