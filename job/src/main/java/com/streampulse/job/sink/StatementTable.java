package com.streampulse.job.sink;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A table written one statement per row, in one JDBC batch per flush: for rows whose effect depends
 * on the rows before them with the same key (alerts: raise, then withdraw), which one set-based
 * statement cannot keep in order.
 */
public final class StatementTable<T> implements SinkTable<T> {

    private static final long serialVersionUID = 1L;

    /** Sets one row's parameters on the table's statement. */
    @FunctionalInterface
    public interface Binder<T> extends Serializable {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    private final String name;
    private final String sql;
    private final Binder<T> binder;

    public StatementTable(String name, String sql, Binder<T> binder) {
        this.name = name;
        this.sql = sql;
        this.binder = binder;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Batch<T> newBatch() {
        return new Batch<>() {
            private final List<T> rows = new ArrayList<>();

            @Override
            public void add(T row) {
                rows.add(row);
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
                    for (T row : rows) {
                        binder.bind(ps, row);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }

            @Override
            public void clear() {
                rows.clear();
            }
        };
    }
}
