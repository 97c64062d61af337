package io.starlingdb.cluster.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payloads of the authentication exchange and the proofs they carry. The secret itself
 * never crosses the wire: each side proves it with an HMAC over both sides' fresh nonces and
 * ids, so a recorded exchange cannot be replayed.
 *
 * <pre>
 * dialer   -> HELLO     version, node id, listen address, nonce
 * acceptor -> CHALLENGE version, node id, listen address, nonce
 * dialer   -> PROOF     proof(dialer)          the acceptor refuses an intruder here
 * acceptor -> ACCEPT    proof(acceptor)        the dialer refuses an impostor here
 *             (or REJECT reason, then close)
 * </pre>
 */
final class Handshake {

    /** Bumped on any incompatible change to frames or handshake. */
    static final short protocolVersion = 1;
    static final int nonceBytes = 16;
    static final int proofBytes = 32;
    /** Longest REJECT reason sent or read. */
    static final int maxReasonBytes = 200;

    private static final SecureRandom random = new SecureRandom();

    private Handshake() {
    }

    /** HELLO and CHALLENGE share this layout; the proof field is empty in both today. */
    record Greeting(short version, String nodeId, NodeAddress listenAddress, byte[] nonce, byte[] proof) {
    }

    static byte[] newNonce() {
        byte[] nonce = new byte[nonceBytes];
        random.nextBytes(nonce);
        return nonce;
    }

    static byte[] encodeGreeting(Greeting greeting) {
        byte[] id = greeting.nodeId().getBytes(StandardCharsets.UTF_8);
        byte[] host = greeting.listenAddress().host().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(2 + 2 + id.length + 2 + host.length + 4 + nonceBytes + 1
                + greeting.proof().length);
        buffer.putShort(greeting.version());
        buffer.putShort((short) id.length).put(id);
        buffer.putShort((short) host.length).put(host);
        buffer.putInt(greeting.listenAddress().port());
        buffer.put(greeting.nonce());
        buffer.put((byte) greeting.proof().length).put(greeting.proof());
        return buffer.array();
    }

    /** Parses a greeting; throws IllegalArgumentException naming the bad field. */
    static Greeting decodeGreeting(byte[] payload) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            short version = buffer.getShort();
            String nodeId = readString(buffer, PeerIdentity.maxNodeIdChars);
            if (!PeerIdentity.isValidNodeId(nodeId)) {
                throw new IllegalArgumentException("invalid node id");
            }
            String host = readString(buffer, NodeAddress.maxHostChars);
            NodeAddress address = new NodeAddress(host, buffer.getInt());
            byte[] nonce = new byte[nonceBytes];
            buffer.get(nonce);
            int proofLength = buffer.get();
            if (proofLength != 0 && proofLength != proofBytes) {
                throw new IllegalArgumentException("proof of " + proofLength + " bytes");
            }
            byte[] proof = new byte[proofLength];
            buffer.get(proof);
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " trailing bytes");
            }
            return new Greeting(version, nodeId, address, nonce, proof);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated greeting");
        }
    }

    private static String readString(ByteBuffer buffer, int maxBytes) {
        int length = buffer.getShort() & 0xFFFF;
        if (length > maxBytes) {
            throw new IllegalArgumentException("string of " + length + " bytes exceeds " + maxBytes);
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The acceptor's proof: binds both nonces and both ids under the secret. */
    static byte[] acceptorProof(String secret, byte[] dialerNonce, byte[] acceptorNonce, String acceptorId, String dialerId) {
        return hmac(secret, "starling-acceptor", dialerNonce, acceptorNonce, acceptorId, dialerId);
    }

    static byte[] dialerProof(String secret, byte[] acceptorNonce, byte[] dialerNonce, String dialerId, String acceptorId) {
        return hmac(secret, "starling-dialer", acceptorNonce, dialerNonce, dialerId, acceptorId);
    }

    /** Constant-time comparison, so timing does not reveal how much of a proof was right. */
    static boolean proofMatches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    static byte[] encodeReason(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, maxReasonBytes);
        byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, 0, length);
        return out;
    }

    static String decodeReason(byte[] payload) {
        int length = Math.min(payload.length, maxReasonBytes);
        return new String(payload, 0, length, StandardCharsets.UTF_8);
    }

    private static byte[] hmac(String secret, String role, byte[] nonceA, byte[] nonceB, String idA, String idB) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(role.getBytes(StandardCharsets.UTF_8));
            mac.update(nonceA);
            mac.update(nonceB);
            mac.update(idA.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(idB.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
