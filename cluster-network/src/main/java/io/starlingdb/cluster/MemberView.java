package io.starlingdb.cluster;

import io.starlingdb.cluster.health.HealthSnapshot;
import io.starlingdb.cluster.membership.MemberState;
import java.util.Map;

/**
 * One member as this node sees it, with the health of the link to it (null for this node
 * itself and for members never probed).
 */
public record MemberView(String id, String address, MemberState state, long incarnation, Map<String, String> metadata,
        HealthSnapshot health) {
}
