package io.starlingdb.engine.raft;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Protocol scenarios as data: each file in the {@code scenarios} directory next to this class
 * (read from the source tree; the module directory is the working directory of tests) is a script
 * of commands ({@code > command}) each followed by the output it must produce. Run with
 * {@code -Draft.scenarios.rewrite=true} to rewrite the expected outputs from the actual ones
 * (then read the diff: the files are the specification).
 *
 * <p>Commands: {@code cluster N [prevote=B] [checkquorum=B] [batch=BYTES] [lease=TICKS]} (starts N voters),
 * {@code campaign ID}, {@code propose ID DATA}, {@code conf ID add-learner|promote|remove NODE},
 * {@code read ID CONTEXT}, {@code lease ID} (whether it holds a read lease), {@code transfer ID TARGET}, {@code compact ID DATA},
 * {@code tick ID [N]}, {@code tick-all [N]}, {@code stabilize} (deliver until quiet; prints the
 * messages delivered), {@code deliver ID} (only the messages queued for ID, once),
 * {@code drop-all} (loses every queued message), {@code isolate ID}, {@code heal}, {@code crash ID}, {@code restart ID},
 * {@code spare ID}, {@code status} (one line per node), {@code applied ID}, {@code reads ID}.
 */
class RaftScenarioTest {

