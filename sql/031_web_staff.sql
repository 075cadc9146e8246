-- 031_web_staff: caselog-web and the staff (sql/020_identity.sql).
-- * caselog_web reads who is on the staff (sign-in, names on pages).
-- * caselog_web holds each current staff member's role (it is NOINHERIT: it gains none
--   of their rights, but may SET ROLE to the person signed in). A trigger keeps this so
--   as staff are added and removed, whoever adds them; a removed member's web sessions
--   end at once. The function runs as the tables' owner, who may grant roles.
-- * A change to the staff notifies caselog_desk too: the web desk keeps the staff list
--   and the threads' names while the desk stays as it was (030's triggers).
-- * The queue's two orders (due first, newest first) are index scans over the open cases,
--   so a page of 50 costs the same with 10,000 cases as with 100.
GRANT SELECT ON staff TO caselog_web;

CREATE FUNCTION caselog_web_staff_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.role_name) THEN
        RETURN NULL;
    END IF;
    IF NEW.removed_at IS NULL THEN
        IF NOT pg_has_role('caselog_web', NEW.role_name, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO caselog_web', NEW.role_name);
        END IF;
    ELSE
        IF pg_has_role('caselog_web', NEW.role_name, 'MEMBER') THEN
            EXECUTE format('REVOKE %I FROM caselog_web', NEW.role_name);
        END IF;
        DELETE FROM web_sessions WHERE role_name = NEW.role_name;
    END IF;
    RETURN NULL;
END;
$$;
SELECT caselog_pin_search_path('caselog_web_staff_sync()');
REVOKE ALL ON FUNCTION caselog_web_staff_sync() FROM PUBLIC;
CREATE TRIGGER staff_web_sync AFTER INSERT OR UPDATE OF removed_at ON staff
    FOR EACH ROW EXECUTE FUNCTION caselog_web_staff_sync();

CREATE TRIGGER staff_notify_desk AFTER INSERT OR UPDATE OR DELETE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION caselog_notify_desk();

-- Staff added before this migration.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT s.role_name FROM staff s JOIN pg_roles g ON g.rolname = s.role_name WHERE s.removed_at IS NULL LOOP
        IF NOT pg_has_role('caselog_web', r, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO caselog_web', r);
        END IF;
    END LOOP;
END
$$;

CREATE INDEX cases_open_due_idx ON cases (resolution_due, priority, id) WHERE state <> 'closed';
CREATE INDEX cases_open_newest_idx ON cases (logged_at DESC, id DESC) WHERE state <> 'closed';
