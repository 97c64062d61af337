package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStatusTableTest {

    private static final String JSON = "{\"self\":\"n1\",\"hasMajority\":true,\"members\":["
            + "{\"id\":\"n1\",\"address\":\"127.0.0.1:7000\",\"state\":\"ALIVE\",\"incarnation\":3,"
            + "\"metadata\":{\"rack\":\"r1\",\"dc\":\"eu\"},\"health\":null},"
            + "{\"id\":\"n2\",\"address\":\"127.0.0.1:7001\",\"state\":\"SUSPECT\",\"incarnation\":12,"
            + "\"metadata\":{},\"health\":{\"rttP50Ms\":0.2,\"rttP99Ms\":0.9,\"lossRate\":0.015,"
            + "\"bytesInPerSec\":1.0,\"bytesOutPerSec\":2048.0,\"score\":0.98,\"extra\":1}}],"
            + "\"version\":\"ignored\"}";

    @Test
    void parsesMembersAndHealthIgnoringUnknownFields() throws IOException {
        ClusterMembers members = ClusterMembers.parse(JSON);
        assertEquals("n1", members.self());
        assertTrue(members.hasMajority());
        assertEquals(2, members.members().size());
        ClusterMembers.Member n1 = members.members().get(0);
        assertEquals(3, n1.incarnation());
        assertEquals("eu", n1.metadata().get("dc"));
        assertNull(n1.health());
        ClusterMembers.Health h = members.members().get(1).health();
        assertEquals(0.9, h.rttP99Ms());
        assertEquals(0.015, h.lossRate());
        assertEquals(0.98, h.score());
    }

    @Test
    void printsASummaryAndAnAlignedTableWithDashesForMissingHealth() throws IOException {
        List<String> lines = ClusterStatusTable.format(ClusterMembers.parse(JSON));
        assertEquals(List.of(
                "Node n1: 2 members, sees a majority",
                "ID        | ADDRESS        | STATE   | INCARNATION | RTT P50 | RTT P99 | LOSS | IN      | OUT       | SCORE | METADATA",
                "----------+----------------+---------+-------------+---------+---------+------+---------+-----------+-------+---------------",
                "n1 (self) | 127.0.0.1:7000 | ALIVE   |           3 |       - |       - |    - |       - |         - |     - | dc=eu; rack=r1",
                "n2        | 127.0.0.1:7001 | SUSPECT |          12 | 0.20 ms | 0.90 ms | 1.5% | 1.0 B/s | 2.0 KiB/s |  0.98 |"),
                lines);
    }

    @Test
    void aNodeWithoutMajoritySaysSo() throws IOException {
        String json = "{\"self\":\"a\",\"hasMajority\":false,\"members\":[]}";
        List<String> lines = ClusterStatusTable.format(ClusterMembers.parse(json));
        assertEquals("Node a: 0 members, does NOT see a majority", lines.get(0));
        assertFalse(ClusterMembers.parse(json).hasMajority());
    }

    @Test
    void ratesUseTheLargestUnitThatKeepsTheNumberAboveOne() {
        assertEquals("512.0 B/s", ClusterStatusTable.rate(512));
        assertEquals("1.5 MiB/s", ClusterStatusTable.rate(1.5 * 1024 * 1024));
    }

    @Test
    void bodiesOfAnotherShapeAreRejected() {
        assertThrows(IOException.class, () -> ClusterMembers.parse("not json"));
        assertThrows(IOException.class, () -> ClusterMembers.parse("null"));
        assertThrows(IOException.class, () -> ClusterMembers.parse("{\"members\":[]}"));
        assertThrows(IOException.class, () -> ClusterMembers.parse("{\"self\":\"n1\",\"members\":{\"a\":1}}"));
    }
}
