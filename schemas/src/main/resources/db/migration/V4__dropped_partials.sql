-- Partial sums a window could not count because they reached it after it had closed for good
-- (RELIABILITY.md, "Dropped partial sums"). A row is a record of what was lost, not a result: it
-- names the Kafka offsets its events came from, so they can be re-read and replayed. The offset
-- ranges also hold other keys' and windows' events; keep those of this row's key and window.
CREATE TABLE dropped_partials (
    dimension     TEXT        NOT NULL CHECK (dimension IN ('CONTENT', 'REGION', 'DEVICE')),
    dimension_key TEXT        NOT NULL,
    detail        TEXT        NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    source_topic  TEXT        NOT NULL,
    -- "partition:first-last" inclusive, comma separated, e.g. "0:1200-1450,3:88-90"
    source_ranges TEXT        NOT NULL,
    events        BIGINT      NOT NULL,
    successful    BIGINT      NOT NULL,
    dropped_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dimension, dimension_key, detail, window_start, source_topic, source_ranges)
);
CREATE INDEX dropped_partials_dropped_at_idx ON dropped_partials (dropped_at DESC);
