package io.starlingdb.server.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** Client-connection meters: open connections, connections opened and refused, cancels, overload refusals, frames and bytes. */
final class ClientMetrics {

    /** Name of the counter of statements answered on the event loop. */
    static final String STATEMENTS_ON_EVENT_LOOP = "starling.clients.statements.eventloop";

    final AtomicInteger connections = new AtomicInteger();
    private final Counter opened;
    private final Counter refused;
    private final Counter protocolErrors;
    private final Counter cancels;
    private final Counter overloaded;
    private final Counter answeredOnEventLoop;
    private final DistributionSummary framesIn;
    private final DistributionSummary framesOut;

    ClientMetrics(MeterRegistry registry) {
        Gauge.builder("starling.clients.connections", connections, AtomicInteger::get)
                .description("Open client connections").register(registry);
        opened = Counter.builder("starling.clients.connections.opened").description("Client connections accepted").register(registry);
        refused = Counter.builder("starling.clients.connections.refused")
                .description("Client connections refused (limit reached or failed handshake)").register(registry);
        protocolErrors = Counter.builder("starling.clients.protocol.errors")
                .description("Connections closed for a malformed or oversized frame").register(registry);
        cancels = Counter.builder("starling.clients.cancels").description("Cancel requests received from clients").register(registry);
        overloaded = Counter.builder("starling.clients.requests.overloaded")
                .description("Requests refused with 53000 because every SQL thread was busy and the queue full").register(registry);
        answeredOnEventLoop = Counter.builder(STATEMENTS_ON_EVENT_LOOP)
                .description("Statements answered on the connection's event loop, without a SQL thread (point reads"
                        + " whose range this node leads)").register(registry);
        framesIn = DistributionSummary.builder("starling.clients.frames.in").baseUnit("bytes")
                .description("Frames received from clients").register(registry);
        framesOut = DistributionSummary.builder("starling.clients.frames.out").baseUnit("bytes")
                .description("Frames sent to clients").register(registry);
    }

    void opened() {
        opened.increment();
    }

    void refused() {
        refused.increment();
    }

    void protocolError() {
        protocolErrors.increment();
    }

    void cancelled() {
        cancels.increment();
    }

    void overloaded() {
        overloaded.increment();
    }

    void answeredOnEventLoop() {
        answeredOnEventLoop.increment();
    }

    void frameIn(int bytes) {
        framesIn.record(bytes);
    }

    void frameOut(int bytes) {
        framesOut.record(bytes);
    }
}
