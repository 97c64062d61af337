package io.starlingdb.cluster.transport;

import java.nio.file.Path;

/**
 * TLS 1.3 with mutual authentication between nodes. Each node presents the key in its key
 * store (PKCS12) and accepts only peers whose certificate chains to the trust store.
 */
public record TlsOptions(Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword) {

    public TlsOptions {
        if (keyStore == null || trustStore == null) {
            throw new IllegalArgumentException("tls needs both a key store and a trust store");
        }
        keyStorePassword = keyStorePassword == null ? new char[0] : keyStorePassword.clone();
        trustStorePassword = trustStorePassword == null ? new char[0] : trustStorePassword.clone();
    }
}
