package io.starlingdb.cluster.transport;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns registered messages into frame payloads and back with Kryo. Registration is required,
 * so the wire carries small class ids, never class names, and a payload naming an unknown id
 * fails before anything is instantiated. Kryo instances are not thread-safe: each thread that
 * encodes or decodes keeps its own Kryo and encode buffer (a shared pool, a LinkedBlockingQueue
 * locked twice per call for each, showed in the network threads' profiles; docs/ranges.md,
 * "What a hop costs").
 */
public final class MessageCodec {

    /** Deepest object nesting accepted; deeper payloads are refused rather than recursed into. */
    static final int maxNestingDepth = 32;
    /** Initial encode buffer; it grows up to the frame limit. */
    private static final int initialBufferBytes = 4096;
    /**
     * Encode buffers that grew beyond this are not kept for reuse, so a big message (a snapshot
     * chunk) does not pin memory in every thread that once sent one.
     */
    private static final int maxRetainedBufferBytes = 64 << 10;

    private final Map<Class<?>, Integer> types;
    private final int maxPayloadBytes;
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);

    /** One thread's Kryo and encode buffer; busy while a call uses them (a nested call makes its own). */
    private static final class PerThread {
        Kryo kryo;
        Output output;
        boolean busy;
    }

    public MessageCodec(MessageTypes types, int maxPayloadBytes) {
        this.types = types.snapshot();
        this.maxPayloadBytes = maxPayloadBytes;
        newKryo(); // fail at start-up, not on the first message, if a type cannot be registered
    }

    private Kryo newKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(maxNestingDepth);
        kryo.register(String.class, new BoundedSerializers.StringSerializer());
        kryo.register(byte[].class, new BoundedSerializers.BytesSerializer(), 20);
        kryo.register(ArrayList.class, new BoundedSerializers.ListSerializer(), 21);
        kryo.register(HashMap.class, new BoundedSerializers.MapSerializer(), 22);
        kryo.register(Integer.class, 23);
        kryo.register(Long.class, 24);
        kryo.register(Boolean.class, 25);
        kryo.register(Double.class, 26);
        for (Map.Entry<Class<?>, Integer> type : types.entrySet()) {
            kryo.register(type.getKey(), type.getValue());
        }
        return kryo;
    }

    /** Encodes {@code message}; throws TransportException if it is unregistered or too large. */
    public byte[] encode(Object message) {
        PerThread mine = perThread.get();
        boolean nested = mine.busy;
        Kryo kryo = nested || mine.kryo == null ? newKryo() : mine.kryo;
        Output output = nested || mine.output == null ? new Output(initialBufferBytes, maxPayloadBytes) : mine.output;
        mine.busy = true;
        try {
            output.reset();
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } catch (KryoException | IllegalArgumentException e) {
            throw new TransportException("cannot encode " + (message == null ? "null" : message.getClass().getName())
                    + ": " + e.getMessage(), e);
        } finally {
            if (!nested) {
                mine.busy = false;
                mine.kryo = kryo;
                // A buffer that grew for one big message is not kept, so it does not pin memory.
                mine.output = output.getBuffer().length <= maxRetainedBufferBytes ? output : null;
            }
        }
    }

    /**
     * Decodes a payload from a peer. Any failure, including bytes left over after the message,
     * is reported as {@link UndecodableException} so the caller can count and refuse it.
     */
    public Object decode(byte[] payload) throws UndecodableException {
        PerThread mine = perThread.get();
        boolean nested = mine.busy;
        Kryo kryo = nested || mine.kryo == null ? newKryo() : mine.kryo;
        mine.busy = true;
        boolean healthy = false;
        try {
            Input input = new Input(payload);
            Object message = kryo.readClassAndObject(input);
            if (input.position() != payload.length) {
                throw new UndecodableException((payload.length - input.position()) + " bytes left after the message");
            }
            healthy = true;
            return message;
        } catch (UndecodableException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new UndecodableException(e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        } finally {
            if (!nested) {
                mine.busy = false;
                // A Kryo that failed half-way may keep state from the bad payload; drop it.
                mine.kryo = healthy ? kryo : null;
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** A payload that could not be turned into a registered message. */
    public static final class UndecodableException extends Exception {
        UndecodableException(String message) {
            super(message);
        }
    }
}
