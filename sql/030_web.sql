-- 030_web: what caselog-web needs of its own (caselog-web(8)).
-- * The role it logs in as, caselog_web: NOINHERIT, so holding the staff roles gives it
--   none of their rights; each request does SET ROLE to the person signed in, and the
--   grants and row-level security then apply to the browser as to the CLI. It is a
--   LOGIN role without a password: the admin lets the service's Unix user in (peer).
-- * web_sessions: one row per signed-in browser. Only the SHA-256 of the cookie's
--   random token is stored, so a copy of the table signs nobody in. Only caselog_web
--   reads it; staff roles have no right to it.
-- * NOTIFY caselog_desk (no payload) after any statement that adds or changes cases,
--   messages or events: an open queue page re-reads itself (Server-Sent Events). The
--   notification carries nothing, so it tells a listener nothing it may not see.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caselog_web') THEN
        CREATE ROLE caselog_web LOGIN NOINHERIT;
    END IF;
END
$$;

CREATE TABLE web_sessions (
    token_sha256 text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    role_name    text NOT NULL,
    address      text,                                     -- the browser's, at sign-in
    via_proxy    boolean NOT NULL DEFAULT false,           -- signed in by trusted_proxy_header
    created_at   timestamptz NOT NULL DEFAULT caselog_now(),
    last_seen_at timestamptz NOT NULL DEFAULT caselog_now()
);
CREATE INDEX web_sessions_last_seen_idx ON web_sessions (last_seen_at);
CREATE INDEX web_sessions_role_idx ON web_sessions (role_name);
GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions TO caselog_web;

CREATE FUNCTION caselog_notify_desk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('caselog_desk', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cases_notify_desk AFTER INSERT OR UPDATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION caselog_notify_desk();
CREATE TRIGGER messages_notify_desk AFTER INSERT ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION caselog_notify_desk();
CREATE TRIGGER case_events_notify_desk AFTER INSERT ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION caselog_notify_desk();
