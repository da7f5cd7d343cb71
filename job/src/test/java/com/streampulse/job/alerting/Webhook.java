package com.streampulse.job.alerting;

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

    Webhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/hook",
                exchange -> {
                    JsonNode body = JSON.readTree(exchange.getRequestBody());
                    synchronized (received) {
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

    @Override
    public void close() {
        server.stop(0);
    }
}
