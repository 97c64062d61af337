package io.starlingdb.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the driver has learned about clusters, shared by every connection of the JVM: for each
 * URL (its list of hosts), the client addresses of the cluster's live nodes that the last
 * handshake named, and which hosts failed recently. So a URL naming one node still reaches the
 * others when that node is down, and a reconnect tries the nodes that answered last first. With
 * {@code loadBalanceHosts}, each new wire starts at the next host in turn, so a pool's connections
 * spread evenly over the nodes.
 */
final class ClusterAddresses {

    /** How long a host that failed is tried after the others, in ms: about a node's restart time. */
    static final long DOWN_MEMORY_MILLIS = 30_000;
    /** URLs remembered; the least recently used is forgotten beyond this. */
    static final int MAX_CLUSTERS = 64;
    /** Hosts remembered as down; the memory is cleared beyond this (it only orders attempts). */
    static final int MAX_DOWN_HOSTS = 1_024;

    /** The one instance the driver uses. */
    static final ClusterAddresses SHARED = new ClusterAddresses();

    private final Map<List<StarlingUrl.HostPort>, List<StarlingUrl.HostPort>> learned = perUrl();
    private final Map<StarlingUrl.HostPort, Long> downSince = new LinkedHashMap<>();
    /** Per URL, how many spread lists {@link #candidates} has given: the next one starts one host further. */
    private final Map<List<StarlingUrl.HostPort>, Long> turns = perUrl();

    /** A map per URL that forgets the least recently used URL beyond {@link #MAX_CLUSTERS}. */
    private static <V> Map<List<StarlingUrl.HostPort>, V> perUrl() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<List<StarlingUrl.HostPort>, V> eldest) {
                return size() > MAX_CLUSTERS;
            }
        };
    }

    /**
     * Remembers the client addresses a node named in its handshake, for the URL naming
     * {@code urlHosts}. Addresses that cannot be right for this client are dropped: unparseable
     * ones, wildcards (a node bound to every interface), and loopback ones named by a node this
     * client reached from another machine (they would lead to this client's own machine).
     */
    synchronized void learn(List<StarlingUrl.HostPort> urlHosts, boolean reachedOverLoopback, List<String> addresses) {
        List<StarlingUrl.HostPort> usable = new ArrayList<>();
        for (String address : addresses) {
            StarlingUrl.HostPort host = parse(address);
            if (host != null && !isWildcard(host.host()) && (reachedOverLoopback || !isLoopback(host.host()))) {
                usable.add(host);
            }
        }
        if (usable.isEmpty()) {
            return; // a node outside a cluster, or one that sees nobody yet: keep what we knew
        }
        learned.put(urlHosts, List.copyOf(usable));
    }

    /**
     * The hosts to try for a URL, in order: the URL's, then the learned ones; hosts that failed
     * within {@link #DOWN_MEMORY_MILLIS} after all the others.
     */
    synchronized List<StarlingUrl.HostPort> candidates(List<StarlingUrl.HostPort> urlHosts, boolean discover) {
        return candidates(urlHosts, discover, false);
    }

    /**
     * {@link #candidates(List, boolean)}, and with {@code spread} the hosts not down rotated so
     * that each call starts at the host after the one the last call for this URL started at
     * (round robin over the URL's and the learned hosts; those down still come last).
     */
    synchronized List<StarlingUrl.HostPort> candidates(List<StarlingUrl.HostPort> urlHosts, boolean discover, boolean spread) {
        Set<StarlingUrl.HostPort> all = new LinkedHashSet<>(urlHosts);
        if (discover) {
            all.addAll(learned.getOrDefault(urlHosts, List.of()));
        }
        long now = System.nanoTime();
        List<StarlingUrl.HostPort> up = new ArrayList<>();
        List<StarlingUrl.HostPort> down = new ArrayList<>();
        for (StarlingUrl.HostPort host : all) {
            Long since = downSince.get(host);
            if (since != null && now - since > DOWN_MEMORY_MILLIS * 1_000_000L) {
                downSince.remove(host);
                since = null;
            }
            (since == null ? up : down).add(host);
        }
        if (spread) {
            // A turn is taken even with one host known (the first connection, before any
            // handshake named the others), so the turns count connections.
            long turn = turns.merge(urlHosts, 1L, Long::sum) - 1;
            if (up.size() > 1) {
                java.util.Collections.rotate(up, -(int) (turn % up.size()));
            }
        }
        up.addAll(down);
        return up;
    }

    synchronized void markDown(StarlingUrl.HostPort host) {
        if (downSince.size() >= MAX_DOWN_HOSTS) {
            downSince.clear();
        }
        downSince.putIfAbsent(host, System.nanoTime());
    }

    synchronized void markUp(StarlingUrl.HostPort host) {
        downSince.remove(host);
    }

    /** Forgets everything learned (tests start from a driver that knows nothing). */
    synchronized void clear() {
        learned.clear();
        downSince.clear();
        turns.clear();
    }

    /** {@code host:port} as a node sends it (an IPv6 host without brackets); null if malformed. */
    static StarlingUrl.HostPort parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port >= 1 && port <= 65535 && !host.isEmpty() ? new StarlingUrl.HostPort(host, port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** By its text only (no name lookup): localhost, 127.x.x.x, ::1. */
    private static boolean isLoopback(String host) {
        return host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("::1")
                || host.equals("0:0:0:0:0:0:0:1");
    }
}
