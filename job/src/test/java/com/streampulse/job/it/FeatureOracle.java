package com.streampulse.job.it;

import com.streampulse.events.ContentDownloadEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * What {@code trending_content} and {@code user_sessions} must hold, recomputed naively from the
 * counted events: for every scope and every minute, count each content's downloads in the sliding
 * window by brute force and sort; for every user, sort the events and cut where the gap is reached.
 * Written without the job's code. Rows are strings, so a difference reads well.
 */
public final class FeatureOracle {

    private FeatureOracle() {}

    /** One line per (scope, window end, rank). */
    public static List<String> trending(
            List<ContentDownloadEvent> events, Duration slide, Duration length, int topN) {
        long step = slide.toMillis();
        long len = length.toMillis();
        TreeSet<String> scopes = new TreeSet<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Map<String, String> titles = new HashMap<>();
        for (ContentDownloadEvent e : events) {
            scopes.add(e.getUserContext().getRegion());
            long t = e.getTimestamp().toEpochMilli();
            first = Math.min(first, t - Math.floorMod(t, step));
            last = Math.max(last, t - Math.floorMod(t, step));
            titles.put(e.getContent().getContentId(), e.getContent().getTitle());
        }
        scopes.add("global");
        List<String> rows = new ArrayList<>();
        for (String scope : scopes) {
            for (long end = first + step; end <= last + len; end += step) {
                Map<String, Long> now = counts(events, scope, end - len, end);
                Map<String, Long> before = counts(events, scope, end - 2 * len, end - len);
                List<String> ids = new ArrayList<>(now.keySet());
                ids.sort(
                        Comparator.comparing((String id) -> -now.get(id))
                                .thenComparing(Comparator.naturalOrder()));
                for (int i = 0; i < Math.min(topN, ids.size()); i++) {
                    String id = ids.get(i);
                    rows.add(
                            trendingLine(
                                    scope,
                                    end,
                                    i + 1,
                                    id,
                                    titles.get(id),
                                    now.get(id),
                                    before.getOrDefault(id, 0L)));
                }
            }
        }
        rows.sort(null);
        return rows;
    }

    private static Map<String, Long> counts(
            List<ContentDownloadEvent> events, String scope, long from, long to) {
        Map<String, Long> counts = new TreeMap<>();
        for (ContentDownloadEvent e : events) {
            long t = e.getTimestamp().toEpochMilli();
            if (t >= from
                    && t < to
                    && (scope.equals("global") || scope.equals(e.getUserContext().getRegion()))) {
                counts.merge(e.getContent().getContentId(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** One line per session. */
    public static List<String> sessions(List<ContentDownloadEvent> events, Duration gap) {
        Map<String, List<ContentDownloadEvent>> byUser = new TreeMap<>();
        for (ContentDownloadEvent e : events) {
            byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e);
        }
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, List<ContentDownloadEvent>> user : byUser.entrySet()) {
            List<ContentDownloadEvent> sorted = new ArrayList<>(user.getValue());
            sorted.sort(Comparator.comparing(ContentDownloadEvent::getTimestamp));
            List<ContentDownloadEvent> session = new ArrayList<>();
            for (ContentDownloadEvent e : sorted) {
                if (!session.isEmpty()
                        && Duration.between(
                                                session.get(session.size() - 1).getTimestamp(),
                                                e.getTimestamp())
                                        .compareTo(gap)
                                >= 0) {
                    rows.add(sessionLine(user.getKey(), session));
                    session = new ArrayList<>();
                }
                session.add(e);
            }
            rows.add(sessionLine(user.getKey(), session));
        }
        rows.sort(null);
        return rows;
    }

    private static String sessionLine(String user, List<ContentDownloadEvent> s) {
        long failed =
                s.stream()
                        .filter(e -> e.getDownload().getStatus().equalsIgnoreCase("failed"))
                        .count();
        long size =
                s.stream()
                        .filter(e -> e.getDownload().getStatus().equalsIgnoreCase("success"))
                        .mapToLong(e -> e.getContent().getSizeMb())
                        .sum();
        return sessionLine(
                user,
                s.get(0).getTimestamp().toEpochMilli(),
                s.get(s.size() - 1).getTimestamp().toEpochMilli(),
                s.size(),
                failed,
                size,
                s.stream().map(e -> e.getContent().getContentId()).distinct().count(),
                new TreeSet<>(s.stream().map(e -> e.getUserContext().getRegion()).toList())
                        .toString(),
                new TreeSet<>(s.stream().map(e -> e.getUserContext().getDevice()).toList())
                        .toString());
    }

    /** Both tables as the same lines, read from PostgreSQL. */
    public static List<String> readTrending(DataSource db) {
        List<String> rows = new ArrayList<>();
        query(
                db,
                "SELECT scope, window_end, rank, content_id, title, downloads, previous_downloads"
                        + " FROM trending_content",
                rs ->
                        rows.add(
                                trendingLine(
                                        rs.getString(1),
                                        rs.getTimestamp(2).getTime(),
                                        rs.getInt(3),
                                        rs.getString(4),
                                        rs.getString(5),
                                        rs.getLong(6),
                                        rs.getLong(7))));
        rows.sort(null);
        return rows;
    }

    public static List<String> readSessions(DataSource db) {
        List<String> rows = new ArrayList<>();
        query(
                db,
                "SELECT user_id, session_start, session_end, downloads, failed_downloads,"
                        + " total_size_mb, distinct_content, regions, devices FROM user_sessions",
                rs ->
                        rows.add(
                                sessionLine(
                                        rs.getString(1),
                                        rs.getTimestamp(2).getTime(),
                                        rs.getTimestamp(3).getTime(),
                                        rs.getLong(4),
                                        rs.getLong(5),
                                        rs.getLong(6),
                                        rs.getLong(7),
                                        list(rs.getArray(8)),
                                        list(rs.getArray(9)))));
        rows.sort(null);
        return rows;
    }

    private static String list(Array array) throws SQLException {
        return new TreeSet<>(Arrays.asList((String[]) array.getArray())).toString();
    }

    private static String trendingLine(
            String scope,
            long end,
            int rank,
            String id,
            String title,
            long downloads,
            long previous) {
        return String.format(
                Locale.ROOT,
                "%s %s #%02d %s (%s) %d, before %d",
                scope,
                java.time.Instant.ofEpochMilli(end),
                rank,
                id,
                title,
                downloads,
                previous);
    }

    private static String sessionLine(
            String user,
            long start,
            long end,
            long downloads,
            long failed,
            long sizeMb,
            long contents,
            String regions,
            String devices) {
        return String.format(
                Locale.ROOT,
                "%s %s..%s downloads=%d failed=%d sizeMb=%d contents=%d regions=%s devices=%s",
                user,
                java.time.Instant.ofEpochMilli(start),
                java.time.Instant.ofEpochMilli(end),
                downloads,
                failed,
                sizeMb,
                contents,
                regions,
                devices);
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(DataSource db, String sql, RowReader reader) {
        try (Connection c = db.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
