-- Flag columns of the original plan: restriction and verification state on server_members, and
-- cross-server reputation on users (the plan's cancelled user_flags table, folded into these).

ALTER TABLE server_members
  ADD COLUMN is_restricted BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN verification_status verification_status,
  ADD COLUMN restriction_reason TEXT,
  ADD COLUMN last_status_change TIMESTAMPTZ,
  ADD COLUMN moderator_id TEXT,
  ADD CONSTRAINT server_members_moderator_id_snowflake CHECK (moderator_id ~ '^[0-9]{1,20}$');
COMMENT ON COLUMN server_members.verification_status IS 'Status of the member''s latest case (NULL: never flagged)';
COMMENT ON COLUMN server_members.moderator_id IS 'Discord id of the moderator who last changed the status';
-- Restricted members of a server (the moderation queue).
CREATE INDEX server_members_restricted_idx ON server_members (server_id) WHERE is_restricted;

ALTER TABLE users
  ADD COLUMN global_reputation_score REAL NOT NULL DEFAULT 0,
  ADD COLUMN suspicious_server_count INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN first_flagged_at TIMESTAMPTZ,
  ADD CONSTRAINT users_global_reputation_range CHECK (global_reputation_score BETWEEN -1 AND 1),
  ADD CONSTRAINT users_suspicious_server_count_nonnegative CHECK (suspicious_server_count >= 0);
COMMENT ON COLUMN users.global_reputation_score IS 'Cross-server reputation, -1 (spammer) .. 1 (trusted)';
COMMENT ON COLUMN users.suspicious_server_count IS 'Number of servers in which the user has been flagged';
