-- antispam initial schema: the six core tables of the original plan.
--
-- Discord ids are TEXT primary keys CHECKed as decimal snowflakes (1-20 digits). Every table has
-- row-level security; the Supabase roles are created when absent so this file applies unchanged on
-- Supabase and on plain PostgreSQL (>= 14). anon and authenticated get no privileges and no
-- policies; each policy names its role.

-- Supabase's API roles. On Supabase they exist already; elsewhere they are created without login.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$$;

CREATE TYPE verification_status AS ENUM (
  'pending', 'verified', 'rejected', 'reopened', 'banned', 'kicked'
);

CREATE TYPE detection_type AS ENUM ('message', 'join', 'manual');

CREATE TYPE detection_level AS ENUM ('low', 'medium', 'high');

CREATE TYPE admin_action_type AS ENUM (
  'verify', 'reject', 'ban', 'kick', 'reopen', 'create_thread',
  'restrict', 'unrestrict', 'timeout', 'flag', 'label'
);

-- servers: one row per guild; its configuration.
CREATE TABLE servers (
  guild_id TEXT PRIMARY KEY,
  restricted_role_id TEXT,
  admin_channel_id TEXT,
  verification_channel_id TEXT,
  admin_notification_role_id TEXT,
  settings JSONB NOT NULL DEFAULT '{}'::jsonb,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by TEXT,
  updated_by TEXT,
  CONSTRAINT servers_guild_id_snowflake CHECK (guild_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_restricted_role_id_snowflake CHECK (restricted_role_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_admin_channel_id_snowflake CHECK (admin_channel_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_verification_channel_id_snowflake
    CHECK (verification_channel_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_admin_notification_role_id_snowflake
    CHECK (admin_notification_role_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_created_by_snowflake CHECK (created_by ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_updated_by_snowflake CHECK (updated_by ~ '^[0-9]{1,20}$'),
  CONSTRAINT servers_settings_object CHECK (jsonb_typeof(settings) = 'object')
);
COMMENT ON TABLE servers IS 'Discord guilds the bot serves, with their configuration';
COMMENT ON COLUMN servers.settings IS 'Per-guild settings (thresholds, keyword lists, action policy) as a JSON object';

-- users: one row per Discord user, across servers.
CREATE TABLE users (
  discord_id TEXT PRIMARY KEY,
  username TEXT,
  account_created_at TIMESTAMPTZ,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT users_discord_id_snowflake CHECK (discord_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT users_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE users IS 'Discord users seen in any server';

-- server_members: a user in a server.
CREATE TABLE server_members (
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (discord_id) ON DELETE CASCADE,
  join_date TIMESTAMPTZ,
  reputation_score REAL NOT NULL DEFAULT 0,
  message_count BIGINT NOT NULL DEFAULT 0,
  last_message_at TIMESTAMPTZ,
  last_verified_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (server_id, user_id),
  CONSTRAINT server_members_message_count_nonnegative CHECK (message_count >= 0),
  CONSTRAINT server_members_reputation_range CHECK (reputation_score BETWEEN -1 AND 1)
);
COMMENT ON TABLE server_members IS 'Users in specific servers: per-server reputation and activity';
-- Cross-server look-ups by user (the primary key serves look-ups by server and by (server, user)).
CREATE INDEX server_members_user_idx ON server_members (user_id);

-- detection_events: every verdict worth remembering.
CREATE TABLE detection_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (discord_id) ON DELETE CASCADE,
  message_id TEXT,
  channel_id TEXT,
  detection_type detection_type NOT NULL,
  risk REAL NOT NULL,
  confidence REAL NOT NULL,
  confidence_level detection_level NOT NULL,
  reasons TEXT[] NOT NULL DEFAULT '{}',
  used_gpt BOOLEAN NOT NULL DEFAULT FALSE,
  detected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  admin_action TEXT,
  admin_action_by TEXT,
  admin_action_at TIMESTAMPTZ,
  latest_verification_event_id UUID,
  CONSTRAINT detection_events_message_id_snowflake CHECK (message_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT detection_events_channel_id_snowflake CHECK (channel_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT detection_events_admin_action_by_snowflake
    CHECK (admin_action_by ~ '^[0-9]{1,20}$'),
  CONSTRAINT detection_events_risk_range CHECK (risk BETWEEN 0 AND 1),
  CONSTRAINT detection_events_confidence_range CHECK (confidence BETWEEN 0 AND 1),
  CONSTRAINT detection_events_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE detection_events IS 'Detections: the verdict, its reasons, and what admins did about it';
COMMENT ON COLUMN detection_events.risk IS 'How likely the user is a spammer, 0..1';
COMMENT ON COLUMN detection_events.confidence IS 'How certain the engine is of the risk, 0..1 (not a distance from 0.5)';
COMMENT ON COLUMN detection_events.confidence_level IS 'The verdict level: low, medium, high';
-- Detection history of a user in a server, newest first.
CREATE INDEX detection_events_server_user_time_idx
  ON detection_events (server_id, user_id, detected_at DESC);
-- Cross-server history of a user (and the CASCADE from users).
CREATE INDEX detection_events_user_idx ON detection_events (user_id);
-- Time-range scans over an append-mostly table.
CREATE INDEX detection_events_detected_at_brin ON detection_events USING brin (detected_at);

-- verification_events: a case opened for a flagged user, and its lifecycle.
CREATE TABLE verification_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (discord_id) ON DELETE CASCADE,
  detection_event_id UUID REFERENCES detection_events (id) ON DELETE SET NULL,
  thread_id TEXT,
  notification_message_id TEXT,
  status verification_status NOT NULL DEFAULT 'pending',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ,
  resolved_by TEXT,
  notes TEXT,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT verification_events_thread_id_snowflake CHECK (thread_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT verification_events_notification_message_id_snowflake
    CHECK (notification_message_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT verification_events_resolved_by_snowflake CHECK (resolved_by ~ '^[0-9]{1,20}$'),
  CONSTRAINT verification_events_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE verification_events IS 'Verification cases: pending -> verified | rejected | banned | kicked, and reopened';
-- At most one open case per member; also the look-up of a user's open case.
CREATE UNIQUE INDEX verification_events_one_open_case
  ON verification_events (server_id, user_id) WHERE status IN ('pending', 'reopened');
CREATE INDEX verification_events_server_user_time_idx
  ON verification_events (server_id, user_id, created_at DESC);
CREATE INDEX verification_events_user_idx ON verification_events (user_id);
CREATE INDEX verification_events_detection_idx ON verification_events (detection_event_id);
CREATE INDEX verification_events_created_at_brin ON verification_events USING brin (created_at);

-- Status transitions are checked in the database, so no writer can skip the rules:
-- an open case (pending, reopened) may be resolved; a resolved case may only be reopened.
CREATE FUNCTION verification_events_check_transition() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF NEW.status = 'pending'
       OR (NEW.status = 'reopened' AND OLD.status IN ('pending', 'reopened'))
       OR (NEW.status NOT IN ('pending', 'reopened') AND OLD.status NOT IN ('pending', 'reopened'))
    THEN
      RAISE EXCEPTION 'invalid verification status transition % -> %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'verification_status_transition',
              TABLE = 'verification_events', COLUMN = 'status';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER verification_events_transition
  BEFORE UPDATE OF status ON verification_events
  FOR EACH ROW EXECUTE FUNCTION verification_events_check_transition();

ALTER TABLE detection_events
  ADD CONSTRAINT detection_events_latest_verification_fk
  FOREIGN KEY (latest_verification_event_id) REFERENCES verification_events (id) ON DELETE SET NULL;
CREATE INDEX detection_events_latest_verification_idx
  ON detection_events (latest_verification_event_id);

-- admin_actions: the audit trail of everything a moderator did.
CREATE TABLE admin_actions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  server_id TEXT NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (discord_id) ON DELETE CASCADE,
  admin_id TEXT NOT NULL,
  verification_event_id UUID REFERENCES verification_events (id) ON DELETE CASCADE,
  detection_event_id UUID REFERENCES detection_events (id) ON DELETE SET NULL,
  action_type admin_action_type NOT NULL,
  action_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  previous_status verification_status,
  new_status verification_status,
  notes TEXT,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT admin_actions_admin_id_snowflake CHECK (admin_id ~ '^[0-9]{1,20}$'),
  CONSTRAINT admin_actions_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE admin_actions IS 'Audit trail: every admin action with attribution and status change';
CREATE INDEX admin_actions_case_time_idx ON admin_actions (verification_event_id, action_at);
CREATE INDEX admin_actions_server_user_time_idx ON admin_actions (server_id, user_id, action_at DESC);
CREATE INDEX admin_actions_user_idx ON admin_actions (user_id);
CREATE INDEX admin_actions_detection_idx ON admin_actions (detection_event_id);
CREATE INDEX admin_actions_action_at_brin ON admin_actions USING brin (action_at);

-- Number of message detections of a user in a server within the last p_timeframe_seconds.
CREATE FUNCTION get_recent_message_count(p_user_id TEXT, p_server_id TEXT,
                                         p_timeframe_seconds INTEGER)
RETURNS INTEGER
LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT count(*)::integer
  FROM detection_events
  WHERE server_id = p_server_id
    AND user_id = p_user_id
    AND detection_type = 'message'
    AND detected_at >= now() - make_interval(secs => p_timeframe_seconds)
$$;
COMMENT ON FUNCTION get_recent_message_count(TEXT, TEXT, INTEGER) IS
  'Message detections of a user in a server within the given number of seconds';
REVOKE ALL ON FUNCTION get_recent_message_count(TEXT, TEXT, INTEGER) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION get_recent_message_count(TEXT, TEXT, INTEGER) TO service_role;
REVOKE ALL ON FUNCTION verification_events_check_transition() FROM PUBLIC, anon, authenticated;

-- Row-level security: service_role has full access through a policy that names it; anon and
-- authenticated have neither privileges nor policies (Supabase grants them table privileges by
-- default, so they are revoked explicitly).
DO $$
DECLARE
  t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['servers', 'users', 'server_members', 'detection_events',
                           'verification_events', 'admin_actions', 'schema_migrations']
  LOOP
    IF to_regclass('public.' || t) IS NULL THEN
      CONTINUE;  -- schema_migrations exists only when applied by `antispam migrate`
    END IF;
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON TABLE public.%I FROM PUBLIC, anon, authenticated', t);
    EXECUTE format('GRANT ALL ON TABLE public.%I TO service_role', t);
    EXECUTE format('CREATE POLICY service_role_all ON public.%I AS PERMISSIVE FOR ALL '
                   'TO service_role USING (true) WITH CHECK (true)', t);
  END LOOP;
END
$$;
