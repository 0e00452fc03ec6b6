package io.farmgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates made with the JDK's keytool at test time, written out as PEM. */
final class TestCertificates {

    /** A certificate and key pair on disk. */
    record Pem(Path certificate, Path privateKey, X509Certificate x509, PrivateKey key) {
        SSLContext trustingIt() throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("test", x509);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    private TestCertificates() {
    }

    /** Makes a key of {@code algorithm} ("EC" or "RSA") and a certificate for 127.0.0.1 and localhost. */
    static Pem generate(Path dir, String name, String algorithm) throws Exception {
        Path store = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "k", "-keyalg", algorithm,
                "-keysize", algorithm.equals("EC") ? "256" : "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate("k");
        Path certPem = dir.resolve(name + ".crt.pem");
        Path keyPem = dir.resolve(name + ".key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new Pem(certPem, keyPem, cert, key);
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The PKCS#1 RSAPrivateKey inside a PKCS#8 envelope: the last element of the outer SEQUENCE, an OCTET STRING. */
    static byte[] pkcs1Of(byte[] pkcs8) throws IOException {
        int[] pos = {0};
        readHeader(pkcs8, pos, 0x30);
        skip(pkcs8, pos); // version
        skip(pkcs8, pos); // algorithm
        int length = readHeader(pkcs8, pos, 0x04);
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + length);
    }

    private static int readHeader(byte[] der, int[] pos, int tag) throws IOException {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IOException("unexpected DER tag");
        }
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = length << 8 | der[pos[0]++] & 0xff;
        }
        return length;
    }

    private static void skip(byte[] der, int[] pos) throws IOException {
        int tag = der[pos[0]] & 0xff;
        int length = readHeader(der, pos, tag);
        pos[0] += length;
    }
}
