-- A user's cases across servers: suspicious_server_count is recounted from them on every case
-- outcome (store::pg::UserRepo::RecountSuspicion), which would otherwise scan every case.
CREATE INDEX verification_events_user_status_idx ON verification_events (user_id, status);
