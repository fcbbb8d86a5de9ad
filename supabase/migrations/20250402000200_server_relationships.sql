-- server_relationships: the cross-server trust network.
CREATE TABLE server_relationships (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  source_server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  target_server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  relationship_type TEXT NOT NULL,
  trust_level INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by TEXT,
  CONSTRAINT server_relationships_pair_unique UNIQUE (source_server_id, target_server_id),
  CONSTRAINT server_relationships_type_valid
    CHECK (relationship_type IN ('Trust', 'Distrust', 'Neutral')),
  CONSTRAINT server_relationships_trust_level_range CHECK (trust_level BETWEEN -100 AND 100),
  CONSTRAINT server_relationships_not_self CHECK (source_server_id <> target_server_id),
  CONSTRAINT server_relationships_created_by_snowflake CHECK (created_by ~ '^[0-9]{1,20}$')
);
COMMENT ON TABLE server_relationships IS 'Trust network: which servers share reputation with which';
COMMENT ON COLUMN server_relationships.trust_level IS '-100 (full distrust) .. 100 (full trust)';
CREATE INDEX server_relationships_target_idx ON server_relationships (target_server_id);

ALTER TABLE server_relationships ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE server_relationships FROM PUBLIC, anon, authenticated;
GRANT ALL ON TABLE server_relationships TO service_role;
CREATE POLICY service_role_all ON server_relationships AS PERMISSIVE FOR ALL TO service_role
  USING (true) WITH CHECK (true);
