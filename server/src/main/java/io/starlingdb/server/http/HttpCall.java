package io.starlingdb.server.http;

import java.util.List;
import java.util.Map;

/**
 * What an operator endpoint (POST) is given of its request: the path and the query
 * parameters, copied out of the request before it is released.
 */
public record HttpCall(String path, Map<String, List<String>> parameters) {

    public HttpCall {
        parameters = Map.copyOf(parameters);
    }

    /** The first value of a query parameter, or null if it is absent. */
    public String parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
