package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.SnapshotSink;
import io.starlingdb.engine.storage.SstFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives a range snapshot streamed by a {@link RangeSnapshotSource}: writes each SST file to
 * the transfer directory as its pieces arrive (nothing but one piece in memory), then installs
 * them into the replica ({@link RangeStateMachine#installFiles}). Files not installed are deleted
 * on close, and the transfer directory is emptied at start-up.
 */
final class RangeSnapshotSink implements SnapshotSink {

    private final RangeStateMachine replica;
    private final SstFiles files;
    private final long index;
    private final List<Path> complete = new ArrayList<>();
    private Path current;
    private FileChannel channel;
    private RangeDescriptor descriptor;
    private long appliedIndex = -1;
    private long gcThreshold;
    private boolean done;

    RangeSnapshotSink(RangeStateMachine replica, SstFiles files, long index) {
        this.replica = replica;
        this.files = files;
        this.index = index;
    }

    @Override
    public void write(byte[] piece) {
        if (piece.length == 0 || descriptor != null) {
            throw new IllegalArgumentException("range " + replica.rangeId() + ": unexpected snapshot piece of "
                    + piece.length + " bytes");
        }
        try {
            switch (piece[0]) {
                case RangeSnapshotSource.fileData -> {
                    if (channel == null) {
                        current = files.newFile("range-" + replica.rangeId() + "-in");
                        channel = FileChannel.open(current, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    }
                    ByteBuffer b = ByteBuffer.wrap(piece, 1, piece.length - 1);
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                }
                case RangeSnapshotSource.fileEnd -> {
                    if (channel == null) {
                        throw new IllegalArgumentException("range " + replica.rangeId() + ": end of an empty snapshot file");
                    }
                    channel.force(true); // ingestion moves the file into the database as it is
                    channel.close();
                    channel = null;
                    complete.add(current);
                    current = null;
                }
                case RangeSnapshotSource.state -> {
                    if (channel != null) {
                        throw new IllegalArgumentException("range " + replica.rangeId() + ": snapshot ended inside a file");
                    }
                    RangeCodec.In in = new RangeCodec.In(piece);
                    in.b.get();
                    descriptor = RangeCodec.getDescriptor(in);
                    appliedIndex = in.b.getLong();
                    gcThreshold = in.b.getLong();
                    in.end();
                    if (appliedIndex != index || descriptor.rangeId() != replica.rangeId()) {
                        throw new IllegalArgumentException("snapshot of " + descriptor + " at " + appliedIndex
                                + " offered to range " + replica.rangeId() + " at " + index);
                    }
                }
                default -> throw new IllegalArgumentException("range " + replica.rangeId() + ": unknown snapshot piece "
                        + piece[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("range " + replica.rangeId() + ": storing a snapshot file failed", e);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("range " + replica.rangeId() + ": truncated snapshot state", e);
        }
    }

    @Override
    public void install() {
        if (descriptor == null) {
            throw new IllegalStateException("range " + replica.rangeId() + ": snapshot at " + index + " is incomplete");
        }
        replica.installFiles(descriptor, appliedIndex, gcThreshold, complete, files);
        done = true;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // deleted below either way
            }
            channel = null;
        }
        if (current != null) {
            SstFiles.delete(current);
        }
        if (!done) {
            for (Path p : complete) {
                SstFiles.delete(p);
            }
        }
        done = true;
    }
}
