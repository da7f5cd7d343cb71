-- What the original dashboard queried: the newest window per content and per region, and
-- the alerts nobody has resolved or acknowledged yet.

CREATE VIEW latest_content_stats AS
SELECT DISTINCT ON (content_id) *
FROM content_stats
ORDER BY content_id, window_start DESC;

-- healthy: success rate at least 0.90 and average speed at least 10 Mbps;
-- critical: success rate below 0.80; degraded: anything in between.
CREATE VIEW latest_region_health AS
SELECT DISTINCT ON (region)
       r.*,
       CASE
           WHEN r.success_rate < 0.80 THEN 'critical'
           WHEN r.success_rate < 0.90 OR r.avg_speed_mbps < 10.0 THEN 'degraded'
           ELSE 'healthy'
       END AS health_status
FROM region_health r
ORDER BY region, window_start DESC;

CREATE VIEW active_alerts AS
SELECT *
FROM alerts
WHERE resolved_at IS NULL
  AND NOT acknowledged
ORDER BY CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END,
         window_start DESC;

-- Deletes windows, alerts and rejected events older than the given age; returns the
-- number of rows deleted. Run it from cron or pg_cron: SELECT cleanup_old_data('7 days');
CREATE FUNCTION cleanup_old_data(retention INTERVAL DEFAULT INTERVAL '7 days')
RETURNS BIGINT
LANGUAGE plpgsql
AS $$
DECLARE
    cutoff  TIMESTAMPTZ := now() - retention;
    deleted BIGINT := 0;
    n       BIGINT;
BEGIN
    DELETE FROM content_stats WHERE window_start < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    DELETE FROM region_health WHERE window_start < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    DELETE FROM device_stats WHERE window_start < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    DELETE FROM alerts WHERE window_start < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    DELETE FROM rejected_events WHERE received_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    RETURN deleted;
END;
$$;
