-- gpt_usage: one row per LLM call, for cost and latency monitoring and budgets.
CREATE TABLE gpt_usage (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users (discord_id) ON DELETE SET NULL,
  "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now(),
  model TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  purpose TEXT,
  success BOOLEAN NOT NULL DEFAULT TRUE,
  latency_ms INTEGER,
  cost_usd NUMERIC(12, 6),
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT gpt_usage_tokens_nonnegative
    CHECK (prompt_tokens >= 0 AND completion_tokens >= 0 AND total_tokens >= 0),
  CONSTRAINT gpt_usage_latency_nonnegative CHECK (latency_ms >= 0),
  CONSTRAINT gpt_usage_cost_nonnegative CHECK (cost_usd >= 0),
  CONSTRAINT gpt_usage_model_nonempty CHECK (model <> ''),
  CONSTRAINT gpt_usage_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE gpt_usage IS 'LLM calls: tokens, latency, success and estimated cost';
-- Daily budget checks and reports: calls of a server in a time range.
CREATE INDEX gpt_usage_server_time_idx ON gpt_usage (server_id, "timestamp" DESC);
CREATE INDEX gpt_usage_user_idx ON gpt_usage (user_id);
CREATE INDEX gpt_usage_timestamp_brin ON gpt_usage USING brin ("timestamp");

ALTER TABLE gpt_usage ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE gpt_usage FROM PUBLIC, anon, authenticated;
GRANT ALL ON TABLE gpt_usage TO service_role;
CREATE POLICY service_role_all ON gpt_usage AS PERMISSIVE FOR ALL TO service_role
  USING (true) WITH CHECK (true);
