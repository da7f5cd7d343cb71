package com.streampulse.job.records;

/**
 * A partial sum the windows dropped because it arrived after its window had closed for good: one
 * row in {@code dropped_partials}. It names the Kafka offsets its events were read from, so they
 * can be re-read and replayed; a replay of the job that drops the same partial writes the same row.
 *
 * @param dimension {@code CONTENT}, {@code REGION} or {@code DEVICE}
 * @param key the content id, region or device
 * @param detail the title, empty, or the OS version
 * @param sourceRanges {@code partition:first-last} inclusive offsets, comma separated, of every
 *     record the pre-aggregator read for this window before it sent the partial (records of other
 *     keys included)
 */
public record DroppedPartial(
        String dimension,
        String key,
        String detail,
        long windowStart,
        String topic,
        String sourceRanges,
        long events,
        long successful) {}
