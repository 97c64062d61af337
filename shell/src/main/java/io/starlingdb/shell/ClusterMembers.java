package io.starlingdb.shell;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The answer of a node's {@code GET /cluster/members}: which node answered, whether it sees a
 * majority, and every member with its SWIM state and the health of the link to it (null when the
 * node has not measured that link, for example its own).
 */
record ClusterMembers(String self, boolean hasMajority, List<Member> members) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    ClusterMembers {
        members = members == null ? List.of() : List.copyOf(members);
    }

    record Member(String id, String address, String state, long incarnation, Map<String, Object> metadata, Health health) {
        Member {
            metadata = metadata == null ? Map.of() : metadata;
        }
    }

    record Health(double rttP50Ms, double rttP99Ms, double lossRate, double bytesInPerSec, double bytesOutPerSec,
            double score) {
    }

    /** The {@code "error"} text of a node's JSON error body, or null when the body has none. */
    static String errorOf(String body) {
        try {
            JsonNode error = JSON.readTree(body).get("error");
            return error == null || !error.isTextual() ? null : error.asText();
        } catch (IOException | RuntimeException e) {
            return null; // not JSON: the status code is all there is
        }
    }

    /**
     * The client (SQL) address a member gossips ({@code addresses: client=host:port,...}), with a
     * wildcard host (the node listens on every interface) replaced by {@code reachedHost}, the
     * host the command reached the node at; null when it gossips none.
     */
    String clientAddressOf(String memberId, String reachedHost) {
        for (Member m : members) {
            if (!memberId.equals(m.id()) || !(m.metadata().get("addresses") instanceof String addresses)) {
                continue;
            }
            for (String part : addresses.split(",")) {
                String p = part.trim();
                if (p.startsWith("client=")) {
                    String address = p.substring("client=".length());
                    int colon = address.lastIndexOf(':');
                    if (colon <= 0) {
                        return null;
                    }
                    String h = address.substring(0, colon);
                    boolean wildcard = h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("0:0:0:0:0:0:0:0");
                    String host = wildcard ? reachedHost : h;
                    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
                            + address.substring(colon);
                }
            }
        }
        return null;
    }

    /** Parses the JSON body; a body that is not JSON of this shape is an {@link IOException}. */
    static ClusterMembers parse(String json) throws IOException {
        ClusterMembers parsed = JSON.readValue(json, ClusterMembers.class);
        if (parsed == null || parsed.self() == null) {
            throw new IOException("the body has no \"self\" node");
        }
        return parsed;
    }
}
