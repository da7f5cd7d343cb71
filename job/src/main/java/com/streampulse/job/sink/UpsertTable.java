package com.streampulse.job.sink;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.util.function.SerializableFunction;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A result table written as an upsert on its natural key: the declaration (name, columns, key, what
 * an update also sets, and which updates it declines) and how a whole batch is written.
 *
 * <p>A batch is one transaction on the writer's connection: {@code COPY} of its rows, in
 * PostgreSQL's binary format, into a temporary staging table of the connection's session, then one
 * {@code INSERT ... SELECT ... ON CONFLICT ... DO UPDATE} from it; the staging table empties itself
 * at the commit ({@code ON COMMIT DELETE ROWS}). Of the candidates {@code make bench-sink} measures
 * (this, an {@code unnest} of one array parameter per column, multi-row {@code VALUES}, one
 * statement per row), {@code COPY} was the fastest on a quiet machine (BENCHMARKS.md). The binary
 * format needs no escaping: a value is its length and its bytes, so tabs, newlines, backslashes and
 * any Unicode arrive as they were sent.
 *
 * <p>PostgreSQL refuses a statement that updates the same row twice, so the batch keeps one row per
 * key, the last one added: a window that fired again before the flush (late data) is written with
 * its later counts, as if both firings had been written in order.
 */
public final class UpsertTable<T> implements SinkTable<T> {

    private static final long serialVersionUID = 1L;

    /** Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's epoch for timestamps. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private static final byte[] COPY_SIGNATURE = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
    };

    /** A column's PostgreSQL type; the builder method of each says which Java type it takes. */
    public enum Type {
        TEXT("text"),
        INT("int4"),
        BIGINT("int8"),
        FLOAT8("float8"),
        BYTEA("bytea"),
        /** Epoch milliseconds in Java, a timestamptz in PostgreSQL. */
        TIMESTAMPTZ("timestamptz");

        final String sqlType;

        Type(String sqlType) {
            this.sqlType = sqlType;
        }

