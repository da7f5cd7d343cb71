package com.streampulse.bench;

import com.streampulse.job.ResultSinks;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.sink.JdbcSinks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** The pipelines the benchmark compares, each built on a fresh environment. */
final class Scenarios {

    private Scenarios() {}

    /**
     * Bounded runs end without waiting for one more checkpoint after the sources finish (Flink's
     * final checkpoint): the sinks flush at end of input anyway, and the wait, up to a checkpoint
     * interval, would be measured as processing time.
     */
    static final String CHECKPOINTS_AFTER_FINISH =
            "execution.checkpointing.checkpoints-after-tasks-finish";

    static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(ConfigOptions.key(CHECKPOINTS_AFTER_FINISH).booleanType().noDefaultValue(), false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /**
     * The production job on {@code env}, with the benchmark's {@code --flink} settings applied on
     * top of the job's own (to measure a setting before the job adopts it).
     */
    static void production(StreamExecutionEnvironment env, JobConfig config, BenchOptions o) {
        StreamPulseJob.configure(env, config);
        if (!o.flinkConf().isEmpty()) {
            env.configure(Configuration.fromMap(o.flinkConf()));
        }
        StreamPulseJob.production(config).build(env);
    }

    /** {@code extra} job variables plus the benchmark's {@code --job-env} ones. */
    static Map<String, String> jobEnv(BenchOptions o, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.putAll(o.jobEnv());
        return env;
    }

    /**
     * The job's configuration for {@code topic}, checkpointing every {@code interval} into {@code
     * checkpoints}, with the benchmark's {@code --job-env} variables on top.
     */
    static JobConfig checkpointed(
            Infrastructure infra,
            String topic,
            BenchOptions o,
            Duration interval,
            Path checkpoints) {
        return checkpointed(infra, topic, o, interval, checkpoints, Map.of());
    }

    /** As above, with {@code extra} job variables under the {@code --job-env} ones. */
    static JobConfig checkpointed(
            Infrastructure infra,
            String topic,
            BenchOptions o,
            Duration interval,
            Path checkpoints,
            Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("CHECKPOINT_INTERVAL", interval.toMillis() + "ms");
        env.put("CHECKPOINT_DIR", checkpoints.toUri().toString());
        return infra.config(topic, jobEnv(o, env));
    }

    /** The job's own Kafka source (and decoder), stopping at the end the topic has now. */
    static KafkaSource<Ingested> boundedSource(JobConfig config) {
        return StreamPulseJob.kafkaSourceBuilder(config.kafka())
                .setBounded(OffsetsInitializer.latest())
                .build();
    }

    /** (a) The read limit: the job's source and decoder into a discarding sink. */
    static StreamExecutionEnvironment readOnly(JobConfig config, int parallelism) {
        StreamExecutionEnvironment env = environment(parallelism);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(conf);
        env.fromSource(boundedSource(config), WatermarkStrategy.noWatermarks(), "Kafka: read")
                .sinkTo(new DiscardingSink<>())
                .name("Discard");
        return env;
    }

    /** (b) The project's job, as deployed, into PostgreSQL with checkpointing. */
    static StreamExecutionEnvironment fullJob(JobConfig config, int parallelism) {
        StreamExecutionEnvironment env = environment(parallelism);
        StreamPulseJob.configure(env, config);
        new StreamPulseJob(
                        config,
                        boundedSource(config),
                        ResultSinks.postgres(
                                new JdbcSinks(config.postgres(), config.jdbcBatchSize())))
                .build(env);
        return env;
    }

    /** (c) The same three aggregations in Flink SQL (see {@link SqlAggregations}). */
    static StreamExecutionEnvironment sql(JobConfig config, int parallelism) {
        StreamExecutionEnvironment env = environment(parallelism);
        StreamPulseJob.configure(env, config);
        SqlAggregations.attach(env, config, boundedSource(config));
        return env;
    }
}
