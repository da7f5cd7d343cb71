-- Trending content (issue 16): for every region and for 'global', the top N contents by downloads
-- in a sliding window (default 15 minutes, every minute). Keyed by scope, window and rank, so a
-- late download that changes a ranking rewrites exactly the ranks it changes.
CREATE TABLE trending_content (
    scope              TEXT             NOT NULL,
    window_start       TIMESTAMPTZ      NOT NULL,
    window_end         TIMESTAMPTZ      NOT NULL,
    rank               INTEGER          NOT NULL CHECK (rank >= 1),
    content_id         TEXT             NOT NULL,
    title              TEXT             NOT NULL,
    downloads          BIGINT           NOT NULL,
    -- downloads in the window of the same length just before this one
    previous_downloads BIGINT           NOT NULL,
    -- (downloads - previous) / previous; NULL when the content was not downloaded before
    growth             DOUBLE PRECISION,
    created_at         TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, window_end, rank)
);
CREATE INDEX trending_content_window_end_idx ON trending_content (window_end DESC);

-- The newest ranking of every scope.
CREATE VIEW latest_trending AS
SELECT t.*
FROM trending_content t
JOIN (SELECT scope, max(window_end) AS window_end FROM trending_content GROUP BY scope) newest
  ON newest.scope = t.scope AND newest.window_end = t.window_end;
