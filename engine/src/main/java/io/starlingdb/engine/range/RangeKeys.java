package io.starlingdb.engine.range;

import io.starlingdb.engine.encoding.KeyDecoder;
import io.starlingdb.engine.encoding.KeyEncoder;

import java.nio.ByteBuffer;

/**
 * Where ranges keep their state in the node's RANGES column family. Two key spaces share it:
 * <ul>
 * <li>range-local keys, {@code 0x00 | rangeId (8 bytes) | tag}: the range's applied index and its
 *     descriptor, written in the same batch as the data of each command the range applies, so a
 *     restart resumes exactly after the last command that reached the disk; and a marker while
 *     the node hosts an uninitialised replica of the range (created empty, no snapshot yet);</li>
 * <li>data keys, {@code 0x01 | escaped user key}, then nothing for the key's lock slot (a
 *     transaction's lock on it, or a rollback marker: {@link RangeMvcc}) or 8 bytes of inverted
 *     commit timestamp for each of its versions, newest first. The escaping ({@link KeyEncoder#writeBytes})
 *     keeps user-key order and is prefix-free, so a range's data is one contiguous span, a key's
 *     lock slot comes first and its versions follow it, and no key's versions mix with another's.</li>
 * </ul>
 */
public final class RangeKeys {

    private static final byte localPrefix = 0x00;
    private static final byte dataPrefix = 0x01;
    private static final byte appliedTag = 0x01;
    private static final byte descriptorTag = 0x02;
    private static final byte uninitialisedTag = 0x03;
    private static final byte gcThresholdTag = 0x04;
    private static final byte[] dataPrefixBytes = {dataPrefix};
    private static final int timestampBytes = 8;
    private static final byte[] rollbackSuffix = {0x00};

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

    /**
     * The range's GC threshold (8 bytes): the highest threshold of a version GC applied to it;
     * absent while none was. Reads below it, and transactions that started below it, are refused.
     */
    static byte[] gcThresholdKey(long rangeId) {
        return localKey(rangeId, gcThresholdTag);
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

    /**
     * The first storage key of a user key: its lock slot, and the prefix of its versions. Every
     * storage key of userKey, and of no other user key, starts with it.
     */
    static byte[] dataKey(byte[] userKey) {
        return new KeyEncoder(userKey.length + 3 + timestampBytes).writeRaw(dataPrefixBytes).writeBytes(userKey, false)
                .toBytes();
    }

    /** The storage key of userKey's version committed at timestamp. */
    static byte[] versionKey(byte[] userKey, long timestamp) {
        return new KeyEncoder(userKey.length + 3 + timestampBytes).writeRaw(dataPrefixBytes).writeBytes(userKey, false)
                .writeFixedLong(~timestamp).toBytes();
    }

    /** The first storage key after every storage key of userKey. */
    static byte[] afterKey(byte[] userKey) {
        return KeyEncoder.prefixEnd(dataKey(userKey));
    }

    /** The storage bound of a user-key bound (null: the end of the data keys). */
    static byte[] dataBound(byte[] userKey) {
        return userKey == null ? new byte[] {dataPrefix + 1} : dataKey(userKey);
    }

    /**
     * The storage key of the rollback marker of the transaction started at startTs on userKey:
     * the version key of startTs plus one byte, so it never collides with a version.
     */
    static byte[] rollbackKey(byte[] userKey, long startTs) {
        return new KeyEncoder(userKey.length + 4 + timestampBytes).writeRaw(dataPrefixBytes).writeBytes(userKey, false)
                .writeFixedLong(~startTs).writeRaw(rollbackSuffix).toBytes();
    }

    /** What a data key holds. */
    enum DataKind { LOCK_SLOT, VERSION, ROLLBACK }

    /** A decoded data key: the user key, what it holds, and its timestamp (none for the lock slot). */
    record DataKey(byte[] userKey, DataKind kind, long timestamp) {
        boolean isLockSlot() {
            return kind == DataKind.LOCK_SLOT;
        }

        boolean isVersion() {
            return kind == DataKind.VERSION;
        }

        boolean isRollback() {
            return kind == DataKind.ROLLBACK;
        }
    }

    static DataKey decode(byte[] dataKey) {
        int userEnd = userKeyEnd(dataKey);
        byte[] user = new KeyDecoder(dataKey, 1).readBytes(false);
        DataKind kind = kind(dataKey, userEnd);
        return new DataKey(user, kind, kind == DataKind.LOCK_SLOT ? 0 : timestamp(dataKey, userEnd));
    }

    /**
     * Where a data key's escaped user key ends (the index after its terminator): the storage
     * keys of one user key, and of no other, share the bytes before it. Found without decoding,
     * for scans that meet many keys and keep few.
     */
    static int userKeyEnd(byte[] dataKey) {
        int end = dataKey.length > 0 && dataKey[0] == dataPrefix ? KeyDecoder.escapedEnd(dataKey, 1) : -1;
        if (end > 0) {
            return end;
        }
        throw new IllegalStateException("not a data key: " + RangeDescriptor.hex(dataKey));
    }

    /** What the data key holds, given where its user key ends ({@link #userKeyEnd}). */
    static DataKind kind(byte[] dataKey, int userKeyEnd) {
        int rest = dataKey.length - userKeyEnd;
        if (rest == 0) {
            return DataKind.LOCK_SLOT;
        }
        if (rest == timestampBytes) {
            return DataKind.VERSION;
        }
        if (rest == timestampBytes + rollbackSuffix.length) {
            return DataKind.ROLLBACK;
        }
        throw new IllegalStateException("data key with " + rest + " bytes after its user key: " + RangeDescriptor.hex(dataKey));
    }

    /** The timestamp of a version or rollback key, given where its user key ends ({@link #userKeyEnd}). */
    static long timestamp(byte[] dataKey, int userKeyEnd) {
        long inverted = 0;
        for (int i = userKeyEnd; i < userKeyEnd + timestampBytes; i++) {
            inverted = inverted << 8 | (dataKey[i] & 0xFF);
        }
        return ~inverted;
    }

    static byte[] userKey(byte[] dataKey) {
        return decode(dataKey).userKey();
    }
}
