package io.starlingdb.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.cluster.membership.SwimMessage.Ack;
import io.starlingdb.cluster.membership.SwimMessage.Announce;
import io.starlingdb.cluster.membership.SwimMessage.Join;
import io.starlingdb.cluster.membership.SwimMessage.JoinReply;
import io.starlingdb.cluster.membership.SwimMessage.Ping;
import io.starlingdb.cluster.membership.SwimMessage.PingReq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Protocol cases that need two state machines or Java-built inputs; single-node scenarios are
 * data files run by {@link SwimScenarioTest}.
 */
class SwimTest {

    private static final SwimOptions options = SwimOptions.defaults();

    private static Member member(String id, MemberState state, long incarnation) {
        return new Member(id, id + ":7000", state, incarnation, Metadata.empty());
    }

    private static Swim node(String id, Member... others) {
        Swim swim = new Swim(options, member(id, MemberState.ALIVE, 0), new Random(7), 0);
        swim.bootstrap(List.of(others));
        return swim;
    }

    private static <T> List<T> sent(List<Swim.Outbound> out, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Swim.Outbound o : out) {
            if (type.isInstance(o.message())) {
                found.add(type.cast(o.message()));
            }
        }
        return found;
    }

    @Test
    void pingIsAnsweredWithAckOfTheSameSequence() {
        Swim a = node("a", member("b", MemberState.ALIVE, 0));
        a.receive("b:7000", new Ping(42, "b", "a", new ArrayList<>()), 0);
        List<Swim.Outbound> out = a.drainOutbound();
        assertEquals(1, out.size());
        assertEquals("b:7000", out.get(0).address());
        Ack ack = assertInstanceOf(Ack.class, out.get(0).message());
        assertEquals(42, ack.seq());
        assertEquals("a", ack.fromId());
    }

    @Test
    void indirectAckPreventsSuspicion() {
        Swim a = node("a", member("b", MemberState.ALIVE, 0), member("c", MemberState.ALIVE, 0));
        long now = 0;
        Ping ping = null;
        while (ping == null) {
            now += 10;
            a.tick(now);
            List<Ping> pings = sent(a.drainOutbound(), Ping.class);
            ping = pings.isEmpty() ? null : pings.get(0);
        }
        now += options.pingTimeoutMillis();
        a.tick(now);
        PingReq req = sent(a.drainOutbound(), PingReq.class).get(0);
        String helper = req.targetId().equals("b") ? "c" : "b";
        // The helper relays the target's ack under our sequence number.
        a.receive(helper + ":7000", new Ack(req.seq(), req.targetId(), new ArrayList<>()), now + 5);
        for (int i = 0; i < 100; i++) {
            now += 10;
            a.tick(now);
        }
        assertEquals(MemberState.ALIVE, a.member(req.targetId()).state());
    }

    @Test
    void suspectRefutesWithAHigherIncarnation() {
        Swim b = node("b", member("a", MemberState.ALIVE, 0));
        b.receive("a:7000", new Announce(new ArrayList<>(List.of(member("b", MemberState.SUSPECT, 0)))), 0);
        assertEquals(1, b.self().incarnation());
        Announce refutation = sent(b.drainOutbound(), Announce.class).get(0);
        assertEquals(MemberState.ALIVE, refutation.gossip().get(0).state());
        assertEquals(1, refutation.gossip().get(0).incarnation());

        // The refutation overrides the suspicion at a; an old ALIVE would not.
        Swim a = node("a", member("b", MemberState.SUSPECT, 0));
        a.receive("c:7000", new Announce(new ArrayList<>(List.of(member("b", MemberState.ALIVE, 0)))), 0);
        assertEquals(MemberState.SUSPECT, a.member("b").state());
        a.receive("b:7000", refutation, 1);
        assertEquals(MemberState.ALIVE, a.member("b").state());
        assertEquals(MembershipEvent.Type.ALIVE, a.drainEvents().get(0).type());
    }

    @Test
    void restartedNodeRejoinsAboveItsDeathNotice() {
        Swim seed = node("seed", member("b", MemberState.DEAD, 5));
        Swim b = new Swim(options, member("b", MemberState.ALIVE, 0), new Random(1), 0);
        b.join(List.of("seed:7000"), 0);
        Join join = sent(b.drainOutbound(), Join.class).get(0);
        seed.receive("b:7000", join, 1);
        JoinReply reply = sent(seed.drainOutbound(), JoinReply.class).get(0);
        assertEquals(MemberState.DEAD, seed.member("b").state(), "an older incarnation does not revive it");
        b.receive("seed:7000", reply, 2);
        assertFalse(b.isJoining());
        assertEquals(6, b.self().incarnation());
        Announce refutation = sent(b.drainOutbound(), Announce.class).get(0);
        seed.receive("b:7000", refutation, 3);
        assertEquals(MemberState.ALIVE, seed.member("b").state());
    }

    @Test
    void metadataChangesAreVersioned() {
        Swim a = node("a", member("b", MemberState.ALIVE, 0));
        Map<String, String> v1 = Map.of(Metadata.roles, "sql,storage", Metadata.load, "0.5");
        Member b1 = new Member("b", "b:7000", MemberState.ALIVE, 0, new Metadata(1, new HashMap<>(v1)));
        Member b0 = new Member("b", "b:7000", MemberState.ALIVE, 0, new Metadata(0, new HashMap<>()));
        a.receive("b:7000", new Announce(new ArrayList<>(List.of(b1))), 0);
        assertEquals("0.5", a.member("b").metadata().get(Metadata.load));
        assertEquals(MembershipEvent.Type.METADATA_CHANGED, a.drainEvents().get(0).type());
        a.receive("c:7000", new Announce(new ArrayList<>(List.of(b0))), 1);
        assertEquals(1, a.member("b").metadata().version(), "an older version never wins");
    }

    @Test
    void outOfBoundsMessagesAreRefused() {
        Swim a = node("a", member("b", MemberState.ALIVE, 0));
        ArrayList<Member> flood = new ArrayList<>();
        for (int i = 0; i < options.maxPiggyback() + 5; i++) {
            flood.add(member("x" + i, MemberState.ALIVE, 0));
        }
        assertFalse(a.receive("b:7000", new Announce(flood), 0));
        HashMap<String, String> huge = new HashMap<>();
        huge.put("k", "v".repeat(options.maxMetadataChars() + 1));
        Member bloated = new Member("z", "z:1", MemberState.ALIVE, 0, new Metadata(0, huge));
        assertFalse(a.receive("b:7000", new Join(bloated), 0));
        assertFalse(a.receive("b:7000", new Ping(1, "b", "a", null), 0));
        // Generics are erased on the wire: a list may hold any registered class.
        @SuppressWarnings({"unchecked", "rawtypes"})
        ArrayList<Member> smuggled = (ArrayList) new ArrayList<>(List.of(new Ping(2, "b", "a", new ArrayList<>())));
        assertFalse(a.receive("b:7000", new Announce(smuggled), 0));
        HashMap<String, String> typed = new HashMap<>();
        @SuppressWarnings({"unchecked", "rawtypes"})
        HashMap<Object, Object> raw = (HashMap) typed;
        raw.put("load", 7);
        Member oddMetadata = new Member("y", "y:1", MemberState.ALIVE, 0, new Metadata(0, typed));
        assertFalse(a.receive("b:7000", new Join(oddMetadata), 0));
        assertEquals(5, a.refusedMessages());
        assertEquals(2, a.members().size());
    }
}
