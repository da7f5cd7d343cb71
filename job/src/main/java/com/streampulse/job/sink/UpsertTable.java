package com.streampulse.job.sink;

import java.io.Serializable;
import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.util.function.SerializableFunction;

/**
 * A result table written as an upsert on its natural key: the declaration (name, columns, key, what
 * an update also sets, and which updates it declines) and the one statement that writes a whole
 * batch.
 *
 * <p>A batch is one {@code INSERT ... SELECT ... FROM unnest(?::text[], ?::int8[], ...) ON CONFLICT
 * ... DO UPDATE}: one array parameter per column, so one round trip and one statement whatever the
 * number of rows, atomic on its own. Of the candidates {@code make bench-sink} measures (this, a
 * binary {@code COPY} into a staging table and an upsert from it, text {@code COPY}, multi-row
 * {@code VALUES}, one statement per row), {@code unnest} wrote the most rows per second and used
 * the least CPU per row in most runs (BENCHMARKS.md). pgjdbc quotes each array element, so tabs,
 * newlines, backslashes, quotes and any Unicode arrive as they were sent.
 *
 * <p>PostgreSQL refuses a statement that updates the same row twice, so the batch keeps one row per
 * key, the last one added: a window that fired again before the flush (late data) is written with
 * its later counts, as if both firings had been written in order.
 */
public final class UpsertTable<T> implements SinkTable<T> {

    private static final long serialVersionUID = 1L;

    /** A column's PostgreSQL type, and the Java type its values have. */
    public enum Type {
        TEXT("text", String.class),
        INT("int4", Integer.class),
        BIGINT("int8", Long.class),
        FLOAT8("float8", Double.class),
        BYTEA("bytea", byte[].class),
        /** Epoch milliseconds, sent as int8 and turned into a timestamptz by the statement. */
        TIMESTAMPTZ("int8", Long.class);

        final String arrayElement;
        final Class<?> javaType;

        Type(String arrayElement, Class<?> javaType) {
            this.arrayElement = arrayElement;
            this.javaType = javaType;
        }
    }

    record Column<T>(String name, Type type, SerializableFunction<T, ?> value)
            implements Serializable {

        /** The value selected from the unnest alias {@code u}. */
        String select() {
            return type == Type.TIMESTAMPTZ
                    ? "timestamptz 'epoch' + u." + name + " * interval '1 millisecond'"
                    : "u." + name;
        }
    }

    private final String name;
    private final List<Column<T>> columns;
    private final int[] keyIndexes;
    private final String sql;

    private UpsertTable(
            String name, List<Column<T>> columns, List<String> key, String alsoSet, String onlyIf) {
        this.name = name;
        this.columns = List.copyOf(columns);
        List<String> names = columns.stream().map(Column::name).toList();
        this.keyIndexes = key.stream().mapToInt(names::indexOf).toArray();
        if (Arrays.stream(keyIndexes).anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException(name + ": key " + key + " not among " + names);
        }
        this.sql = upsertSql(key, alsoSet, onlyIf);
    }

    public static <T> Builder<T> named(String table) {
        return new Builder<>(table);
    }

    @Override
    public String name() {
        return name;
    }

    private String upsertSql(List<String> key, String alsoSet, String onlyIf) {
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        String selected = columns.stream().map(Column::select).collect(Collectors.joining(", "));
        String arrays =
                columns.stream()
                        .map(c -> "?::" + c.type().arrayElement + "[]")
                        .collect(Collectors.joining(", "));
        List<String> updates = new ArrayList<>();
        for (Column<T> c : columns) {
            if (!key.contains(c.name())) {
                updates.add(c.name() + " = EXCLUDED." + c.name());
            }
        }
        if (alsoSet != null) {
            updates.add(alsoSet);
        }
        return "INSERT INTO "
                + name
                + " ("
                + names
                + ") SELECT "
                + selected
                + " FROM unnest("
                + arrays
                + ") AS u("
                + names
                + ") ON CONFLICT ("
                + String.join(", ", key)
                + ") DO UPDATE SET "
                + String.join(", ", updates)
                + (onlyIf == null ? "" : " WHERE " + onlyIf);
    }

    @Override
    public Batch<T> newBatch() {
        return new UnnestBatch();
    }

    private final class UnnestBatch implements Batch<T> {
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

        @Override
        public void writeTo(Connection connection) throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int c = 0; c < columns.size(); c++) {
                    Column<T> column = columns.get(c);
                    // Typed (a Long[], not an Object[] of Longs): pgjdbc picks its encoder by the
                    // class.
                    Object[] values =
                            (Object[]) Array.newInstance(column.type().javaType, rows.size());
                    int i = 0;
                    for (T row : rows.values()) {
                        values[i++] = column.value().apply(row);
                    }
                    ps.setArray(
                            c + 1, connection.createArrayOf(column.type().arrayElement, values));
                }
                ps.executeUpdate();
            }
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
