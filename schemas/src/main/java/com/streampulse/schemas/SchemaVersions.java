package com.streampulse.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every version of the event schema, loaded from the files this module ships ({@code
 * schemas/versions/v1.avsc}, {@code v2.avsc}, ...): the one copy of each, for the job and the
 * generator alike. Versions are numbered from 1 without gaps, so loading stops at the first missing
 * number (a jar's directory cannot be listed reliably); a test checks the folder has no gap.
 */
public final class SchemaVersions {

    /**
     * The version of plain Avro binary (no header): what the original producers send, what the
     * generated classes ({@code com.streampulse.events}) and the job's fast decoder follow. Plain
     * binary carries no writer identity, so it can never be any other version.
     */
    public static final int ORIGINAL = 1;

    /**
     * The reader schema: the version the job projects from, into which every version's records are
     * resolved. Raise it only together with the job's projection and the generated classes.
     */
    public static final int CURRENT = 1;

    /** Where the files are on the classpath. */
    public static final String RESOURCE_FOLDER = "/com/streampulse/schemas/versions/";

    private static final List<Version> ALL = load();

    /**
     * One schema version.
     *
     * @param fingerprint CRC-64-AVRO of the schema's parsing canonical form, as Avro's
     *     single-object encoding carries it ({@link SchemaNormalization#parsingFingerprint64})
     */
    public record Version(int number, Schema schema, long fingerprint) {

        /** The fingerprint as 16 hex digits, the way reasons and logs name it. */
        public String fingerprintHex() {
            return hex(fingerprint);
        }

        @Override
        public String toString() {
            return "v" + number + " (fingerprint " + fingerprintHex() + ")";
        }
    }

    private SchemaVersions() {}

    /** Every version, oldest first. */
    public static List<Version> all() {
        return ALL;
    }

    /** Version {@code number}; throws naming the versions that exist. */
    public static Version get(int number) {
        if (number < 1 || number > ALL.size()) {
            throw new IllegalArgumentException(
                    "no schema version " + number + "; versions are 1 to " + ALL.size());
        }
        return ALL.get(number - 1);
    }

    public static Version current() {
        return get(CURRENT);
    }

    /** A fingerprint as 16 lower-case hex digits. */
    public static String hex(long fingerprint) {
        return String.format(Locale.ROOT, "%016x", fingerprint);
    }

    private static List<Version> load() {
        List<Version> versions = new ArrayList<>();
        for (int n = 1; ; n++) {
            String name = RESOURCE_FOLDER + "v" + n + ".avsc";
            try (InputStream in = SchemaVersions.class.getResourceAsStream(name)) {
                if (in == null) {
                    break;
                }
                // A parser per file: the versions share their record names.
                Schema schema = new Schema.Parser().parse(in);
                versions.add(
                        new Version(n, schema, SchemaNormalization.parsingFingerprint64(schema)));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read schema " + name, e);
            }
        }
        if (versions.size() < Math.max(ORIGINAL, CURRENT)) {
            throw new IllegalStateException(
                    "schema versions missing from the classpath under " + RESOURCE_FOLDER);
        }
        return List.copyOf(versions);
    }
}
