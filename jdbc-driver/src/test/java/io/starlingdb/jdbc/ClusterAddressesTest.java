package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the driver keeps of the addresses nodes name, and the order it tries hosts in. */
class ClusterAddressesTest {

    private static StarlingUrl.HostPort host(String h, int port) {
        return new StarlingUrl.HostPort(h, port);
    }

    @Test
    void urlHostsComeFirstThenTheLearnedOnes() {
        ClusterAddresses addresses = new ClusterAddresses();
        List<StarlingUrl.HostPort> url = List.of(host("10.0.0.2", 7432));
        addresses.learn(url, false, List.of("10.0.0.1:7432", "10.0.0.2:7432", "10.0.0.3:7432"));
        assertEquals(List.of(host("10.0.0.2", 7432), host("10.0.0.1", 7432), host("10.0.0.3", 7432)),
                addresses.candidates(url, true));
        assertEquals(url, addresses.candidates(url, false), "discovery off: the URL's hosts only");
        assertEquals(List.of(host("10.0.0.9", 7432)), addresses.candidates(List.of(host("10.0.0.9", 7432)), true),
                "another URL learned nothing");
    }

    @Test
    void hostsThatFailedRecentlyAreTriedLast() {
        ClusterAddresses addresses = new ClusterAddresses();
        List<StarlingUrl.HostPort> url = List.of(host("a", 1), host("b", 2), host("c", 3));
        addresses.markDown(host("a", 1));
        assertEquals(List.of(host("b", 2), host("c", 3), host("a", 1)), addresses.candidates(url, true));
        addresses.markUp(host("a", 1));
        assertEquals(url, addresses.candidates(url, true));
    }

    @Test
    void spreadListsStartAtEachHostInTurnWithHostsDownStillLast() {
        ClusterAddresses addresses = new ClusterAddresses();
        List<StarlingUrl.HostPort> url = List.of(host("a", 1));
        addresses.learn(url, false, List.of("a:1", "b:2", "c:3"));
        assertEquals(List.of(host("a", 1), host("b", 2), host("c", 3)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("b", 2), host("c", 3), host("a", 1)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("c", 3), host("a", 1), host("b", 2)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("a", 1), host("b", 2), host("c", 3)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("a", 1), host("b", 2), host("c", 3)), addresses.candidates(url, true, false),
                "not spread: the URL's order, and no turn taken");
        addresses.markDown(host("a", 1));
        assertEquals(List.of(host("b", 2), host("c", 3), host("a", 1)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("c", 3), host("b", 2), host("a", 1)), addresses.candidates(url, true, true));
        assertEquals(List.of(host("a", 1)), addresses.candidates(url, false, true), "discovery off: the URL's one host");
    }

    @Test
    void wildcardAndForeignLoopbackAddressesAreNotLearned() {
        ClusterAddresses addresses = new ClusterAddresses();
        List<StarlingUrl.HostPort> url = List.of(host("db1.example", 7432));
        addresses.learn(url, false, List.of("0.0.0.0:7432", "127.0.0.1:7433", "localhost:7434", "db2.example:7432", "junk", ":1",
                "db3.example:99999"));
        assertEquals(List.of(host("db1.example", 7432), host("db2.example", 7432)), addresses.candidates(url, true));

        List<StarlingUrl.HostPort> local = List.of(host("127.0.0.1", 7432));
        addresses.learn(local, true, List.of("127.0.0.1:7432", "127.0.0.1:7433"));
        assertEquals(List.of(host("127.0.0.1", 7432), host("127.0.0.1", 7433)), addresses.candidates(local, true),
                "a node reached over loopback names its loopback neighbours");
    }

    @Test
    void aHandshakeNamingNobodyKeepsWhatWasLearned() {
        ClusterAddresses addresses = new ClusterAddresses();
        List<StarlingUrl.HostPort> url = List.of(host("a", 1));
        addresses.learn(url, false, List.of("a:1", "b:2"));
        addresses.learn(url, false, List.of());
        assertEquals(List.of(host("a", 1), host("b", 2)), addresses.candidates(url, true));
    }

    @Test
    void parsesHostPortAsNodesSendIt() {
        assertEquals(host("0:0:0:0:0:0:0:1", 7432), ClusterAddresses.parse("0:0:0:0:0:0:0:1:7432"));
        assertEquals(host("::1", 7432), ClusterAddresses.parse("[::1]:7432"));
        assertNull(ClusterAddresses.parse("host"));
        assertNull(ClusterAddresses.parse("host:0"));
        assertNull(ClusterAddresses.parse("host:x"));
    }
}
