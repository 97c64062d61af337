package io.starlingdb.testkit.check;

/**
 * One completed (or abandoned) client operation: invoked at {@code call}, answered at
 * {@code ret} with {@code output}. An operation whose outcome is unknown (timed out) has
 * {@code ret == Long.MAX_VALUE} and {@code unknown == true}: it may have taken effect at any
 * point after its call, or never.
 */
public record HistoryOp(int client, KvOp op, long call, long ret, String output, boolean unknown) {

    public static HistoryOp completed(int client, KvOp op, long call, long ret, String output) {
        if (ret < call) {
            throw new IllegalArgumentException("return " + ret + " before call " + call);
        }
        return new HistoryOp(client, op, call, ret, output, false);
    }

    public static HistoryOp timedOut(int client, KvOp op, long call) {
        return new HistoryOp(client, op, call, Long.MAX_VALUE, null, true);
    }

    @Override
    public String toString() {
        return "c" + client + " " + op + " [" + call + ", " + (unknown ? "?" : ret) + "] -> " + (unknown ? "unknown" : output);
    }
}
