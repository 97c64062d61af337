package io.starlingdb.engine.storage;

import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * SST files written outside one column family and added to it whole (RocksDB's external file
 * ingestion): how a replica snapshot moves between nodes without passing through memory. Files
 * live in {@link #directory()} inside the data directory (the same file system, so ingestion
 * moves them instead of copying); the directory is emptied when the storage opens, so files of
 * a transfer cut short by a crash do not accumulate.
 */
public final class SstFiles {

    /** Where files being written, sent or received wait, under the data directory. */
    public static final String directoryName = "sst-transfer";

    private final RocksStorage storage;
    private final ColumnFamily cf;
    private final Path directory;
    private final AtomicLong nextFile = new AtomicLong();

    SstFiles(RocksStorage storage, ColumnFamily cf, Path directory) {
        this.storage = storage;
        this.cf = cf;
        this.directory = directory;
    }

    /** Deletes what a previous run left in the transfer directory and creates it. */
    static Path prepareDirectory(Path dataDir) {
        Path dir = dataDir.resolve(directoryName);
        try {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** A new, unused file name in the transfer directory (the file is not created). */
    public Path newFile(String prefix) {
        return directory.resolve(prefix + "-" + System.nanoTime() + "-" + nextFile.incrementAndGet() + ".sst");
    }

    /** Deletes a transfer file if it exists; failures are ignored (the directory is emptied at the next start). */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left for the next start
        }
    }

    /** Opens a writer of a new SST file at file; keys must be added in increasing order. */
    public SstWriter writer(Path file) {
        return new SstWriter(file);
    }

    /**
     * Deletes every key in [from, to) and applies batch, in one synced write: the first step of
     * replacing a span by ingested files.
     */
    public void clearSpan(byte[] from, byte[] to, KvBatch batch) {
        Lock lock = storage.readLock();
        try (WriteBatch wb = new WriteBatch()) {
            var h = storage.handle(cf);
            wb.deleteRange(h, from, to);
            for (KvBatch.Op op : batch.ops()) {
                if (op.isDelete()) {
                    wb.delete(h, op.key());
                } else {
                    wb.put(h, op.key(), op.value());
                }
            }
            storage.writeSynced(wb);
        } catch (RocksDBException e) {
            throw new StorageException("clearing a span of " + cf + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds the files' keys to the column family atomically (all files or none), newer than
     * everything already there; the files are moved into the database. The files' key ranges
     * must not overlap.
     */
    public void ingest(List<Path> files) {
        if (files.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(files.size());
        for (Path f : files) {
            names.add(f.toString());
        }
        Lock lock = storage.readLock();
        try (IngestExternalFileOptions options = new IngestExternalFileOptions()
                .setMoveFiles(true)
                .setSnapshotConsistency(true)
                .setAllowGlobalSeqNo(true)
                .setAllowBlockingFlush(true)) {
            storage.db().ingestExternalFile(storage.handle(cf), names, options);
        } catch (RocksDBException e) {
            throw new StorageException("ingesting " + files.size() + " files into " + cf + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** One SST file being written, keys in increasing order. */
    public static final class SstWriter implements AutoCloseable {
        private final Path file;
        private final EnvOptions env = new EnvOptions();
        private final Options options = new Options();
        private final org.rocksdb.SstFileWriter writer = new org.rocksdb.SstFileWriter(env, options);
        private long entries;
        private long bytes;
        private boolean finished;

        SstWriter(Path file) {
            this.file = file;
            try {
                writer.open(file.toString());
            } catch (RocksDBException e) {
                close();
                throw new StorageException("cannot create " + file + ": " + e.getMessage(), e);
            }
        }

        public void put(byte[] key, byte[] value) {
            try {
                writer.put(key, value);
                entries++;
                bytes += key.length + value.length;
            } catch (RocksDBException e) {
                throw new StorageException("writing " + file + " failed: " + e.getMessage(), e);
            }
        }

        public void delete(byte[] key) {
            try {
                writer.delete(key);
                entries++;
                bytes += key.length;
            } catch (RocksDBException e) {
                throw new StorageException("writing " + file + " failed: " + e.getMessage(), e);
            }
        }

        /** Entries added so far. */
        public long entries() {
            return entries;
        }

        /** Bytes of keys and values added so far (before compression). */
        public long bytes() {
            return bytes;
        }

        /** Completes the file (it must hold at least one entry); the writer is closed. */
        public Path finish() {
            try {
                writer.finish();
                finished = true;
                return file;
            } catch (RocksDBException e) {
                throw new StorageException("finishing " + file + " failed: " + e.getMessage(), e);
            } finally {
                close();
            }
        }

        /** Releases the writer; an unfinished file is deleted. */
        @Override
        public void close() {
            writer.close();
            options.close();
            env.close();
            if (!finished) {
                SstFiles.delete(file);
            }
        }
    }

    /** Reads up to max bytes of file from position; used to stream a file in pieces. */
    public static byte[] read(Path file, long position, int max) {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.max(0, Math.min(max, size - position));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, position + buf.position()) < 0) {
                    break;
                }
            }
            return buf.array();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " failed", e);
        }
    }
}
