package io.starlingdb.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * {@code starling cluster status --http HOST:PORT}: asks one node for the membership and prints
 * it, then, through that node's SQL port (the client address it gossips), the stores and the
 * ranges with their leaseholders from its SYS tables ({@link ClusterRanges}).
 */
final class ClusterStatusCommand {

    static final String MEMBERS_PATH = "/cluster/members";
    private static final int HTTP_OK = 200;
    private static final int HTTP_NOT_FOUND = 404;

    private ClusterStatusCommand() {
    }

    static int run(String host, int port, PrintWriter out, PrintWriter err) {
        NodeHttp node = new NodeHttp(host, port);
        NodeHttp.Answer response;
        try {
            response = node.get(MEMBERS_PATH);
        } catch (NodeHttp.Unreachable e) {
            return fail(err, e.getMessage());
        }
        if (response.status() != HTTP_OK) {
            String reason = ClusterMembers.errorOf(response.body());
            if (reason == null && response.status() == HTTP_NOT_FOUND) {
                reason = "no cluster membership here (is HOST:PORT the node's HTTP port?)";
            }
            return fail(err, response.uri() + " answered " + response.status() + (reason == null ? ""
                    : ": " + NodeHttp.firstLine(reason)));
        }
        ClusterMembers members;
        try {
            members = ClusterMembers.parse(response.body());
        } catch (IOException e) {
            return fail(err, response.uri() + " answered with JSON the shell does not understand: "
                    + NodeHttp.firstLine(e.getMessage()));
        }
        ClusterStatusTable.format(members).forEach(out::println);
        out.flush();

        String client = members.clientAddressOf(members.self(), host);
        if (client == null) {
            out.println();
            out.println("Ranges: not shown (node " + members.self() + " gossips no client address to read them through)");
            return ExitCode.OK;
        }
        String url = "jdbc:starling://" + client + "/";
        try (Connection connection = DriverManager.getConnection(url)) {
            out.println();
            ClusterRanges.read(connection).format().forEach(out::println);
            return ExitCode.OK;
        } catch (SQLException e) {
            return fail(err, "cannot read the stores and ranges through " + url + ": "
                    + (e.getSQLState() == null ? "" : e.getSQLState() + " ") + NodeHttp.firstLine(e.getMessage()));
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println(ErrorLine.of(message));
        err.flush();
        return ExitCode.FAILURE;
    }
}
