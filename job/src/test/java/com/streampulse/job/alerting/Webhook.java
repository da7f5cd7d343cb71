package com.streampulse.job.alerting;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/** The receiver Alertmanager notifies: every alert of every notification, in arrival order. */
final class Webhook implements AutoCloseable {

    /** One alert as a notification carried it. */
    record Notified(String status, Map<String, String> labels) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Notified> received = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();

    Webhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/hook",
                exchange -> {
                    String raw =
                            new String(exchange.getRequestBody().readAllBytes(), UTF_8).strip();
                    JsonNode body = JSON.readTree(raw);
                    synchronized (received) {
                        bodies.add(raw);
                        for (JsonNode alert : body.path("alerts")) {
                            Map<String, String> labels = new TreeMap<>();
                            alert.path("labels")
                                    .fields()
                                    .forEachRemaining(
                                            f -> labels.put(f.getKey(), f.getValue().asText()));
                            received.add(new Notified(alert.path("status").asText(), labels));
                        }
                    }
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    List<Notified> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The notifications as Alertmanager sent them. */
    List<String> bodies() {
        synchronized (received) {
            return List.copyOf(bodies);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
