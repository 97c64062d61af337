package io.starlingdb.cluster.transport;

import io.starlingdb.cluster.transport.TestMessages.Blob;
import io.starlingdb.cluster.transport.TestMessages.Echo;
import io.starlingdb.cluster.transport.TestMessages.Note;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The codec's per-thread Kryo and buffer: round trips on many threads, after a refused payload and a big message. */
class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec(TestMessages.types(), 4 << 20);

    @Test
    void roundTripsOnManyThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        Object m = switch (i % 3) {
                            case 0 -> new Echo("t" + thread + "-" + i);
                            case 1 -> new Note(thread * 100_000 + i);
                            default -> new Blob(new byte[]{(byte) thread, (byte) i});
                        };
                        Object back = codec.decode(codec.encode(m));
                        if (m instanceof Blob b) {
                            assertArrayEquals(b.data(), ((Blob) back).data());
                        } else {
                            assertEquals(m, back);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusedPayloadLeavesTheThreadAbleToDecode() throws Exception {
        byte[] good = codec.encode(new Echo("fine"));
        byte[] truncated = Arrays.copyOf(good, good.length - 2);
        assertThrows(MessageCodec.UndecodableException.class, () -> codec.decode(truncated));
        byte[] unknownId = {(byte) 125, 1};
        assertThrows(MessageCodec.UndecodableException.class, () -> codec.decode(unknownId));
        assertEquals(new Echo("fine"), codec.decode(good));
    }

    @Test
    void aBigMessageThenSmallOnesOnOneThread() throws Exception {
        byte[] big = new byte[2 << 20];
        big[big.length - 1] = 7;
        Blob back = (Blob) codec.decode(codec.encode(new Blob(big)));
        assertArrayEquals(big, back.data());
        assertEquals(new Note(3), codec.decode(codec.encode(new Note(3))));
        assertThrows(TransportException.class, () -> codec.encode(new Blob(new byte[5 << 20])));
        assertEquals(new Echo("after"), codec.decode(codec.encode(new Echo("after"))));
    }
}
