package io.starlingdb.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code starling cluster drain|remove --store N --http HOST:PORT}: asks a node of the cluster
 * (its HTTP operator endpoints, with the cluster secret from {@code STARLING_CLUSTER_SECRET})
 * to drain a store, or to remove it: drained first, then, once no range has a replica on it,
 * marked removed. Remove waits, printing the replicas left as they move, up to a timeout.
 */
final class StoreCommand {

    static final String DRAIN_PATH = "/cluster/stores/drain";
    static final String REMOVE_PATH = "/cluster/stores/remove";
    /** The environment variable the node reads its cluster.secret from too. */
    static final String SECRET_VARIABLE = "STARLING_CLUSTER_SECRET";
    /** The cluster secret of a node started without one (NodeConfig's default). */
    static final String DEFAULT_SECRET = "starling-dev-secret";
    /** Between two attempts of a removal that waits for replicas to move. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** How long remove waits for the store to empty unless --timeout says otherwise. */
    static final Duration DEFAULT_REMOVE_TIMEOUT = Duration.ofMinutes(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HTTP_OK = 200;
    private static final int HTTP_CONFLICT = 409;

    private StoreCommand() {
    }

    /** The secret to present: the environment's, else the development default. */
    static String secret() {
        String s = System.getenv(SECRET_VARIABLE);
        return s == null || s.isEmpty() ? DEFAULT_SECRET : s;
    }

    static int drain(String host, int port, long store, String secret, PrintWriter out, PrintWriter err) {
        NodeHttp node = new NodeHttp(host, port);
        try {
            NodeHttp.Answer a = node.post(DRAIN_PATH + "?store=" + store, secret);
            if (a.status() != HTTP_OK) {
                return fail(err, refusal(a));
            }
            JsonNode body = JSON.readTree(a.body());
            out.println("store " + store + " is " + body.path("state").asText() + "; " + body.path("replicas").asLong()
                    + " replicas on it to move (bin/starling cluster status shows them leave)");
            return ExitCode.OK;
        } catch (NodeHttp.Unreachable e) {
            return fail(err, e.getMessage());
        } catch (IOException e) {
            return fail(err, "the node answered with JSON the shell does not understand: " + NodeHttp.firstLine(e.getMessage()));
        }
    }

    static int remove(String host, int port, long store, Duration timeout, String secret, PrintWriter out, PrintWriter err) {
        NodeHttp node = new NodeHttp(host, port);
        long deadline = System.nanoTime() + timeout.toNanos();
        long reported = -1;
        try {
            while (true) {
                NodeHttp.Answer a = node.post(REMOVE_PATH + "?store=" + store, secret);
                if (a.status() != HTTP_OK && a.status() != HTTP_CONFLICT) {
                    return fail(err, refusal(a));
                }
                JsonNode body = JSON.readTree(a.body());
                if (!body.has("replicas")) {
                    return fail(err, refusal(a)); // a conflict that is not about replicas left (a bad state)
                }
                long left = body.path("replicas").asLong();
                if (a.status() == HTTP_OK) {
                    out.println("store " + store + " is " + body.path("state").asText() + ": it holds no replica and"
                            + " receives none; its node can be stopped");
                    out.flush();
                    return ExitCode.OK;
                }
                if (left != reported) {
                    out.println("store " + store + " is draining: " + left + " replicas left");
                    out.flush();
                    reported = left;
                }
                if (System.nanoTime() - deadline > 0) {
                    return fail(err, "store " + store + " still holds " + left + " replicas after " + timeout.toSeconds()
                            + " s; it stays draining (is there another live store to take its replicas?)");
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
        } catch (NodeHttp.Unreachable e) {
            return fail(err, e.getMessage());
        } catch (IOException e) {
            return fail(err, "the node answered with JSON the shell does not understand: " + NodeHttp.firstLine(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(err, "interrupted while waiting for store " + store + " to empty; it stays draining");
        }
    }

    private static String refusal(NodeHttp.Answer a) {
        String reason = ClusterMembers.errorOf(a.body());
        if (reason == null && a.status() == 404) {
            reason = "no such endpoint (is HOST:PORT the HTTP port of a node of this version?)";
        }
        return a.uri() + " answered " + a.status() + (reason == null ? "" : ": " + NodeHttp.firstLine(reason));
    }

    private static int fail(PrintWriter err, String message) {
        err.println(ErrorLine.of(message));
        err.flush();
        return ExitCode.FAILURE;
    }
}
