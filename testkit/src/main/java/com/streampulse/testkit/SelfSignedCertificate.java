package com.streampulse.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;

/**
 * A self-signed certificate and its private key as PEM files ({@code server.crt}, {@code
 * server.key}) and as a PKCS12 store ({@code server.p12}), made with the JDK's own keytool, for
 * servers that should speak TLS in tests.
 */
public final class SelfSignedCertificate {

    /** The password of {@code server.p12} (key and store), for servers that read PKCS12. */
    static final String STORE_PASSWORD_TEXT = "testkit";

    private static final char[] STORE_PASSWORD = STORE_PASSWORD_TEXT.toCharArray();

    private SelfSignedCertificate() {}

    public static Path create(String host) {
        return create(host, "dns:" + host + ",ip:127.0.0.1");
    }

    /**
     * A certificate for {@code host} with exactly these subject alternative names (keytool's SAN
     * syntax).
     */
    static Path create(String host, String subjectAltNames) {
        try {
            Path dir = Files.createTempDirectory("testkit-tls");
            Path store = dir.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process process =
                    new ProcessBuilder(
                                    keytool,
                                    "-genkeypair",
                                    "-alias",
                                    "server",
                                    "-keyalg",
                                    "RSA",
                                    "-keysize",
                                    "2048",
                                    "-validity",
                                    "2",
                                    "-dname",
                                    "CN=" + host,
                                    "-ext",
                                    "SAN=" + subjectAltNames,
                                    "-storetype",
                                    "PKCS12",
                                    "-keystore",
                                    store.toString(),
                                    "-storepass",
                                    new String(STORE_PASSWORD))
                            .redirectErrorStream(true)
                            .start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, STORE_PASSWORD);
            }
            Key key = keyStore.getKey("server", STORE_PASSWORD);
            write(
                    dir.resolve("server.crt"),
                    "CERTIFICATE",
                    keyStore.getCertificate("server").getEncoded());
            Path keyFile = dir.resolve("server.key");
            write(keyFile, "PRIVATE KEY", key.getEncoded());
            // PostgreSQL refuses a key file that others can read.
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            return dir;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Could not make a self-signed certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted making a certificate", e);
        }
    }

    private static void write(Path file, String type, byte[] der) throws IOException {
        String pem =
                "-----BEGIN "
                        + type
                        + "-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(der)
                        + "\n-----END "
                        + type
                        + "-----\n";
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }
}
