package com.streampulse.job.it;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.it.TableSnapshot.AlertView;
import com.streampulse.job.it.TableSnapshot.ContentRow;
import com.streampulse.job.it.TableSnapshot.DeviceRow;
import com.streampulse.job.it.TableSnapshot.RegionRow;
import com.streampulse.job.it.TableSnapshot.RejectedView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the tables must hold, recomputed naively from the events sent: group by window and key,
 * count, average. Written independently of the job's code, so the two can disagree.
 *
 * <p>Events are counted in phases: the first holds the events on time, each later one the late
 * updates read after the previous phase's windows fired. Alert rules are evaluated on each phase's
 * cumulative counts as the job's windows fire: a rule that breaks raises (active, current
 * severity); one that holds but broke on the on-time events is resolved with the on-time severity;
 * one that holds on both withdraws (resolves) a row an earlier late phase raised. Every row carries
 * the message of the verdict that wrote it last: the breaking one's, or "resolved: " and the
 * holding one's.
 */
public final class Oracle {

    private final long windowMillis;
    private final int minEvents;
    private final List<List<ContentDownloadEvent>> phases = new ArrayList<>();
    private final List<RejectedView> rejected = new ArrayList<>();

    public Oracle(long windowMillis, int minEvents) {
        this.windowMillis = windowMillis;
        this.minEvents = minEvents;
    }

    /** Events counted after the previous phase's windows fired. */
    public Oracle phase(List<ContentDownloadEvent> counted) {
        phases.add(counted);
        return this;
    }

    /**
     * A record the job must reject.
     *
     * @param detail the detail the decoder or validator gives it, as the caller knows it
     */
    public Oracle rejected(
            Sent sent, String reason, String detail, Instant eventTime, boolean withPayload) {
        rejected.add(
                new RejectedView(
                        sent.topic(),
                        sent.partition(),
                        sent.offset(),
                        reason,
                        detail,
                        eventTime,
                        withPayload ? TableSnapshot.hex(sent.record().value()) : null));
        return this;
    }

    /**
     * A valid event too late to count: its window closed more than {@code allowedLateness} ago. The
     * detail names the window and the lateness (the snapshot drops the rest, see {@link
     * TableSnapshot#detail}).
     */
    public Oracle late(Sent sent, Instant eventTime, java.time.Duration allowedLateness) {
        long ts = eventTime.toEpochMilli();
        Instant window = Instant.ofEpochMilli(ts - Math.floorMod(ts, windowMillis));
        String detail =
                "window "
                        + window
                        + " closed more than "
                        + allowedLateness.toSeconds()
                        + " s of allowed lateness ago";
        return rejected(sent, "LATE", detail, eventTime, true);
    }

    public TableSnapshot expected() {
        List<ContentDownloadEvent> all = new ArrayList<>();
        phases.forEach(all::addAll);
        List<AlertView> alerts = new ArrayList<>();
        alerts.addAll(alerts("content", e -> e.getContent().getContentId()));
        alerts.addAll(alerts("region", e -> e.getUserContext().getRegion()));
        alerts.sort(
                Comparator.comparing(AlertView::windowStart)
                        .thenComparing(AlertView::alertType)
                        .thenComparing(AlertView::scope)
                        .thenComparing(AlertView::scopeKey));
        List<RejectedView> rejections = new ArrayList<>(rejected);
        rejections.sort(
                Comparator.comparing(RejectedView::topic)
                        .thenComparing(RejectedView::partition)
                        .thenComparing(RejectedView::offset));
        return new TableSnapshot(
                contentRows(all), regionRows(all), deviceRows(all), alerts, rejections);
    }

    private record Group(Instant start, String key) {}

    private Map<Group, List<ContentDownloadEvent>> group(
            List<ContentDownloadEvent> events, Function<ContentDownloadEvent, String> key) {
        Map<Group, List<ContentDownloadEvent>> groups =
                new TreeMap<>(Comparator.comparing(Group::start).thenComparing(Group::key));
        for (ContentDownloadEvent e : events) {
            long ts = e.getTimestamp().toEpochMilli();
            Instant start = Instant.ofEpochMilli(ts - ts % windowMillis);
            groups.computeIfAbsent(new Group(start, key.apply(e)), g -> new ArrayList<>()).add(e);
        }
        return groups;
    }

    private Instant end(Group g) {
        return g.start().plusMillis(windowMillis);
    }

    private static String status(ContentDownloadEvent e) {
        return e.getDownload().getStatus().toLowerCase(Locale.ROOT);
    }

