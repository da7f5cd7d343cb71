-- Download sessions (issue 16): a user's downloads separated by less than the gap (default 30
-- minutes). Written once, when no accepted event can extend the session any more.
CREATE TABLE user_sessions (
    user_id          TEXT        NOT NULL,
    session_start    TIMESTAMPTZ NOT NULL,
    session_end      TIMESTAMPTZ NOT NULL,
    downloads        BIGINT      NOT NULL,
    failed_downloads BIGINT      NOT NULL,
    -- size of the successful downloads
    total_size_mb    BIGINT      NOT NULL,
    distinct_content INTEGER     NOT NULL,
    regions          TEXT[]      NOT NULL,
    devices          TEXT[]      NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, session_start)
);
CREATE INDEX user_sessions_session_end_idx ON user_sessions (session_end DESC);

-- Retention for the tables of issue 16, beside cleanup_old_data() (left as it is):
-- SELECT cleanup_feature_data('7 days');
CREATE FUNCTION cleanup_feature_data(retention INTERVAL DEFAULT INTERVAL '7 days')
RETURNS BIGINT
LANGUAGE plpgsql
AS $$
DECLARE
    cutoff  TIMESTAMPTZ := now() - retention;
    deleted BIGINT := 0;
    n       BIGINT;
BEGIN
    DELETE FROM trending_content WHERE window_end < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    DELETE FROM user_sessions WHERE session_end < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT; deleted := deleted + n;
    RETURN deleted;
END;
$$;
