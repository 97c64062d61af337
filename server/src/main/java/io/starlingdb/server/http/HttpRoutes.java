package io.starlingdb.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The node's HTTP endpoints by exact path; every endpoint answers GET only. */
public final class HttpRoutes {

    private final Map<String, Supplier<HttpReply>> routes = new ConcurrentHashMap<>();

    public HttpRoutes get(String path, Supplier<HttpReply> endpoint) {
        if (routes.putIfAbsent(path, endpoint) != null) {
            throw new IllegalStateException("HTTP path " + path + " is already routed");
        }
        return this;
    }

    Supplier<HttpReply> find(String path) {
        return routes.get(path);
    }
}
