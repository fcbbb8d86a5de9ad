-- Cross-process invalidation of per-guild configuration: every write to servers sends the guild id
-- on the channel antispam_server_config (store::pg::kServerConfigChannel), where each bot process's
-- store::pg::Listener drops its cached copy. NOTIFY is transactional: the message goes out when the
-- writing transaction commits, and not at all if it rolls back. Row triggers do not fire on
-- TRUNCATE, which sends nothing.
CREATE FUNCTION servers_notify_config_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('antispam_server_config', OLD.guild_id);
    RETURN OLD;
  END IF;
  -- A changed primary key invalidates the old guild as well.
  IF TG_OP = 'UPDATE' AND OLD.guild_id IS DISTINCT FROM NEW.guild_id THEN
    PERFORM pg_notify('antispam_server_config', OLD.guild_id);
  END IF;
  PERFORM pg_notify('antispam_server_config', NEW.guild_id);
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION servers_notify_config_change() IS
  'Sends the guild id of a changed servers row on channel antispam_server_config';
REVOKE ALL ON FUNCTION servers_notify_config_change() FROM PUBLIC, anon, authenticated;

CREATE TRIGGER servers_notify_config_change
  AFTER INSERT OR UPDATE OR DELETE ON servers
  FOR EACH ROW EXECUTE FUNCTION servers_notify_config_change();
