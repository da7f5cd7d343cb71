-- StreamPulse result tables. Column names follow the original schema so its API and
-- dashboard queries keep working; every table has a natural primary key because the job
-- writes with idempotent upserts (a replay after a failure rewrites the same rows).

CREATE TABLE content_stats (
    window_start         TIMESTAMPTZ      NOT NULL,
    window_end           TIMESTAMPTZ      NOT NULL,
    content_id           TEXT             NOT NULL,
    title                TEXT             NOT NULL,
    download_count       BIGINT           NOT NULL,
    successful_downloads BIGINT           NOT NULL,
    failed_downloads     BIGINT           NOT NULL,
    total_size_gb        DOUBLE PRECISION NOT NULL,
    created_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (content_id, window_start)
);
CREATE INDEX content_stats_window_start_idx ON content_stats (window_start DESC);

CREATE TABLE region_health (
    window_start         TIMESTAMPTZ      NOT NULL,
    window_end           TIMESTAMPTZ      NOT NULL,
    region               TEXT             NOT NULL,
    total_downloads      BIGINT           NOT NULL,
    successful_downloads BIGINT           NOT NULL,
    failed_downloads     BIGINT           NOT NULL,
    success_rate         DOUBLE PRECISION NOT NULL,
    avg_speed_mbps       DOUBLE PRECISION NOT NULL,
    avg_duration_seconds DOUBLE PRECISION NOT NULL,
    created_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (region, window_start)
);
CREATE INDEX region_health_window_start_idx ON region_health (window_start DESC);

CREATE TABLE device_stats (
    window_start         TIMESTAMPTZ      NOT NULL,
    window_end           TIMESTAMPTZ      NOT NULL,
    device               TEXT             NOT NULL,
    os_version           TEXT             NOT NULL,
    total_downloads      BIGINT           NOT NULL,
    successful_downloads BIGINT           NOT NULL,
    failed_downloads     BIGINT           NOT NULL,
    avg_speed_mbps       DOUBLE PRECISION NOT NULL,
    avg_duration_seconds DOUBLE PRECISION NOT NULL,
    created_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (device, os_version, window_start)
);
CREATE INDEX device_stats_window_start_idx ON device_stats (window_start DESC);

CREATE TABLE alerts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_type      TEXT             NOT NULL,
    severity        TEXT             NOT NULL CHECK (severity IN ('CRITICAL', 'WARNING', 'INFO')),
    message         TEXT             NOT NULL,
    scope           TEXT             NOT NULL CHECK (scope IN ('region', 'content')),
    scope_key       TEXT             NOT NULL,
    region          TEXT,
    content_id      TEXT,
    metric_name     TEXT             NOT NULL,
    metric_value    DOUBLE PRECISION NOT NULL,
    threshold_value DOUBLE PRECISION NOT NULL,
    window_start    TIMESTAMPTZ      NOT NULL,
    window_end      TIMESTAMPTZ      NOT NULL,
    created_at      TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ      NOT NULL DEFAULT now(),
    resolved_at     TIMESTAMPTZ,
    acknowledged    BOOLEAN          NOT NULL DEFAULT false,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by TEXT,
    CONSTRAINT alerts_natural_key UNIQUE (alert_type, scope, scope_key, window_start)
);
CREATE INDEX alerts_active_idx ON alerts (window_start DESC) WHERE resolved_at IS NULL;

CREATE TABLE rejected_events (
    source_topic     TEXT        NOT NULL,
    source_partition INTEGER     NOT NULL,
    source_offset    BIGINT      NOT NULL,
    reason           TEXT        NOT NULL CHECK (reason IN ('MALFORMED', 'INVALID', 'LATE')),
    detail           TEXT        NOT NULL,
    event_time       TIMESTAMPTZ,
    payload          BYTEA,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source_topic, source_partition, source_offset)
);
CREATE INDEX rejected_events_received_at_idx ON rejected_events (received_at DESC);
CREATE INDEX rejected_events_reason_idx ON rejected_events (reason);
