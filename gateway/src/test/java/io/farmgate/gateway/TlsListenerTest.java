package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsListenerTest {

    @TempDir
    static Path dir;
    private static TestCertificates.Pem server;
    private static TestCertificates.Pem other;

    @BeforeAll
    static void certificates() throws Exception {
        // keytool runs in its own JVM; two keys serve every test.
        server = TestCertificates.generate(dir, "server", "EC");
        other = TestCertificates.generate(dir, "other", "EC");
    }

    @Test
    void tlsListenerRedirectsWithTheCertificateFromPemFiles() throws Exception {
        TestCertificates.Pem pem = server;
        TestFarm farm = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100);
        farm.refresh();
        try (RunningGateway gw = RunningGateway.start(farm, b -> b.tls(new GatewayConfig.TlsListener(
                new ListenAddress("127.0.0.1", 0), pem.certificate(), pem.privateKey())))) {
            HttpClient https = HttpClient.newBuilder().sslContext(pem.trustingIt())
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + gw.gateway.tlsPort() + "/secure?x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(307);
            assertThat(r.headers().firstValue("Location")).hasValue("http://10.0.0.1:9001/secure?x=1");
            assertThat(gw.get("/plain").statusCode()).isEqualTo(307);
        }
    }

    @Test
    void pkcs1RsaKeyIsAccepted() throws Exception {
        TestCertificates.Pem pem = TestCertificates.generate(dir, "rsa", "RSA");
        Path pkcs1 = dir.resolve("rsa.pkcs1.pem");
        Files.writeString(pkcs1, TestCertificates.pem("RSA PRIVATE KEY", TestCertificates.pkcs1Of(pem.key().getEncoded())));

        PemKeyStore.Loaded loaded = PemKeyStore.load(pem.certificate(), pkcs1);

        KeyStore ks = loaded.keyStore();
        assertThat(ks.getKey(PemKeyStore.ALIAS, loaded.password()).getEncoded()).isEqualTo(pem.key().getEncoded());
    }

    @Test
    void keyOfAnotherCertificateIsRefusedAtStart() throws Exception {
        assertThatThrownBy(() -> PemKeyStore.load(server.certificate(), other.privateKey()))
                .hasMessageStartingWith("tlsKey: ").hasMessageContaining("does not match");
    }

    @Test
    void encryptedKeyIsRefusedWithAdvice() throws Exception {
        Path encrypted = dir.resolve("enc.pem");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemKeyStore.load(server.certificate(), encrypted))
                .hasMessageContaining("is encrypted").hasMessageContaining("openssl pkcs8");
    }

    @Test
    void missingCertificateFileIsNamed() {
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("nope.pem"), dir.resolve("nokey.pem")))
                .hasMessageStartingWith("tlsCert: cannot read");
    }
}
