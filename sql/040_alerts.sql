-- 040_alerts: the desk hears about what matters (issue 19; docs/DECISIONS.md, "Alerts,
-- major incidents and update promises").
-- * cases.parent: the major incident a case is linked to (`caselog link`). One level: a
--   parent is linked to nothing and a linked case has no cases of its own; a trigger
--   keeps it so whoever writes.
-- * outbox.template: the staff alerts and the school's priority-changed notice.
-- * outbox.cc: the school's colleagues a notice was copied to, set when it is built.
-- * outbox.alert_key: a staff alert's key; one alert per (case, template, key), so each
--   fires once across restarts and several daemons.
-- * case_events.alerted_at: when the daemon looked at an event that may raise a staff
--   alert (a new case, a school's reply, an assignment, a breach); NULL: not yet. Events
--   from before this migration count as looked at (no flood of old alerts).

ALTER TABLE cases ADD COLUMN parent bigint REFERENCES cases(id),
                  ADD CONSTRAINT cases_parent_not_self CHECK (parent IS NULL OR parent <> id);
CREATE INDEX cases_parent_idx ON cases (parent) WHERE parent IS NOT NULL;

CREATE FUNCTION caselog_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent IS NULL THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM cases WHERE id = NEW.parent AND parent IS NOT NULL) THEN
        RAISE EXCEPTION 'the parent case is itself linked to another case: link to that one'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM cases WHERE parent = NEW.id) THEN
        RAISE EXCEPTION 'case % has cases linked to it: a major incident has one level', NEW.reference
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cases_check_parent BEFORE INSERT OR UPDATE OF parent ON cases
    FOR EACH ROW WHEN (NEW.parent IS NOT NULL) EXECUTE FUNCTION caselog_check_parent();

ALTER TABLE outbox DROP CONSTRAINT outbox_template_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_template_check CHECK (template IN (
    'acknowledgement', 'update', 'closure-request', 'closed', 'reopened', 'more-info', 'too-large',
    'priority-changed', 'staff-new-case', 'staff-sla-warning', 'staff-breach', 'staff-reply',
    'staff-assigned', 'staff-update-due'));
ALTER TABLE outbox ADD COLUMN cc text[] NOT NULL DEFAULT '{}',
                   ADD COLUMN alert_key text;
CREATE UNIQUE INDEX outbox_alert_once_idx ON outbox (case_id, template, alert_key) WHERE alert_key IS NOT NULL;

ALTER TABLE case_events ADD COLUMN alerted_at timestamptz;
UPDATE case_events SET alerted_at = at
 WHERE kind IN ('created', 'reply', 'reopened', 'assigned', 'response_breached', 'resolution_breached');
CREATE INDEX case_events_alert_pending_idx ON case_events (id)
    WHERE alerted_at IS NULL
      AND kind IN ('created', 'reply', 'reopened', 'assigned', 'response_breached', 'resolution_breached');

-- Desk staff link and unlink cases (when the identity roles exist: migration 020).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caselog_desk') THEN
        GRANT UPDATE (parent) ON cases TO caselog_desk;
    END IF;
END
$$;