    private static final boolean rewrite = Boolean.getBoolean("raft.scenarios.rewrite");
    private static final Path scenarioDir = Path.of("src/test/java/io/starlingdb/engine/raft/scenarios");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        Path dir = scenarioDir;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private void run(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder expected = new StringBuilder();
        StringBuilder actual = new StringBuilder();
        Interpreter in = new Interpreter();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            expected.append(line).append('\n');
            actual.append(line).append('\n');
            if (!line.startsWith("> ")) {
                continue;
            }
            while (i < lines.size() && !lines.get(i).startsWith("> ") && !lines.get(i).isBlank()
                    && !lines.get(i).startsWith("#")) {
                expected.append(lines.get(i++)).append('\n');
            }
            String out;
            try {
                out = in.execute(line.substring(2).trim());
            } catch (RuntimeException e) {
                out = "error: " + e.getMessage() + "\n";
            }
            actual.append(out);
        }
        if (rewrite) {
            Files.writeString(file, actual.toString(), StandardCharsets.UTF_8);
        }
        assertEquals(expected.toString(), actual.toString(), file.getFileName().toString());
    }

    /** Runs the commands against a {@link TestCluster}. */
    private static final class Interpreter {
        private TestCluster c;

        String execute(String command) {
            String[] a = command.split("\\s+");
            StringBuilder out = new StringBuilder();
            switch (a[0]) {
                case "cluster": {
                    boolean preVote = true;
                    boolean checkQuorum = true;
                    int batch = 1024 * 1024;
                    int lease = 0;
                    for (int k = 2; k < a.length; k++) {
                        String[] kv = a[k].split("=");
                        switch (kv[0]) {
                            case "prevote":
                                preVote = Boolean.parseBoolean(kv[1]);
                                break;
                            case "checkquorum":
                                checkQuorum = Boolean.parseBoolean(kv[1]);
                                break;
                            case "batch":
                                batch = Integer.parseInt(kv[1]);
                                break;
                            case "lease":
                                lease = Integer.parseInt(kv[1]);
                                break;
                            default:
                                throw new IllegalArgumentException("unknown cluster option " + kv[0]);
                        }
                    }
                    c = new TestCluster(Integer.parseInt(a[1]),
                            new RaftConfig(10, 1, 4, batch, preVote, checkQuorum, 100, 10_000, 1024)
                                    .withLease(lease, RaftConfig.defaultMaxUncommittedBytes));
                    break;
                }
                case "campaign":
                    c.core(id(a[1])).campaign();
                    break;
                case "propose":
                    out.append(c.core(id(a[1])).propose(a[2].getBytes(StandardCharsets.UTF_8))).append('\n');
                    break;
                case "conf": {
                    ConfChange.Type type = a[2].equals("add-learner") ? ConfChange.Type.ADD_LEARNER
                            : a[2].equals("promote") ? ConfChange.Type.PROMOTE : ConfChange.Type.REMOVE;
                    out.append(c.core(id(a[1])).proposeConfChange(new ConfChange(type, id(a[3])))).append('\n');
                    break;
                }
                case "read":
                    out.append("leader ").append(c.core(id(a[1])).readIndex(Long.parseLong(a[2]))).append('\n');
                    break;
                case "lease": {
                    RaftCore core = c.core(id(a[1]));
                    out.append("lease=").append(core.hasLease()).append(" lease-read=").append(core.canServeLeaseRead())
                            .append(" ticks-left=").append(core.leaseReadTicksLeft()).append('\n');
                    break;
                }
                case "transfer":
                    out.append(c.core(id(a[1])).transferLeadership(id(a[2]))).append('\n');
                    break;
                case "compact": {
                    Snapshot s = c.core(id(a[1])).compact(a[2].getBytes(StandardCharsets.UTF_8));
                    out.append(s == null ? "nothing to compact" : s.toString()).append('\n');
                    break;
                }
                case "tick":
                    for (int k = 0; k < (a.length > 2 ? Integer.parseInt(a[2]) : 1); k++) {
                        c.core(id(a[1])).tick();
                    }
                    break;
                case "tick-all":
                    for (int k = 0; k < (a.length > 1 ? Integer.parseInt(a[1]) : 1); k++) {
                        for (TestCluster.Node n : c.nodes.values()) {
                            if (n.core != null) {
                                n.core.tick();
                            }
                        }
                    }
                    break;
                case "stabilize": {
                    int before = c.delivered.size();
                    c.stabilize();
                    for (Message m : c.delivered.subList(before, c.delivered.size())) {
                        out.append(m).append('\n');
                    }
                    break;
                }
                case "deliver": {
                    long to = id(a[1]);
                    List<Message> mine = new ArrayList<>();
                    c.network.removeIf(m -> m.to() == to && mine.add(m));
                    for (Message m : mine) {
                        out.append(m).append('\n');
                        c.core(to).step(m);
                        c.process(to);
                    }
                    break;
                }
                case "drop-all":
                    out.append("dropped ").append(c.network.size()).append(" messages\n");
                    c.network.clear();
                    break;
                case "isolate":
                    c.isolated.add(id(a[1]));
                    break;
                case "heal":
                    c.isolated.clear();
                    break;
                case "crash":
                    c.crash(id(a[1]));
                    break;
                case "restart":
                    c.restart(id(a[1]));
                    break;
                case "spare":
                    c.addSpare(id(a[1]));
                    break;
                case "status":
                    for (TestCluster.Node n : c.nodes.values()) {
                        if (n.core == null) {
                            out.append(n.id).append(": down\n");
                            continue;
                        }
                        RaftCore r = n.core;
                        out.append(n.id).append(": ").append(r.role()).append(" term=").append(r.term())
                                .append(" lead=").append(r.leader()).append(" vote=").append(r.hardState().vote())
                                .append(" last=").append(r.lastIndex()).append('@').append(r.termAt(r.lastIndex()))
                                .append(" commit=").append(r.committed()).append(" applied=").append(r.applied())
                                .append(" voters=").append(r.conf().voters())
                                .append(r.conf().learners().isEmpty() ? "" : " learners=" + r.conf().learners())
                                .append('\n');
                    }
                    break;
                case "applied":
                    out.append(c.node(id(a[1])).appliedData()).append('\n');
                    break;
                case "reads":
                    out.append(c.node(id(a[1])).reads).append('\n');
                    break;
                default:
                    throw new IllegalArgumentException("unknown command " + a[0]);
            }
            if (!a[0].equals("stabilize") && !a[0].equals("status") && !a[0].equals("applied") && !a[0].equals("reads")
                    && !a[0].equals("cluster") && !a[0].equals("isolate") && !a[0].equals("heal") && !a[0].equals("spare")
                    && !a[0].equals("crash") && !a[0].equals("restart") && !a[0].equals("deliver")
                    && !a[0].equals("drop-all")) {
                c.processAll();
            }
            return out.toString();
        }

        private static long id(String s) {
            return Long.parseLong(s);
        }
    }
}
