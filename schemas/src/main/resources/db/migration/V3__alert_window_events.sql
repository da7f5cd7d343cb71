-- How many events the firing that last wrote an alert row had counted. The job never replaces a
-- row with one that counted fewer: a replayed firing after a restore, or a stale write from a
-- paused TaskManager, cannot overwrite a newer verdict. (The stats tables fence on their own
-- counts: download_count, total_downloads.)
ALTER TABLE alerts ADD COLUMN window_events BIGINT NOT NULL DEFAULT 0;
