package io.starlingdb.engine.raft;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.TransportOptions;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterTransportTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void wireCodecRoundTripsEveryField() {
        Snapshot snap = new Snapshot(9, 2, new ConfState(java.util.Set.of(1L, 2L), java.util.Set.of(3L)), "s".getBytes());
        Message app = new Message(MessageType.APPEND, 1, 2, 3, 2, 7,
                List.of(new Entry(3, 8, EntryType.NORMAL, "a".getBytes()), new Entry(3, 9, EntryType.CONF_CHANGE,
                        new ConfChange(ConfChange.Type.PROMOTE, 3).encode())), 6, false, 0, null, 0);
        Message snapMsg = new Message(MessageType.SNAPSHOT, 1, 3, 3, 0, 0, List.of(), 0, false, 0, snap, 0);
        Message rej = new Message(MessageType.APPEND_RESPONSE, 2, 1, 3, 1, 7, List.of(), 0, true, 4, null, 0);
        Message read = new Message(MessageType.HEARTBEAT, 1, 2, 3, 0, 0, List.of(), 5, false, 0, null, 42);
        List<GroupMessage> batch = List.of(new GroupMessage(5, app), new GroupMessage(6, snapMsg), new GroupMessage(5, rej),
                new GroupMessage(7, read));
        List<GroupMessage> back = RaftWireCodec.decodeBatch(RaftWireCodec.encodeBatch(batch));
        assertEquals(batch.size(), back.size());
        for (int i = 0; i < batch.size(); i++) {
            Message a = batch.get(i).message();
            Message b = back.get(i).message();
            assertEquals(batch.get(i).group(), back.get(i).group());
            assertEquals(a.toString(), b.toString());
            assertEquals(a.entries(), b.entries());
            assertEquals(a.commit(), b.commit());
            assertEquals(a.context(), b.context());
            assertEquals(a.rejectHint(), b.rejectHint());
            if (a.snapshot() != null) {
                assertEquals(a.snapshot().conf(), b.snapshot().conf());
                assertArrayEquals(a.snapshot().data(), b.snapshot().data());
            }
        }
        SnapshotChunk chunk = new SnapshotChunk(6, snapMsg, 100, "xyz".getBytes(), true);
        SnapshotChunk c2 = RaftWireCodec.decodeChunk(RaftWireCodec.encodeChunk(chunk));
        assertEquals(100, c2.offset());
        assertTrue(c2.last());
        assertArrayEquals("xyz".getBytes(), c2.bytes());
    }

    @Test
    void malformedPayloadsAreRejectedBeforeAllocating() {
        byte[] huge = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RaftWireCodec.decodeBatch(huge));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        byte[] good = RaftWireCodec.encodeBatch(List.of(new GroupMessage(1,
                new Message(MessageType.HEARTBEAT, 1, 2, 1, 0, 0, List.of(), 0, false, 0, null, 0))));
        assertThrows(IllegalArgumentException.class, () -> RaftWireCodec.decodeBatch(java.util.Arrays.copyOf(good, good.length - 3)));
        byte[] badType = good.clone();
        badType[12] = 99;
        assertThrows(IllegalArgumentException.class, () -> RaftWireCodec.decodeBatch(badType));
    }

    @Test
    void groupReplicatesOverRealSockets() throws Exception {
        int n = 3;
        io.starlingdb.cluster.transport.Transport[] nets = new io.starlingdb.cluster.transport.Transport[n + 1];
        ClusterTransport[] transports = new ClusterTransport[n + 1];
        NodeAddress[] addresses = new NodeAddress[n + 1];
        MultiRaft[] nodes = new MultiRaft[n + 1];
        MultiRaftTest.CounterMachine[] machines = new MultiRaftTest.CounterMachine[n + 1];
        for (int i = 1; i <= n; i++) {
            MessageTypes types = new MessageTypes();
            ClusterTransport.registerTypes(types);
            nets[i] = new io.starlingdb.cluster.transport.Transport("raft" + i,
                    TransportOptions.defaults("127.0.0.1", 0, "raft-test-secret"), types, new SimpleMeterRegistry());
            addresses[i] = nets[i].start();
            toClose.add(nets[i]);
        }
        for (int i = 1; i <= n; i++) {
            transports[i] = new ClusterTransport(i, nets[i]);
            for (int j = 1; j <= n; j++) {
                transports[i].setAddress(j, addresses[j]);
            }
            RocksStorage storage = RocksStorage.open(dir.resolve("n" + i), StorageOptions.small());
            toClose.add(storage);
            nodes[i] = new MultiRaft(i, RaftConfig.defaults().withTickMillis(10), new RaftLogStore(storage), i);
            toClose.add(nodes[i]);
            machines[i] = new MultiRaftTest.CounterMachine();
            nodes[i].createGroup(1, ConfState.ofVoters(1L, 2L, 3L), machines[i]);
            transports[i].bind(nodes[i]);
            nodes[i].start(transports[i]);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long done = 0;
        while (done < 20 && System.nanoTime() < deadline) {
            for (int i = 1; i <= n && done < 20; i++) {
                if (nodes[i].leader(1) == i) {
                    try {
                        // Waits for the answer (up to the deadline): a proposal given up on after a shorter
                        // timeout could still commit, and proposing again would count it twice.
                        nodes[i].propose(1, ByteBuffer.allocate(8).putLong(1).array())
                                .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        done++;
                    } catch (ExecutionException e) {
                        // Leadership moved: the proposal was not applied (NotLeader, Dropped), so proposing
                        // again counts it once. Any other answer would leave the expected sum unknown.
                        assertTrue(e.getCause() instanceof NotLeaderException || e.getCause() instanceof ProposalDroppedException,
                                "proposal failed with " + e.getCause());
                    }
                }
            }
            Thread.sleep(1);
        }
        assertEquals(20, done, "proposals committed over TCP");
        for (int i = 1; i <= n; i++) {
            MultiRaftTest.readBarrierAsAClient(nodes[i], i);
            assertEquals(20, machines[i].sum, "node " + i);
        }
    }
}
