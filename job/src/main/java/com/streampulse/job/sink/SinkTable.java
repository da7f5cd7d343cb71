package com.streampulse.job.sink;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;

/** How rows of one table are buffered between flushes and written in one go. */
public interface SinkTable<T> extends Serializable {

    String name();

    Batch<T> newBatch();

    /**
     * The rows since the last flush. Not thread-safe: one thread at a time (the writer fills one in
     * its task thread and hands it to its writing thread while it fills another).
     */
    interface Batch<T> {
        void add(T row);

        int size();

        /** Writes every row; on an exception the batch is unchanged and may be written again. */
        void writeTo(Connection connection) throws SQLException;

        void clear();
    }
}
