-- training_data: labelled examples for the local classifier.
CREATE TABLE training_data (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users (discord_id) ON DELETE SET NULL,
  content TEXT,
  context JSONB,
  label TEXT,
  labeled_by TEXT,
  labeled_at TIMESTAMPTZ,
  collected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  quality_score INTEGER,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT training_data_label_valid CHECK (label IN ('SPAM', 'NOT_SPAM', 'UNCERTAIN')),
  CONSTRAINT training_data_quality_score_range CHECK (quality_score BETWEEN 1 AND 5),
  CONSTRAINT training_data_labeled_by_snowflake CHECK (labeled_by ~ '^[0-9]{1,20}$'),
  CONSTRAINT training_data_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE training_data IS 'Labelled examples (SPAM, NOT_SPAM, UNCERTAIN) for model training';
COMMENT ON COLUMN training_data.quality_score IS '1..5, higher is better training data';
CREATE INDEX training_data_server_time_idx ON training_data (server_id, collected_at DESC);
CREATE INDEX training_data_label_idx ON training_data (label) WHERE label IS NOT NULL;
CREATE INDEX training_data_user_idx ON training_data (user_id);
CREATE INDEX training_data_collected_at_brin ON training_data USING brin (collected_at);

ALTER TABLE training_data ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE training_data FROM PUBLIC, anon, authenticated;
GRANT ALL ON TABLE training_data TO service_role;
CREATE POLICY service_role_all ON training_data AS PERMISSIVE FOR ALL TO service_role
  USING (true) WITH CHECK (true);
