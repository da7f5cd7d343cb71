package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trending, phase two: keyed by scope, it keeps every bucket's latest top N per open window, merges
 * them into the scope's top N on the next watermark (once for all the buckets that sent in
 * between), and writes only the ranks whose row changed since it last wrote them. A window's
 * ranking only ever gains downloads, so its number of ranks never shrinks and no row is deleted.
 */
public final class TrendingRanker extends KeyedProcessFunction<String, Ranking, TrendingRow> {

    private static final long serialVersionUID = 1L;

    private final long lengthMillis;
    private final long latenessMillis;
    private final int topN;

    /** Window end → every bucket's candidates (dirty: changed since last merged). */
    private transient MapState<Long, Ranking> candidates;

    /** Window end → the ranking as last written. */
    private transient MapState<Long, Ranking> published;

    public TrendingRanker(long lengthMillis, long latenessMillis, int topN) {
        this.lengthMillis = lengthMillis;
        this.latenessMillis = latenessMillis;
        this.topN = topN;
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<Ranking> ranking = TypeInformation.of(Ranking.class);
        candidates =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("candidates", Types.LONG, ranking));
        published =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("published", Types.LONG, ranking));
    }

    @Override
    public void processElement(Ranking bucket, Context ctx, Collector<TrendingRow> out)
            throws Exception {
        Ranking all = candidates.get(bucket.windowEnd);
        if (all == null) {
            all = new Ranking();
            all.scope = bucket.scope;
            all.windowEnd = bucket.windowEnd;
            // Kept until no late partial can change the window any more.
            ctx.timerService().registerEventTimeTimer(bucket.windowEnd - 1 + latenessMillis);
        }
        all.replaceBucket(bucket);
        all.dirty = true;
        candidates.put(bucket.windowEnd, all);
        ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 1);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrendingRow> out)
            throws Exception {
        List<Long> done = new ArrayList<>();
        for (Map.Entry<Long, Ranking> e : candidates.entries()) {
            long windowEnd = e.getKey();
            Ranking all = e.getValue();
            if (all.dirty) {
                all.dirty = false;
                publish(
                        ctx.getCurrentKey(),
                        windowEnd,
                        TopN.merge(topN, List.of(all.trends())),
                        out);
                e.setValue(all);
            }
            if (windowEnd - 1 + latenessMillis <= time) {
                done.add(windowEnd);
            }
        }
        for (Long windowEnd : done) {
            candidates.remove(windowEnd);
            published.remove(windowEnd);
        }
    }

    private void publish(
            String scope, long windowEnd, List<Trend> ranked, Collector<TrendingRow> out)
            throws Exception {
        Ranking before = published.get(windowEnd);
        List<Trend> old = before == null ? List.of() : before.trends();
        for (int i = 0; i < ranked.size(); i++) {
            Trend t = ranked.get(i);
            if (i < old.size() && old.get(i).equals(t)) {
                continue;
            }
            out.collect(
                    new TrendingRow(
                            scope,
                            windowEnd - lengthMillis,
                            windowEnd,
                            i + 1,
                            t.contentId(),
                            t.title(),
                            t.downloads(),
                            t.previousDownloads(),
                            t.previousDownloads() == 0
                                    ? null
                                    : (double) (t.downloads() - t.previousDownloads())
                                            / t.previousDownloads()));
        }
        published.put(windowEnd, Ranking.of(scope, windowEnd, 0, ranked));
    }
}
