package com.streampulse.autoscaler;

import com.streampulse.autoscaler.collect.LagSource;
import com.streampulse.autoscaler.collect.OffsetSample;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-written fake of Kafka for controller tests: a job that falls behind. Round k sees 1000 +
 * 1000k records on the topic and 100k committed, spread over the partitions: 100 records/s in, 10/s
 * processed, every 10 s.
 */
final class ScriptedLag implements LagSource {

    final int partitions;
    final Clock clock;
    final List<String> calls = new ArrayList<>();
    private int round;

    ScriptedLag(int partitions, Clock clock) {
        this.partitions = partitions;
        this.clock = clock;
    }

    @Override
    public synchronized OffsetSample read(String groupId, String topic) {
        calls.add(groupId + "@" + topic);
        long end = 1000 + 1000L * round;
        long committed = 100L * round;
        round++;
        Map<Integer, Long> ends = new HashMap<>();
        Map<Integer, Long> commits = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            ends.put(p, end / partitions + (p < end % partitions ? 1 : 0));
            commits.put(p, committed / partitions + (p < committed % partitions ? 1 : 0));
        }
        return new OffsetSample(clock.instant(), ends, commits);
    }

    synchronized int calls() {
        return calls.size();
    }
}
