package com.streampulse.job.sessions;

import static com.streampulse.job.sessions.SessionBuilderTest.download;
import static com.streampulse.job.sessions.SessionBuilderTest.partial;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ValueTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** What crosses the network between the pre-aggregator and the sessions. */
class SessionBatchTest {

    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    @Test
    void flinkSerializesABatchWithItsOwnLayoutNotAsAPojo() {
        assertThat(TypeInformation.of(SessionBatch.class)).isInstanceOf(ValueTypeInfo.class);
    }

    @Test
    void aBatchArrivesWithEveryPartialExactlyAsSent() throws Exception {
        SessionPartial two =
                partial(
                        "user_0000042",
                        download("user_0000042", T0 + 5_000, "c9", "EU", "tv", Status.SUCCESS, 700),
                        download("user_0000042", T0 + 1_000, "c1", "US", "tv", Status.FAILED, 30),
                        download(
                                "user_0000042",
                                T0 + 59_000,
                                "c9",
                                "EU",
                                "phone",
                                Status.CANCELLED,
                                5));
        SessionPartial one =
                partial(
                        "user_ünïcode",
                        download("user_ünïcode", T0, "ç", "ÉU", "📱", Status.SUCCESS, 1));

        SessionBatch received = roundTrip(SessionPartial.batch(311, two, one));

        assertThat(received.bucket).isEqualTo(311);
        assertThat(Arrays.stream(SessionPartial.of(received)).map(SessionBatchTest::describe))
                .containsExactly(
                        "user_0000042 "
                                + (T0 + 1_000)
                                + ".."
                                + (T0 + 59_000)
                                + " downloads=3 failed=1 sizeMb=700 contents=[c1, c9]"
                                + " regions=[EU, US] devices=[phone, tv]",
                        "user_ünïcode "
                                + T0
                                + ".."
                                + T0
                                + " downloads=1 failed=0 sizeMb=1 contents=[ç]"
                                + " regions=[ÉU] devices=[📱]");
    }

    @Test
    void anEmptyBatchRoundTrips() throws Exception {
        SessionBatch received = roundTrip(SessionPartial.batch(0));

        assertThat(received.bucket).isZero();
        assertThat(SessionPartial.of(received)).isEmpty();
    }

    private static SessionBatch roundTrip(SessionBatch batch) throws Exception {
        TypeSerializer<SessionBatch> serializer =
                TypeInformation.of(SessionBatch.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(batch, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        SessionBatch received = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return received;
    }

    private static String describe(SessionPartial p) {
        return p.userId
                + " "
                + p.start
                + ".."
                + p.end
                + " downloads="
                + p.downloads
                + " failed="
                + p.failed
                + " sizeMb="
                + p.successfulSizeMb
                + " contents="
                + SessionPartial.contentIds(p.contents, "c1", "c9", "ç")
                + " regions="
                + Arrays.toString(p.regions)
                + " devices="
                + Arrays.toString(p.devices);
    }
}