    private static long count(List<ContentDownloadEvent> events, String status) {
        return events.stream().filter(e -> status(e).equals(status)).count();
    }

    private static double avgSpeed(List<ContentDownloadEvent> events) {
        double sum = 0;
        for (ContentDownloadEvent e : events) {
            sum += e.getDownload().getSpeedMbps();
        }
        return TableSnapshot.round(sum / events.size());
    }

    private static double avgDuration(List<ContentDownloadEvent> events) {
        return TableSnapshot.round(
                events.stream()
                        .mapToInt(e -> e.getDownload().getDurationSeconds())
                        .average()
                        .orElse(0));
    }

    private List<ContentRow> contentRows(List<ContentDownloadEvent> all) {
        List<ContentRow> rows = new ArrayList<>();
        group(all, e -> e.getContent().getContentId())
                .forEach(
                        (g, events) ->
                                rows.add(
                                        new ContentRow(
                                                g.start(),
                                                end(g),
                                                g.key(),
                                                events.get(0).getContent().getTitle(),
                                                events.size(),
                                                count(events, "success"),
                                                count(events, "failed"),
                                                TableSnapshot.round(
                                                        events.stream()
                                                                        .filter(
                                                                                e ->
                                                                                        status(e)
                                                                                                .equals(
                                                                                                        "success"))
                                                                        .mapToLong(
                                                                                e ->
                                                                                        e.getContent()
                                                                                                .getSizeMb())
                                                                        .sum()
                                                                / 1024.0))));
        rows.sort(
                Comparator.comparing(ContentRow::windowStart).thenComparing(ContentRow::contentId));
        return rows;
    }

    private List<RegionRow> regionRows(List<ContentDownloadEvent> all) {
        List<RegionRow> rows = new ArrayList<>();
        group(all, e -> e.getUserContext().getRegion())
                .forEach(
                        (g, events) ->
                                rows.add(
                                        new RegionRow(
                                                g.start(),
                                                end(g),
                                                g.key(),
                                                events.size(),
                                                count(events, "success"),
                                                count(events, "failed"),
                                                TableSnapshot.round(
                                                        (double) count(events, "success")
                                                                / events.size()),
                                                avgSpeed(events),
                                                avgDuration(events))));
        return rows;
    }

    private List<DeviceRow> deviceRows(List<ContentDownloadEvent> all) {
        List<DeviceRow> rows = new ArrayList<>();
        group(all, e -> e.getUserContext().getDevice() + "\t" + e.getUserContext().getOsVersion())
                .forEach(
                        (g, events) -> {
                            String[] key = g.key().split("\t");
                            rows.add(
                                    new DeviceRow(
                                            g.start(),
                                            end(g),
                                            key[0],
                                            key[1],
                                            events.size(),
                                            count(events, "success"),
                                            count(events, "failed"),
                                            avgSpeed(events),
                                            avgDuration(events)));
                        });
        rows.sort(
                Comparator.comparing(DeviceRow::windowStart)
                        .thenComparing(DeviceRow::device)
                        .thenComparing(DeviceRow::osVersion));
        return rows;
    }

    /**
     * The original rules, with the default thresholds, and the message a row of the verdict carries
     * (written for a reader: the numbers behind the verdict, in the root locale).
     */
    private record Verdict(
            String type,
            String severity,
            String metric,
            double value,
            double threshold,
            String message) {}

    private List<Verdict> rules(String scope, String key, List<ContentDownloadEvent> events) {
        List<Verdict> verdicts = new ArrayList<>();
        if (events.size() < minEvents) {
            return verdicts;
        }
        double successRate = (double) count(events, "success") / events.size();
        double errorRate = 1.0 - successRate;
        String severity = successRate < 0.80 ? "CRITICAL" : successRate < 0.90 ? "WARNING" : null;
        double threshold = "CRITICAL".equals(severity) ? 0.20 : 0.10;
        long notSuccessful = events.size() - count(events, "success");
        String errorMessage =
                String.format(
                        Locale.ROOT,
                        "%s %s: error rate %.1f%% (%d of %d downloads not successful) above %d%%",
                        scope,
                        key,
                        (double) notSuccessful / events.size() * 100,
                        notSuccessful,
                        events.size(),
                        "CRITICAL".equals(severity) ? 20 : 10);
        verdicts.add(
                new Verdict(
                        "HIGH_ERROR_RATE",
                        severity,
                        "error_rate",
                        errorRate,
                        threshold,
                        errorMessage));
        if (scope.equals("region")) {
            double sum = 0;
            for (ContentDownloadEvent e : events) {
                sum += e.getDownload().getSpeedMbps();
            }
            double speed = sum / events.size();
            String speedMessage =
                    String.format(
                            Locale.ROOT,
                            "region %s: average speed %.2f Mbps below 10.0 Mbps over %d downloads",
                            key,
                            // Shown rounded down: a speed just under 10 never reads as 10.00.
                            Math.floor(speed * 100) / 100,
                            events.size());
            verdicts.add(
                    new Verdict(
                            "SLOW_DOWNLOADS",
                            speed < 10.0 ? "WARNING" : null,
                            "avg_speed_mbps",
                            TableSnapshot.round(speed),
                            10.0,
                            speedMessage));
        }
        return verdicts;
    }

