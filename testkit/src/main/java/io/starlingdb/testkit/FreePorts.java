package io.starlingdb.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Loopback ports for test nodes that bind them later. */
public final class FreePorts {

    /** The range ports are drawn from: below Linux's ephemeral range (32768 and up). */
    static final int lowest = 20_000;
    static final int count = 12_000;

    private FreePorts() {
    }

    /**
     * n distinct free loopback ports below the kernel's ephemeral range, held open together while
     * chosen: a port picked now and bound later by a node started later cannot meanwhile become
     * the local port of an outgoing connection or of a client bound to port 0.
     */
    public static int[] below32768(int n) throws IOException {
        Random random = new Random();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int tries = 0; held.size() < n; tries++) {
                if (tries > 10_000) {
                    throw new IOException("no " + n + " free ports in " + lowest + ".." + (lowest + count));
                }
                ServerSocket s = new ServerSocket();
                try {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress("127.0.0.1", lowest + random.nextInt(count)));
                    held.add(s);
                } catch (IOException e) {
                    s.close(); // taken: draw another
                }
            }
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ports[i] = held.get(i).getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
