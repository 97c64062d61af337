package io.starlingdb.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's health probe ({@code healthy} in bin/starling), run by bash against a local
 * HTTP answer: after a probe that succeeded, what the launcher writes to stderr still arrives
 * (a bare {@code exec 3<>/dev/tcp/... 2>/dev/null} silenced it for the rest of the script, so
 * {@code bin/starling demo -e "SELECT * FROM nosuch"} printed nothing).
 */
class LauncherHealthProbeTest {

    /** The {@code healthy} function's text, from its first line to its closing brace. */
    private static String healthProbe() throws IOException {
        String launcher = Files.readString(Path.of("..", "bin", "starling"));
        int start = launcher.indexOf("healthy() {");
        assertTrue(start >= 0, "bin/starling defines healthy()");
        int end = launcher.indexOf("\n}\n", start);
        return launcher.substring(start, end + 3);
    }

    @Test
    void aSuccessfulProbeLeavesTheLaunchersStderrWorking() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                try (Socket client = server.accept()) {
                    BufferedReader request = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                    for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
                        // The request's lines up to the blank one; the answer does not depend on them.
                    }
                    client.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // The probe then fails and the assertion on stdout says so.
                }
            });
            answering.start();
            Process bash = new ProcessBuilder("bash", "-c", healthProbe() + "\nhealthy " + server.getLocalPort()
                    + " && echo probe-ok; echo after-the-probe >&2").start();
            assertTrue(bash.waitFor(30, TimeUnit.SECONDS), "bash finished");
            String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(bash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("probe-ok\n", out);
            assertEquals("after-the-probe\n", err);
            answering.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
