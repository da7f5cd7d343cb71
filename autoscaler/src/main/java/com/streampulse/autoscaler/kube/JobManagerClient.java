package com.streampulse.autoscaler.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the running job from the JobManager REST API: its vertices with their actual parallelism
 * ({@code GET /jobs/<id>/}) and Flink's own load metrics of the source vertex.
 */
public final class JobManagerClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Flink's task metrics: milliseconds busy, and idle, since the task started. */
    private static final String BUSY = "accumulateBusyTimeMs";

    private static final String IDLE = "accumulateIdleTimeMs";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();

    /** The operator's REST service for a deployment. */
    public static String defaultUrl(String namespace, String name) {
        return "http://" + name + "-rest." + namespace + ":8081";
    }

    /** The running job's vertex ids ({@code GET /jobs/<id>/}), in Flink's topological order. */
    public List<String> vertexIds(String baseUrl, String jobId) {
        return runningJob(baseUrl, jobId).vertices().stream().map(Vertex::id).toList();
    }

    /** One vertex of the running job as {@code GET /jobs/<id>/} lists it. */
    public record Vertex(String id, String name, int parallelism) {}

    /** The running job: its vertices and the parallelism each actually runs at. */
    public record RunningJob(List<Vertex> vertices) {

        /** The highest vertex parallelism: what the autoscaler sets for every vertex. */
        public int parallelism() {
            return vertices.stream().mapToInt(Vertex::parallelism).max().orElse(0);
        }

        /** The Kafka source's vertex (Flink names it "Source: ..."), else the first. */
        public Vertex source() {
            return vertices.stream()
                    .filter(v -> v.name().startsWith("Source"))
                    .findFirst()
                    .orElse(vertices.get(0));
        }
    }

    public RunningJob runningJob(String baseUrl, String jobId) {
        String url = base(baseUrl) + "/jobs/" + jobId + "/";
        List<Vertex> vertices = new ArrayList<>();
        for (JsonNode vertex : get(url).path("vertices")) {
            vertices.add(
                    new Vertex(
                            vertex.path("id").asText(),
                            vertex.path("name").asText(),
                            vertex.path("parallelism").asInt()));
        }
        if (vertices.isEmpty() || vertices.stream().anyMatch(v -> v.id().isEmpty())) {
            throw new JobManagerException("GET " + url + " listed no vertex ids", null);
        }
        return new RunningJob(vertices);
    }

    /**
     * Flink's own counters of a source vertex, summed over its subtasks, as the operator's
     * autoscaler reads them: records the Kafka source operator took in and milliseconds the tasks
     * were busy (neither idle nor back-pressured) since they started. Rates come from two readings
     * ({@code FlinkCapacityWindow}), not from Flink's per-second gauges: {@code
     * numRecordsInPerSecond} is a 60 s moving rate that reads low for the first minute after every
     * restart, while busy time follows within seconds, so their quotient misjudged capacity.
     *
     * @param recordsIn the source operator's {@code numRecordsIn} (the task's own counter stays 0
     *     for a source)
     * @param busyMs {@code accumulateBusyTimeMs}
     * @param idleMs {@code accumulateIdleTimeMs}: waiting for input (back-pressure is neither)
     */
    public record SourceCounters(double recordsIn, double busyMs, double idleMs) {}

    /**
     * {@code GET /jobs/<id>/vertices/<vid>/subtasks/metrics}: the metric names, then the sums over
     * the subtasks.
     */
    public SourceCounters sourceCounters(String baseUrl, String jobId, String vertexId) {
        String url =
                base(baseUrl) + "/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
        String recordsIn = null;
        for (JsonNode metric : get(url)) {
            String id = metric.path("id").asText();
            if (id.startsWith("Source__") && id.endsWith(".numRecordsIn")) {
                recordsIn = id;
            }
        }
        if (recordsIn == null) {
            throw new JobManagerException("GET " + url + " lists no Source__*.numRecordsIn", null);
        }
        double busy = Double.NaN;
        double idle = Double.NaN;
        double in = Double.NaN;
        for (JsonNode metric :
                get(url + "?get=" + BUSY + "," + IDLE + "," + recordsIn + "&agg=sum")) {
            double sum = metric.path("sum").asDouble(Double.NaN);
            switch (metric.path("id").asText()) {
                case BUSY -> busy = sum;
                case IDLE -> idle = sum;
                default -> in = sum;
            }
        }
        if (Double.isNaN(busy) || Double.isNaN(idle) || Double.isNaN(in)) {
            throw new JobManagerException(
                    "GET " + url + " gave no accumulated busy or idle time or records in", null);
        }
        return new SourceCounters(in, busy, idle);
    }

    private static String base(String baseUrl) {
        return baseUrl.replaceAll("/+$", "");
    }

    private JsonNode get(String url) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new JobManagerException(
                        "GET " + url + " answered " + response.statusCode(), null);
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new JobManagerException("GET " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobManagerException("Interrupted reading " + url, e);
        } catch (IllegalArgumentException e) {
            throw new JobManagerException("Bad JobManager URL " + url, e);
        }
    }

    /** The JobManager could not be read. */
    public static final class JobManagerException extends RuntimeException {
        public JobManagerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
