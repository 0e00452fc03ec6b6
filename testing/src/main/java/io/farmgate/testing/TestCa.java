package io.farmgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1, made at test
 * time with the JDK's keytool (no openssl needed) and written out as PEM for redis-server and the clients (Lettuce, the agent's lean link).
 *
 * @param caCertificate     the CA certificate, what a client must trust
 * @param serverCertificate the server's certificate, for {@code --tls-cert-file}
 * @param serverKey         its unencrypted PKCS#8 key, for {@code --tls-key-file}
 */
public record TestCa(Path caCertificate, Path serverCertificate, Path serverKey) {

    private static final String PASS = "changeit";

    /** A new CA (named {@code caName}) and server certificate in {@code dir}. */
    public static TestCa create(Path dir, String caName) {
        try {
            Files.createDirectories(dir);
            Path ca = dir.resolve(caName + ".p12");
            Path server = dir.resolve(caName + "-server.p12");
            Path request = dir.resolve(caName + "-server.csr");
            Path serverPem = dir.resolve(caName + "-server.crt.pem");
            Path caPem = dir.resolve(caName + ".crt.pem");
            for (Path p : List.of(ca, server, request, serverPem, caPem)) {
                Files.deleteIfExists(p);
            }
            keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + caName,
                    "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.toString());
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", server.toString());
            keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", request.toString());
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                    "-outfile", serverPem.toString(), "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(server)) {
                ks.load(in, PASS.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("server", PASS.toCharArray());
            Path keyPem = dir.resolve(caName + "-server.key.pem");
            Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return new TestCa(caPem, serverPem, keyPem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The redis-server arguments that serve TLS on {@code tlsPort} with this server certificate. */
    public List<String> redisArgs(int tlsPort) {
        return List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", serverCertificate.toString(),
                "--tls-key-file", serverKey.toString(), "--tls-ca-cert-file", caCertificate.toString(),
                "--tls-auth-clients", "no");
    }

    /** redis-server arguments for a server that wants {@code password} and serves TLS on {@code tlsPort}. */
    public String[] redisArgs(int tlsPort, String password) {
        List<String> args = new ArrayList<>(List.of("--requirepass", password));
        args.addAll(redisArgs(tlsPort));
        return args.toArray(String[]::new);
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASS, "-noprompt"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
