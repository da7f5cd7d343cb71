package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayDumpTest {

    static final Instant START = Instant.parse("2026-05-05T05:05:05Z");

    @TempDir Path dir;

    /** A sink that keeps what it is given. */
    static final class Collecting implements RecordSink {
        final List<Outgoing> records = new ArrayList<>();

        @Override
        public void send(Outgoing record) {
            records.add(record);
        }
    }

    static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    @Test
    void aDumpReplaysToTheSameKeysAndBytes() {
        Path file = dir.resolve("run.jsonl");
        SyntheticOptions options =
                SyntheticOptions.plain(8, START, 0)
                        .withDisorder(Duration.ofSeconds(3), 0.05, Duration.ofMinutes(10))
                        .withBadInput(0.05, 0.05);
        Collecting sent = new Collecting();
        try (DumpSink dump = new DumpSink(file)) {
            new Generator(
                            new SyntheticSource(options),
                            List.of(sent, dump),
                            0,
                            3_000,
                            null,
                            null,
                            quiet())
                    .run();
        }
        Collecting replayed = new Collecting();
        try (ReplaySource replay = new ReplaySource(file)) {
            Generator.Summary summary =
                    new Generator(replay, List.of(replayed), 0, 0, null, null, quiet()).run();
            assertThat(summary.total()).isEqualTo(3_000);
        }
        assertThat(replayed.records).hasSize(3_000);
        for (int i = 0; i < 3_000; i++) {
            Outgoing original = sent.records.get(i);
            Outgoing again = replayed.records.get(i);
            assertThat(again.key()).isEqualTo(original.key());
            assertThat(again.value()).as("record %d", i).isEqualTo(original.value());
            assertThat(again.event() == null).isEqualTo(original.kind() == Outgoing.Kind.MALFORMED);
        }
    }

    @Test
    void dumpLinesUseTheAvroFieldNamesNestedAsInTheSchema() throws Exception {
        Outgoing record = new SyntheticSource(SyntheticOptions.plain(1, START, 1)).next();
        String line = new JsonLines().write(record);
        assertThat(line)
                .startsWith("{\"event_id\":\"")
                .contains("\"timestamp\":" + START.toEpochMilli())
                .contains("\"content\":{\"content_id\":")
                .contains("\"download\":{\"status\":")
                .contains("\"user_context\":{\"region\":");
    }

    @Test
    void aHandWrittenRawLineIsSentAsItsBytes() throws Exception {
        Path file = dir.resolve("raw.jsonl");
        Files.writeString(file, "{\"key\":\"EU-Paris\",\"raw_base64\":\"AAEC\"}\n\n");
        try (ReplaySource replay = new ReplaySource(file)) {
            Outgoing raw = replay.next();
            assertThat(raw.key()).isEqualTo("EU-Paris");
            assertThat(raw.value()).containsExactly(0, 1, 2);
            assertThat(replay.hasNext()).isFalse();
        }
    }

    @Test
    void aBadLineIsReportedWithItsNumber() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        String good =
                new JsonLines()
                        .write(new SyntheticSource(SyntheticOptions.plain(1, START, 1)).next());
        Files.writeString(file, good + "\n" + good.replace("\"user_id\"", "\"user\"") + "\n");
        try (ReplaySource replay = new ReplaySource(file)) {
            replay.next();
            assertThatThrownBy(replay::hasNext)
                    .isInstanceOf(GeneratorException.class)
                    .hasMessage(file + " line 2: missing field 'user_id'");
        }
    }

    @Test
    void theCommandLineWithTheSameSeedWritesTheSameFile() throws Exception {
        Path first = dir.resolve("a.jsonl");
        Path second = dir.resolve("b.jsonl");
        for (Path file : List.of(first, second)) {
            int exit =
                    GeneratorMain.run(
                            Map.of(),
                            new String[] {
                                "--count",
                                "500",
                                "--rate",
                                "0",
                                "--seed",
                                "42",
                                "--start-time",
                                "2026-01-01T00:00:00Z",
                                "--malformed-fraction",
                                "0.1",
                                "--out-of-order",
                                "--degrade",
                                "EU-Berlin",
                                "--dry-run",
                                "--dump",
                                file.toString()
                            });
            assertThat(exit).isZero();
        }
        assertThat(Files.readAllLines(first, StandardCharsets.UTF_8))
                .hasSize(500)
                .isEqualTo(Files.readAllLines(second, StandardCharsets.UTF_8));
    }
}
