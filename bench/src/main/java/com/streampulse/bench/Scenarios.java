package com.streampulse.bench;

import com.streampulse.job.ResultSinks;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.aggregate.PreAggregator;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.job.time.IdleClockOperator;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;

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

    /**
     * (b*) The same job with its two custom operators (idle clock, pre-aggregator) chained to the
     * source. They extend {@code AbstractStreamOperator}, whose chaining strategy is HEAD unless
     * the operator sets it, so the deployed job runs source, idle clock and pre-aggregator as three
     * tasks and serializes every event twice between them. This measures the proposed one-line fix
     * in each operator ({@code setChainingStrategy(ChainingStrategy.ALWAYS)}) without touching the
     * job: the benchmark sets it on the built graph.
     */
    static StreamExecutionEnvironment fullJobChained(JobConfig config, int parallelism) {
        StreamExecutionEnvironment env = fullJob(config, parallelism);
        Set<Transformation<?>> seen = new HashSet<>();
        for (Transformation<?> sink : env.getTransformations()) {
            for (Transformation<?> t : sink.getTransitivePredecessors()) {
                if (seen.add(t)
                        && t instanceof OneInputTransformation<?, ?> one
                        && one.getOperatorFactory() instanceof SimpleOperatorFactory<?> factory
                        && (factory.getOperator() instanceof IdleClockOperator<?>
                                || factory.getOperator() instanceof PreAggregator)) {
                    one.setChainingStrategy(ChainingStrategy.ALWAYS);
                }
            }
        }
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
