package io.starlingdb.cluster.transport;

/** Messages the transport tests send. */
final class TestMessages {

    private TestMessages() {
    }

    record Echo(String text) {
    }

    record Blob(byte[] data) {
    }

    record Note(int n) {
    }

    /** Registered by the sender only, so the receiver must refuse it. */
    record Stranger(String text) {
    }

    static MessageTypes types() {
        return new MessageTypes().register(Echo.class, 100).register(Blob.class, 101).register(Note.class, 102);
    }

    static MessageTypes typesWithStranger() {
        return types().register(Stranger.class, 103);
    }

    static final String secret = "test-cluster-secret";

    static TransportOptions options() {
        return TransportOptions.defaults("127.0.0.1", 0, secret);
    }
}
