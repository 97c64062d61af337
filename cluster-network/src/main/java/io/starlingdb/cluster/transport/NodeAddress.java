package io.starlingdb.cluster.transport;

import java.util.Objects;

/** The host and port a node listens on for peers; the identity a transport dials. */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

    /** Longest host name accepted from configuration or from a peer. */
    public static final int maxHostChars = 253;

    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > maxHostChars) {
            throw new IllegalArgumentException("host must have 1.." + maxHostChars + " characters: '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
    }

    /** Parses {@code host:port}; throws IllegalArgumentException naming what was wrong. */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "address");
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port with a numeric port, got '" + text + "'");
        }
        return new NodeAddress(text.substring(0, colon), port);
    }

    @Override
    public int compareTo(NodeAddress other) {
        int byHost = host.compareTo(other.host);
        return byHost != 0 ? byHost : Integer.compare(port, other.port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
