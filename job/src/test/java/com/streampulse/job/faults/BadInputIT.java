package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Oracle;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.job.it.TestEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A corpus of bad input through the whole job (real Kafka, decoding, validation, windows, JDBC
 * sinks): the job never fails, every valid record is counted exactly once, and every other record
 * lands once in {@code rejected_events} with the right reason, its raw bytes, and a detail naming
 * what was wrong.
 */
class BadInputIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final int ONE_MB = 1_000_000;

    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    /**
     * One corpus entry: what is sent, and what the job must make of it.
     *
     * @param detail the exact detail of its {@code rejected_events} row, from what was sent
     */
    private record Case(String name, TestEvent record, String reason, Detail detail) {}

    /** A rejection's detail; some name the Kafka record's timestamp, known once it is sent. */
    @FunctionalInterface
    private interface Detail {
        String of(Sent sent);

        static Detail is(String detail) {
            return sent -> detail;
        }
    }

    private final List<Case> corpus = new ArrayList<>();
    private int validSeconds;

    @Test
    void everyBadRecordIsRejectedOnceWithItsReasonAndNothingElseChanges(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        pipeline.reset();
        buildCorpus();
        List<Sent> sent = pipeline.send(corpus.stream().map(Case::record).toList());

        JobConfig config = pipeline.config("--idleness=60s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamPulseJob.configure(env, config);
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setBounded(OffsetsInitializer.latest())
                        .build();
        new StreamPulseJob(config, source, pipeline.sinks(config)).build(env);
        JobClient job = env.executeAsync("bad-input");
        job.getJobExecutionResult().get();

        assertThat(
                        cluster.getExecutionGraph(job.getJobID())
                                .get()
                                .getStatusTimestamp(JobStatus.RESTARTING))
                .as("no input made the job fail")
                .isZero();
        TableSnapshot expected = expected(config, sent);
        TableSnapshot actual = pipeline.snapshot();
        assertThat(actual.toString())
                .as(() -> actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
    }

    private TableSnapshot expected(JobConfig config, List<Sent> sent) {
        Oracle oracle = new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
        List<ContentDownloadEvent> valid = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Case c = corpus.get(i);
            ContentDownloadEvent event = c.record().event();
            if (c.reason() == null) {
                valid.add(event);
            } else {
                Instant eventTime =
                        c.reason().equals("INVALID") ? storable(event.getTimestamp()) : null;
                oracle.rejected(
                        sent.get(i),
                        c.reason(),
                        c.detail().of(sent.get(i)),
                        eventTime,
                        c.record().value() != null);
            }
        }
        return oracle.phase(valid).expected();
    }

    /** TIMESTAMPTZ holds years 1 to 9999 here; other event times are stored as null. */
    private static Instant storable(Instant t) {
        return t.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
                        || t.isAfter(Instant.parse("9999-12-31T23:59:59Z"))
                ? null
                : t;
    }

    // ---- the corpus ----

    private void buildCorpus() throws IOException {
        // Valid records in other spellings of the status: counted.
        valid("status SUCCESS", e -> e.getDownload().setStatus("SUCCESS"));
        valid("status Failed", e -> e.getDownload().setStatus("Failed"));
        valid("status CanCelled", e -> e.getDownload().setStatus("CanCelled"));
        valid("1 MB event_id", e -> e.setEventId("e".repeat(ONE_MB)));
        valid("zero size, speed and duration", e -> zero(e));

        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            // A leading odd byte below 0x80 is a negative string length, -(b >> 1) - 1 in Avro's
            // zig-zag varint: undecodable whatever follows.
            garbage[0] = (byte) ((garbage[0] & 0x7f) | 1);
            malformed(
                    "random bytes " + i,
                    garbage,
                    claims("event_id", -(garbage[0] >> 1) - 1, garbage.length - 1));
        }
        malformed("empty record", new byte[0], "empty record");
        malformed("tombstone (null value)", null, "empty record");
        ContentDownloadEvent goodEvent = event(e -> {});
        byte[] good = TestEvent.encode(goodEvent);
        // The event_id is a UUID: 36 bytes after its one-byte length.
        malformed("truncated to 1 byte", Arrays.copyOf(good, 1), claims("event_id", 36, 0));
        // Half of the bytes end inside the title, "Avengers: Endgame 2".
        malformed(
                "truncated to half",
                Arrays.copyOf(good, good.length / 2),
                claims("content.title", 19, 18));
        // The last byte belongs to the last field, the connection type "wifi".
        malformed(
                "truncated by 1 byte",
                Arrays.copyOf(good, good.length - 1),
                claims("user_context.connection_type", 4, 3));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        malformed("one trailing byte", trailing, "1 trailing bytes after a complete event");
        byte[] other = otherSchema();
        // Its first field, the long 123456789, reads as event_id's length (4 varint bytes).
        malformed(
                "another schema's record", other, claims("event_id", 123456789, other.length - 4));
        byte[] json = "{\"event_id\":\"x\",\"timestamp\":1}".getBytes(StandardCharsets.UTF_8);
        // '{' is 0x7b: the length -62.
        malformed("JSON instead of Avro", json, claims("event_id", -62, json.length - 1));
        byte[] confluent = new byte[good.length + 5];
        System.arraycopy(good, 0, confluent, 5, good.length);
        // The five zero bytes read as an empty event_id, timestamp 0 and three empty strings;
        // content.type then skips the UUID, and content.category takes the event's timestamp
        // (a 6-byte varint) as its length.
        malformed(
                "Confluent framing, not configured",
                confluent,
                claims(
                        "content.category",
                        goodEvent.getTimestamp().toEpochMilli(),
                        good.length - 1 - 36 - 6));
        malformed(
                "union branch 2 of error_code",
                withUnionBranch(2),
                "union branch 2 of download.error_code");
        malformed(
                "union branch -1 of error_message",
                withUnionBranch(-1),
                "union branch 7 of download.error_message");
        malformed("string claiming 1 GB", claimsHugeString(), claims("event_id", 1L << 30, 16));

        invalid(
                "1 MB title",
                e -> e.getContent().setTitle("t".repeat(ONE_MB)),
                "content.title is longer than 1024 or contains NUL");
        invalid(
                "1 MB content_id",
                e -> e.getContent().setContentId("c".repeat(ONE_MB)),
                "content.content_id is longer than 256 characters");
        invalid("empty event_id", e -> e.setEventId(""), "event_id is empty");
        invalid("empty user_id", e -> e.setUserId(""), "user_id is empty");
        invalid(
                "blank region",
                e -> e.getUserContext().setRegion("  "),
                "user_context.region is empty");
        invalid(
                "NUL in device",
                e -> e.getUserContext().setDevice("a\0b"),
                "user_context.device contains a NUL character");
        String badSpeed = "download.speed_mbps is negative or not finite: ";
        invalid("NaN speed", e -> e.getDownload().setSpeedMbps(Float.NaN), badSpeed + "NaN");
        invalid(
                "+Inf speed",
                e -> e.getDownload().setSpeedMbps(Float.POSITIVE_INFINITY),
                badSpeed + "Infinity");
        invalid("negative speed", e -> e.getDownload().setSpeedMbps(-0.5f), badSpeed + "-0.5");
        String badPrice = "content.price is negative or not finite: ";
        invalid("NaN price", e -> e.getContent().setPrice(Float.NaN), badPrice + "NaN");
        invalid(
                "-Inf price",
                e -> e.getContent().setPrice(Float.NEGATIVE_INFINITY),
                badPrice + "-Infinity");
        invalid(
                "negative size",
                e -> e.getContent().setSizeMb(-1),
                "content.size_mb is negative: -1");
        invalid(
                "negative duration",
                e -> e.getDownload().setDurationSeconds(-5),
                "download.duration_seconds is negative: -5");
        String badStatus = "download.status is not success, failed or cancelled";
        invalid("status succeeded", e -> e.getDownload().setStatus("succeeded"), badStatus);
        invalid("status empty", e -> e.getDownload().setStatus(""), badStatus);
        invalid("status with a space", e -> e.getDownload().setStatus("success "), badStatus);
        beforeYear2000("timestamp 0", Instant.EPOCH);
        beforeYear2000("timestamp 1999-12-31", Instant.parse("1999-12-31T23:59:59Z"));
        beforeYear2000("timestamp year -1", Instant.parse("-0001-06-01T00:00:00Z"));
        inTheFuture("timestamp 2 h ahead", Instant.now().plusSeconds(7_200));
        inTheFuture("timestamp year 3000", Instant.parse("3000-01-01T00:00:00Z"));
        inTheFuture("timestamp Long.MAX_VALUE", Instant.ofEpochMilli(Long.MAX_VALUE));
        // More valid records after all that: the job still counts.
        for (int i = 0; i < 10; i++) {
            valid("valid after the corpus " + i, e -> {});
        }
    }

    private static void zero(ContentDownloadEvent e) {
        e.getContent().setSizeMb(0);
        e.getContent().setPrice(0f);
        e.getDownload().setSpeedMbps(0f);
        e.getDownload().setDurationSeconds(0);
    }

    /** A valid event, a second after the previous one, so nothing is ever late. */
    private ContentDownloadEvent event(Consumer<ContentDownloadEvent> change) {
        ContentDownloadEvent e =
                TestEvent.at(T0.plusSeconds(validSeconds++))
                        .region(validSeconds % 2 == 0 ? "EU-London" : "US-California")
                        .build();
        change.accept(e);
        return e;
    }

    /**
     * Every case goes to partition (number of cases so far) mod 3: all partitions see all kinds.
     */
    private int nextPartition() {
        return corpus.size() % Pipeline.PARTITIONS;
    }

    private void valid(String name, Consumer<ContentDownloadEvent> change) {
        corpus.add(new Case(name, new TestEvent(nextPartition(), event(change), null), null, null));
    }

    private void invalid(String name, Consumer<ContentDownloadEvent> change, String detail) {
        invalid(name, change, Detail.is(detail));
    }

    private void invalid(String name, Consumer<ContentDownloadEvent> change, Detail detail) {
        corpus.add(
                new Case(
                        name,
                        new TestEvent(nextPartition(), event(change), null),
                        "INVALID",
                        detail));
    }

    private void beforeYear2000(String name, Instant time) {
        invalid(
                name,
                e -> e.setTimestamp(time),
                "timestamp " + time.toEpochMilli() + " is before 2000-01-01");
    }

    /** Judged against the Kafka record's own timestamp, so the detail names both. */
    private void inTheFuture(String name, Instant time) {
        invalid(
                name,
                e -> e.setTimestamp(time),
                sent ->
                        "timestamp "
                                + time.toEpochMilli()
                                + " is more than 1 h ahead of its Kafka record's timestamp "
                                + sent.logTimestamp());
    }

    private void malformed(String name, byte[] bytes, String detail) {
        corpus.add(
                new Case(
                        name,
                        TestEvent.raw(nextPartition(), bytes),
                        "MALFORMED",
                        Detail.is(detail)));
    }

    /** The decoder's reason for a string length that the bytes left cannot hold. */
    private static String claims(String field, long length, int remaining) {
        return field + " claims " + length + " bytes but " + remaining + " remain";
    }

    /** A record of another schema: a user profile, written with Avro's own writer. */
    private static byte[] otherSchema() throws IOException {
        Schema schema =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"UserProfile\",\"fields\":["
                                        + "{\"name\":\"id\",\"type\":\"long\"},"
                                        + "{\"name\":\"name\",\"type\":\"string\"},"
                                        + "{\"name\":\"tags\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"string\"}}]}");
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", 123456789L);
        r.put("name", "Ada");
        r.put("tags", List.of("a", "b"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /**
     * The event written field by field with Avro's encoder, with {@code branch} as the union index
     * of error_code (or of error_message when negative, as index 7): no such branch exists.
     */
    private static byte[] withUnionBranch(int branch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        enc.writeString("id-1");
        enc.writeLong(T0.toEpochMilli());
        enc.writeString("user-1");
        enc.writeString("mov_1");
        enc.writeString("Title");
        enc.writeString("movie");
        enc.writeString("action");
        enc.writeInt(100);
        enc.writeFloat(1.5f);
        enc.writeString("failed");
        enc.writeInt(30);
        enc.writeFloat(2f);
        if (branch >= 0) {
            enc.writeIndex(branch);
            enc.writeString("x");
            enc.writeIndex(0);
        } else {
            enc.writeIndex(0);
            enc.writeIndex(7);
            enc.writeString("x");
        }
        for (String s : new String[] {"EU-London", "London", "Pixel 9", "Android 15", "wifi"}) {
            enc.writeString(s);
        }
        enc.flush();
        return out.toByteArray();
    }

    /** A record whose first string claims a gigabyte: must not be allocated. */
    private static byte[] claimsHugeString() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        enc.writeLong(1L << 30);
        enc.writeFixed(new byte[16]);
        enc.flush();
        return out.toByteArray();
    }
}
