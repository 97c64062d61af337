package io.starlingdb.jdbc;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The driver's one timer thread, which sends a Cancel when a statement's query timeout
 * ({@code Statement.setQueryTimeout}) expires before its answer came. A daemon thread, started
 * with the first timeout, so an application that never sets one never has it.
 */
final class QueryTimeouts {

    private QueryTimeouts() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "starling-jdbc-query-timeouts");
                t.setDaemon(true);
                return t;
            });
            // Most timeouts are cancelled when the answer comes: do not keep them queued.
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    static ScheduledFuture<?> schedule(Runnable action, int seconds) {
        return Holder.TIMER.schedule(action, seconds, TimeUnit.SECONDS);
    }
}
