package io.starlingdb.cluster.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The Netty I/O transport every event loop group and channel of a process uses: Linux's native
 * epoll where its library loads, Java NIO otherwise or when the setting {@value #SETTING} says
 * {@code nio}. This is the one place that decides; the peer transport ({@link Transport}), the
 * client and HTTP listeners of a node and {@code StarlingClient} all build their groups and pick
 * their channel classes here.
 *
 * <p>Why epoll: on this project's machines a thread's wake-up is dear (a quarter of a put's CPU
 * samples were kernel wake-ups, parking and epoll), and Netty's native loop makes fewer system
 * calls per event than the JDK's selector (no selected-key set, its own eventfd wake-up,
 * edge-triggered reads). Measured against NIO: docs/benchmarks.md.
 *
 * <p>The choice holds for the whole process: the native library is loaded once, and a node's
 * setting applies before any of its groups exist ({@link #useForProcess}).
 */
public enum NettyTransport {
    /** Linux's native epoll (netty-transport-native-epoll, linux-x86_64). */
    EPOLL,
    /** Java NIO's selector: every platform. */
    NIO;

    /** Setting (system property {@code starling.netty.transport}, environment {@code STARLING_NETTY_TRANSPORT}). */
    public static final String SETTING = "netty.transport";
    static final String PROPERTY = "starling.netty.transport";
    static final String ENVIRONMENT = "STARLING_NETTY_TRANSPORT";

    private static volatile NettyTransport forProcess;

    /**
     * The transport of this process: chosen once, by {@link #useForProcess} or else at the first
     * call from the system property or the environment variable (default {@code auto}).
     */
    public static NettyTransport forProcess() {
        NettyTransport chosen = forProcess;
        if (chosen == null) {
            synchronized (NettyTransport.class) {
                if (forProcess == null) {
                    String setting = System.getProperty(PROPERTY);
                    if (setting == null) {
                        setting = System.getenv(ENVIRONMENT);
                    }
                    forProcess = resolve(setting == null ? "auto" : setting);
                }
                chosen = forProcess;
            }
        }
        return chosen;
    }

    /**
     * Makes {@code setting} this process's choice (a node applies its {@value #SETTING} with it
     * before it builds a group). Refused if the process already runs on another transport, which
     * happens only when two nodes with different settings share a JVM.
     */
    public static NettyTransport useForProcess(String setting) {
        NettyTransport wanted = resolve(setting);
        synchronized (NettyTransport.class) {
            if (forProcess == null) {
                forProcess = wanted;
            } else if (forProcess != wanted) {
                throw new IllegalStateException(SETTING + "=" + setting + " asks for " + wanted.label()
                        + " but this process already runs Netty on " + forProcess.label()
                        + "; the transport is chosen once per process");
            }
            return forProcess;
        }
    }

    /**
     * {@code auto}: epoll where available, else NIO; {@code epoll}: epoll or an error saying why
     * it is not available; {@code nio}: NIO.
     */
    public static NettyTransport resolve(String setting) {
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException(SETTING + "=epoll but the native epoll transport is not available here: "
                            + Epoll.unavailabilityCause());
                }
                yield EPOLL;
            }
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException(SETTING + " must be auto, epoll or nio, not '" + setting + "'");
        };
    }

    /** An event loop group of {@code threads} threads on this transport. */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The listening channel class for a {@code ServerBootstrap} on a group of this transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The connecting channel class for a {@code Bootstrap} on a group of this transport. */
    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** {@code epoll} or {@code nio}, as the setting spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
