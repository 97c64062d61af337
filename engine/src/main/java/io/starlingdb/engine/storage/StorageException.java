package io.starlingdb.engine.storage;

/** RocksDB failed (I/O error, corruption, directory in use); the message says which operation. */
public final class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
