package io.starlingdb.engine.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.raft.ConfState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MetaTest {

    private static final ConfState three = ConfState.ofVoters(1L, 2L, 3L);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a meta lookup does: the first descriptor entry after lookupStart(key), within the descriptor span. */
    private static RangeDescriptor lookup(TreeMap<byte[], RangeDescriptor> meta, byte[] key) {
        var e = meta.ceilingEntry(MetaKeys.lookupStart(key));
        return e == null || Arrays.compareUnsigned(e.getKey(), MetaKeys.descriptorsEnd()) >= 0 ? null : e.getValue();
    }

    @Test
    void aLookupFindsTheRangeWhoseEndIsTheFirstAboveTheKey() {
        RangeDescriptor metaRange = MetaKeys.initialMeta(three);
        List<RangeDescriptor> ranges = List.of(metaRange,
                new RangeDescriptor(2, MetaKeys.userSpanStart, b("g"), three, 2),
                new RangeDescriptor(3, b("g"), b("p"), three, 2),
                new RangeDescriptor(4, b("p"), null, three, 2));
        TreeMap<byte[], RangeDescriptor> meta = new TreeMap<>(Arrays::compareUnsigned);
        for (RangeDescriptor d : ranges) {
            meta.put(MetaKeys.descriptorKey(d.end()), d);
        }
        List<byte[]> keys = new ArrayList<>(List.of(new byte[] {1}, b("a"), b("f\u00ff"), b("g"), b("g\0"), b("o"),
                b("p"), b("z"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[] {0, 4}));
        for (byte[] key : keys) {
            RangeDescriptor d = lookup(meta, key);
            assertTrue(d != null && d.contains(key), "key " + RangeDescriptor.hex(key) + " found " + d);
        }
        // Every meta key sorts inside the meta range, below every user key.
        for (byte[] k : List.of(MetaKeys.descriptorKey(null), MetaKeys.descriptorKey(b("zzz")), MetaKeys.allocatorKey(),
                MetaKeys.storeKey(Long.MAX_VALUE), MetaKeys.descriptorsEnd())) {
            assertTrue(metaRange.contains(k), RangeDescriptor.hex(k));
            assertTrue(MetaKeys.isSystemKey(k));
        }
        assertFalse(MetaKeys.isSystemKey(MetaKeys.userSpanStart));
    }

    @Test
    void aDescriptorReplacesTheEntryUnderItsEndOnlyIfNewer() {
        RangeDescriptor before = new RangeDescriptor(2, MetaKeys.userSpanStart, null, three, 1);
        RangeDescriptor right = new RangeDescriptor(7, b("m"), null, three, 2);
        RangeDescriptor moved = new RangeDescriptor(7, b("m"), null, ConfState.ofVoters(1L, 2L, 4L), 3);
        assertTrue(Meta.newer(right, before), "the right half of a split replaces the range it came from");
        assertFalse(Meta.newer(before, right), "a late write of the range before the split does not come back");
        assertTrue(Meta.newer(moved, right), "a membership change raises the generation");
        assertFalse(Meta.newer(right, right));
    }

    @Test
    void storeRecordsRoundTripAndRejectGarbage() {
        StoreRecord r = new StoreRecord(5, "127.0.0.1:7000", "dc1/r2", StoreRecord.State.DRAINING);
        assertEquals(r, StoreRecord.decode(r.encode()));
        byte[] bad = r.encode();
        bad[bad.length - 1] = 9;
        assertThrows(IllegalArgumentException.class, () -> StoreRecord.decode(bad));
        assertThrows(IllegalArgumentException.class, () -> StoreRecord.decode(Arrays.copyOf(bad, 5)));
    }
}
