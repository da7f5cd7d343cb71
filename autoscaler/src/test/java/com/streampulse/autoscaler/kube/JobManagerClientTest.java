package com.streampulse.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JobManager REST reads against a real HTTP server answering with Flink 1.20's JSON: the job
 * details recorded from a JobManager, and the aggregated subtask metrics in the documented shape
 * ({@code [{"id": ..., "sum": ...}]}). ClosedLoopIT reads the same from a MiniCluster.
 */
class JobManagerClientTest {

    static final String JOB = "3f2b8c5e4d1a4b6c9e8f7a6b5c4d3e2f";
    static final String SOURCE = "cbc357ccb763df2852fee8c4fc7d55f2";
    static final String METRICS = "/jobs/" + JOB + "/vertices/" + SOURCE + "/subtasks/metrics";

    final Map<String, String> answers = new HashMap<>();
    HttpServer server;
    String url;

    @BeforeEach
    void start() throws Exception {
        answers.put(
                "/jobs/" + JOB + "/",
                new String(
                        getClass()
                                .getResourceAsStream("/jobmanager-job-details.json")
                                .readAllBytes(),
                        StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                ex -> {
                    String query = ex.getRequestURI().getRawQuery();
                    String key = ex.getRequestURI().getPath() + (query == null ? "" : "?" + query);
                    String body = answers.get(key);
                    byte[] bytes =
                            (body == null ? "{\"errors\":[\"Not found\"]}" : body).getBytes();
                    ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(bytes);
                    }
                });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsTheParallelismTheJobRunsAtAndItsSourceVertex() {
        JobManagerClient.RunningJob job = new JobManagerClient().runningJob(url, JOB);
        assertThat(job.parallelism()).isEqualTo(2);
        assertThat(job.source().id()).isEqualTo(SOURCE);
        assertThat(job.vertices()).hasSize(3);
    }

    @Test
    void readsTheSourcesRecordsInAndBusyTimeSummedOverItsSubtasks() {
        String recordsIn = "Source__content-downloads.numRecordsIn";
        answers.put(
                METRICS,
                "[{\"id\":\"accumulateBusyTimeMs\"},{\"id\":\"accumulateIdleTimeMs\"},"
                        + "{\"id\":\"numRecordsIn\"},"
                        + "{\"id\":\"Source__content-downloads.numRecordsInPerSecond\"},"
                        + "{\"id\":\""
                        + recordsIn
                        + "\"}]");
        answers.put(
                METRICS
                        + "?get=accumulateBusyTimeMs,accumulateIdleTimeMs,"
                        + recordsIn
                        + "&agg=sum",
                "[{\"id\":\"accumulateBusyTimeMs\",\"sum\":5000.0},"
                        + "{\"id\":\"accumulateIdleTimeMs\",\"sum\":15000.0},"
                        + "{\"id\":\""
                        + recordsIn
                        + "\",\"sum\":12000.0}]");

        JobManagerClient.SourceCounters counters =
                new JobManagerClient().sourceCounters(url, JOB, SOURCE);

        assertThat(counters).isEqualTo(new JobManagerClient.SourceCounters(12000, 5000, 15000));
    }

    @Test
    void aSourceWithoutItsRecordsInIsAClearError() {
        answers.put(METRICS, "[{\"id\":\"accumulateBusyTimeMs\"}]");
        assertThatThrownBy(() -> new JobManagerClient().sourceCounters(url, JOB, SOURCE))
                .isInstanceOf(JobManagerClient.JobManagerException.class)
                .hasMessageEndingWith("lists no Source__*.numRecordsIn");
        assertThatThrownBy(() -> new JobManagerClient().runningJob(url, "0000"))
                .isInstanceOf(JobManagerClient.JobManagerException.class)
                .hasMessageContaining("answered 404");
    }
}
