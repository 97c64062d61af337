package io.starlingdb.cluster.transport;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Serializers for the variable-length types a message may hold. Kryo's own ones allocate
 * whatever length the bytes claim before reading them; these check every claimed length
 * against the bytes left in the frame first, so a peer cannot make us allocate more than the
 * frame it sent.
 */
final class BoundedSerializers {

    private BoundedSerializers() {
    }

    static int readLength(Input input, int bytesPerElement) {
        int encoded = input.readVarInt(true);
        if (encoded == 0) {
            return -1;
        }
        int length = encoded - 1;
        long remaining = input.limit() - input.position();
        if (length < 0 || (long) length * bytesPerElement > remaining) {
            throw new KryoException("claimed length " + length + " exceeds the " + remaining + " bytes left in the frame");
        }
        return length;
    }

    static final class StringSerializer extends Serializer<String> {
        StringSerializer() {
            setImmutable(true);
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, String value) {
            if (value == null) {
                output.writeVarInt(0, true);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            output.writeVarInt(bytes.length + 1, true);
            output.writeBytes(bytes);
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            int length = readLength(input, 1);
            if (length < 0) {
                return null;
            }
            String value = new String(input.getBuffer(), input.position(), length, StandardCharsets.UTF_8);
            input.setPosition(input.position() + length);
            return value;
        }
    }

    static final class BytesSerializer extends Serializer<byte[]> {
        BytesSerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[] value) {
            if (value == null) {
                output.writeVarInt(0, true);
                return;
            }
            output.writeVarInt(value.length + 1, true);
            output.writeBytes(value);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            int length = readLength(input, 1);
            return length < 0 ? null : input.readBytes(length);
        }
    }

    @SuppressWarnings("rawtypes")
    static final class ListSerializer extends Serializer<ArrayList> {
        ListSerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, ArrayList list) {
            if (list == null) {
                output.writeVarInt(0, true);
                return;
            }
            output.writeVarInt(list.size() + 1, true);
            for (Object element : list) {
                kryo.writeClassAndObject(output, element);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public ArrayList read(Kryo kryo, Input input, Class<? extends ArrayList> type) {
            int size = readLength(input, 1);
            if (size < 0) {
                return null;
            }
            ArrayList list = new ArrayList(size);
            for (int i = 0; i < size; i++) {
                list.add(kryo.readClassAndObject(input));
            }
            return list;
        }
    }

    @SuppressWarnings("rawtypes")
    static final class MapSerializer extends Serializer<HashMap> {
        MapSerializer() {
            setAcceptsNull(true);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void write(Kryo kryo, Output output, HashMap map) {
            if (map == null) {
                output.writeVarInt(0, true);
                return;
            }
            output.writeVarInt(map.size() + 1, true);
            for (Map.Entry<Object, Object> entry : ((Map<Object, Object>) map).entrySet()) {
                kryo.writeClassAndObject(output, entry.getKey());
                kryo.writeClassAndObject(output, entry.getValue());
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public HashMap read(Kryo kryo, Input input, Class<? extends HashMap> type) {
            int size = readLength(input, 2);
            if (size < 0) {
                return null;
            }
            HashMap map = new HashMap(Math.max(4, size * 2));
            for (int i = 0; i < size; i++) {
                map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return map;
        }
    }
}
