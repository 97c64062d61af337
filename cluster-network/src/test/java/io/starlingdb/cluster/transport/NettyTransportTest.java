package io.starlingdb.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.starlingdb.cluster.transport.TestMessages.Echo;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Peers talk over the native epoll transport where it loads, over NIO otherwise, with the same options. */
class NettyTransportTest {

    private final TestTransports transports = new TestTransports();

    private Transport node(String id, TransportOptions options, NettyTransport io) throws InterruptedException {
        return transports.start(id, options, TestMessages.types(), io);
    }

    @AfterEach
    void closeAll() {
        transports.close();
    }

    private static boolean linuxX86() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    @Test
    void aNodeRunsOnEpollWhereTheNativeLibraryShips() throws Exception {
        if (linuxX86()) {
            // The build ships the linux-x86_64 library: if it does not load here, it is missing.
            assertTrue(Epoll.isAvailable(), () -> "native epoll does not load: " + Epoll.unavailabilityCause());
        }
        NettyTransport expected = Epoll.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO;
        assertEquals(expected, NettyTransport.resolve("auto"));
        Transport a = transports.create("a", TestMessages.options(), TestMessages.types(), NettyTransport.forProcess());
        assertEquals(NettyTransport.forProcess(), a.nettyTransport());
        if (System.getProperty(NettyTransport.PROPERTY) == null && System.getenv(NettyTransport.ENVIRONMENT) == null) {
            assertEquals(expected, a.nettyTransport());
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void peersTalkOnEachTransportWithTheirChannelOptions(NettyTransport io) throws Exception {
        assumeTrue(io != NettyTransport.EPOLL || Epoll.isAvailable(), "native epoll is not available here");
        TransportOptions options = TestMessages.options().withBuffers(96 << 10, 256 << 10);
        Transport a = node("a", options, io);
        Transport b = node("b", options, io);
        b.handle(Echo.class, (from, m) -> new Echo(m.text() + " back"));
        Echo reply = a.<Echo>request(b.localAddress(), Lane.NORMAL, new Echo("hi")).get(5, TimeUnit.SECONDS);
        assertEquals("hi back", reply.text());

        // The dialed connection (Bootstrap options) and the accepted one (child options).
        for (Channel channel : List.of(a.channelTo(b.localAddress()), b.channelTo(a.localAddress()))) {
            assertInstanceOf(io.socketChannel(), channel);
            assertEquals(Boolean.TRUE, channel.config().getOption(ChannelOption.TCP_NODELAY));
            WriteBufferWaterMark mark = channel.config().getOption(ChannelOption.WRITE_BUFFER_WATER_MARK);
            assertEquals(256 << 10, mark.high());
            assertEquals(128 << 10, mark.low());
            // Linux reports twice the size asked for (its bookkeeping share); never less.
            int sndbuf = channel.config().getOption(ChannelOption.SO_SNDBUF);
            int rcvbuf = channel.config().getOption(ChannelOption.SO_RCVBUF);
            assertTrue(sndbuf >= 96 << 10 && sndbuf <= 2 * (96 << 10), "SO_SNDBUF " + sndbuf);
            assertTrue(rcvbuf >= 96 << 10 && rcvbuf <= 2 * (96 << 10), "SO_RCVBUF " + rcvbuf);
        }
    }

    @Test
    void theSettingIsValidated() {
        assertEquals(NettyTransport.NIO, NettyTransport.resolve("nio"));
        assertEquals(NettyTransport.NIO, NettyTransport.resolve(" NIO "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NettyTransport.resolve("kqueue"));
        assertEquals("netty.transport must be auto, epoll or nio, not 'kqueue'", e.getMessage());
        if (Epoll.isAvailable()) {
            assertEquals(NettyTransport.EPOLL, NettyTransport.resolve("epoll"));
        } else {
            assertThrows(IllegalArgumentException.class, () -> NettyTransport.resolve("epoll"));
        }
    }

    @Test
    void theProcessKeepsOneTransport() {
        NettyTransport current = NettyTransport.forProcess();
        assertEquals(current, NettyTransport.useForProcess(current.label()));
        assumeTrue(current == NettyTransport.EPOLL, "only a process on epoll has another transport to refuse");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NettyTransport.useForProcess("nio"));
        assertTrue(e.getMessage().contains("already runs Netty on epoll"), e.getMessage());
    }
}
