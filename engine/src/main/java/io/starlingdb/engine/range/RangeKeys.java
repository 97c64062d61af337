package io.starlingdb.engine.range;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where ranges keep their state in the node's RANGES column family. Two key spaces share it:
 * <ul>
 * <li>range-local keys, {@code 0x00 | rangeId (8 bytes) | tag}: the range's applied index and its
 *     descriptor, written in the same batch as the data of each command the range applies, so a
 *     restart resumes exactly after the last command that reached the disk; and a marker while
 *     the node hosts an uninitialised replica of the range (created empty, no snapshot yet);</li>
 * <li>data keys, {@code 0x01 | user key}: the replicated key-value pairs of every range on the
 *     node, in user-key order, so a range's data is one contiguous span.</li>
 * </ul>
 */
public final class RangeKeys {

    private static final byte localPrefix = 0x00;
    private static final byte dataPrefix = 0x01;
    private static final byte appliedTag = 0x01;
    private static final byte descriptorTag = 0x02;
    private static final byte uninitialisedTag = 0x03;

    private RangeKeys() {
    }

    static byte[] appliedIndexKey(long rangeId) {
        return localKey(rangeId, appliedTag);
    }

    static byte[] descriptorKey(long rangeId) {
        return localKey(rangeId, descriptorTag);
    }

    /** The span of every range's descriptor key, for finding the ranges a node hosts at start-up. */
    static byte[] localSpanStart() {
        return new byte[] {localPrefix};
    }

    static byte[] localSpanEnd() {
        return new byte[] {dataPrefix};
    }

    static boolean isDescriptorKey(byte[] key) {
        return key.length == 10 && key[0] == localPrefix && key[9] == descriptorTag;
    }

    /** Present while this node hosts a replica of the range created empty, until its first snapshot. */
    static byte[] uninitialisedKey(long rangeId) {
        return localKey(rangeId, uninitialisedTag);
    }

    static boolean isUninitialisedKey(byte[] key) {
        return key.length == 10 && key[0] == localPrefix && key[9] == uninitialisedTag;
    }

    static long rangeIdOfLocalKey(byte[] key) {
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    private static byte[] localKey(long rangeId, byte tag) {
        return ByteBuffer.allocate(10).put(localPrefix).putLong(rangeId).put(tag).array();
    }

    /** The storage key of a user key. */
    static byte[] dataKey(byte[] userKey) {
        byte[] k = new byte[userKey.length + 1];
        k[0] = dataPrefix;
        System.arraycopy(userKey, 0, k, 1, userKey.length);
        return k;
    }

    /** The storage bound of a user-key bound (null: the end of the data keys). */
    static byte[] dataBound(byte[] userKey) {
        return userKey == null ? new byte[] {dataPrefix + 1} : dataKey(userKey);
    }

    static byte[] userKey(byte[] dataKey) {
        return Arrays.copyOfRange(dataKey, 1, dataKey.length);
    }
}
