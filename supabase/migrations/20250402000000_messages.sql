-- messages: stored content of flagged users (default retention 7 days, per-server setting).
CREATE TABLE messages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (discord_id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  content TEXT,
  sent_at TIMESTAMPTZ,
  channel_id TEXT,
  is_flagged BOOLEAN NOT NULL DEFAULT FALSE,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  stored_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT messages_server_message_unique UNIQUE (server_id, message_id),
  CONSTRAINT messages_message_id_snowflake CHECK (message_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT messages_channel_id_snowflake CHECK (channel_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT messages_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE messages IS 'Content of flagged users'' messages, kept 7 days by default';
CREATE INDEX messages_server_user_time_idx ON messages (server_id, user_id, sent_at DESC);
CREATE INDEX messages_user_idx ON messages (user_id);
CREATE INDEX messages_stored_at_brin ON messages USING brin (stored_at);

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE messages FROM PUBLIC, anon, authenticated;
GRANT ALL ON TABLE messages TO service_role;
CREATE POLICY service_role_all ON messages AS PERMISSIVE FOR ALL TO service_role
  USING (true) WITH CHECK (true);
