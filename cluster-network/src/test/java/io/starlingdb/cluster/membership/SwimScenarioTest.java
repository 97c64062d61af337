package io.starlingdb.cluster.membership;

import static org.junit.jupiter.api.Assertions.fail;

import io.starlingdb.cluster.membership.SwimMessage.Ack;
import io.starlingdb.cluster.membership.SwimMessage.Announce;
import io.starlingdb.cluster.membership.SwimMessage.Join;
import io.starlingdb.cluster.membership.SwimMessage.JoinReply;
import io.starlingdb.cluster.membership.SwimMessage.Ping;
import io.starlingdb.cluster.membership.SwimMessage.PingReq;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the protocol scenarios in {@code src/test/resources/swim/*.txt}: one state machine under
 * test, inputs and the outputs expected after each. Syntax (one command per line, # comments):
 * <pre>
 * node ID [MEMBER ...]          the node under test and the members it knows; MEMBER = id:STATE:incarnation
 * options fast|defaults         SWIM timing (before node; defaults if absent)
 * seed N                        its random seed (before node)
 * tick MILLIS                   advance the clock to MILLIS, ticking every 10 ms
 * receive FROM MESSAGE          a message from member FROM (address FROM:7000)
 * join SEED ...                 start joining through SEED:7000 ...
 * leave | metadata KEY=VALUE ... | remove ID (an operator's remove of a dead member)
 * expect send TO MESSAGE        the next unmatched message sent to TO matches (* matches a token, ... the rest)
 * expect nothing sent           every message sent so far has been matched
 * expect event TYPE ID          the next unmatched event has this type and member
 * expect state ID STATE INC     what the node believes of ID (or of itself)
 * expect majority true|false
 * </pre>
 * MESSAGE: Ping SEQ FROM TARGET [GOSSIP...] | Ack SEQ FROM [GOSSIP...] | PingReq SEQ FROM TARGET [GOSSIP...]
 * | Join MEMBER | JoinReply MEMBER... | Announce MEMBER...
 */
class SwimScenarioTest {

    private static final String[] scenarios = {
        "probe-indirect-suspect-dead.txt",
        "refutation.txt",
        "relay-ping-req.txt",
        "rejoin-above-death.txt",
        "leave.txt",
        "left-member.txt",
        "dead-is-final-per-incarnation.txt",
        "majority.txt",
        "remove-dead.txt",
    };

    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Arrays.stream(scenarios).map(name -> DynamicTest.dynamicTest(name, () -> run(name)));
    }

    private static void run(String name) throws IOException {
        List<String> lines;
        try (InputStream in = SwimScenarioTest.class.getResourceAsStream("/swim/" + name)) {
            if (in == null) {
                throw new IOException("no scenario " + name);
            }
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        new Scenario(name).run(lines);
    }

    private static final class Scenario {
        final String name;
        SwimOptions options = SwimOptions.defaults();
        long seed = 1;
        Swim swim;
        long now;
        final List<Swim.Outbound> sent = new ArrayList<>();
        final List<MembershipEvent> events = new ArrayList<>();
        int lineNumber;

        Scenario(String name) {
            this.name = name;
        }

        void run(List<String> lines) {
            for (String raw : lines) {
                lineNumber++;
                String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
                String[] t = line.trim().split("\\s+");
                if (t.length == 0 || t[0].isEmpty()) {
                    continue;
                }
                try {
                    step(t);
                } catch (RuntimeException | AssertionError e) {
                    fail(name + ":" + lineNumber + ": " + raw.trim() + "\n  " + e.getMessage()
                            + "\n  sent so far: " + sent + "\n  events so far: " + events, e);
                }
                collect();
            }
        }

        void step(String[] t) {
            switch (t[0]) {
                case "options" -> options = t[1].equals("fast") ? SwimOptions.fast() : SwimOptions.defaults();
                case "seed" -> seed = Long.parseLong(t[1]);
                case "node" -> {
                    swim = new Swim(options, member(t[1] + ":ALIVE:0"), new Random(seed), 0);
                    List<Member> known = new ArrayList<>();
                    for (int i = 2; i < t.length; i++) {
                        known.add(member(t[i]));
                    }
                    swim.bootstrap(known);
                }
                case "tick" -> {
                    long until = Long.parseLong(t[1]);
                    while (now < until) {
                        now = Math.min(until, now + 10);
                        swim.tick(now);
                        collect();
                    }
                }
                case "receive" -> {
                    if (!swim.receive(t[1] + ":7000", message(Arrays.copyOfRange(t, 2, t.length)), now)) {
                        throw new AssertionError("message refused");
                    }
                }
                case "join" -> {
                    List<String> seeds = new ArrayList<>();
                    for (int i = 1; i < t.length; i++) {
                        seeds.add(t[i] + ":7000");
                    }
                    swim.join(seeds, now);
                }
                case "leave" -> swim.leave(now);
                case "remove" -> swim.removeDead(t[1], now);
                case "metadata" -> {
                    Map<String, String> entries = new HashMap<>();
                    for (int i = 1; i < t.length; i++) {
                        String[] kv = t[i].split("=", 2);
                        entries.put(kv[0], kv[1]);
                    }
                    swim.updateMetadata(entries);
                }
                case "expect" -> expect(Arrays.copyOfRange(t, 1, t.length));
                default -> throw new IllegalArgumentException("unknown command " + t[0]);
            }
        }

        void collect() {
            if (swim != null) {
                sent.addAll(swim.drainOutbound());
                events.addAll(swim.drainEvents());
            }
        }

        void expect(String[] t) {
            switch (t[0]) {
                case "send" -> {
                    List<String> pattern = Arrays.asList(t).subList(1, t.length);
                    for (int i = 0; i < sent.size(); i++) {
                        if (matches(pattern, render(sent.get(i)))) {
                            sent.remove(i);
                            return;
                        }
                    }
                    throw new AssertionError("nothing sent matches " + String.join(" ", pattern));
                }
                case "nothing" -> {
                    if (!sent.isEmpty()) {
                        throw new AssertionError("unexpected sends " + sent.stream().map(Scenario::renderText).toList());
                    }
                }
                case "event" -> {
                    for (int i = 0; i < events.size(); i++) {
                        MembershipEvent e = events.get(i);
                        if (e.type().name().equals(t[1]) && e.member().id().equals(t[2])) {
                            events.remove(i);
                            return;
                        }
                    }
                    throw new AssertionError("no event " + t[1] + " " + t[2]);
                }
                case "state" -> {
                    Member m = swim.member(t[1]);
                    String actual = m == null ? "unknown" : m.state() + " " + m.incarnation();
                    String expected = t[2] + " " + t[3];
                    if (!actual.equals(expected)) {
                        throw new AssertionError(t[1] + " is " + actual + ", expected " + expected);
                    }
                }
                case "metadata" -> {
                    Member m = swim.member(t[1]);
                    String[] kv = t[2].split("=", 2);
                    if (!kv[1].equals(m.metadata().get(kv[0]))) {
                        throw new AssertionError(t[1] + " has " + m.metadata() + ", expected " + t[2]);
                    }
                }
                case "majority" -> {
                    if (swim.hasMajority() != Boolean.parseBoolean(t[1])) {
                        throw new AssertionError("hasMajority is " + swim.hasMajority());
                    }
                }
                default -> throw new IllegalArgumentException("unknown expectation " + t[0]);
            }
        }

        static boolean matches(List<String> pattern, List<String> actual) {
            for (int i = 0; i < pattern.size(); i++) {
                if (pattern.get(i).equals("...")) {
                    return true;
                }
                if (i >= actual.size() || !(pattern.get(i).equals("*") || pattern.get(i).equals(actual.get(i)))) {
                    return false;
                }
            }
            return pattern.size() == actual.size();
        }

        static Member member(String text) {
            String[] f = text.split(":");
            return new Member(f[0], f[0] + ":7000", MemberState.valueOf(f[1]), Long.parseLong(f[2]), Metadata.empty());
        }

        static ArrayList<Member> members(String[] t, int from) {
            ArrayList<Member> out = new ArrayList<>();
            for (int i = from; i < t.length; i++) {
                out.add(member(t[i]));
            }
            return out;
        }

        static SwimMessage message(String[] t) {
            return switch (t[0]) {
                case "Ping" -> new Ping(Long.parseLong(t[1]), t[2], t[3], members(t, 4));
                case "Ack" -> new Ack(Long.parseLong(t[1]), t[2], members(t, 3));
                case "PingReq" -> new PingReq(Long.parseLong(t[1]), t[2], t[3], t[3] + ":7000", members(t, 4));
                case "Join" -> new Join(member(t[1]));
                case "JoinReply" -> new JoinReply(members(t, 1));
                case "Announce" -> new Announce(members(t, 1));
                default -> throw new IllegalArgumentException("unknown message " + t[0]);
            };
        }

        static String text(Member m) {
            return m.id() + ":" + m.state() + ":" + m.incarnation();
        }

        static List<String> render(Swim.Outbound out) {
            List<String> tokens = new ArrayList<>();
            tokens.add(out.address().substring(0, out.address().indexOf(':')));
            SwimMessage m = out.message();
            List<Member> gossip;
            if (m instanceof Ping p) {
                tokens.addAll(List.of("Ping", Long.toString(p.seq()), p.fromId(), p.targetId()));
                gossip = p.gossip();
            } else if (m instanceof Ack a) {
                tokens.addAll(List.of("Ack", Long.toString(a.seq()), a.fromId()));
                gossip = a.gossip();
            } else if (m instanceof PingReq r) {
                tokens.addAll(List.of("PingReq", Long.toString(r.seq()), r.fromId(), r.targetId()));
                gossip = r.gossip();
            } else if (m instanceof Join j) {
                tokens.add("Join");
                gossip = List.of(j.joiner());
            } else if (m instanceof JoinReply r) {
                tokens.add("JoinReply");
                gossip = r.members();
            } else {
                tokens.add("Announce");
                gossip = ((Announce) m).gossip();
            }
            for (Member g : gossip) {
                tokens.add(text(g));
            }
            return tokens;
        }

        static String renderText(Swim.Outbound out) {
            return String.join(" ", render(out));
        }
    }
}
