package io.starlingdb.cluster.transport;

/** Who is at the other end of a connection, as proven in the handshake. */
public record PeerIdentity(String nodeId, NodeAddress listenAddress) {

    /** Longest node id accepted. */
    public static final int maxNodeIdChars = 128;

    @Override
    public String toString() {
        return nodeId + "@" + listenAddress;
    }

    /** True if {@code id} is 1..128 characters of letters, digits, '.', '_' or '-'. */
    public static boolean isValidNodeId(String id) {
        if (id == null || id.isEmpty() || id.length() > maxNodeIdChars) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
