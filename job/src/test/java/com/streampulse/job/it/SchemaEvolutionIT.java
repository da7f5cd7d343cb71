package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.config.JobConfig;
import com.streampulse.schemas.SchemaVersions;
import com.streampulse.schemas.SingleObjectWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Producers upgrading their schema, through the whole job (real Kafka, MiniCluster at parallelism
 * 2, real PostgreSQL): producers that add a field (schema version 2, Avro single-object encoding)
 * are counted as before, and old producers (plain binary of version 1) and new ones writing to the
 * same topic, the same partitions and the same windows are each counted exactly once. Every row of
 * every table is compared with what {@link Oracle} computes from the events' content.
 */
class SchemaEvolutionIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
    private static final int EVENTS = 120;
    private static final String[] REGIONS = {"US-California", "EU-Paris", "ASIA-Tokyo"};

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
    void producersThatAddAFieldAreCountedAsBefore() throws Exception {
        pipeline.reset();
        SingleObjectWriter v2 = new SingleObjectWriter(2, "5.2.0");
        List<TestEvent> records = new ArrayList<>();
        for (ContentDownloadEvent e : traffic()) {
            records.add(TestEvent.encoded(partition(e), e, v2.write(e)));
        }
        List<Sent> sent = pipeline.send(records);

        JobConfig config = runToTheEnd();

        TableSnapshot expected = oracle(config).phase(events(sent)).expected();
        TableSnapshot actual = pipeline.snapshot();
        assertThat(actual.toString())
                .as(() -> actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(totalDownloads()).isEqualTo(EVENTS);
        assertThat(actual.rejectedEvents()).isEmpty();
    }

    @Test
    void oldAndNewProducersOnTheSameTopicAreEachCountedOnce() throws Exception {
        pipeline.reset();
        SingleObjectWriter v1 = new SingleObjectWriter(1, null);
        SingleObjectWriter v2 = new SingleObjectWriter(2, "5.2.0");
        SingleObjectWriter v2WithoutAppVersion = new SingleObjectWriter(2, null);
        List<TestEvent> records = new ArrayList<>();
        int i = 0;
        for (ContentDownloadEvent e : traffic()) {
            // Every window, key and partition gets all four kinds of producer.
            records.add(
                    switch (i++ % 4) {
                        case 0 -> new TestEvent(partition(e), e, null); // plain binary, v1
                        case 1 -> TestEvent.encoded(partition(e), e, v2.write(e));
                        case 2 -> TestEvent.encoded(partition(e), e, v1.write(e));
                        default -> TestEvent.encoded(partition(e), e, v2WithoutAppVersion.write(e));
                    });
        }
        ContentDownloadEvent late = traffic().get(EVENTS - 1);
        byte[] cut = v2WithoutAppVersion.write(late);
        byte[] fromVersion3 = versionThreeProducer(late);
        ContentDownloadEvent paused = TestEvent.at(late.getTimestamp()).status("paused").build();
        records.add(TestEvent.raw(0, fromVersion3));
        records.add(TestEvent.raw(1, Arrays.copyOf(cut, cut.length - 1)));
        records.add(TestEvent.encoded(2, paused, v2.write(paused)));
        List<Sent> sent = pipeline.send(records);

        JobConfig config = runToTheEnd();

        List<Sent> counted = sent.subList(0, EVENTS);
        Oracle oracle = oracle(config).phase(events(counted));
        String v3 = SchemaVersions.hex(SchemaNormalization.parsingFingerprint64(versionThree()));
        oracle.rejected(
                sent.get(EVENTS),
                "MALFORMED",
                "unknown writer schema fingerprint "
                        + v3
                        + " (single-object encoding; known: v1 (fingerprint 8fdd51b936010efb), v2"
                        + " (fingerprint d35dc7d39eac72fe))",
                null,
                true);
        oracle.rejected(
                sent.get(EVENTS + 1),
                "MALFORMED",
                "body does not decode as schema v2 (fingerprint d35dc7d39eac72fe): EOFException",
                null,
                true);
        oracle.rejected(
                sent.get(EVENTS + 2),
                "INVALID",
                "download.status is not success, failed or cancelled",
                paused.getTimestamp(),
                true);
        TableSnapshot expected = oracle.expected();
        TableSnapshot actual = pipeline.snapshot();
        assertThat(actual.toString())
                .as(() -> actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(totalDownloads()).isEqualTo(EVENTS);
    }

    /**
     * Two minutes of downloads, 1 s apart, in three regions on two devices and two titles; every
     * seventh fails, and EU-Paris fails often enough in the first minute to raise an alert.
     */
    private static List<ContentDownloadEvent> traffic() {
        List<ContentDownloadEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String region = REGIONS[i % REGIONS.length];
            TestEvent.Builder e =
                    TestEvent.at(T0.plusSeconds(i)).region(region).eventId("event-" + i);
            if (i % 2 == 1) {
                e.device("Pixel 9", "Android 15").content("mov_barbie_2", "Barbie 2", 2000);
            }
            if (i % 7 == 0 || (region.equals("EU-Paris") && i < 60 && i % 4 == 1)) {
                e.failed();
            }
            events.add(e.build());
        }
        return events;
    }

    /** Each region on its own partition: in order there, as a keyed producer sends it. */
    private static int partition(ContentDownloadEvent e) {
        return Arrays.asList(REGIONS).indexOf(e.getUserContext().getRegion());
    }

    private static List<ContentDownloadEvent> events(List<Sent> sent) {
        return sent.stream().map(s -> s.record().event()).toList();
    }

    /** Runs the production job over everything the topic holds now, to the end of input. */
    private static JobConfig runToTheEnd() throws Exception {
        JobConfig config = pipeline.config("--idleness=60s");
        pipeline.job(config, Pipeline.boundedSource(config))
                .executeAsync("schema-evolution")
                .getJobExecutionResult()
                .get();
        return config;
    }

    private static Oracle oracle(JobConfig config) {
        return new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
    }

    private static long totalDownloads() throws Exception {
        try (Connection c = pipeline.db().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT sum(total_downloads) FROM region_health")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** A producer already on a version 3 that nobody added to {@code schemas/versions/}. */
    private static byte[] versionThreeProducer(ContentDownloadEvent event) throws IOException {
        Schema v3 = versionThree();
        GenericRecord v2 = new SingleObjectWriter(2, "6.0.0").upgrade(event);
        GenericRecord record = new GenericData.Record(v3);
        for (Field f : v2.getSchema().getFields()) {
            record.put(f.name(), v2.get(f.name()));
        }
        record.put("session_id", "s-1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v3).encode(record, out);
        return out.toByteArray();
    }

    /** Version 2 plus a top-level {@code session_id}. */
    private static Schema versionThree() {
        Schema v2 = SchemaVersions.get(2).schema();
        List<Field> fields = new ArrayList<>();
        for (Field f : v2.getFields()) {
            fields.add(new Field(f, f.schema()));
        }
        fields.add(new Field("session_id", Schema.create(Schema.Type.STRING), null, ""));
        return Schema.createRecord(v2.getName(), null, v2.getNamespace(), false, fields);
    }
}
