package com.streampulse.autoscaler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** /healthz (the loop is alive), /readyz (started), /metrics (Prometheus text). */
final class HttpEndpoints implements AutoCloseable {

    private final HttpServer server;

    HttpEndpoints(
            int port, BooleanSupplier healthy, BooleanSupplier ready, Supplier<String> metrics)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", ex -> status(ex, healthy.getAsBoolean()));
        server.createContext("/readyz", ex -> status(ex, ready.getAsBoolean()));
        server.createContext(
                "/metrics",
                ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void status(HttpExchange ex, boolean ok) throws IOException {
        send(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "not ok\n");
    }

    private static void send(HttpExchange ex, int code, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
