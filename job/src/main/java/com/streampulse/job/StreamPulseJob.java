package com.streampulse.job;

import com.streampulse.config.ConfigException;
import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import com.streampulse.job.aggregate.BucketedWindows;
import com.streampulse.job.aggregate.DroppedPartials;
import com.streampulse.job.aggregate.PreAggregator;
import com.streampulse.job.aggregate.WindowResults;
import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.anomaly.AnomalyDetector;
import com.streampulse.job.config.Features;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.guard.StatelessStartGuard;
import com.streampulse.job.ingest.DownloadDeserializer;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import com.streampulse.job.sessions.SessionBatch;
import com.streampulse.job.sessions.SessionBuilder;
import com.streampulse.job.sessions.UserSession;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.job.sink.SinkProgress;
import com.streampulse.job.time.AnnouncedSplitsSource;
import com.streampulse.job.time.EventTimeOperator;
import com.streampulse.job.time.KafkaBacklogProbe;
import com.streampulse.job.trending.TrendingBatch;
import com.streampulse.job.trending.TrendingBuckets;
import com.streampulse.job.trending.TrendingRanker;
import com.streampulse.job.trending.TrendingRow;
import com.streampulse.schemas.Migrations;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The StreamPulse job: download events from Kafka, 1-minute event-time windows per content, region
 * and device, alerts, and rejected records, into PostgreSQL exactly once.
 *
 * <pre>
 * Kafka ─▶ decode + validate ─▶ start guard ─▶ event time ─┬─▶ pre-aggregate ─┬─▶ content windows ─▶ content_stats, alerts
 *                                                         │                  ├─▶ region windows  ─▶ region_health, alerts
 *                                                         │                  │                      └─▶ anomaly baselines ─▶ alerts
 *                                                         │                  ├─▶ device windows  ─▶ device_stats
 *                                                         │                  ├─▶ sessions per user (from per-window partials) ─▶ user_sessions
 *                                                         │                  └─▶ trending buckets ─▶ trending per scope ─▶ trending_content
 *                                                         │                      any window ─▶ dropped_partials (sums that came after it closed for good)
 *                                                         └─▶ rejected_events (MALFORMED, INVALID, LATE)
 * </pre>
 *
 * <p>Use: {@code new StreamPulseJob(config, source, sinks).build(env)} with any source of {@link
 * Ingested} and any sinks (tests), or {@link #production(JobConfig)} for Kafka and PostgreSQL;
 * {@link #configure} sets checkpointing and state; {@link #start} does all three and submits
 * without blocking (what {@code make run} uses).
 */
public final class StreamPulseJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamPulseJob.class);

    /** Fixed for the life of the job's state: savepoints can be restored up to this parallelism. */
    public static final int MAX_PARALLELISM = 128;

    /**
     * Buckets of users for sessions: fixed, so a rescale moves whole buckets; several per key
     * group, so the buckets spread evenly over the subtasks at any parallelism.
     */
    public static final int SESSION_BUCKETS = 4 * MAX_PARALLELISM;

    /**
     * Buckets of content ids for trending: fixed, so a rescale moves whole buckets. Fewer than the
     * key groups because much of trending's work is per bucket and window end, not per download:
     * every bucket ranks and sends its own top N per scope, the per-scope operator merges each of
     * those lists, and the pre-aggregator sends one batch per bucket and flush. With 128 buckets
     * (one per key group) trending cost 0.92 µs per download in {@code make bench-trending}, with
     * 32 0.49. Spread evenly over the key groups by {@link TrendingBuckets#keys}, so up to this
     * parallelism every subtask gets its share.
     */
    public static final int TRENDING_BUCKETS = 32;

    /** How often event time looks at the wall clock; Flink's default watermark interval. */
    static final long EVENT_TIME_TICK_MILLIS = 200;

    /** How often, at most, a quiet input asks Kafka whether it has unread records. */
    static final long BACKLOG_PROBE_INTERVAL_MILLIS = 1_000;

    /** Per RocksDB column family; see {@link #configure} for why not RocksDB's default. */
    static final MemorySize WRITE_BUFFER_SIZE = MemorySize.ofMebiBytes(16);

    /** Partial sums that reached a window after it had closed for good. */
    private static final OutputTag<WindowCounts> DROPPED =
            new OutputTag<>("dropped", TypeInformation.of(WindowCounts.class));

    private final JobConfig config;
    private final Source<Ingested, ?, ?> source;
    private final ResultSinks sinks;

    /**
     * A Kafka source is wrapped so that its readers announce the partitions they are given, which
     * event time needs ({@link AnnouncedSplitsSource}).
     */
    public StreamPulseJob(JobConfig config, Source<Ingested, ?, ?> source, ResultSinks sinks) {
        this.config = config;
        this.source = announcing(source);
        this.sinks = sinks;
    }

    @SuppressWarnings(
            "unchecked") // a KafkaSource of this job's Source<Ingested, ...> emits Ingested
    private static Source<Ingested, ?, ?> announcing(Source<Ingested, ?, ?> source) {
        return source instanceof KafkaSource<?> kafka
                ? new AnnouncedSplitsSource((KafkaSource<Ingested>) kafka)
                : source;
    }

    /** The job as deployed: Kafka in, PostgreSQL out. */
    public static StreamPulseJob production(JobConfig config) {
        return new StreamPulseJob(
                config,
                kafkaSource(config.kafka()),
                ResultSinks.postgres(new JdbcSinks(config.postgres(), config.jdbcBatchSize())));
    }

    /**
     * Reads from the group's committed offsets (earliest on first start). The source commits
     * offsets to Kafka only when a checkpoint completes, for monitoring and the lag autoscaler; on
     * restore Flink uses the offsets in its own checkpoint.
     */
    public static KafkaSource<Ingested> kafkaSource(KafkaSettings kafka) {
        return kafkaSourceBuilder(kafka).build();
    }

    /** The production source's settings, for tests that need a bounded or failing variant. */
    public static KafkaSourceBuilder<Ingested> kafkaSourceBuilder(KafkaSettings kafka) {
        return KafkaSource.<Ingested>builder()
                .setProperties(kafka.clientProperties())
                .setTopics(kafka.topic())
                .setGroupId(kafka.groupId())
                .setClientIdPrefix(kafka.groupId())
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new DownloadDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000");
    }

    /**
     * Checkpointing, state and type settings. RocksDB with incremental checkpoints, retained on
     * cancel so the operator's last-state upgrades and manual restores always have one; no Kryo, so
     * a type that would fall back to it fails at submission instead of silently slowing the job.
     */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Every checkpoint flushes the memtables into new level-0 files, each spanning the whole
        // key range, so a point read without filters looks into every one of them. With sessions
        // on (about one read per download, over a million users) RocksDB's get was the Sessions
        // thread's largest cost (30 %); with filters the job's CPU per event fell from 51 to 37 µs
        // in the sustained benchmark (one run each, shared machine). Without checkpoints
        // (make bench-sessions, WindowStateBench) they make no measurable difference. Only new
        // files get filters; the state layout and savepoints are unchanged.
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // A whole-file filter and index is one block per SST file, megabytes once a file holds
        // every window of a bucket range. When the slot's managed block cache is full (state
        // grows with the windows held), those blocks are evicted and read back whole for each
        // point read: the content windows' sums.get then stalled a subtask. Partitioned, only
        // the small top-level index stays pinned and each read loads one 4 KiB partition.
        // Table format of new files only: the state layout and savepoints are unchanged.
        conf.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
        // The column families of a slot's RocksDB instances share one write buffer budget (a third
        // of the slot's managed memory), and each reserves an arena block of an eighth of its
        // write buffer as soon as it is written. At the default 64 MiB the dozen written column
        // families of a slot reserved more than the budget, so RocksDB flushed a memtable at
        // nearly every write: 2,161 level-0 files of ~8 entries in one content-window subtask in
        // 4 minutes, compaction behind, and writes stopped for minutes (BENCHMARKS.md, latency).
        // With 16 MiB write buffers the blocks take a quarter of that, the rest is for data.
        conf.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, WRITE_BUFFER_SIZE);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (config.checkpointDir() != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.checkpointTimeout());
        conf.set(
                CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, config.tolerableFailedCheckpoints());
        env.configure(conf);
        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    }

    /** Adds the whole pipeline to {@code env}. Every operator has a name and a stable uid. */
    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<Download> downloads =
                env.fromSource(
                                source,
                                WatermarkStrategy.noWatermarks(),
                                "Kafka: " + config.kafka().topic())
                        .uid("kafka-source")
                        .map(StatelessStartGuard.of(config))
                        .name(StatelessStartGuard.NAME)
                        .uid(StatelessStartGuard.UID)
                        .transform("Event time", TypeInformation.of(Download.class), eventTime())
                        .uid("event-time");
        DataStream<RejectedEvent> rejected = downloads.getSideOutput(EventTimeOperator.REJECTED);

        Features features = config.features();
        SingleOutputStreamOperator<WindowCounts> partials =
                downloads
                        .transform(
                                "Pre-aggregate",
                                TypeInformation.of(WindowCounts.class),
                                new PreAggregator(
                                        config.windowSize().toMillis(),
                                        config.maxBufferedKeys(),
                                        features.trending() ? TRENDING_BUCKETS : 0,
                                        features.sessions() ? SESSION_BUCKETS : 0,
                                        config.allowedLateness().toMillis()))
                        .uid("pre-aggregate");
        String contentAlerts = features.fixedAlerts() ? AlertRules.SCOPE_CONTENT : null;
        String regionAlerts = features.fixedAlerts() ? AlertRules.SCOPE_REGION : null;

        SingleOutputStreamOperator<ContentStats> content =
                windows(
                        partials,
                        Dimension.CONTENT,
                        c -> c.key,
                        new WindowResults<>(ContentStats::of, contentAlerts, config.alerts()),
                        TypeInformation.of(ContentStats.class),
                        "Content windows",
                        "content-window");
        SingleOutputStreamOperator<RegionHealth> region =
                windows(
                        partials,
                        Dimension.REGION,
                        c -> c.key,
                        new WindowResults<>(
                                RegionHealth::of,
                                regionAlerts,
                                config.alerts(),
                                features.anomaly().enabled()),
                        TypeInformation.of(RegionHealth.class),
                        "Region windows",
                        "region-window");
        SingleOutputStreamOperator<DeviceStats> device =
                windows(
                        partials,
                        Dimension.DEVICE,
                        c -> c.key + '\u0000' + c.detail,
                        new WindowResults<>(DeviceStats::of, null, config.alerts()),
                        TypeInformation.of(DeviceStats.class),
                        "Device windows",
                        "device-window");
        DataStream<AlertRow> alerts =
                content.getSideOutput(WindowResults.ALERTS)
                        .union(region.getSideOutput(WindowResults.ALERTS));
        if (features.anomaly().enabled()) {
            alerts = alerts.union(anomalies(region.getSideOutput(WindowResults.COUNTS)));
        }
        DataStream<DroppedPartial> dropped =
                content.getSideOutput(DROPPED)
                        .union(region.getSideOutput(DROPPED), device.getSideOutput(DROPPED))
                        .process(new DroppedPartials(config.kafka().topic()))
                        .name("Dropped partials")
                        .uid("dropped-partials");

        write(content, sinks.contentStats(), "content_stats");
        write(region, sinks.regionHealth(), "region_health");
        write(device, sinks.deviceStats(), "device_stats");
        write(alerts, sinks.alerts(), "alerts");
        write(rejected, sinks.rejectedEvents(), "rejected_events");
        write(dropped, sinks.droppedPartials(), "dropped_partials");
        if (features.trending()) {
            write(
                    trending(partials.getSideOutput(PreAggregator.TRENDING)),
                    sinks.trendingContent(),
                    "trending_content");
        }
        if (features.sessions()) {
            write(
                    sessions(partials.getSideOutput(PreAggregator.SESSIONS)),
                    sinks.userSessions(),
                    "user_sessions");
        }
    }

    /** Per-region anomaly alerts from every firing of the region windows. */
    private DataStream<AlertRow> anomalies(DataStream<WindowCounts> regionFirings) {
        return regionFirings
                .keyBy(c -> c.key, Types.STRING)
                .process(
                        new AnomalyDetector(
                                config.windowSize().toMillis(),
                                config.allowedLateness().toMillis(),
                                config.features().anomaly()))
                .name("Anomaly alerts")
                .uid("anomaly-alerts");
    }

    /**
     * Top N per scope and sliding window, in two phases: per bucket of content ids, then merged per
     * scope. The number of buckets is fixed ({@link #TRENDING_BUCKETS}), so rescaling moves
     * buckets, never splits one. The pre-aggregator sends one batch per bucket and flush. (The uids
     * changed with the state's layout: "trending-buckets", "trending-bucket-minutes",
     * "trending-ranking", "trending-scope-candidates", and with the number of buckets
     * "trending-bucket-chunks" and "trending-scope-merged", are not restored.)
     */
    private DataStream<TrendingRow> trending(DataStream<TrendingBatch> batches) {
        Features f = config.features();
        long lateness = config.allowedLateness().toMillis();
        int[] keys = TrendingBuckets.keys(TRENDING_BUCKETS, MAX_PARALLELISM);
        return batches.keyBy(b -> keys[b.bucket], Types.INT)
                .process(
                        new TrendingBuckets(
                                config.windowSize().toMillis(),
                                f.trendingWindow().toMillis(),
                                lateness,
                                f.trendingTopN()))
                .name("Trending: per bucket")
                .uid("trending-buckets-32")
                .keyBy(r -> r.scope, Types.STRING)
                .process(
                        new TrendingRanker(
                                config.windowSize().toMillis(),
                                f.trendingWindow().toMillis(),
                                lateness,
                                f.trendingTopN()))
                .name("Trending: per scope")
                .uid("trending-scope-32");
    }

    /**
     * Sessions per user, from every download in batches per bucket of users, keyed by bucket. The
     * uid changed with the state layout (per bucket since "user-sessions", which was keyed by user,
     * and "sessions" before it, which held every event's session as a POJO): a savepoint taken with
     * sessions on before that needs {@code --allowNonRestoredState}. The operator replaced a
     * KeyedProcessFunction under the same uid with the same state and timer names, and keeps the
     * sets of open sessions apart from their sums in a state of its own since: both older layouts'
     * savepoints restore.
     */
    private DataStream<UserSession> sessions(DataStream<SessionBatch> batches) {
        return batches.keyBy(b -> b.bucket, Types.INT)
                .transform(
                        "Sessions",
                        TypeInformation.of(UserSession.class),
                        new SessionBuilder(
                                config.features().sessionGap().toMillis(),
                                config.allowedLateness().toMillis(),
                                config.windowSize().toMillis(),
                                config.features().sessionBufferedUsers()))
                .uid("user-session-buckets");
    }

    private EventTimeOperator eventTime() {
        return new EventTimeOperator(
                config.kafka().topic(),
                config.windowSize().toMillis(),
                config.allowedLateness().toMillis(),
                config.outOfOrderness().toMillis(),
                config.idleness().toMillis(),
                EVENT_TIME_TICK_MILLIS,
                new KafkaBacklogProbe(
                        config.kafka().topic(),
                        config.kafka().clientProperties(),
                        BACKLOG_PROBE_INTERVAL_MILLIS));
    }

    /**
     * One dimension's 1-minute windows, keyed by bucket of keys ({@link BucketedWindows}). The uids
     * changed with the state layout: "content-window", "region-window" and "device-window" (Flink's
     * WindowOperator, keyed by key) are not restored.
     */
    private <R> SingleOutputStreamOperator<R> windows(
            DataStream<WindowCounts> partials,
            Dimension dimension,
            KeySelector<WindowCounts, String> key,
            ProcessWindowFunction<WindowCounts, R, String, TimeWindow> results,
            TypeInformation<R> rowType,
            String name,
            String uid) {
        return partials.filter(c -> c.dimension == dimension)
                .name(name + ": partials")
                .uid(uid + "-partials")
                .keyBy(BucketedWindows.buckets(key, MAX_PARALLELISM), Types.INT)
                .transform(
                        name,
                        rowType,
                        new BucketedWindows<>(
                                config.windowSize().toMillis(),
                                config.allowedLateness().toMillis(),
                                key,
                                results,
                                DROPPED))
                .uid(uid + "-bucket-windows");
    }

    private static <T> void write(DataStream<T> rows, Sink<T> sink, String table) {
        rows.map(new SinkProgress<T>(table))
                .returns(rows.getType())
                .name("Progress: " + table)
                .uid("progress-" + table)
                .sinkTo(sink)
                .name("PostgreSQL: " + table)
                .uid("sink-" + table);
    }

    /** Configures {@code env}, builds the production pipeline on it and submits it. */
    public static JobClient start(StreamExecutionEnvironment env, JobConfig config)
            throws Exception {
        configure(env, config);
        production(config).build(env);
        return env.executeAsync("StreamPulse");
    }

    public static void main(String[] args) throws Exception {
        JobConfig config;
        try {
            config = JobConfig.from(Settings.fromEnvironment(args));
        } catch (ConfigException e) {
            System.err.println("❌ Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Banner.print(config);
        if (config.postgres().migrate()) {
            int applied =
                    Migrations.apply(
                            config.postgres().jdbcUrl(),
                            config.postgres().user(),
                            config.postgres().password().value());
            LOG.info("✅ Applied {} database migrations", applied);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, config);
        production(config).build(env);
        env.execute("StreamPulse");
    }
}
