-- Alert state changes waiting to be delivered to Alertmanager (README, "Alert delivery").
-- A trigger on alerts fills it, so every writer of alerts (the job's idempotent upserts, a
-- person resolving by hand) enqueues in the same transaction as the change itself: a change
-- is never lost between the table and the outbox, whatever restarts. Only changes of state
-- enqueue: raised (a new row, or a resolved row raised again), severity changed, resolved. A
-- replay that rewrites the same verdict, or an update of the message or metric value alone,
-- enqueues nothing. The sender sets delivered_at once Alertmanager accepted the row; a crash
-- before that resends it, and Alertmanager de-duplicates by the alert's labels.
CREATE TABLE alert_outbox (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id          BIGINT           NOT NULL,
    state             TEXT             NOT NULL CHECK (state IN ('firing', 'resolved')),
    alert_type        TEXT             NOT NULL,
    severity          TEXT             NOT NULL,
    -- The severity Alertmanager was told before a change of severity, which the sender resolves
    -- (severity is one of the labels, so each severity is an alert of its own there).
    previous_severity TEXT,
    message           TEXT             NOT NULL,
    scope             TEXT             NOT NULL,
    scope_key         TEXT             NOT NULL,
    region            TEXT,
    content_id        TEXT,
    metric_name       TEXT             NOT NULL,
    metric_value      DOUBLE PRECISION NOT NULL,
    threshold_value   DOUBLE PRECISION NOT NULL,
    window_start      TIMESTAMPTZ      NOT NULL,
    window_end        TIMESTAMPTZ      NOT NULL,
    changed_at        TIMESTAMPTZ      NOT NULL DEFAULT now(),
    attempts          INT              NOT NULL DEFAULT 0,
    last_error        TEXT,
    delivered_at      TIMESTAMPTZ
);
CREATE INDEX alert_outbox_pending_idx ON alert_outbox (id) WHERE delivered_at IS NULL;

CREATE FUNCTION enqueue_alert_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    was_firing BOOLEAN := TG_OP = 'UPDATE' AND OLD.resolved_at IS NULL;
    is_firing  BOOLEAN := NEW.resolved_at IS NULL;
    previous   TEXT;
    -- A resolution resolves the severity that was firing, whatever the resolving write says.
    sent       TEXT := CASE WHEN was_firing AND NOT is_firing THEN OLD.severity
                            ELSE NEW.severity END;
BEGIN
    IF TG_OP = 'UPDATE' AND was_firing = is_firing
            AND (NOT is_firing OR OLD.severity = NEW.severity) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NOT is_firing THEN
        -- Resolved from its first write (a replay's withdrawal): nothing was ever raised.
        RETURN NEW;
    END IF;
    IF was_firing AND is_firing THEN
        previous := OLD.severity;
    END IF;
    INSERT INTO alert_outbox (alert_id, state, alert_type, severity, previous_severity, message,
                              scope, scope_key, region, content_id, metric_name, metric_value,
                              threshold_value, window_start, window_end)
    VALUES (NEW.id, CASE WHEN is_firing THEN 'firing' ELSE 'resolved' END, NEW.alert_type,
            sent, previous, NEW.message, NEW.scope, NEW.scope_key, NEW.region,
            NEW.content_id, NEW.metric_name, NEW.metric_value, NEW.threshold_value,
            NEW.window_start, NEW.window_end);
    RETURN NEW;
END;
$$;

CREATE TRIGGER alerts_enqueue_change
    AFTER INSERT OR UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION enqueue_alert_change();
