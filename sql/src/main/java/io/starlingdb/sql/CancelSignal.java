package io.starlingdb.sql;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells a session's running statement to stop: because its client cancelled it, or because its
 * deadline passed. Planning (through Calcite's cancel flag), scans and result fetches poll one
 * {@link AtomicBoolean}, so a stop costs them a volatile read per row and takes effect within
 * a row or a rule firing.
 *
 * <p>Requests are numbered in the order the session receives them ({@link #received()}, on the
 * thread that reads them off the network). A cancel stops the latest request received, whether
 * it is running or still waiting for a thread, and never a later one: a cancel that crosses the
 * end of its statement on the wire is dropped, not applied to the next statement. Stopping and
 * starting are synchronized; polling is not.
 */
public final class CancelSignal {

    private final ScheduledExecutorService timer;
    private final long timeoutMillis;
    /** Requests running now in every session of the engine (a gauge). */
    private final AtomicInteger runningRequests;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong();
    /** The request running now, 0 between requests. */
    private long running;
    /** Requests up to this number are cancelled. */
    private long cancelledThrough;
    private String reason = "";
    /** The SQLState the stopped request answers: 57014, or 53200 when the node ran short of memory. */
    private String state = QUERY_CANCELED;
    private ScheduledFuture<?> deadline;
    /** Every running request's signal with its start (nanoTime), shared by an engine's sessions; null: not tracked. */
    private final java.util.Map<CancelSignal, Long> runningSince;

    /**
     * @param timer         runs the deadlines; shared by the sessions of an engine
     * @param timeoutMillis each request's deadline after it starts; 0 for none
     * @param runningRequests counts the requests running in all sessions of the engine
     */
    CancelSignal(ScheduledExecutorService timer, long timeoutMillis, AtomicInteger runningRequests) {
        this(timer, timeoutMillis, runningRequests, null);
    }

    /** As above, with runningSince tracking the running requests of all sessions (for {@link MemoryGuard}). */
    CancelSignal(ScheduledExecutorService timer, long timeoutMillis, AtomicInteger runningRequests,
                 java.util.Map<CancelSignal, Long> runningSince) {
        this.timer = timer;
        this.timeoutMillis = timeoutMillis;
        this.runningRequests = runningRequests;
        this.runningSince = runningSince;
    }

    /** A signal without deadlines, for sessions that stop only when cancelled. */
    public static CancelSignal withoutDeadline() {
        return new CancelSignal(null, 0, new AtomicInteger());
    }

    /** Numbers the next request of the session; call it in the order requests arrive. */
    public long received() {
        return received.incrementAndGet();
    }

    /** Cancels the latest request received (running or waiting to run), giving the reason in its error. */
    public synchronized void cancel(String why) {
        long through = received.get();
        if (through > cancelledThrough) {
            cancelledThrough = through;
            reason = why;
        }
        if (running != 0 && running <= cancelledThrough) {
            stop.set(true);
        }
    }

    /**
     * Starts request {@code request} (from {@link #received()}); its deadline runs from now. A
     * request already cancelled starts stopped and fails at its first check. Nested starts
     * (a request running statements) join the outer one.
     */
    public synchronized Running start(long request) {
        if (running != 0) {
            return Running.NESTED;
        }
        running = request;
        runningRequests.incrementAndGet();
        if (runningSince != null) {
            runningSince.put(this, System.nanoTime());
        }
        state = QUERY_CANCELED;
        stop.set(request <= cancelledThrough);
        if (timeoutMillis > 0) {
            deadline = timer.schedule(() -> expire(request, timeoutReason()), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        return this::finish;
    }

    /** Starts a request of its own: for statements that arrive without a number (embedded use). */
    public synchronized Running start() {
        return running != 0 ? Running.NESTED : start(received());
    }

    /**
     * Bounds the planning of the running request: past {@code budgetMillis} (0: no bound) it
     * stops as if its deadline had passed. Closing the result ends the bound.
     */
    public Running limitPlanning(long budgetMillis) {
        long request;
        synchronized (this) {
            request = running;
        }
        if (budgetMillis <= 0 || request == 0 || timer == null) {
            return Running.NESTED;
        }
        ScheduledFuture<?> bound = timer.schedule(
                () -> expire(request, "planning took longer than " + budgetMillis + " ms (statement.planning.timeout.ms)"),
                budgetMillis, TimeUnit.MILLISECONDS);
        return () -> bound.cancel(false);
    }

    /** The error's reason when a deadline passes: written when it does, not for every statement. */
    private String timeoutReason() {
        return "statement timeout of " + timeoutMillis + " ms expired (statement.timeout.ms)";
    }

    private synchronized void expire(long request, String why) {
        if (running == request && !stop.get()) {
            reason = why;
            cancelledThrough = Math.max(cancelledThrough, request);
            stop.set(true);
        }
    }

    /**
     * Stops the running request, if there is one not stopped yet, because the node is short of
     * memory: it answers {@link #OUT_OF_MEMORY} with why. Returns whether it stopped one.
     */
    public synchronized boolean stopForMemory(String why) {
        if (running == 0 || stop.get()) {
            return false;
        }
        reason = why;
        state = OUT_OF_MEMORY;
        cancelledThrough = Math.max(cancelledThrough, running);
        stop.set(true);
        return true;
    }

    private synchronized void finish() {
        running = 0;
        runningRequests.decrementAndGet();
        if (runningSince != null) {
            runningSince.remove(this);
        }
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Whether a request is running now (for diagnostics and tests awaiting a statement). */
    public synchronized boolean running() {
        return running != 0;
    }

    /** Whether the running request must stop; cheap enough to call per row. */
    public boolean stopRequested() {
        return stop.get();
    }

    /** The flag itself, for Calcite's planner ({@code CancelFlag}); set when the request must stop. */
    public AtomicBoolean flag() {
        return stop;
    }

    /** Throws (unchecked, so generated code and iterators can) when the running request must stop. */
    public void check() {
        if (stop.get()) {
            throw new Stopped(reason(), stopState());
        }
    }

    private synchronized String reason() {
        return reason;
    }

    /** The SQLState a stopped request answers: {@link #QUERY_CANCELED}, or {@link #OUT_OF_MEMORY}. */
    public synchronized String stopState() {
        return state;
    }

    /** The error a stopped request answers: SQLState 57014, query canceled (53200 when stopped for memory). */
    public SqlException error() {
        return new SqlException(stopState(), "canceling statement: " + reason());
    }

    /** SQLState of a statement stopped by a cancel or a timeout. */
    public static final String QUERY_CANCELED = "57014";
    /** SQLState of a statement stopped because the node ran short of memory (PostgreSQL's out_of_memory). */
    public static final String OUT_OF_MEMORY = "53200";

    /** A request running on the signal; closing it ends the request and its deadline. */
    @FunctionalInterface
    public interface Running extends AutoCloseable {
        Running NESTED = () -> {
        };

        @Override
        void close();
    }

    /** Thrown where a stopped statement notices it; the session answers {@link #error()}. */
    public static final class Stopped extends CancellationException {
        private final String sqlState;

        public Stopped(String reason) {
            this(reason, QUERY_CANCELED);
        }

        public Stopped(String reason, String sqlState) {
            super("canceling statement: " + reason);
            this.sqlState = sqlState;
        }

        /** {@link #QUERY_CANCELED} or {@link #OUT_OF_MEMORY}. */
        public String sqlState() {
            return sqlState;
        }
    }
}
