package io.starlingdb.testkit.raft;

import io.starlingdb.testkit.check.KvOp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A write proposed through the log: the client session (client, op id) makes retries apply once. */
public record KvCommand(int client, long opId, KvOp op) {

    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(client);
            out.writeLong(opId);
            out.writeByte(op.kind().ordinal());
            out.writeUTF(op.key());
            writeNullable(out, op.value());
            writeNullable(out, op.expected());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KvCommand decode(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int client = in.readInt();
            long opId = in.readLong();
            KvOp.Kind kind = KvOp.Kind.values()[in.readByte()];
            String key = in.readUTF();
            String value = readNullable(in);
            String expected = readNullable(in);
            return new KvCommand(client, opId, new KvOp(kind, key, value, expected));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
