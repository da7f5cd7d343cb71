-- Anomaly alerts on learned baselines (issue 16): ANOMALY_ERROR_RATE, ANOMALY_SPEED and
-- ANOMALY_VOLUME rows in alerts carry what the region's baseline expected and how far the window
-- was from it, in standard deviations. NULL for the fixed-threshold alerts.
ALTER TABLE alerts
    ADD COLUMN expected_value DOUBLE PRECISION,
    ADD COLUMN deviation      DOUBLE PRECISION;
