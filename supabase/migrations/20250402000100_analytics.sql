-- analytics: daily counters per server, added to atomically (INSERT ... ON CONFLICT DO UPDATE).
CREATE TABLE analytics (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  date DATE NOT NULL,
  detection_count INTEGER NOT NULL DEFAULT 0,
  verification_count INTEGER NOT NULL DEFAULT 0,
  ban_count INTEGER NOT NULL DEFAULT 0,
  verify_count INTEGER NOT NULL DEFAULT 0,
  false_positive_count INTEGER NOT NULL DEFAULT 0,
  gpt_call_count INTEGER NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0,
  join_count INTEGER NOT NULL DEFAULT 0,
  metrics JSONB NOT NULL DEFAULT '{}'::jsonb,
  -- Also the index of the (server, date) access pattern.
  CONSTRAINT analytics_server_date_unique UNIQUE (server_id, date),
  CONSTRAINT analytics_counts_nonnegative CHECK (
    detection_count >= 0 AND verification_count >= 0 AND ban_count >= 0 AND verify_count >= 0
    AND false_positive_count >= 0 AND gpt_call_count >= 0 AND message_count >= 0
    AND join_count >= 0),
  CONSTRAINT analytics_metrics_object CHECK (jsonb_typeof(metrics) = 'object')
);
COMMENT ON TABLE analytics IS 'Per-server daily counters for reports and the dashboard';

ALTER TABLE analytics ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE analytics FROM PUBLIC, anon, authenticated;
GRANT ALL ON TABLE analytics TO service_role;
CREATE POLICY service_role_all ON analytics AS PERMISSIVE FOR ALL TO service_role
  USING (true) WITH CHECK (true);
