package io.starlingdb.server.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Client-connection meters: open connections, connections opened and refused, cancels, overload refusals, frames and bytes. */
final class ClientMetrics {

    /** Name of the counter of statements answered on the event loop. */
    static final String STATEMENTS_ON_EVENT_LOOP = "starling.clients.statements.eventloop";
    /** Name of the counter of point writes started on the event loop. */
    static final String STATEMENTS_STARTED_ON_EVENT_LOOP = "starling.clients.statements.eventloop.writes";

    final AtomicInteger connections = new AtomicInteger();
    private final Counter opened;
    private final Counter refused;
    private final Counter protocolErrors;
    private final Counter cancels;
    private final Counter overloaded;
    private final Counter answeredOnEventLoop;
    private final Counter startedOnEventLoop;
    private final DistributionSummary framesIn;
    private final DistributionSummary framesOut;
    /** A statement handed to a SQL thread: waiting for one, running there, and waiting for the event loop to write its answer. */
    private final Span queued;
    private final Span ran;
    private final Span handedBack;

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
        startedOnEventLoop = Counter.builder(STATEMENTS_STARTED_ON_EVENT_LOOP)
                .description("Statements started on the connection's event loop and answered when their commit applied,"
                        + " without a SQL thread (point UPDATEs and DELETEs whose range this node leads)").register(registry);
        framesIn = DistributionSummary.builder("starling.clients.frames.in").baseUnit("bytes")
                .description("Frames received from clients").register(registry);
        framesOut = DistributionSummary.builder("starling.clients.frames.out").baseUnit("bytes")
                .description("Frames sent to clients").register(registry);
        queued = new Span(registry, "starling.clients.sql.queued", "waiting for a SQL thread (queued behind other statements)");
        ran = new Span(registry, "starling.clients.sql.ran", "running on a SQL thread (planning, execution, commit)");
        handedBack = new Span(registry, "starling.clients.sql.handedback",
                "between the SQL thread's answer and the event loop's write of it");
    }

    /** A statement that left the event loop for a SQL thread at received (nanoTime) began to run at started. */
    void queued(long received, long started) {
        queued.add(started - received);
    }

    void ran(long started, long finished) {
        ran.add(finished - started);
    }

    void handedBack(long finished, long written) {
        handedBack.add(written - finished);
    }

    /**
     * One step of a statement's path through the node, as two counters (how many, seconds in all),
     * cheap enough to be always on; a scrape before and after a benchmark's window gives the mean.
     */
    private static final class Span {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        Span(MeterRegistry registry, String name, String what) {
            FunctionCounter.builder(name, count, LongAdder::sum).description("Statements " + what).register(registry);
            FunctionCounter.builder(name + ".seconds", nanos, n -> n.sum() / 1e9)
                    .description("Seconds statements spent " + what).register(registry);
        }

        void add(long nanosTaken) {
            count.increment();
            nanos.add(nanosTaken);
        }
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

    void startedOnEventLoop() {
        startedOnEventLoop.increment();
    }

    void frameIn(int bytes) {
        framesIn.record(bytes);
    }

    void frameOut(int bytes) {
        framesOut.record(bytes);
    }
}
