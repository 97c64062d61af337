package io.starlingdb.cluster.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server and client TLS 1.3 contexts, both requiring the peer's certificate. */
final class TlsContexts {

    private static final String[] protocols = {"TLSv1.3"};

    final SslContext server;
    final SslContext client;

    TlsContexts(TlsOptions options) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(options.keyStore(), options.keyStorePassword()), options.keyStorePassword());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(options.trustStore(), options.trustStorePassword()));
            server = SslContextBuilder.forServer(keys).trustManager(trust).clientAuth(ClientAuth.REQUIRE)
                    .protocols(protocols).build();
            // Peers prove membership with a certificate the cluster trusts, not with a host name:
            // nodes move between addresses, so host name verification is off.
            client = SslContextBuilder.forClient().keyManager(keys).trustManager(trust).protocols(protocols)
                    .endpointIdentificationAlgorithm(null).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up cluster TLS from " + options.keyStore() + " and "
                    + options.trustStore() + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(java.nio.file.Path path, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password);
        }
        return store;
    }
}
