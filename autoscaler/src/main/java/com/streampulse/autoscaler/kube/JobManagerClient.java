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

/** Reads a running job's vertex ids from the JobManager REST API ({@code GET /jobs/<id>/}). */
public final class JobManagerClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();

    /** The operator's REST service for a deployment. */
    public static String defaultUrl(String namespace, String name) {
        return "http://" + name + "-rest." + namespace + ":8081";
    }

    public List<String> vertexIds(String baseUrl, String jobId) {
        String url = baseUrl.replaceAll("/+$", "") + "/jobs/" + jobId + "/";
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new JobManagerException(
                        "GET " + url + " answered " + response.statusCode(), null);
            }
            JsonNode vertices = json.readTree(response.body()).path("vertices");
            List<String> ids = new ArrayList<>();
            for (JsonNode vertex : vertices) {
                ids.add(vertex.path("id").asText());
            }
            if (ids.isEmpty() || ids.stream().anyMatch(String::isEmpty)) {
                throw new JobManagerException("GET " + url + " listed no vertex ids", null);
            }
            return ids;
        } catch (IOException e) {
            throw new JobManagerException("GET " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobManagerException("Interrupted reading " + url, e);
        }
    }

    /** The JobManager could not be read. */
    public static final class JobManagerException extends RuntimeException {
        public JobManagerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
