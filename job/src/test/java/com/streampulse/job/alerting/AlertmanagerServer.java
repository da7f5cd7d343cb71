package com.streampulse.job.alerting;

import com.streampulse.testkit.MonitoringTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real Alertmanager (the machine's binary) that routes every alert, one group per alert, to a
 * webhook with short group timings, so a test sees each change within a second or two. Stopped and
 * started again on the same port and storage, as an outage looks to the sender.
 */
final class AlertmanagerServer implements AutoCloseable {

    private final Path binary = MonitoringTools.alertmanager();
    private final Path dir;
    private final int port;
    private Process process;

    AlertmanagerServer(URI webhook) throws IOException {
        dir = Files.createTempDirectory("alertmanager");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(
                dir.resolve("alertmanager.yml"),
                String.join(
                        "\n",
                        "global:",
                        "  resolve_timeout: 1h",
                        "route:",
                        "  receiver: webhook",
                        "  group_by: ['...']",
                        "  group_wait: 1s",
                        "  group_interval: 1s",
                        "  repeat_interval: 1h",
                        "receivers:",
                        "  - name: webhook",
                        "    webhook_configs:",
                        "      - url: " + webhook,
                        "        send_resolved: true",
                        ""));
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void start() throws IOException, InterruptedException {
        process =
                new ProcessBuilder(
                                binary.toString(),
                                "--config.file=" + dir.resolve("alertmanager.yml"),
                                "--storage.path=" + dir.resolve("data"),
                                "--web.listen-address=127.0.0.1:" + port,
                                "--cluster.listen-address=")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("alertmanager.log").toFile())
                        .start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<Void> r =
                        http.send(
                                HttpRequest.newBuilder(url().resolve("/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Alertmanager exited: "
                                + Files.readString(dir.resolve("alertmanager.log")));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Alertmanager not ready within 60 s");
    }

    /** A graceful stop (SIGTERM): Alertmanager keeps its notification log for the next start. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