    private List<AlertView> alerts(String scope, Function<ContentDownloadEvent, String> key) {
        Map<String, AlertView> byId = new TreeMap<>();
        Map<Group, List<ContentDownloadEvent>> onTime = group(phases.get(0), key);
        List<ContentDownloadEvent> seen = new ArrayList<>();
        for (List<ContentDownloadEvent> phase : phases) {
            seen.addAll(phase);
            group(seen, key)
                    .forEach(
                            (g, events) -> {
                                List<Verdict> first =
                                        rules(scope, g.key(), onTime.getOrDefault(g, List.of()));
                                for (Verdict v : rules(scope, g.key(), events)) {
                                    String id = v.type() + "|" + g.start() + "|" + g.key();
                                    String firstSeverity =
                                            first.stream()
                                                    .filter(f -> f.type().equals(v.type()))
                                                    .map(Verdict::severity)
                                                    .filter(Objects::nonNull)
                                                    .findFirst()
                                                    .orElse(null);
                                    AlertView previous = byId.get(id);
                                    if (v.severity() != null) {
                                        byId.put(
                                                id,
                                                view(
                                                        scope,
                                                        g,
                                                        v,
                                                        v.severity(),
                                                        v.threshold(),
                                                        false));
                                    } else if (firstSeverity != null) {
                                        byId.put(
                                                id,
                                                view(
                                                        scope,
                                                        g,
                                                        v,
                                                        firstSeverity,
                                                        v.threshold(),
                                                        true));
                                    } else if (previous != null) {
                                        byId.put(
                                                id,
                                                view(
                                                        scope,
                                                        g,
                                                        v,
                                                        previous.severity(),
                                                        previous.thresholdValue(),
                                                        true));
                                    }
                                }
                            });
        }
        return new ArrayList<>(byId.values());
    }

    /**
     * "type|window start|key" of the windows with late updates whose every rule held on the on-time
     * events and holds on all events: an intermediate firing may have raised a row the job then
     * withdrew (see {@link RandomTraffic#withdrawable}).
     */
    public Set<String> withdrawable() {
        Set<String> ids = new HashSet<>();
        withdrawable("content", e -> e.getContent().getContentId(), ids);
        withdrawable("region", e -> e.getUserContext().getRegion(), ids);
        return ids;
    }

    private void withdrawable(
            String scope, Function<ContentDownloadEvent, String> key, Set<String> ids) {
        List<ContentDownloadEvent> all = new ArrayList<>();
        phases.forEach(all::addAll);
        Map<Group, List<ContentDownloadEvent>> onTime = group(phases.get(0), key);
        group(all, key)
                .forEach(
                        (g, events) -> {
                            List<ContentDownloadEvent> first = onTime.getOrDefault(g, List.of());
                            if (events.size() == first.size()) {
                                return; // no late updates
                            }
                            for (Verdict v : rules(scope, g.key(), events)) {
                                boolean brokeOnTime =
                                        rules(scope, g.key(), first).stream()
                                                .anyMatch(
                                                        f ->
                                                                f.type().equals(v.type())
                                                                        && f.severity() != null);
                                if (v.severity() == null && !brokeOnTime) {
                                    ids.add(id(v.type(), g.start(), g.key()));
                                }
                            }
                        });
    }

    static String id(String type, Instant windowStart, String key) {
        return type + "|" + windowStart + "|" + key;
    }

    private AlertView view(
            String scope, Group g, Verdict v, String severity, double threshold, boolean resolved) {
        boolean region = scope.equals("region");
        return new AlertView(
                v.type(),
                severity,
                scope,
                g.key(),
                region ? g.key() : null,
                region ? null : g.key(),
                v.metric(),
                TableSnapshot.round(v.value()),
                threshold,
                g.start(),
                end(g),
                resolved,
                // A resolved row says so, with the numbers of the firing that resolved it.
                resolved ? "resolved: " + v.message() : v.message());
    }
}
