package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.encoding.KeyDecoder;
import io.starlingdb.engine.encoding.KeyEncoder;
import java.util.Arrays;

/**
 * The DATA column family's layout. A version key is the logical key escaped and terminated
 * ({@code 0x00 -> 0x00 0xFF}, end {@code 0x00 0x01}) followed by the commit timestamp as 8
 * bytes inverted, so all versions of one key are contiguous, newest first, and no logical key
 * can be confused with a prefix of another's versions. A version value is a marker byte
 * ({@code 1} value, {@code 0} tombstone) followed by the value bytes.
 *
 * <p>One key outside the logical space, {@code 0x00 0x00} (no escaped key starts that way),
 * holds a clock ceiling above every commit timestamp written, so a restarted node's clock
 * never issues a timestamp at or below data it already has.
 */
final class MvccKeys {

    static final byte[] clockKey = {0x00, 0x00};
    /** The escaped empty key: the smallest version-key prefix, above {@link #clockKey}. */
    static final byte[] firstLogicalPrefix = {0x00, 0x01};
    static final int timestampBytes = 8;
    /** The two bytes that end every escaped logical key. */
    private static final byte[] keyTerminator = {0x00, 0x01};
    private static final byte TOMBSTONE = 0;
    private static final byte VALUE = 1;

    private MvccKeys() {
    }

    static byte[] prefix(byte[] logicalKey) {
        return new KeyEncoder(logicalKey.length + 2 + timestampBytes).writeBytes(logicalKey, false).toBytes();
    }

    static byte[] versionKey(byte[] logicalKey, long timestamp) {
        return new KeyEncoder(logicalKey.length + 2 + timestampBytes)
                .writeBytes(logicalKey, false)
                .writeFixedLong(~timestamp)
                .toBytes();
    }

    /** Size of {@link #versionKey} without building it, for batch limits. */
    static int versionKeyBytes(byte[] logicalKey) {
        int zeros = 0;
        for (byte b : logicalKey) {
            if (b == 0) {
                zeros++;
            }
        }
        return logicalKey.length + zeros + 2 + timestampBytes;
    }

    /** A decoded version key. */
    record Version(byte[] logicalKey, long timestamp) {
    }

    static Version decode(byte[] versionKey) {
        KeyDecoder d = new KeyDecoder(versionKey, 0);
        byte[] logical = d.readBytes(false);
        long ts = ~d.readFixedLong();
        if (d.hasMore()) {
            throw new IllegalStateException("DATA key has " + (versionKey.length - d.position()) + " trailing bytes");
        }
        return new Version(logical, ts);
    }

    /**
     * Length of a version key without its timestamp: the escaped, terminated logical key. Two
     * version keys belong to the same logical key exactly when these prefixes are equal, so a
     * scan can group versions without decoding keys.
     */
    static int logicalPrefixLength(byte[] versionKey) {
        int n = versionKey.length - timestampBytes;
        if (n < keyTerminator.length || versionKey[n - 2] != keyTerminator[0] || versionKey[n - 1] != keyTerminator[1]) {
            throw new IllegalStateException("DATA key of " + versionKey.length + " bytes has no terminated logical key");
        }
        return n;
    }

    /** The commit timestamp of a version key, read in place. */
    static long timestampOf(byte[] versionKey) {
        long inverted = 0;
        for (int i = versionKey.length - timestampBytes; i < versionKey.length; i++) {
            inverted = inverted << 8 | (versionKey[i] & 0xFF);
        }
        return ~inverted;
    }

    static byte[] encodeValue(byte[] value) {
        if (value == null) {
            return new byte[] {TOMBSTONE};
        }
        byte[] out = new byte[value.length + 1];
        out[0] = VALUE;
        System.arraycopy(value, 0, out, 1, value.length);
        return out;
    }

    /** The value of a version, or null for a tombstone. */
    static byte[] decodeValue(byte[] stored) {
        if (stored.length == 0 || (stored[0] != VALUE && stored[0] != TOMBSTONE)) {
            throw new IllegalStateException("DATA value has no version marker");
        }
        return stored[0] == TOMBSTONE ? null : Arrays.copyOfRange(stored, 1, stored.length);
    }

    static boolean isTombstone(byte[] stored) {
        return stored.length > 0 && stored[0] == TOMBSTONE;
    }

    static byte[] encodeTimestamp(long ts) {
        return new KeyEncoder(timestampBytes).writeFixedLong(ts).toBytes();
    }

    static long decodeTimestamp(byte[] bytes) {
        return new KeyDecoder(bytes, 0).readFixedLong();
    }
}
