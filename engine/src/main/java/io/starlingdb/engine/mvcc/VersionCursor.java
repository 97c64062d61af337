package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.KvCursor;
import java.util.Arrays;

/**
 * Turns a cursor over version keys into logical pairs as of one timestamp: for each logical key
 * the newest version at or below the timestamp, skipping keys whose version there is a tombstone.
 */
final class VersionCursor implements KvCursor {

    private final KvCursor versions;
    private final long readTs;
    private byte[] lastDecided;
    private byte[] key;
    private byte[] value;

    VersionCursor(KvCursor versions, long readTs) {
        this.versions = versions;
        this.readTs = readTs;
    }

    @Override
    public boolean next() {
        while (versions.next()) {
            MvccKeys.Version v = MvccKeys.decode(versions.key());
            if (v.timestamp() > readTs) {
                continue; // committed after this reader's snapshot
            }
            if (lastDecided != null && Arrays.equals(lastDecided, v.logicalKey())) {
                continue; // an older version of a key already decided
            }
            lastDecided = v.logicalKey();
            byte[] stored = versions.value();
            if (MvccKeys.isTombstone(stored)) {
                continue;
            }
            key = v.logicalKey();
            value = MvccKeys.decodeValue(stored);
            return true;
        }
        key = null;
        value = null;
        return false;
    }

    @Override
    public byte[] key() {
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
