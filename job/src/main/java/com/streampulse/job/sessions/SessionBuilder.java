package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Download sessions per user, from per-window partials ({@link SessionBatch}): downloads closer
 * than the gap belong to the same session. Keyed by a bucket of users ({@link
 * SessionBatch#bucket}), so what costs per record (the network record, the key switch, the timer)
 * is paid per bucket and flush, not per user: a batch holds the bucket's partials of one flush, and
 * each user's open sessions (usually one) are one entry of a map under the bucket, in a compact
 * layout ({@link SessionsSerializer}).
 *
 * <p>That entry holds each session's span and sums, not its distinct contents, regions and devices:
 * those grow with every download (a user of the {@code catalog} shape adds a content a download),
 * and reading and rewriting them at every flush made a flush cost as much as the whole session so
 * far. The sets are appended instead, as the flushed pending sessions themselves ("fragments"), to
 * a list under (bucket, user), which RocksDB appends to without reading it; they are read and
 * joined only when a session closes. A fragment's start says which session it belongs to ({@link
 * Session#withSetsOf}), so bridging two sessions needs nothing of the sets. State: the uid, the map
 * and its layout are those of older versions, whose entries carry their sets; such an entry's sets
 * move to the fragments the first time it is rewritten, so their savepoints restore as they are.
 *
 * <p>Partials are first joined in memory ({@link PendingSessions}) and reach that state once per
 * user and flush: before every checkpoint barrier (so nothing pending is ever checkpointed), when
 * {@code maxPendingUsers} users are pending, and before event time passes a time at which a pending
 * session could close. A timer that looks at a user joins the user's pending sessions first. Why:
 * at the {@code catalog} shape nearly every download arrives as a partial of its own, and joining
 * each into RocksDB read and rewrote its user's whole session, growing sets included
 * (BENCHMARKS.md, sessions).
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

    /** User → open sessions without their sets, under the bucket. */
    private transient MapState<String, Session[]> open;

    /**
     * Under (bucket, user as namespace): the user's flushed pending sessions, one element per
     * flush, for their sets only (their sums are in {@link #open} already).
     */
    private transient InternalListState<Integer, String, Session[]> fragments;

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
    @SuppressWarnings("unchecked")
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
        fragments =
                (InternalListState<Integer, String, Session[]>)
                        getOrCreateKeyedState(
                                StringSerializer.INSTANCE,
                                new ListStateDescriptor<>(
                                        "session-fragments", SessionsSerializer.INSTANCE));
        timer = getPartitionedState(new ValueStateDescriptor<>("timer", Types.LONG));
        // KeyedProcessOperator's name for its timers: savepoints taken while this was a
        // KeyedProcessFunction keep theirs.
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        pending = new PendingSessions(gapMillis, closeAfterMillis);
    }

    @Override
    public void processElement(StreamRecord<SessionBatch> element) throws Exception {
        if (pending.add(element.getValue()) >= maxPendingUsers) {
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
                Session[] after = store(user, before, pendingUsers.get(user));
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
            Session[] sessions = open.get(user);
            // A pending partial may extend a session due now: store it before judging.
            Session[] waiting = pending.take(firing.getKey(), user);
            if (waiting != null) {
                sessions = store(user, sessions, waiting);
            }
            if (sessions == null) {
                continue; // closed at an earlier listing of the same user
            }
            List<Session> closing = new ArrayList<>();
            List<Session> kept = new ArrayList<>();
            for (Session s : sessions) {
                (s.end + closeAfterMillis <= time ? closing : kept).add(s);
            }
            if (!closing.isEmpty()) {
                close(user, closing, kept, time);
            }
            if (!kept.isEmpty()) {
                listings.computeIfAbsent(nextClose(kept), c -> new ArrayList<>()).add(user);
            }
        }
        list(listings, later);
    }

    /**
     * Joins {@code waiting} (a user's pending sessions) into {@code stored} (null for none): their
     * sums into {@link #open}, their sets appended as one fragment.
     *
     * @return the user's open sessions now
     */
    private Session[] store(String user, Session[] stored, Session[] waiting) throws Exception {
        fragments.setCurrentNamespace(user);
        fragments.add(waiting);
        if (stored != null && hasSets(stored)) {
            // Written before the sets were kept apart (a savepoint of an older version): theirs
            // move to the fragments now, as the entry is rewritten without them.
            fragments.add(stored);
        }
        Session[] joined = withoutSets(joined(stored, waiting));
        open.put(user, joined);
        return joined;
    }

    /**
     * Writes {@code closing} with their sets, and keeps the fragments of {@code kept} (joined into
     * one per session, as they are read anyway) or drops the user when nothing is kept.
     */
    private void close(String user, List<Session> closing, List<Session> kept, long time)
            throws Exception {
        fragments.setCurrentNamespace(user);
        Iterable<Session[]> stored = fragments.get();
        Iterable<Session[]> flushed = stored == null ? List.of() : stored;
        for (Session s : closing) {
            output.collect(new StreamRecord<>(UserSession.of(user, s.withSetsOf(flushed)), time));
        }
        if (kept.isEmpty()) {
            open.remove(user);
            fragments.clear();
            return;
        }
        Session[] keptWithSets = new Session[kept.size()];
        for (int i = 0; i < keptWithSets.length; i++) {
            keptWithSets[i] = kept.get(i).withSetsOf(flushed);
        }
        open.put(user, withoutSets(keptWithSets));
        fragments.update(List.<Session[]>of(keptWithSets));
    }

    private static Session[] withoutSets(Session[] sessions) {
        Session[] out = new Session[sessions.length];
        for (int i = 0; i < sessions.length; i++) {
            out[i] = sessions[i].withoutSets();
        }
        return out;
    }

    private static boolean hasSets(Session[] sessions) {
        for (Session s : sessions) {
            if (s.contents.length > 0 || s.regions.length > 0 || s.devices.length > 0) {
                return true;
            }
        }
        return false;
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
