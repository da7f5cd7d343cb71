package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import java.util.Random;

/**
 * Makes a decodable event that the job must reject as INVALID: the mistakes its validator checks
 * for (empty ids, an unknown status, negative numbers).
 */
final class Invalidation {

    private Invalidation() {}

    static ContentDownloadEvent invalidate(ContentDownloadEvent event, Random random) {
        ContentDownloadEvent copy = ContentDownloadEvent.newBuilder(event).build();
        switch (random.nextInt(3)) {
            case 0 -> copy.setEventId("");
            case 1 -> copy.getDownload().setStatus("paused");
            default -> copy.getDownload().setDurationSeconds(-1 - random.nextInt(100));
        }
        return copy;
    }
}
