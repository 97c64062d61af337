package io.starlingdb.engine.range;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A leaseholder refuses reads below its range's GC threshold ({@link RangeStateMachine#gcThreshold}),
 * whatever the kind, and answers those at or above it as before: a real one-voter range store.
 */
class GcThresholdReadTest {

    @Test
    void readsBelowTheThresholdAreRefusedAndReadsAtOrAboveItAnswer(@TempDir Path nodeDir) throws Exception {
        RocksStorage node = RocksStorage.open(nodeDir, StorageOptions.small());
        ConfState one = ConfState.ofVoters(1L);
        RangeStore.bootstrapIfEmpty(node.store(ColumnFamily.RANGES), MetaKeys.initialMeta(one), MetaKeys.initialUserRange(one));
        MultiRaft raft = new MultiRaft(1, RaftConfig.defaults().withTickMillis(10), new RaftLogStore(node), 1);
        InMemoryTransport hub = new InMemoryTransport();
        try {
            RangeStore store = new RangeStore(1, node.store(ColumnFamily.RANGES), raft, null);
            store.open();
            raft.start(hub.connect(1, raft));
            long range = MetaKeys.firstUserRangeId;
            Await.until("a leader with its lease", Duration.ofSeconds(30), () -> raft.leaseTermNow(range) > 0);
            byte[] k = {0x01, 'k'};
            byte[] end = {0x01, 'z'};
            raft.propose(range, RangeCodec.encodeCommand(new RangeCommand.Write(List.of(new WriteOp.Put(k, new byte[] {1})),
                    0, 100))).get(30, TimeUnit.SECONDS);
            raft.propose(range, RangeCodec.encodeCommand(new RangeCommand.Write(List.of(new WriteOp.Put(k, new byte[] {2})),
                    0, 150))).get(30, TimeUnit.SECONDS);
            raft.propose(range, RangeCodec.encodeCommand(new RangeCommand.Gc(200, List.of(k)))).get(30, TimeUnit.SECONDS);

            RangeResult.BelowGcThreshold refused = new RangeResult.BelowGcThreshold(120, 200);
            assertEquals(refused, answer(store, RangeRpc.Request.get(range, k, 120)),
                    "at 120 the version of 100 would be read, and GC removed it");
            assertEquals(refused, answer(store, RangeRpc.Request.scan(range, k, end, 10, 1 << 20, 120)));
            assertEquals(refused, answer(store, RangeRpc.Request.validate(range, k, end, 120, 250)));
            assertEquals(refused, answer(store, RangeRpc.Request.validateKeys(range, List.of(k), 120, 250)));

            assertArrayEquals(new byte[] {2}, ((RangeResult.Value) answer(store, RangeRpc.Request.get(range, k, 200))).value());
            assertArrayEquals(new byte[] {2}, ((RangeResult.Value) answer(store, RangeRpc.Request.get(range, k))).value());
            assertEquals(1, ((RangeResult.Rows) answer(store, RangeRpc.Request.scan(range, k, end, 10, 1 << 20, 200)))
                    .rows().size());
        } finally {
            hub.disconnect(1);
            raft.close();
            node.close();
        }
    }

    private static RangeResult answer(RangeStore store, RangeRpc.Request r) throws Exception {
        RangeRpc.Response response = store.handle(r).get(30, TimeUnit.SECONDS);
        assertEquals(RangeRpc.Status.OK, response.status(), String.valueOf(response.error()));
        assertInstanceOf(RangeResult.class, response.result());
        return response.result();
    }
}
