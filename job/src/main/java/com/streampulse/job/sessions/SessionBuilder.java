package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Download sessions per user, from per-window {@link SessionPartial}s: downloads closer than the
 * gap belong to the same session. Keyed by a bucket of users ({@link SessionBatch#bucket}), so what
 * costs per record (the network record, the key switch, the timer) is paid per bucket and flush,
 * not per user: a batch holds the bucket's partials of one flush, and each user's open sessions
 * (usually one) are one entry of a map under the bucket, in a compact layout ({@link
 * SessionsSerializer}).
 *
 * <p>Partials are first joined in memory ({@link PendingSessions}) and reach that state once per
 * user and flush: before every checkpoint barrier (so nothing pending is ever checkpointed, and the
 * state layout is the one of the function this operator replaced), when {@code maxPendingUsers}
 * users are pending, and before event time passes a time at which a pending session could close. A
 * timer that looks at a user joins the user's pending sessions first. Why: at the {@code catalog}
 * shape nearly every download arrives as a partial of its own, and joining each into RocksDB read
 * and rewrote its user's whole session, growing sets included (BENCHMARKS.md, sessions).
 *
 * <p>A partial joins every open session it reaches within the gap, so a late partial can bridge two
 * sessions. This is exact because every event of a partial lies in one window and the gap is at
 * least a window: the partial is always part of one session.
 *
 * <p>A session is written once, when no accepted event can reach it any more: an event is only
 * accepted while its window plus the allowed lateness is open, so after event time passes the
 * session's end + gap + lateness + one window nothing can extend it. Until then a late partial that
 * falls between two open sessions merges them, so the row written is the merged one, in any run.
 *
 * <p>Closing: a due list per bucket (close time rounded up to the window → users to look at then)
 * and ONE timer per bucket, at the earliest due time. A user is listed only when a partial brings
 * their next close earlier (their first partial, or a late one that opens an earlier session); a
 * partial that only extends a session leaves the listing alone, and when it comes due the user is
 * listed again at their new close. So a user downloading every minute costs one listing per gap,
 * not one per minute.
 */
public final class SessionBuilder extends AbstractStreamOperator<UserSession>
        implements OneInputStreamOperator<SessionBatch, UserSession>,
                Triggerable<Integer, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    private final long gapMillis;
    private final long closeAfterMillis;
    private final long windowMillis;
    private final int maxPendingUsers;

    /** User → open sessions, under the bucket. */
    private transient MapState<String, Session[]> open;

    /**
     * Close time (rounded up to the window) → users whose sessions may close then, as encoded
     * strings one after another: listing users appends bytes, only a firing decodes them.
     */
    private transient MapState<Long, byte[]> due;

    /** The bucket's one pending timer: the earliest key of {@link #due}. */
    private transient ValueState<Long> timer;

    private transient InternalTimerService<VoidNamespace> timers;

    private transient PendingSessions pending;

    /**
     * @param maxPendingUsers how many users' partials may wait in memory for the next flush
     */
    public SessionBuilder(
            long gapMillis, long latenessMillis, long windowMillis, int maxPendingUsers) {
        this.gapMillis = gapMillis;
        this.closeAfterMillis = gapMillis + latenessMillis + windowMillis;
        this.windowMillis = windowMillis;
        this.maxPendingUsers = maxPendingUsers;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        open =
                getPartitionedState(
                        new MapStateDescriptor<>(
                                "open-sessions",
                                StringSerializer.INSTANCE,
                                SessionsSerializer.INSTANCE));
        due =
                getPartitionedState(
                        new MapStateDescriptor<>(
                                "due-users",
                                LongSerializer.INSTANCE,
                                BytePrimitiveArraySerializer.INSTANCE));
        timer = getPartitionedState(new ValueStateDescriptor<>("timer", Types.LONG));
        // KeyedProcessOperator's name for its timers: savepoints taken while this was a
        // KeyedProcessFunction keep theirs.
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        pending = new PendingSessions(gapMillis, closeAfterMillis);
    }

    @Override
    public void processElement(StreamRecord<SessionBatch> element) throws Exception {
        SessionBatch batch = element.getValue();
        int users = pending.users();
        for (SessionPartial partial : batch.partials) {
            users = pending.add(batch.bucket, partial);
        }
        if (users >= maxPendingUsers) {
            flush(pending.drainAll());
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // A pending session that may close by this watermark must be stored and listed before
        // the timers it advances fire.
        if (pending.mayCloseBy(mark.getTimestamp())) {
            flush(pending.drainClosingBy(mark.getTimestamp()));
        }
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush(pending.drainAll());
    }

    /**
     * Joins pending sessions into the state and lists their users, in the order RocksDB keeps them
     * (key group, bucket, user id, for ids of one length): a flush reads most users, and reading
     * them in order reads each block of the state once instead of once per user in it.
     */
    private void flush(Map<Integer, Map<String, Session[]>> byBucket) throws Exception {
        int keyGroups = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        Integer[] buckets = byBucket.keySet().toArray(new Integer[0]);
        Arrays.sort(
                buckets,
                Comparator.comparingInt(
                                (Integer b) ->
                                        KeyGroupRangeAssignment.assignToKeyGroup(b, keyGroups))
                        .thenComparingInt(b -> b));
        for (Integer bucket : buckets) {
            setCurrentKey(bucket);
            Map<String, Session[]> pendingUsers = byBucket.get(bucket);
            String[] users = pendingUsers.keySet().toArray(new String[0]);
            Arrays.sort(users);
            Map<Long, List<String>> listings = new HashMap<>();
            for (String user : users) {
                Session[] before = open.get(user);
                Session[] after = joined(before, pendingUsers.get(user));
                open.put(user, after);
                long close = nextClose(after);
                if (before == null || close < nextClose(before)) {
                    // Otherwise the user is listed at or before the previous close and moves then.
                    listings.computeIfAbsent(close, c -> new ArrayList<>()).add(user);
                }
            }
            list(listings, Long.MAX_VALUE);
        }
    }

    @Override
    public void onEventTime(InternalTimer<Integer, VoidNamespace> firing) throws Exception {
        long time = firing.getTimestamp();
        timer.clear();
        // Sorted, so a run writes its rows in the same order whatever the state backend.
        TreeSet<String> users = new TreeSet<>();
        List<Long> dueKeys = new ArrayList<>();
        long later = Long.MAX_VALUE;
        for (Map.Entry<Long, byte[]> e : due.entries()) {
            if (e.getKey() <= time) {
                dueKeys.add(e.getKey());
                DataInputDeserializer in = new DataInputDeserializer(e.getValue());
                while (in.available() > 0) {
                    users.add(SessionsSerializer.readString(in));
                }
            } else {
                later = Math.min(later, e.getKey());
            }
        }
        for (Long key : dueKeys) {
            due.remove(key);
        }
        Map<Long, List<String>> listings = new HashMap<>();
        for (String user : users) {
            Session[] stored = open.get(user);
            // A pending partial may extend a session due now: join it before judging.
            Session[] waiting = pending.take(firing.getKey(), user);
            Session[] sessions = waiting == null ? stored : joined(stored, waiting);
            if (sessions == null) {
                continue; // closed at an earlier listing of the same user
            }
            List<Session> kept = new ArrayList<>();
            for (Session s : sessions) {
                if (s.end + closeAfterMillis <= time) {
                    output.collect(new StreamRecord<>(UserSession.of(user, s), time));
                } else {
                    kept.add(s);
                }
            }
            if (kept.isEmpty()) {
                open.remove(user);
                continue;
            }
            if (kept.size() < sessions.length || waiting != null) {
                open.put(user, kept.toArray(new Session[0]));
            }
            listings.computeIfAbsent(nextClose(kept), c -> new ArrayList<>()).add(user);
        }
        list(listings, later);
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, VoidNamespace> firing) {
        // Only event-time timers are registered.
    }

    /** {@code stored} (null for none) with each of {@code sessions} joined in. */
    private Session[] joined(Session[] stored, Session[] sessions) {
        Session[] joined = stored;
        for (Session s : sessions) {
            joined = Session.join(joined, s, gapMillis);
        }
        return joined;
    }

    /**
     * Adds {@code listings} to the due lists and moves the bucket's timer to the earliest due time
     * if that is earlier than the pending one; {@code known} is an earlier due time already in the
     * lists but maybe without a timer (after a firing), or {@code Long.MAX_VALUE}.
     */
    private void list(Map<Long, List<String>> listings, long known) throws Exception {
        long earliest = known;
        for (Map.Entry<Long, List<String>> e : listings.entrySet()) {
            // A user listed twice at one time is looked at once (the firing collects a set).
            byte[] listed = due.get(e.getKey());
            DataOutputSerializer users = new DataOutputSerializer(64 * e.getValue().size());
            if (listed != null) {
                users.write(listed);
            }
            for (String user : e.getValue()) {
                SessionsSerializer.writeString(user, users);
            }
            due.put(e.getKey(), users.getCopyOfBuffer());
            earliest = Math.min(earliest, e.getKey());
        }
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        Long scheduled = timer.value();
        if (scheduled == null || earliest < scheduled) {
            if (scheduled != null) {
                timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, scheduled);
            }
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, earliest);
            timer.update(earliest);
        }
    }

    /**
     * The earliest close, rounded up to the window, so users closing within one window share one
     * due time.
     */
    private long nextClose(Session[] open) {
        return nextClose(List.of(open));
    }

    private long nextClose(List<Session> open) {
        long close = Long.MAX_VALUE;
        for (Session s : open) {
            close = Math.min(close, s.end + closeAfterMillis);
        }
        return close + Math.floorMod(-close, windowMillis);
    }
}
