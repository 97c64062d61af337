package io.starlingdb.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.cluster.testing.Await;
import io.starlingdb.cluster.transport.TestMessages.Blob;
import io.starlingdb.cluster.transport.TestMessages.Echo;
import io.starlingdb.cluster.transport.TestMessages.Stranger;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad peer is refused, counted, and leaves the node serving its good peers. */
class BadPeerTest {

    private final TestTransports transports = new TestTransports();
    private Transport node;
    private Transport friend;

    private Transport start(String id, TransportOptions options, MessageTypes types) throws InterruptedException {
        Transport t = transports.start(id, options, types);
        t.handle(Echo.class, (from, m) -> m);
        return t;
    }

    @BeforeEach
    void startNodes() throws InterruptedException {
        TransportOptions options = new TransportOptions("127.0.0.1", 0, null, TestMessages.secret, null, 1,
                64 << 10, 1024, 300, 3000, 50, 256, 8L << 20, 128 << 10, 64, 64 << 10, 5_000, 65_536, 500, 5, 4096, 1024, 1024, 0);
        node = start("node", options, TestMessages.types());
        friend = start("friend", TestMessages.options(), TestMessages.typesWithStranger());
    }

    @AfterEach
    void closeAll() {
        transports.close();
    }

    private void assertNodeStillServes() throws Exception {
        Echo reply = friend.<Echo>request(node.localAddress(), Lane.NORMAL, new Echo("still there?"))
                .get(5, TimeUnit.SECONDS);
        assertEquals("still there?", reply.text());
    }

