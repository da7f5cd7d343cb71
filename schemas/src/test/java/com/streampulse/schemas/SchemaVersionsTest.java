package com.streampulse.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.schemas.SchemaVersions.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class SchemaVersionsTest {

    private static final String V1_FINGERPRINT = "8fdd51b936010efb";
    private static final String V2_FINGERPRINT = "d35dc7d39eac72fe";

    @Test
    void everyFileInTheVersionsFolderIsLoadedAndTheNumbersHaveNoGap() throws IOException {
        List<String> files;
        try (Stream<Path> listing = Files.list(Path.of("versions"))) {
            files = listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> loaded =
                IntStream.rangeClosed(1, SchemaVersions.all().size())
                        .mapToObj(n -> "v" + n + ".avsc")
                        .sorted()
                        .toList();

        assertThat(files).isEqualTo(loaded);
        assertThat(SchemaVersions.all()).extracting(Version::number).startsWith(1, 2);
    }

    @Test
    void publishedVersionsNeverChange() {
        // Producers put these fingerprints on the wire; a changed file would orphan them.
        // (Docs and field order of the JSON text may change: the canonical form ignores docs.)
        assertThat(SchemaVersions.get(1).fingerprintHex()).isEqualTo(V1_FINGERPRINT);
        assertThat(SchemaVersions.get(2).fingerprintHex()).isEqualTo(V2_FINGERPRINT);
    }

    @Test
    void everyVersionResolvesIntoTheCurrentReaderSchema() {
        for (Version writer : SchemaVersions.all()) {
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                            SchemaVersions.current().schema(), writer.schema())
                                    .getType())
                    .as(writer.toString())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @Test
    void fingerprintsTellEveryVersionApart() {
        assertThat(SchemaVersions.all().stream().map(Version::fingerprint).distinct().count())
                .isEqualTo(SchemaVersions.all().size());
    }

    @Test
    void generatedClassesFollowTheOriginalVersion() {
        assertThat(SchemaNormalization.parsingFingerprint64(ContentDownloadEvent.getClassSchema()))
                .isEqualTo(SchemaVersions.get(SchemaVersions.ORIGINAL).fingerprint());
    }

    @Test
    void unknownVersionNamesTheRange() {
        int last = SchemaVersions.all().size();
        assertThatThrownBy(() -> SchemaVersions.get(last + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no schema version " + (last + 1) + "; versions are 1 to " + last);
        assertThatThrownBy(() -> SchemaVersions.get(0))
                .hasMessage("no schema version 0; versions are 1 to " + last);
    }

    @Test
    void fingerprintIsSixteenHexDigits() {
        assertThat(SchemaVersions.hex(1L)).isEqualTo("0000000000000001");
        assertThat(SchemaVersions.hex(-1L)).isEqualTo("ffffffffffffffff");
    }
}
