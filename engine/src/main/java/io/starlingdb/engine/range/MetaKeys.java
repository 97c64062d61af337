package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The layout of the meta range. Keys that begin with {@code 0x00} are the system's: they form
 * the meta range, range 1, {@code ["", 0x01)}, which never splits. User keys begin at
 * {@code 0x01}; a new cluster starts with range 1 and range 2 {@code [0x01, end)}.
 *
 * <p>Meta holds, each under its own tag after the {@code 0x00}:
 * <ul>
 * <li>the descriptor of every range, keyed by its end key ({@code 0x00 0x01 | end}, the last
 *     range under {@code 0x00 0x02}), so the range holding key k is the first entry after
 *     {@code 0x00 0x01 | k} (a range's end is exclusive);</li>
 * <li>the range-id allocator ({@code 0x00 0x03}: the next id, 8 bytes);</li>
 * <li>the store registry ({@code 0x00 0x04 | store id}: a {@link StoreRecord});</li>
 * <li>the timestamp oracle's durable high-water mark ({@code 0x00 0x05}, 8 bytes).</li>
 * </ul>
 */
public final class MetaKeys {

    /** The meta range's id; it is the first range and never splits. */
    public static final long metaRangeId = 1;
    /** The first range of user keys in a new cluster. */
    public static final long firstUserRangeId = 2;
    /** The lowest user key: every key below it is the system's. */
    public static final byte[] userSpanStart = {0x01};

    private static final byte system = 0x00;
    private static final byte descriptorTag = 0x01;
    private static final byte lastDescriptorTag = 0x02;
    private static final byte allocatorTag = 0x03;
    private static final byte storeTag = 0x04;
    private static final byte timestampTag = 0x05;

    private MetaKeys() {
    }

    /** Whether key belongs to the system (the meta range) rather than to users. */
    public static boolean isSystemKey(byte[] key) {
        return key.length == 0 || key[0] == system;
    }

    /** The key under which meta holds the descriptor of a range ending at end (null: the last range). */
    public static byte[] descriptorKey(byte[] end) {
        if (end == null) {
            return new byte[] {system, lastDescriptorTag};
        }
        byte[] k = new byte[end.length + 2];
        k[0] = system;
        k[1] = descriptorTag;
        System.arraycopy(end, 0, k, 2, end.length);
        return k;
    }

    /** Where a scan for the descriptor of the range holding key starts: the first end above key. */
    public static byte[] lookupStart(byte[] key) {
        byte[] k = Arrays.copyOf(descriptorKey(key), key.length + 3);
        k[k.length - 1] = 0; // the smallest key after descriptorKey(key): ends equal to key are excluded
        return k;
    }

    /** The end of the descriptor entries (just after the last range's). */
    public static byte[] descriptorsEnd() {
        return new byte[] {system, lastDescriptorTag, 0};
    }

    /** The start of the descriptor entries. */
    public static byte[] descriptorsStart() {
        return new byte[] {system, descriptorTag};
    }

    public static byte[] allocatorKey() {
        return new byte[] {system, allocatorTag};
    }

    public static byte[] timestampMarkKey() {
        return new byte[] {system, timestampTag};
    }

    public static byte[] storeKey(long storeId) {
        return ByteBuffer.allocate(10).put(system).put(storeTag).putLong(storeId).array();
    }

    public static byte[] storesStart() {
        return new byte[] {system, storeTag};
    }

    public static byte[] storesEnd() {
        return new byte[] {system, storeTag + 1};
    }

    /** The meta range of a new cluster on the given stores. */
    public static RangeDescriptor initialMeta(ConfState conf) {
        return new RangeDescriptor(metaRangeId, new byte[0], userSpanStart, conf, 1);
    }

    /** The one user range of a new cluster on the given stores. */
    public static RangeDescriptor initialUserRange(ConfState conf) {
        return new RangeDescriptor(firstUserRangeId, userSpanStart, null, conf, 1);
    }

    /** The first id the allocator of a new cluster gives out. */
    public static final long firstAllocatedRangeId = 3;

    static byte[] encodeLong(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long decodeLong(byte[] b) {
        if (b == null || b.length != 8) {
            throw new IllegalStateException("corrupt meta counter: " + (b == null ? "absent" : b.length + " bytes"));
        }
        return ByteBuffer.wrap(b).getLong();
    }
}