    @Test
    void garbageBytesAreRefused() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x7f; // a huge length, whatever the seed
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            raw.out.write(garbage);
            raw.out.flush();
            assertTrue(raw.closedByPeer());
        }
        assertEquals(1, node.metrics().refusedCount(RefusalReason.OVERSIZED));
        assertNodeStillServes();
    }

    @Test
    void oversizedFrameBeforeHandshakeClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            raw.out.writeInt(10_000_000);
            raw.out.flush();
            assertTrue(raw.closedByPeer());
        }
        assertEquals(1, node.metrics().refusedCount(RefusalReason.OVERSIZED));
        assertNodeStillServes();
    }

    @Test
    void oversizedFrameAfterHandshakeClosesTheConnection() throws Exception {
        // The friend allows 16 MiB frames; the node only 64 KiB.
        friend.handle(Blob.class, (from, m) -> m);
        assertThrows(ExecutionException.class, () -> friend.request(node.localAddress(), Lane.LOW,
                new Blob(new byte[200_000]), Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
        assertEquals(1, node.metrics().refusedCount(RefusalReason.OVERSIZED));
        Await.until(Duration.ofSeconds(5), () -> {
            try {
                assertNodeStillServes();
                return true;
            } catch (Exception e) {
                return false;
            }
        }, "node serving after the oversized frame");
    }

    @Test
    void truncatedFrameTimesOutTheHandshake() throws Exception {
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            raw.out.writeInt(500);
            raw.out.write(new byte[20]);
            raw.out.flush();
            assertTrue(raw.closedByPeer());
        }
        assertEquals(1, node.metrics().refusedCount(RefusalReason.HANDSHAKE_TIMEOUT));
        assertNodeStillServes();
    }

    @Test
    void malformedHeaderIsRefused() throws Exception {
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            raw.out.writeInt(Frame.headerBytes);
            raw.out.writeByte(99); // no such frame type
            raw.out.writeByte(0);
            raw.out.writeLong(0);
            raw.out.flush();
            assertTrue(raw.closedByPeer());
        }
        assertEquals(1, node.metrics().refusedCount(RefusalReason.MALFORMED_HEADER));
        assertNodeStillServes();
    }

    @Test
    void applicationFrameBeforeHandshakeIsRefused() throws Exception {
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            raw.writeFrame(FrameType.REQUEST, 1, new byte[] {1, 2, 3});
            assertTrue(raw.closedByPeer());
        }
        assertEquals(1, node.metrics().refusedCount(RefusalReason.OUT_OF_ORDER));
        assertNodeStillServes();
    }

    @Test
    void wrongSecretIsRefusedAndLogged() throws Exception {
        Transport intruder = start("intruder", TestMessages.options().withSecret("another-secret"), TestMessages.types());
        assertThrows(ExecutionException.class, () -> intruder.request(node.localAddress(), Lane.NORMAL,
                new Echo("let me in"), Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS));
        Await.until(Duration.ofSeconds(5), () -> node.metrics().refusedCount(RefusalReason.BAD_SECRET) >= 1,
                "the node counts the bad secret");
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            assertEquals(FrameType.REJECT, raw.handshake("raw", "guessed-secret"));
        }
        assertEquals(2, node.metrics().refusedCount(RefusalReason.BAD_SECRET));
        assertNodeStillServes();
    }

    @Test
    void unregisteredClassIsRefusedNotInstantiated() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> friend.request(node.localAddress(),
                Lane.NORMAL, new Stranger("who am I"), Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("undecodable"), e.getCause().getMessage());
        assertEquals(1, node.metrics().refusedCount(RefusalReason.UNDECODABLE_PAYLOAD));
        assertNodeStillServes();
    }

    @Test
    void payloadsClaimingHugeLengthsAreRefusedWithoutAllocating() throws Exception {
        try (RawPeer raw = new RawPeer(node.localAddress())) {
            assertEquals(FrameType.ACCEPT, raw.handshake("raw", TestMessages.secret));
            // Class id of Blob (101 + 2, varint), then a byte[] claiming 2^31-2 bytes.
            raw.writeFrame(FrameType.REQUEST, 7, new byte[] {(byte) 103, (byte) 0xfe, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff, (byte) 0x07});
            Frame answer = raw.readFrame();
            assertEquals(FrameType.ERROR, answer.type());
            assertEquals(7, answer.streamId());
            // An unknown class id and a truncated string.
            raw.writeFrame(FrameType.REQUEST, 8, new byte[] {(byte) 0x7f, 1, 2});
            assertEquals(FrameType.ERROR, raw.readFrame().type());
            raw.writeFrame(FrameType.REQUEST, 9, new byte[] {(byte) 102, (byte) 0x50, 'a'});
            assertEquals(FrameType.ERROR, raw.readFrame().type());
            // A handshake frame after the handshake closes the connection.
            raw.writeFrame(FrameType.HELLO, 0, new byte[0]);
            assertTrue(raw.closedByPeer());
        }
        assertEquals(3, node.metrics().refusedCount(RefusalReason.UNDECODABLE_PAYLOAD));
        assertEquals(1, node.metrics().refusedCount(RefusalReason.OUT_OF_ORDER));
        assertNodeStillServes();
    }

    @Test
    void slowReaderFillsItsLaneButNotTheNode() throws Exception {
        Transport slow = start("slow", TestMessages.options(), TestMessages.types());
        slow.handle(Blob.class, (from, m) -> null);
        node.handle(Blob.class, (from, m) -> null);
        // Connect, then make the slow peer stop reading from the node.
        friend.request(slow.localAddress(), Lane.NORMAL, new Echo("warm")).get(5, TimeUnit.SECONDS);
        node.request(slow.localAddress(), Lane.NORMAL, new Echo("warm")).get(5, TimeUnit.SECONDS);
        slow.channelTo(node.localAddress()).config().setAutoRead(false);
        byte[] chunk = new byte[32 << 10];
        int accepted = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // The lane is full for good once a send is refused while the node's channel to the slow
        // peer is not writable either: until then the event loop may still move frames from the
        // lane into the socket (the kernel's buffers were not full yet), freeing room in the lane.
        while (true) {
            if (node.send(slow.localAddress(), Lane.LOW, new Blob(chunk))) {
                accepted++;
            } else if (!node.channelTo(slow.localAddress()).isWritable()) {
                break;
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertTrue(System.nanoTime() < deadline, "the lane never filled");
        }
        assertTrue(node.metrics().drops(Lane.LOW) >= 1);
        assertFalse(node.send(slow.localAddress(), Lane.LOW, new Blob(chunk)));
        assertNodeStillServes();
        // The slow peer recovers and gets everything that was queued.
        slow.channelTo(node.localAddress()).config().setAutoRead(true);
        int expected = accepted;
        Await.until(Duration.ofSeconds(20), () -> slow.metrics().messagesReceived(Lane.LOW) >= expected,
                () -> "slow peer received " + slow.metrics().messagesReceived(Lane.LOW) + " of " + expected);
        assertTrue(node.send(slow.localAddress(), Lane.LOW, new Blob(chunk)));
    }
}
