package com.streampulse.job.it;

import com.streampulse.events.ContentDownloadEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * What the {@code ANOMALY_*} rows of {@code alerts} must be, recomputed from the events and the
 * rule as README and issue 16 state it, without the job's code: per region and metric an
 * exponentially weighted mean and variance over final windows in the order of their start; a window
 * is judged against what was learned from the windows that ended by its start minus the allowed
 * lateness; beyond the warning bound a window teaches a tenth as much, as if it lay on the bound.
 * Rows are strings rounded to 4 decimals, so a difference reads well.
 *
 * @param warmUp windows learned before a metric alerts
 * @param minEvents events a window needs for the rates (and a region's usual volume for volume)
 */
public record AnomalyOracle(
        long windowMillis,
        long latenessMillis,
        double alpha,
        int warmUp,
        int minEvents,
        double warning,
        double critical) {

    /** Sums of one region's minute. */
    private static final class Minute {
        long total;
        long successful;
        double speedSum;

        void add(ContentDownloadEvent e) {
            total++;
            if (e.getDownload().getStatus().equalsIgnoreCase("success")) {
                successful++;
            }
            speedSum += e.getDownload().getSpeedMbps();
        }
    }

    /** Mean, variance and count of one metric. */
    private static final class Learned {
        long n;
        double mean;
        double var;

        void add(double x, double weight) {
            if (n++ == 0) {
                mean = x;
                return;
            }
            double d = x - mean;
            mean = mean + weight * d;
            var = (1 - weight) * (var + weight * d * d);
        }
    }

    private static final String[] TYPES = {"ANOMALY_ERROR_RATE", "ANOMALY_SPEED", "ANOMALY_VOLUME"};

    /**
     * One line per alert row: raised when the final counts break the rule, resolved (with the
     * on-time severity and the final values) when only the on-time counts did.
     */
    public List<String> alerts(List<ContentDownloadEvent> onTime, List<ContentDownloadEvent> late) {
        Map<String, TreeMap<Long, Minute>> first = minutes(onTime);
        List<ContentDownloadEvent> all = new ArrayList<>(onTime);
        all.addAll(late);
        Map<String, TreeMap<Long, Minute>> fin = minutes(all);
        List<String> rows = new ArrayList<>();
        for (var region : fin.entrySet()) {
            TreeMap<Long, Minute> windows = region.getValue();
            for (var w : windows.entrySet()) {
                long start = w.getKey();
                Learned[] b = learnedBefore(windows, start - latenessMillis);
                Minute onTimeCounts =
                        first.getOrDefault(region.getKey(), new TreeMap<>()).get(start);
                for (int m = 0; m < 3; m++) {
                    String now = severity(m, w.getValue(), b[m]);
                    String then = onTimeCounts == null ? null : severity(m, onTimeCounts, b[m]);
                    if (now == null && then == null) {
                        continue;
                    }
                    rows.add(row(m, now, then, region.getKey(), start, w.getValue(), b[m]));
                }
            }
        }
        rows.sort(null);
        return rows;
    }

    private Learned[] learnedBefore(TreeMap<Long, Minute> windows, long cutoff) {
        Learned[] b = {new Learned(), new Learned(), new Learned()};
        for (var w : windows.headMap(cutoff - windowMillis, true).values()) {
            for (int m = 0; m < 3; m++) {
                if (!counts(m, w)) {
                    continue;
                }
                double x = value(m, w);
                if (b[m].n < warmUp) {
                    b[m].add(x, alpha);
                    continue;
                }
                double bound = warning * sigma(m, b[m]);
                if (Math.abs(x - b[m].mean) < bound) {
                    b[m].add(x, alpha);
                } else {
                    b[m].add(b[m].mean + (x > b[m].mean ? bound : -bound), alpha / 10);
                }
            }
        }
        return b;
    }

    private String severity(int m, Minute w, Learned b) {
        if (b.n < warmUp || !counts(m, w) || (m == 2 && b.mean < minEvents)) {
            return null;
        }
        double z = (value(m, w) - b.mean) / sigma(m, b);
        double bad = m == 0 ? z : m == 1 ? -z : Math.abs(z);
        return bad >= critical ? "CRITICAL" : bad >= warning ? "WARNING" : null;
    }

    /**
     * A raised row shows the final verdict; a resolved one the on-time severity with the final
     * values, whose bound is the warning one (the final counts break neither).
     */
    private String row(
            int m, String now, String onTime, String region, long start, Minute w, Learned b) {
        double s = sigma(m, b);
        double x = value(m, w);
        double z = (x - b.mean) / s;
        double k = "CRITICAL".equals(now) ? critical : warning;
        boolean resolved = now == null;
        String severity = resolved ? onTime : now;
        boolean high = m == 0 || (m == 2 && z >= 0);
        return String.format(
                Locale.ROOT,
                "%s|%s|%s|%s|value=%.4f|threshold=%.4f|expected=%.4f|deviation=%.4f|%s",
                TYPES[m],
                severity,
                region,
                Instant.ofEpochMilli(start),
                x,
                b.mean + (high ? k : -k) * s,
                b.mean,
                z,
                resolved ? "resolved" : "open");
    }

    /** Error rate and speed need minEvents; volume any download at all. */
    private boolean counts(int m, Minute w) {
        return m == 2 ? w.total > 0 : w.total >= minEvents;
    }

    private static double value(int m, Minute w) {
        return switch (m) {
            case 0 -> (double) (w.total - w.successful) / w.total;
            case 1 -> w.speedSum / w.total;
            default -> w.total;
        };
    }

    /** Floors: one point of error rate, 2 % of the usual speed (at least 0.1), Poisson volume. */
    private static double sigma(int m, Learned b) {
        double floor =
                switch (m) {
                    case 0 -> 0.01;
                    case 1 -> Math.max(0.1, 0.02 * Math.abs(b.mean));
                    default -> Math.sqrt(Math.max(1, b.mean));
                };
        return Math.max(Math.sqrt(b.var), floor);
    }

    private Map<String, TreeMap<Long, Minute>> minutes(List<ContentDownloadEvent> events) {
        Map<String, TreeMap<Long, Minute>> byRegion = new TreeMap<>();
        for (ContentDownloadEvent e : events) {
            long t = e.getTimestamp().toEpochMilli();
            byRegion.computeIfAbsent(e.getUserContext().getRegion(), r -> new TreeMap<>())
                    .computeIfAbsent(t - Math.floorMod(t, windowMillis), s -> new Minute())
                    .add(e);
        }
        return byRegion;
    }

    /** The job's ANOMALY_* rows, in the oracle's format. */
    public static List<String> read(DataSource db) {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT * FROM alerts WHERE alert_type LIKE 'ANOMALY%'")) {
            while (r.next()) {
                rows.add(
                        String.format(
                                Locale.ROOT,
                                "%s|%s|%s|%s|value=%.4f|threshold=%.4f|expected=%.4f|deviation=%.4f|%s",
                                r.getString("alert_type"),
                                r.getString("severity"),
                                r.getString("scope_key"),
                                r.getTimestamp("window_start").toInstant(),
                                r.getDouble("metric_value"),
                                r.getDouble("threshold_value"),
                                r.getDouble("expected_value"),
                                r.getDouble("deviation"),
                                r.getTimestamp("resolved_at") == null ? "open" : "resolved"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        rows.sort(null);
        return rows;
    }
}