        /** One field of a binary COPY row: its length in bytes, then the value (-1 for null). */
        void writeField(Object value, DataOutputStream out) throws IOException {
            if (value == null) {
                out.writeInt(-1);
                return;
            }
            switch (this) {
                case TEXT -> {
                    byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
                case INT -> {
                    out.writeInt(4);
                    out.writeInt((Integer) value);
                }
                case BIGINT -> {
                    out.writeInt(8);
                    out.writeLong((Long) value);
                }
                case FLOAT8 -> {
                    out.writeInt(8);
                    out.writeDouble((Double) value);
                }
                case BYTEA -> {
                    byte[] bytes = (byte[]) value;
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
                case TIMESTAMPTZ -> {
                    out.writeInt(8);
                    out.writeLong((Long) value * 1000 - POSTGRES_EPOCH_MICROS);
                }
            }
        }
    }

    record Column<T>(String name, Type type, SerializableFunction<T, ?> value)
            implements Serializable {}

    private final String name;
    private final List<Column<T>> columns;
    private final int[] keyIndexes;
    private final String createStaging;
    private final String copy;
    private final String upsert;

    private UpsertTable(
            String name, List<Column<T>> columns, List<String> key, String alsoSet, String onlyIf) {
        this.name = name;
        this.columns = List.copyOf(columns);
        List<String> names = columns.stream().map(Column::name).toList();
        this.keyIndexes = key.stream().mapToInt(names::indexOf).toArray();
        if (Arrays.stream(keyIndexes).anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException(name + ": key " + key + " not among " + names);
        }
        String staging = "pg_temp.staging_" + name;
        String columnList = String.join(", ", names);
        this.createStaging =
                "CREATE TEMP TABLE IF NOT EXISTS staging_"
                        + name
                        + " ("
                        + columns.stream()
                                .map(c -> c.name() + " " + c.type().sqlType)
                                .collect(Collectors.joining(", "))
                        + ") ON COMMIT DELETE ROWS";
        this.copy = "COPY " + staging + " (" + columnList + ") FROM STDIN (FORMAT binary)";
        List<String> updates = new ArrayList<>();
        for (String column : names) {
            if (!key.contains(column)) {
                updates.add(column + " = EXCLUDED." + column);
            }
        }
        if (alsoSet != null) {
            updates.add(alsoSet);
        }
        this.upsert =
                "INSERT INTO "
                        + name
                        + " ("
                        + columnList
                        + ") SELECT "
                        + columnList
                        + " FROM "
                        + staging
                        + " ON CONFLICT ("
                        + String.join(", ", key)
                        + ") DO UPDATE SET "
                        + String.join(", ", updates)
                        + (onlyIf == null ? "" : " WHERE " + onlyIf);
    }

    public static <T> Builder<T> named(String table) {
        return new Builder<>(table);
    }

    @Override
    public String name() {
        return name;
    }

    /** The statement that moves a batch from the staging table into the table. */
    public String upsertSql() {
        return upsert;
    }

    @Override
    public Batch<T> newBatch() {
        return new StagedBatch();
    }

    private final class StagedBatch implements Batch<T> {
        private final Map<List<Object>, T> rows = new LinkedHashMap<>();

        @Override
        public void add(T row) {
            Object[] k = new Object[keyIndexes.length];
            for (int i = 0; i < k.length; i++) {
                k[i] = columns.get(keyIndexes[i]).value().apply(row);
            }
            // Remove first, so a re-added key moves to the end: rows keep their last-added order.
            List<Object> rowKey = Arrays.asList(k);
            rows.remove(rowKey);
            rows.put(rowKey, row);
        }

        @Override
        public int size() {
            return rows.size();
        }

        /**
         * One transaction: the staging table (created the first time in the connection's session,
         * so a new connection or a pooler's other session gets its own), the COPY, the upsert, the
         * commit. On failure it is rolled back, so the connection is ready for a retry and nothing
         * of the batch is in the table.
         */
        @Override
        public void writeTo(Connection connection) throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            byte[] data = binaryCopyData();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute(createStaging);
                CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copy);
                try {
                    in.writeToCopy(data, 0, data.length);
                    in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                }
                statement.executeUpdate(upsert);
                connection.commit();
            } catch (SQLException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // A broken connection: the writer replaces it before the next attempt.
                }
            }
        }

        private byte[] binaryCopyData() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.write(COPY_SIGNATURE);
                out.writeInt(0); // flags: no OIDs
                out.writeInt(0); // no header extension
                for (T row : rows.values()) {
                    out.writeShort(columns.size());
                    for (Column<T> column : columns) {
                        column.type().writeField(column.value().apply(row), out);
                    }
                }
                out.writeShort(-1); // end of data
            } catch (IOException e) {
                throw new UncheckedIOException("cannot happen: an in-memory stream", e);
            }
            return bytes.toByteArray();
        }

        @Override
        public void clear() {
            rows.clear();
        }
    }

    /** Declares a table column by column; see {@code JdbcSinks} for the project's tables. */
    public static final class Builder<T> {
        private final String name;
        private final List<Column<T>> columns = new ArrayList<>();
        private List<String> key = List.of();
        private String alsoSet;
        private String onlyIf;

        private Builder(String name) {
            this.name = name;
        }

        public Builder<T> text(String column, SerializableFunction<T, String> value) {
            return column(column, Type.TEXT, value);
        }

        public Builder<T> integer(String column, SerializableFunction<T, Integer> value) {
            return column(column, Type.INT, value);
        }

        public Builder<T> bigint(String column, SerializableFunction<T, Long> value) {
            return column(column, Type.BIGINT, value);
        }

        public Builder<T> float8(String column, SerializableFunction<T, Double> value) {
            return column(column, Type.FLOAT8, value);
        }

        public Builder<T> bytea(String column, SerializableFunction<T, byte[]> value) {
            return column(column, Type.BYTEA, value);
        }

        /** Epoch milliseconds into a {@code timestamptz} column; null stays null. */
        public Builder<T> timestamp(String column, SerializableFunction<T, Long> epochMillis) {
            return column(column, Type.TIMESTAMPTZ, epochMillis);
        }

        private Builder<T> column(String column, Type type, SerializableFunction<T, ?> value) {
            columns.add(new Column<>(column, type, value));
            return this;
        }

        /** The natural key: the ON CONFLICT target, and what a batch keeps one row of. */
        public Builder<T> key(String... keyColumns) {
            this.key = List.of(keyColumns);
            return this;
        }

        /**
         * An assignment an update makes besides the new values, e.g. {@code updated_at = now()}.
         */
        public Builder<T> alsoSet(String assignment) {
            this.alsoSet = assignment;
            return this;
        }

        /**
         * The condition under which a row replaces the stored one (the stored row is {@code name}).
         */
        public Builder<T> onlyIf(String condition) {
            this.onlyIf = condition;
            return this;
        }

        public UpsertTable<T> build() {
            if (key.isEmpty()) {
                throw new IllegalArgumentException(name + ": an upsert needs a key");
            }
            return new UpsertTable<>(name, columns, key, alsoSet, onlyIf);
        }
    }
}
