package io.farmgate.gateway;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a PEM certificate chain and private key, the form ACME clients and {@code openssl} write,
 * into the in-memory key store Jetty's TLS wants. Keys: PKCS#8 ({@code BEGIN PRIVATE KEY}; RSA,
 * EC, Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); encrypted keys are refused with advice.
 */
final class PemKeyStore {

    static final String ALIAS = "farmgate";

    /** Key store with its throwaway password: it never leaves memory. */
    record Loaded(KeyStore keyStore, char[] password) {
    }

    private PemKeyStore() {
    }

    static Loaded load(Path certificatePem, Path privateKeyPem) {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(privateKeyPem);
        if (!matches(key, chain.get(0))) {
            throw new IllegalArgumentException("tlsKey: " + privateKeyPem
                    + " does not match the first certificate in tlsCert (" + certificatePem + ")");
        }
        try {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            char[] password = Base64.getEncoder().encodeToString(random).toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
            return new Loaded(store, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build an in-memory key store", e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        byte[] bytes = read("tlsCert", file);
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> chain = certs.stream().map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("tlsCert: " + file + " holds no certificate (expected: PEM, BEGIN CERTIFICATE)");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsCert: " + file + " is not a PEM certificate chain (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text = new String(read("tlsKey", file), StandardCharsets.US_ASCII);
        byte[] pkcs8;
        if (text.contains("-----BEGIN PRIVATE KEY-----")) {
            pkcs8 = block("tlsKey", file, text, "PRIVATE KEY");
        } else if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            if (text.contains("ENCRYPTED")) {
                throw encrypted(file);
            }
            pkcs8 = rsaPkcs1ToPkcs8(block("tlsKey", file, text, "RSA PRIVATE KEY"));
        } else if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw encrypted(file);
        } else {
            throw new IllegalArgumentException("tlsKey: " + file + " holds no supported key (expected: PEM "
                    + "'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY'; convert others with "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem)");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("tlsKey: " + file + " is not an RSA, EC or Ed25519 private key");
    }

    private static IllegalArgumentException encrypted(Path file) {
        return new IllegalArgumentException("tlsKey: " + file + " is encrypted (expected: an unencrypted key; "
                + "decrypt with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem)");
    }

    private static byte[] block(String field, Path file, String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException(field + ": " + file + " has no complete " + label + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + file + " has a damaged " + label + " block");
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in the PKCS#8 envelope KeyFactory reads. */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] rsaAlgorithm = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
        byte[] octets = der(0x04, pkcs1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(rsaAlgorithm);
        body.writeBytes(octets);
        return der(0x30, body.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8 & 0xff);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** Whether the key belongs to the certificate: it signs a probe the certificate's key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // cannot check cheaply; the TLS handshake will tell
        }
        try {
            byte[] probe = "farmgate key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(String field, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
    }
}
