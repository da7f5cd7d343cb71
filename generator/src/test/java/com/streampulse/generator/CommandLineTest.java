package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad options and an unreachable broker end with one line and a non-zero exit code. */
class CommandLineTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void unknownRegionIsABadOption() {
        int exit = GeneratorMain.run(Map.of(), new String[] {"--degrade", "MARS-Base"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors()).startsWith("❌ unknown region 'MARS-Base'; one of [US-California,");
        assertThat(errors().lines()).hasSize(1);
    }

    @Test
    void unknownEncodingIsABadOption() {
        int exit = GeneratorMain.run(Map.of(), new String[] {"--encoding", "json"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors())
                .isEqualTo("❌ --encoding must be plain or single-object, got 'json' (see --help)");
    }

    @Test
    void plainBinaryIsAlwaysVersionOne() {
        int exit = GeneratorMain.run(Map.of(), new String[] {"--schema-version", "2"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors())
                .isEqualTo(
                        "❌ --schema-version 2 needs --encoding single-object: plain binary"
                                + " carries no schema identity and is always version 1 (see"
                                + " --help)");
    }

    @Test
    void unknownSchemaVersionNamesTheVersionsThereAre() {
        int exit =
                GeneratorMain.run(
                        Map.of(),
                        new String[] {"--encoding", "single-object", "--schema-version", "9"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors())
                .isEqualTo(
                        "❌ --schema-version: no schema version 9; versions are 1 to 2 (see"
                                + " --help)");
    }

    @Test
    void malformedDurationIsABadOption() {
        int exit = GeneratorMain.run(Map.of(), new String[] {"--duration", "soon"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors()).contains("'soon' is not a duration").contains("(see --help)");
    }

    @Test
    void fractionAboveOneIsABadOption() {
        int exit =
                GeneratorMain.run(
                        Map.of(), new String[] {"--malformed-fraction", "1.5", "--count", "1"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors()).contains("malformed fraction must be between 0 and 1, got 1.5");
    }

    @Test
    void badKafkaSettingNamesTheVariable() {
        int exit =
                GeneratorMain.run(
                        Map.of("KAFKA_SECURITY_PROTOCOL", "CARRIER_PIGEON"),
                        new String[] {"--count", "1"});
        assertThat(exit).isEqualTo(2);
        assertThat(errors()).startsWith("❌ KAFKA_SECURITY_PROTOCOL must be");
    }

    @Test
    void unreachableBrokerFailsWithOneLineNamingTheTimeout() {
        int exit =
                GeneratorMain.run(
                        Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:1"),
                        new String[] {"--count", "1", "--connect-timeout", "2s"});
        assertThat(exit).isEqualTo(1);
        assertThat(errors())
                .isEqualTo(
                        "❌ Cannot reach Kafka at localhost:1 within 2 s: check"
                                + " KAFKA_BOOTSTRAP_SERVERS (--kafka-bootstrap-servers), that the"
                                + " broker runs, and the credentials");
    }

    @Test
    void helpListsTheOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(GeneratorMain.run(Map.of(), new String[] {"--help"})).isZero();
        } finally {
            System.setOut(originalOut);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--rate", "--count", "--duration", "--seed", "--degrade")
                .contains("--out-of-order", "--late-fraction", "--malformed-fraction")
                .contains("--replay", "--dump", "--kafka-bootstrap-servers");
    }
}
