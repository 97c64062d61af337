package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.KvCursor;
import java.util.Arrays;

/**
 * Turns a cursor over version keys into logical pairs as of one timestamp: for each logical key
 * the newest version at or below the timestamp, skipping keys whose version there is a tombstone.
 *
 * <p>Versions are grouped by comparing the raw logical prefixes of their keys (see
 * {@link MvccKeys#logicalPrefixLength}); the logical key itself is decoded only when a caller
 * asks for it, since a table scan reads values only.
 */
final class VersionCursor implements KvCursor {

    private final KvCursor versions;
    private final long readTs;
    /** The version key of the last logical key decided, and the length of its logical prefix. */
    private byte[] lastDecided;
    private int lastDecidedPrefix;
    /** The version key of the current pair; its logical key, once decoded. */
    private byte[] versionKey;
    private byte[] key;
    private byte[] value;

    VersionCursor(KvCursor versions, long readTs) {
        this.versions = versions;
        this.readTs = readTs;
    }

    @Override
    public boolean next() {
        key = null;
        while (versions.next()) {
            byte[] vk = versions.key();
            int prefix = MvccKeys.logicalPrefixLength(vk);
            if (MvccKeys.timestampOf(vk) > readTs) {
                continue; // committed after this reader's snapshot
            }
            if (lastDecided != null && Arrays.equals(lastDecided, 0, lastDecidedPrefix, vk, 0, prefix)) {
                continue; // an older version of a key already decided
            }
            lastDecided = vk;
            lastDecidedPrefix = prefix;
            byte[] stored = versions.value();
            if (MvccKeys.isTombstone(stored)) {
                continue;
            }
            versionKey = vk;
            value = MvccKeys.decodeValue(stored);
            return true;
        }
        versionKey = null;
        value = null;
        return false;
    }

    @Override
    public byte[] key() {
        if (key == null && versionKey != null) {
            key = MvccKeys.decode(versionKey).logicalKey();
        }
        return key;
    }

    @Override
    public byte[] value() {
        return value;
    }

    @Override
    public void close() {
        versions.close();
    }
}
