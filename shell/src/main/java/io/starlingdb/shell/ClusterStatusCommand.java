package io.starlingdb.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** {@code starling cluster status --http HOST:PORT}: asks one node for the membership and prints it. */
final class ClusterStatusCommand {

    static final String MEMBERS_PATH = "/cluster/members";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int HTTP_OK = 200;
    private static final int HTTP_NOT_FOUND = 404;

    private ClusterStatusCommand() {
    }

    static int run(String host, int port, PrintWriter out, PrintWriter err) {
        String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        URI uri = URI.create("http://" + hostPart + ":" + port + MEMBERS_PATH);
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return fail(err, "no answer from " + uri + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return fail(err, "cannot reach " + uri + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(err, "interrupted while asking " + uri);
        }
        if (response.statusCode() != HTTP_OK) {
            String reason = ClusterMembers.errorOf(response.body());
            if (reason == null && response.statusCode() == HTTP_NOT_FOUND) {
                reason = "no cluster membership here (is HOST:PORT the node's HTTP port?)";
            }
            return fail(err, uri + " answered " + response.statusCode() + (reason == null ? "" : ": " + firstLine(reason)));
        }
        ClusterMembers members;
        try {
            members = ClusterMembers.parse(response.body());
        } catch (IOException e) {
            return fail(err, uri + " answered with JSON the shell does not understand: " + firstLine(e.getMessage()));
        }
        ClusterStatusTable.format(members).forEach(out::println);
        out.flush();
        return ExitCode.OK;
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

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static int fail(PrintWriter err, String message) {
        err.println(ErrorLine.of(message));
        err.flush();
        return ExitCode.FAILURE;
    }
}
