package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore path of docs/kubernetes.md: the job runs with retained checkpoints, is cancelled (as
 * deleting a FlinkDeployment does), more events arrive while it is gone, and a new job is started
 * from the newest retained checkpoint through {@code execution.savepoint.path}, the setting the
 * operator makes of the chart's {@code job.initialSavepointPath}. The tables end exactly as
 * computed from all the events: nothing lost while it was away, nothing counted twice.
 *
 * <p>Without the path the new job would start without state and the stateless start guard would
 * refuse it over these tables (StatelessStartIT).
 */
class RestoreFromCheckpointIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @Test
    void aNewJobFromTheRetainedCheckpointEndsExact(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path checkpoints) throws Exception {
        pipeline.reset();
        List<TestEvent> records = RandomTraffic.records(new Random(21), 2_000);
        JobConfig config = pipeline.config("--checkpoint-dir=" + checkpoints.toUri());

        JobClient first = start(config, new Configuration());
        List<Sent> all = new ArrayList<>(pipeline.send(records.subList(0, 1_000)));
        pipeline.awaitTables(s -> s.regionTotal() + s.rejectedEvents().size() > 0, TIMEOUT);
        awaitCompletedCheckpoints(cluster, first.getJobID(), 2);
        first.cancel().get();

        Path retained = newestCheckpoint(checkpoints.resolve(first.getJobID().toHexString()));
        all.addAll(pipeline.send(records.subList(1_000, records.size())));

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, retained.toUri().toString());
        JobClient second = start(config, restore);
        try {
            TableSnapshot expected = RandomTraffic.expected(config, all);
            TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);
            assertThat(actual.toString()).isEqualTo(expected.toString());
        } finally {
            second.cancel().get();
        }
    }

    private static JobClient start(JobConfig config, Configuration extra) throws Exception {
        StreamExecutionEnvironment env =
                pipeline.job(config, StreamPulseJob.kafkaSourceBuilder(config.kafka()).build());
        env.configure(extra);
        return env.executeAsync("restore-from-checkpoint");
    }

    /** The newest chk-N with its metadata: what a user finds under state.checkpoints.dir. */
    private static Path newestCheckpoint(Path jobDir) throws Exception {
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                    .filter(d -> Files.isRegularFile(d.resolve("_metadata")))
                    .max(
                            Comparator.comparingLong(
                                    d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("No retained checkpoint in " + jobDir));
        }
    }

    private static void awaitCompletedCheckpoints(MiniCluster cluster, JobID job, long count)
            throws Exception {
        long seen = completed(cluster, job);
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (completed(cluster, job) < seen + count && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(completed(cluster, job)).isGreaterThanOrEqualTo(seen + count);
    }

    private static long completed(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }
}
