package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.SnapshotSource;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.SstFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A range replica's snapshot as RocksDB SST files, streamed in pieces. A thread of its own reads
 * the range's span from a storage snapshot taken at the applied index and writes SST files of
 * at most {@link #fileBytes}, one at a time, at most {@link #filesAhead} ahead of the one being
 * sent; the driver polls pieces of the current file. Memory stays at a piece and the SST
 * writer's block buffer, disk at a few files, whatever the range's size.
 *
 * <p>Pieces (each one snapshot chunk): {@link #fileData} then the bytes of the current file,
 * {@link #fileEnd} when a file is complete, and last {@link #state} with the range's descriptor,
 * applied index and GC threshold ({@link RangeSnapshotSink} reads them).
 */
final class RangeSnapshotSource implements SnapshotSource {

    private static final Logger log = LoggerFactory.getLogger(RangeSnapshotSource.class);

    /** Bytes of keys and values per SST file at most (files are compressed, so smaller on disk). */
    static final long fileBytes = 8L << 20;
    /** SST files written ahead of the one being sent at most (so at most 2 + 1 being written exist per stream). */
    static final int filesAhead = 1;

    static final byte fileData = 1;
    static final byte fileEnd = 2;
    static final byte state = 3;

    private static final Path endOfFiles = Path.of("end-of-files");

    private final long index;
    private final byte[] statePiece;
    private final BlockingQueue<Path> ready = new ArrayBlockingQueue<>(filesAhead);
    private final Thread writer;
    private volatile boolean closed;
    private volatile RuntimeException failure;
    private Path current;
    private long position;
    private boolean exhausted;

    /**
     * Takes over snapshot (a storage snapshot of the range's state as of appliedIndex) and
     * closes it when the files are written or the source is closed.
     */
    RangeSnapshotSource(KvSnapshot snapshot, SstFiles files, RangeDescriptor descriptor, long appliedIndex,
                        long gcThreshold) {
        this.index = appliedIndex;
        RangeCodec.Out out = new RangeCodec.Out();
        out.b(state);
        RangeCodec.putDescriptor(out, descriptor);
        out.l(appliedIndex).l(gcThreshold);
        this.statePiece = out.toByteArray();
        this.writer = new Thread(() -> writeFiles(snapshot, files, descriptor),
                "range-snapshot-" + descriptor.rangeId() + "@" + appliedIndex);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    private void writeFiles(KvSnapshot snapshot, SstFiles files, RangeDescriptor d) {
        SstFiles.SstWriter w = null;
        try (snapshot; KvCursor c = snapshot.scan(RangeKeys.dataKey(d.start()), RangeKeys.dataBound(d.end()))) {
            while (!closed && c.next()) {
                if (w == null) {
                    w = files.writer(files.newFile("range-" + d.rangeId() + "-out"));
                }
                w.put(c.key(), c.value());
                if (w.bytes() >= fileBytes) {
                    hand(w.finish());
                    w = null;
                }
            }
            if (w != null && !closed) {
                hand(w.finish());
                w = null;
            }
            if (!closed) {
                ready.put(endOfFiles);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // Reported to the driver's next poll, which drops the stream (a source that stopped
            // silently would hold the stream, and the group's compaction, forever).
            if (!closed) {
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                log.warn("snapshot of {} at {}: writing SST files failed: {}", d, index, e.toString());
            }
        } finally {
            if (w != null) {
                w.close();
            }
            if (closed) {
                discardReady();
            }
        }
    }

    private void hand(Path file) throws InterruptedException {
        try {
            ready.put(file);
        } catch (InterruptedException e) {
            SstFiles.delete(file);
            throw e;
        }
    }

    @Override
    public long index() {
        return index;
    }

    @Override
    public byte[] poll(int maxBytes) {
        if (failure != null) {
            throw failure;
        }
        if (exhausted) {
            throw new IllegalStateException("snapshot at " + index + " already sent whole");
        }
        if (current == null) {
            Path next = ready.poll();
            if (next == null) {
                return null;
            }
            if (next == endOfFiles) {
                exhausted = true;
                return statePiece;
            }
            current = next;
            position = 0;
        }
        byte[] bytes = SstFiles.read(current, position, Math.max(1, maxBytes - 1));
        if (bytes.length == 0) {
            SstFiles.delete(current);
            current = null;
            return new byte[] {fileEnd};
        }
        position += bytes.length;
        return ByteBuffer.allocate(1 + bytes.length).put(fileData).put(bytes).array();
    }

    @Override
    public boolean exhausted() {
        return exhausted;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        if (current != null) {
            SstFiles.delete(current);
            current = null;
        }
        discardReady();
    }

    private void discardReady() {
        Path p;
        while ((p = ready.poll()) != null) {
            if (p != endOfFiles) {
                SstFiles.delete(p);
            }
        }
    }
}
