package io.starlingdb.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoints by exact path: reads (GET, answered on the event loop, so they
 * must be quick and local) and operator actions (POST, which may wait on the cluster: they run
 * on the server's operator thread, and only for a caller that proves the cluster secret).
 */
public final class HttpRoutes {

    private final Map<String, Supplier<HttpReply>> reads = new ConcurrentHashMap<>();
    private final Map<String, Function<HttpCall, HttpReply>> actions = new ConcurrentHashMap<>();

    public HttpRoutes get(String path, Supplier<HttpReply> endpoint) {
        if (actions.containsKey(path) || reads.putIfAbsent(path, endpoint) != null) {
            throw new IllegalStateException("HTTP path " + path + " is already routed");
        }
        return this;
    }

    /** An operator action on POST path. */
    public HttpRoutes post(String path, Function<HttpCall, HttpReply> endpoint) {
        if (reads.containsKey(path) || actions.putIfAbsent(path, endpoint) != null) {
            throw new IllegalStateException("HTTP path " + path + " is already routed");
        }
        return this;
    }

    Supplier<HttpReply> find(String path) {
        return reads.get(path);
    }

    Function<HttpCall, HttpReply> findAction(String path) {
        return actions.get(path);
    }
}
