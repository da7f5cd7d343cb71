package com.streampulse.job.sink;

import com.streampulse.job.config.PostgresSettings;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens the sinks' connections: the job's URL (which carries the timeouts), the credentials as
 * properties. Serializable because it travels in the job graph; its {@link #toString()} leaves the
 * password out.
 */
final class PostgresConnector implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final String password;
    private final int checkTimeoutSeconds;

    PostgresConnector(PostgresSettings pg) {
        this.url = pg.jdbcUrl();
        this.user = pg.user();
        this.password = pg.password().isPresent() ? pg.password().value() : null;
        // After a failed write the writer asks whether the connection still works before it
        // retries; a live server answers in milliseconds, so a silent one gets the connect
        // timeout, not the socket timeout.
        this.checkTimeoutSeconds = (int) Math.max(1, pg.timeouts().connect().toSeconds());
    }

    Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(url, props);
    }

    boolean isUsable(Connection connection) {
        try {
            return connection != null && connection.isValid(checkTimeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return url + " user=" + user;
    }
}
