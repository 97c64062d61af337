package io.starlingdb.shell;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * A node's HTTP endpoint as the command line talks to it: one request, bounded in time, and a
 * one-line description of whatever went wrong on the way ({@link Unreachable}).
 */
final class NodeHttp {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A read or an operator action; actions wait on the cluster's meta range, which answers within seconds. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The header an operator action carries the cluster secret in (the node's HttpRequestHandler checks it). */
    static final String SECRET_HEADER = "X-Starling-Secret";

    /** A node's answer: its status and body. */
    record Answer(URI uri, int status, String body) {
    }

    /** The node did not answer (refused, timed out, interrupted); the message says so in one line. */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    private final String host;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    NodeHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    URI uri(String pathAndQuery) {
        String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("http://" + hostPart + ":" + port + pathAndQuery);
    }

    String host() {
        return host;
    }

    Answer get(String path) throws Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json").GET()
                .build());
    }

    /** POSTs an operator action with the cluster secret. */
    Answer post(String pathAndQuery, String clusterSecret) throws Unreachable {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .header(SECRET_HEADER, clusterSecret).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private Answer send(HttpRequest request) throws Unreachable {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(request.uri(), response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            throw new Unreachable("no answer from " + request.uri() + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new Unreachable("cannot reach " + request.uri() + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while asking " + request.uri());
        }
    }

    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return firstLine(t.getMessage());
            }
        }
        // The JDK leaves some connection failures without a message; the class names them.
        return e.getClass().getSimpleName().equals("ConnectException") ? "connection refused" : e.getClass().getSimpleName();
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
