-- 020_identity: staff are people (issue 17). PostgreSQL itself says who acts and what
-- each may see; the programs only ask it.
--
-- * Four group roles (NOLOGIN, cluster-wide, so created only if missing: every caselog
--   database on a cluster shares them):
--     caselog_daemon        the daemon's connection role is a member: everything;
--     caselog_desk          every staff member: read cases, act on them through events;
--     caselog_admin         the school directory, the staff list, `--as`, unlogged mail;
--     caselog_safeguarding  may also read confidential cases.
-- * Table staff: each staff member is a LOGIN role in caselog_desk (staff_add() below
--   creates it), with a display name and an address.
-- * The actor of an event is the acting role (current_user) unless that role is in
--   caselog_admin or caselog_daemon (trigger case_events_actor).
-- * Row-level security: a confidential case, and all that hangs off it (messages,
--   attachments, events, outbox rows, timers), is visible only to caselog_safeguarding
--   (and the daemon). The tables' owner, the role that runs --migrate, bypasses it.
-- Needs a migrating role with CREATEROLE (or a superuser): see docs/DECISIONS.md.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        RAISE EXCEPTION 'migration 020 creates the roles caselog_daemon, caselog_desk, caselog_admin and caselog_safeguarding: role % needs CREATEROLE (as the postgres user: ALTER ROLE % CREATEROLE) or run --migrate as a superuser', current_user, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- Roles are shared by every database of the cluster: another database's migration may
-- be creating the same role at this moment, so a duplicate is no error.
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['caselog_daemon', 'caselog_desk', 'caselog_admin', 'caselog_safeguarding'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
    -- Admins and safeguarding leads are desk staff too, whoever granted them.
    FOREACH name IN ARRAY ARRAY['caselog_admin', 'caselog_safeguarding'] LOOP
        IF NOT pg_has_role(name, 'caselog_desk', 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT caselog_desk TO %I', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
    -- The migrating role owns the tables and is the daemon's role (docs/DECISIONS.md).
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'caselog_daemon', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT caselog_daemon TO %I', current_user);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;   -- granted meanwhile by this role's migration of another database
        END;
    END IF;
END
$$;

-- --- staff ---
CREATE TABLE staff (
    role_name    text PRIMARY KEY CHECK (role_name ~ '^[a-z_][a-z0-9_.-]{0,62}$'),
    display_name text NOT NULL CHECK (btrim(display_name) <> '' AND display_name !~ '[[:cntrl:]]'),
    email        text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    created_at   timestamptz NOT NULL DEFAULT caselog_now(),
    updated_at   timestamptz NOT NULL DEFAULT caselog_now(),
    removed_at   timestamptz          -- kept, so old events still show the person's name
);

-- --- the actor of an event ---
ALTER TABLE case_events ALTER COLUMN actor SET DEFAULT current_user;

CREATE FUNCTION caselog_event_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.actor IS NULL OR btrim(NEW.actor) = '' THEN
        RAISE EXCEPTION 'an event needs an actor (leave actor out to record the acting role, %)', current_user
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF NEW.actor <> current_user
       AND NOT pg_has_role('caselog_admin', 'USAGE') AND NOT pg_has_role('caselog_daemon', 'USAGE') THEN
        RAISE EXCEPTION 'role % may not record an event as %: only members of caselog_admin act in another''s name', current_user, NEW.actor
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER case_events_actor BEFORE INSERT ON case_events
    FOR EACH ROW EXECUTE FUNCTION caselog_event_actor();

-- --- adding and removing staff (members of caselog_admin; the functions run as the
--     tables' owner, which may create roles) ---
CREATE FUNCTION caselog_staff_add(p_role text, p_name text, p_email text, p_admin boolean,
                                  p_safeguarding boolean) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r record;
    outcome text := 'existing role';
BEGIN
    IF p_role IS NULL OR p_role !~ '^[a-z_][a-z0-9_.-]{0,62}$' THEN
        RAISE EXCEPTION 'bad staff name "%": a login name, lower case (a-z, 0-9, _ . -), as the person logs in', p_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_role ~ '^(pg_|caselog)' OR p_role IN ('postgres', 'public', 'none', 'current_user', 'session_user',
                                               'current_role') THEN
        RAISE EXCEPTION '"%" is reserved (pg_*, caselog*, postgres): choose the person''s own login name', p_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_name IS NULL OR btrim(p_name) = '' OR p_name ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'a staff member needs a display name (--name "Sam Jones")' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_email IS NULL OR lower(btrim(p_email)) !~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN
        RAISE EXCEPTION 'bad address "%" (--email sam.jones@desk.example.org)', p_email
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT rolsuper, rolbypassrls INTO r FROM pg_roles WHERE rolname = p_role;
    IF FOUND AND (r.rolsuper OR r.rolbypassrls) THEN
        RAISE EXCEPTION 'role % is a superuser or bypasses row-level security: it would read every confidential case, so it cannot be staff', p_role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF FOUND AND pg_has_role(p_role, 'caselog_daemon', 'USAGE') THEN
        RAISE EXCEPTION 'role % is a daemon''s role (caselog_daemon): staff are people', p_role
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT FOUND THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN', p_role);
            outcome := 'created';
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;   -- made meanwhile from another database of the cluster
        END;
    END IF;
    EXECUTE format('GRANT caselog_desk TO %I', p_role);
    EXECUTE format(CASE WHEN p_admin THEN 'GRANT caselog_admin TO %I' ELSE 'REVOKE caselog_admin FROM %I' END, p_role);
    EXECUTE format(CASE WHEN p_safeguarding THEN 'GRANT caselog_safeguarding TO %I'
                        ELSE 'REVOKE caselog_safeguarding FROM %I' END, p_role);
    INSERT INTO staff (role_name, display_name, email) VALUES (p_role, btrim(p_name), lower(btrim(p_email)))
    ON CONFLICT (role_name) DO UPDATE SET display_name = EXCLUDED.display_name, email = EXCLUDED.email,
        removed_at = NULL, updated_at = caselog_now();
    RETURN outcome;
END;
$$;

-- The role stays (it may be used elsewhere in the cluster) but loses every caselog group;
-- the staff row stays, marked removed, so old events keep the person's name.
CREATE FUNCTION caselog_staff_remove(p_role text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    name text;
BEGIN
    UPDATE staff SET removed_at = caselog_now(), updated_at = caselog_now()
     WHERE role_name = p_role AND removed_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        FOREACH name IN ARRAY ARRAY['caselog_safeguarding', 'caselog_admin', 'caselog_desk'] LOOP
            EXECUTE format('REVOKE %I FROM %I', name, p_role);
        END LOOP;
    END IF;
    RETURN true;
END;
$$;

-- The figures of `caselog status`, the same for every reader: counts reveal no
-- confidential text, and a monitoring check must not depend on who runs it.
CREATE FUNCTION caselog_desk_health(
    OUT schema_version integer, OUT outbox_pending bigint, OUT outbox_failed bigint,
    OUT outbox_suppressed_day bigint, OUT outbox_oldest_pending bigint, OUT notices_waiting bigint,
    OUT timers_due bigint, OUT unlogged bigint, OUT cases_open bigint, OUT cases_breached bigint)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT (SELECT coalesce(max(version), 0) FROM schema_migrations),
           (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')),
           (SELECT count(*) FROM outbox WHERE state = 'failed'),
           (SELECT count(*) FROM outbox WHERE state = 'suppressed' AND created_at > caselog_now() - interval '1 day'),
           (SELECT coalesce(floor(extract(epoch FROM min(created_at)))::bigint, 0) FROM outbox
             WHERE state IN ('pending', 'sending')),
           (SELECT count(*) FROM case_events WHERE public AND needs_notice AND noticed_at IS NULL),
           (SELECT count(*) FROM case_timers WHERE due_at <= caselog_now()),
           (SELECT count(*) FROM unlogged),
           (SELECT count(*) FROM cases WHERE state <> 'closed'),
           (SELECT count(DISTINCT id) FROM sla_breaches WHERE state <> 'closed')
$$;

-- A SECURITY DEFINER function must not find another's objects first on its path: each
-- is pinned to pg_catalog, caselog's own schema, then pg_temp (this migration's and
-- later ones').
CREATE FUNCTION caselog_pin_search_path(f regprocedure) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', f, current_schema());
END;
$$;
REVOKE ALL ON FUNCTION caselog_pin_search_path(regprocedure) FROM PUBLIC;
SELECT caselog_pin_search_path(f) FROM unnest(ARRAY['caselog_staff_add(text, text, text, boolean, boolean)',
    'caselog_staff_remove(text)', 'caselog_desk_health()']::regprocedure[]) f;
REVOKE ALL ON FUNCTION caselog_staff_add(text, text, text, boolean, boolean), caselog_staff_remove(text),
    caselog_desk_health() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caselog_staff_add(text, text, text, boolean, boolean), caselog_staff_remove(text)
    TO caselog_admin, caselog_daemon;
GRANT EXECUTE ON FUNCTION caselog_desk_health() TO caselog_desk, caselog_daemon;

-- --- views read with the reader's rights, so row-level security applies through them ---
ALTER VIEW case_sla SET (security_invoker = true);
ALTER VIEW desk_cases SET (security_invoker = true);
ALTER VIEW sla_breaches SET (security_invoker = true);

-- --- grants ---
-- The daemon: everything, now and in later migrations run by the same role.
DO $$
BEGIN
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO caselog_daemon', current_schema());
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO caselog_daemon', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON TABLES TO caselog_daemon', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON SEQUENCES TO caselog_daemon', current_schema());
END
$$;

-- Desk staff read the desk and act on cases through events.
GRANT SELECT ON cases, messages, attachments, case_events, outbox, case_timers, schools, school_domains,
    contacts, staff, mailbox_status, schema_migrations, case_sla, desk_cases, sla_breaches TO caselog_desk;
-- A whole-table grant: the commands write every lifecycle column (rules/lifecycle.h),
-- and later migrations add columns (050's hold_credit) that a column list here could not
-- name. Row-level security still decides which cases.
GRANT UPDATE ON cases TO caselog_desk;
GRANT INSERT ON case_events TO caselog_desk;
GRANT INSERT, UPDATE, DELETE ON case_timers TO caselog_desk;
GRANT UPDATE ON outbox TO caselog_desk;   -- retrying failed mail (outbox retry)
GRANT USAGE ON SEQUENCE case_events_id_seq, case_timers_id_seq TO caselog_desk;

-- Admins: the school directory, mail that was not logged (reprocessing logs it).
GRANT INSERT, UPDATE, DELETE ON schools, school_domains, contacts TO caselog_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON unlogged TO caselog_admin;
GRANT INSERT ON cases, messages, attachments, outbox TO caselog_admin;
GRANT USAGE ON SEQUENCE schools_id_seq, contacts_id_seq, cases_id_seq, case_number_seq, messages_id_seq,
    attachments_id_seq, outbox_id_seq, unlogged_id_seq TO caselog_admin;

-- --- row-level security: confidential cases and what hangs off them ---
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY cases_daemon ON cases TO caselog_daemon USING (true) WITH CHECK (true);
CREATE POLICY cases_safeguarding ON cases TO caselog_safeguarding USING (true) WITH CHECK (true);
CREATE POLICY cases_desk ON cases TO caselog_desk USING (NOT confidential);
CREATE POLICY cases_admin_insert ON cases FOR INSERT TO caselog_admin WITH CHECK (true);

-- Everything else follows its case: a row is visible when its case is (the sub-query on
-- cases is itself filtered by the policies above).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'case_events', 'outbox', 'case_timers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO caselog_daemon USING (true) WITH CHECK (true)', t || '_daemon', t);
        EXECUTE format('CREATE POLICY %I ON %I TO caselog_desk USING (case_id IS NULL OR EXISTS'
                       ' (SELECT 1 FROM cases c WHERE c.id = %I.case_id))', t || '_desk', t, t);
    END LOOP;
END
$$;
CREATE POLICY messages_admin_insert ON messages FOR INSERT TO caselog_admin WITH CHECK (true);
CREATE POLICY outbox_admin_insert ON outbox FOR INSERT TO caselog_admin WITH CHECK (true);
CREATE POLICY case_events_admin_insert ON case_events FOR INSERT TO caselog_admin WITH CHECK (true);

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY attachments_daemon ON attachments TO caselog_daemon USING (true) WITH CHECK (true);
CREATE POLICY attachments_desk ON attachments TO caselog_desk
    USING (EXISTS (SELECT 1 FROM messages m WHERE m.id = attachments.message_id));
CREATE POLICY attachments_admin_insert ON attachments FOR INSERT TO caselog_admin WITH CHECK (true);
