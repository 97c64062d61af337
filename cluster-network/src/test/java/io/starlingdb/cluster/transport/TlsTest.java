package io.starlingdb.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.starlingdb.cluster.testing.Await;
import io.starlingdb.cluster.transport.TestMessages.Echo;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS 1.3: nodes with trusted certificates talk; anyone else is refused. */
class TlsTest {

    private static final char[] password = "changeit".toCharArray();

    @TempDir
    Path dir;

    private final TestTransports transports = new TestTransports();

    @AfterEach
    void closeAll() {
        transports.close();
    }

    private TlsOptions tlsFor(String name, SelfSignedCertificate own, SelfSignedCertificate trusted) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, password);
        keys.setKeyEntry("node", own.key(), password, new Certificate[] {own.cert()});
        Path keyPath = dir.resolve(name + "-keys.p12");
        try (OutputStream out = Files.newOutputStream(keyPath)) {
            keys.store(out, password);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, password);
        trust.setCertificateEntry("cluster", trusted.cert());
        Path trustPath = dir.resolve(name + "-trust.p12");
        try (OutputStream out = Files.newOutputStream(trustPath)) {
            trust.store(out, password);
        }
        return new TlsOptions(keyPath, password, trustPath, password);
    }

    private Transport start(String id, TransportOptions options) throws InterruptedException {
        Transport t = transports.start(id, options, TestMessages.types());
        t.handle(Echo.class, (from, m) -> new Echo(m.text() + " via tls"));
        return t;
    }

    @Test
    void trustedNodesTalkAndOthersAreRefused() throws Exception {
        SelfSignedCertificate cluster = new SelfSignedCertificate("starling-cluster");
        SelfSignedCertificate stranger = new SelfSignedCertificate("stranger");
        Transport a = start("a", TestMessages.options().withTls(tlsFor("a", cluster, cluster)));
        Transport b = start("b", TestMessages.options().withTls(tlsFor("b", cluster, cluster)));
        Echo reply = a.<Echo>request(b.localAddress(), Lane.CRITICAL, new Echo("hello")).get(10, TimeUnit.SECONDS);
        assertEquals("hello via tls", reply.text());

        // Right secret, untrusted certificate: TLS refuses it before the handshake.
        Transport untrusted = start("untrusted", TestMessages.options().withTls(tlsFor("u", stranger, cluster)));
        assertThrows(ExecutionException.class, () -> untrusted.request(b.localAddress(), Lane.NORMAL,
                new Echo("x"), Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS));
        Await.until(Duration.ofSeconds(5), () -> b.metrics().refusedCount(RefusalReason.TLS) >= 1,
                "b counts the TLS refusal");

        // Right secret, no TLS at all: the plaintext greeting is not a TLS record.
        Transport plain = start("plain", TestMessages.options());
        assertThrows(ExecutionException.class, () -> plain.request(b.localAddress(), Lane.NORMAL,
                new Echo("x"), Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS));
        Await.until(Duration.ofSeconds(5), () -> b.metrics().refusedCount(RefusalReason.TLS) >= 2,
                "b counts the plaintext peer");
        assertEquals("again via tls", a.<Echo>request(b.localAddress(), Lane.CRITICAL, new Echo("again"))
                .get(10, TimeUnit.SECONDS).text());
        cluster.delete();
        stranger.delete();
    }
}
