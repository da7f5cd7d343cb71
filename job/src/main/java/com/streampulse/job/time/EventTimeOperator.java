package com.streampulse.job.time;

import com.streampulse.job.TaskLogContext;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The one home of event time: watermarks, idleness, the wall clock when traffic stops, and the
 * verdict on every event's lateness. Chained to the Kafka source, which emits no watermarks itself.
 *
 * <p><b>Per partition.</b> Each Kafka partition read has a clock: its newest event time minus the
 * out-of-orderness. An event counts with at most its record's Kafka timestamp plus the
 * out-of-orderness, so a producer whose clock runs ahead moves no clock further than the log's own
 * time (on a LogAppendTime topic, the broker's): its own events land in the windows they claim,
 * everyone else's stay on time. The subtask's watermark is the lowest clock of the partitions it
 * reads.
 *
 * <p><b>Lateness, decided once.</b> An event whose window the watermark or its own partition's
 * clock has closed is a late update (counted, flagged {@link Download#late()}); one whose window
 * closed more than the allowed lateness ago is rejected as LATE with its payload. The partition's
 * clock depends only on the order of records within the partition, so a replay after a restore
 * gives the same verdicts; the watermark keeps the verdict safe, so the windows never drop what
 * passes here.
 *
 * <p><b>Idleness that a slow job cannot fake.</b> The partitions of a subtask are those its Kafka
 * reader announced when it was given them ({@link AnnouncedSplitsSource}, also after a restore at
 * another parallelism) and those it has read, so a partition whose first fetch is slow holds event
 * time back as Flink's own per-split watermarks would. A partition with no record for the idleness
 * timeout stops holding the watermark back only when Kafka confirms it has nothing unread ({@link
 * BacklogProbe}). When every partition read is quiet and caught up, event time moves with the wall
 * clock from the newest event (newest + wall time since it arrived − out-of-orderness), so the last
 * windows close soon after traffic stops. Backpressure, a GC pause, a stopped TaskManager or an
 * unreachable broker leave records unread, so none of them moves event time.
 *
 * <p><b>State.</b> Flink does not checkpoint watermarks; the watermark, the newest event time and
 * every partition's clock and last offset are kept in union state, so a restored or rescaled job
 * judges lateness as before and still closes its last windows when traffic has stopped.
 *
 * <p>Main output: valid events. Side output {@link #REJECTED}: MALFORMED and INVALID records from
 * the source, LATE ones from here.
 */
public final class EventTimeOperator extends AbstractStreamOperator<Download>
        implements OneInputStreamOperator<Ingested, Download>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RejectedEvent> REJECTED = new OutputTag<>("rejected") {};

    private final String topic;
    private final long windowMillis;
    private final long allowedLatenessMillis;
    private final long outOfOrdernessMillis;
    private final long idlenessMillis;
    private final long tickMillis;
    private final BacklogProbe backlogProbe;

    private transient Map<Integer, PartitionClock> partitions;
    private transient long watermark;
    private transient long newest;
    private transient long newestArrival;
    private transient long startedAt;
    private transient boolean outputIdle;
    private transient List<Integer> quiet;
    private transient StreamRecord<Download> reuse;
    private transient BacklogProbe.Session backlog;

    private transient ListState<Tuple2<Integer, Long>> watermarkState;
    private transient ListState<Tuple2<Integer, Long>> newestState;
    private transient ListState<Tuple3<Integer, Long, Long>> partitionState;

    private transient Counter malformed;
    private transient Counter invalid;
    private transient Counter late;
    private transient Counter lateUpdates;

    public EventTimeOperator(
            String topic,
            long windowMillis,
            long allowedLatenessMillis,
            long outOfOrdernessMillis,
            long idlenessMillis,
            long tickMillis,
            BacklogProbe backlogProbe) {
        this.topic = topic;
        this.windowMillis = windowMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idlenessMillis = idlenessMillis;
        this.tickMillis = tickMillis;
        this.backlogProbe = backlogProbe;
        // AbstractStreamOperator defaults to HEAD: without this every record would be serialized
        // between the source and this operator.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermarkState = UnionTimes.state(context, "watermark");
        newestState = UnionTimes.state(context, "newest-event-time");
        partitionState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "partition-clocks",
                                        TypeInformation.of(
                                                new TypeHint<Tuple3<Integer, Long, Long>>() {})));
        partitions = new HashMap<>();
        watermark = Long.MIN_VALUE;
        newest = Long.MIN_VALUE;
        if (context.isRestored()) {
            watermark =
                    UnionTimes.ownOrLowest(watermarkState.get(), getRuntimeContext().getTaskInfo());
            newest = UnionTimes.ownOrLowest(newestState.get(), getRuntimeContext().getTaskInfo());
            for (Tuple3<Integer, Long, Long> saved : partitionState.get()) {
                PartitionClock p = partition(saved.f0);
                p.newest = Math.max(p.newest, saved.f1);
                p.lastOffset = Math.max(p.lastOffset, saved.f2);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        UnionTimes.putOwn(watermarkState, getRuntimeContext().getTaskInfo(), watermark);
        UnionTimes.putOwn(newestState, getRuntimeContext().getTaskInfo(), newest);
        List<Tuple3<Integer, Long, Long>> clocks = new ArrayList<>(partitions.size());
        for (PartitionClock p : partitions.values()) {
            clocks.add(Tuple3.of(p.partition, p.newest, p.lastOffset));
        }
        partitionState.update(clocks);
    }

    @Override
    public void open() throws Exception {
        super.open();
        TaskLogContext.set(getRuntimeContext());
        startedAt = now();
        // A restored newest event time counts as arriving now: the wall clock carries it forward
        // from the restart, not from when it was first read.
        newestArrival = startedAt;
        quiet = new ArrayList<>();
        reuse = new StreamRecord<>(null);
        backlog = backlogProbe.open();
        MetricGroup metrics = getMetricGroup().addGroup("streampulse");
        malformed = metrics.counter("rejectedMalformed");
        invalid = metrics.counter("rejectedInvalid");
        late = metrics.counter("rejectedLate");
        lateUpdates = metrics.counter("lateUpdates");
        metrics.gauge(
                "processingLagMillis",
                () -> newest == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - newest);
        // How far event time (what closes windows) is behind the wall clock: a replay or a stalled
        // partition shows here; a quiet, caught-up job stays within the out-of-orderness.
        metrics.gauge(
                "watermarkAgeMillis",
                () -> watermark == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - watermark);
        scheduleTick();
    }

    @Override
    public void close() throws Exception {
        if (backlog != null) {
            backlog.close();
        }
        super.close();
    }

    @Override
    public void processElement(StreamRecord<Ingested> element) {
        Ingested in = element.getValue();
        if (in.assigned() != null) {
            partition(in.assigned().partition()).assign(in.assigned().nextOffset());
            return;
        }
        if (!in.isValid()) {
            RejectedEvent rejected = in.rejected();
            partition(rejected.partition()).read(rejected.offset(), now());
            (rejected.reason() == Reason.MALFORMED ? malformed : invalid).inc();
            output.collect(REJECTED, new StreamRecord<>(rejected));
            return;
        }
        Download d = in.download();
        long arrival = now();
        PartitionClock p = partition(d.partition());
        p.read(d.offset(), arrival);
        long closed = Math.max(watermark, p.closedUpTo(outOfOrdernessMillis));
        long windowStart = d.timestamp() - Math.floorMod(d.timestamp(), windowMillis);
        long windowLast = windowStart + windowMillis - 1;
        // The test Flink's WindowOperator applies, so the windows never drop what passes here.
        if (windowLast + allowedLatenessMillis <= closed) {
            late.inc();
            output.collect(REJECTED, new StreamRecord<>(lateRejection(d, windowStart, closed)));
            return;
        }
        long bounded =
                d.logTimestamp() < 0
                        ? d.timestamp()
                        : Math.min(d.timestamp(), d.logTimestamp() + outOfOrdernessMillis);
        p.newest = Math.max(p.newest, bounded);
        if (bounded > newest) {
            newest = bounded;
            newestArrival = arrival;
        }
        if (windowLast <= closed) {
            lateUpdates.inc();
            output.collect(reuse.replace(d.asLate()));
        } else {
            output.collect(reuse.replace(d));
        }
    }

    private RejectedEvent lateRejection(Download d, long windowStart, long closedUpTo) {
        String detail =
                "window "
                        + Instant.ofEpochMilli(windowStart)
                        + " closed more than "
                        + allowedLatenessMillis / 1000
                        + " s of allowed lateness ago (event time "
                        + Instant.ofEpochMilli(closedUpTo)
                        + ")";
        return new RejectedEvent(
                topic, d.partition(), d.offset(), Reason.LATE, detail, d.timestamp(), d.payload());
    }

    /** Only the end of a bounded input: the source itself emits no watermarks. */
    @Override
    public void processWatermark(Watermark mark) {
        advanceTo(mark.getTimestamp());
    }

    /** The source goes idle when it has no partition to read; so does this subtask then. */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        if (status.isIdle()
                && partitions.values().stream().noneMatch(PartitionClock::readSinceStart)) {
            markIdle();
        }
    }

    @Override
    public void onProcessingTime(long time) {
        tick(now());
        scheduleTick();
    }

    /** Emits the watermark the partitions allow now; see the class comment for the rules. */
    void tick(long now) {
        quiet.clear();
        long lowest = Long.MAX_VALUE;
        boolean anyMine = false;
        for (PartitionClock p : partitions.values()) {
            if (!p.readHere()) {
                continue; // another subtask's, known from union state
            }
            anyMine = true;
            // A partition not read since the (re)start counts as quiet since then, and holds
            // event time back until Kafka confirms it has nothing unread: its first fetch may
            // simply still be on its way.
            long quietSince = p.readSinceStart() ? p.lastArrival : startedAt;
            boolean active = now - quietSince < idlenessMillis;
            if (!active) {
                quiet.add(p.partition);
                active = !backlog.caughtUp(p.partition, p.lastOffset, quietSince);
            }
            if (active) {
                lowest = Math.min(lowest, p.closedUpTo(outOfOrdernessMillis));
            }
        }
        backlog.request(quiet, now);
        if (lowest != Long.MAX_VALUE) {
            advanceTo(lowest);
        } else if (anyMine && newest != Long.MIN_VALUE) {
            advanceTo(wallClockTime(now)); // everything is quiet and read to its end
        } else if (now - startedAt >= idlenessMillis && (anyMine || mayReadNothing())) {
            // Nothing ever read that has an event time, or nothing to read here: step aside, as
            // Flink would.
            markIdle();
        }
    }

    /**
     * Whether this subtask may be given no partition at all. With at least as many partitions as
     * subtasks, both the enumerator's round robin and a restore's redistribution give every subtask
     * one, so a subtask still waiting for its announcement (a slow start, a busy machine) must hold
     * event time back rather than step aside and let the others run ahead of its backlog.
     */
    private boolean mayReadNothing() {
        int partitionCount = backlog.partitionCount();
        return partitionCount >= 0
                && partitionCount < getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    }

    /** Newest event time + wall time since it arrived − out-of-orderness. */
    private long wallClockTime(long now) {
        return newest == Long.MIN_VALUE
                ? Long.MIN_VALUE
                : newest + (now - newestArrival) - outOfOrdernessMillis - 1;
    }

    private void advanceTo(long time) {
        if (time > watermark) {
            watermark = time;
            if (outputIdle) {
                outputIdle = false;
                output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
            }
            output.emitWatermark(new Watermark(time));
        }
    }

    private void markIdle() {
        if (!outputIdle) {
            outputIdle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
    }

    private PartitionClock partition(int partition) {
        PartitionClock p = partitions.get(partition);
        if (p == null) {
            p = new PartitionClock(partition);
            partitions.put(partition, p);
            registerLagGauge(p);
        }
        return p;
    }

    /** Wall clock minus the newest event time read from one partition, labelled partition. */
    private void registerLagGauge(PartitionClock p) {
        getMetricGroup()
                .addGroup("streampulse")
                .addGroup("partition", Integer.toString(p.partition))
                .gauge(
                        "eventTimeLagMillis",
                        () ->
                                p.newest == Long.MIN_VALUE
                                        ? 0L
                                        : System.currentTimeMillis() - p.newest);
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    private void scheduleTick() {
        getProcessingTimeService().registerTimer(now() + tickMillis, this);
    }
}
