package io.starlingdb.cluster.transport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** The transports one test made, each on its own meter registry, closed together after it. */
final class TestTransports implements AutoCloseable {

    private final List<Transport> made = new ArrayList<>();

    /** A transport on the given Netty transport, not started. */
    Transport create(String id, TransportOptions options, MessageTypes types, NettyTransport io) {
        Transport t = new Transport(id, options, types, new SimpleMeterRegistry(), io);
        made.add(t);
        return t;
    }

    /** A started transport on the process's Netty transport. */
    Transport start(String id, TransportOptions options, MessageTypes types) throws InterruptedException {
        return start(id, options, types, NettyTransport.forProcess());
    }

    /** A started transport on the given Netty transport. */
    Transport start(String id, TransportOptions options, MessageTypes types, NettyTransport io) throws InterruptedException {
        Transport t = create(id, options, types, io);
        t.start();
        return t;
    }

    @Override
    public void close() {
        made.forEach(Transport::close);
        made.clear();
    }
}
