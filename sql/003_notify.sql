-- 003_notify: wake daemons with NOTIFY when a public event that needs a notice or an
-- outbox row appears, whoever inserted it (the daemon, the CLI or plain SQL).
-- Channels: caselog_events and caselog_outbox; the payload is the row id (a hint only:
-- listeners always re-query).

CREATE FUNCTION caselog_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.public AND NEW.needs_notice THEN
        PERFORM pg_notify('caselog_events', NEW.id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION caselog_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'pending' THEN
        PERFORM pg_notify('caselog_outbox', NEW.id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    FOR EACH ROW EXECUTE FUNCTION caselog_notify_event();
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF state ON outbox
    FOR EACH ROW EXECUTE FUNCTION caselog_notify_outbox();
