-- 007_lifecycle: what the desk's commands and the daemon's scheduler need.
-- * case_events.noticed_at: when the daemon turned a public event into its notice mail.
--   Any front end (the CLI, plain SQL) inserts a public event with needs_notice; the
--   daemon claims those with noticed_at NULL (FOR UPDATE SKIP LOCKED) and mails them.
-- * case_timers: closure requests 2..n, the auto-close, and the end of a customer's
--   deferral; one of each kind per case, claimed the same way, so they survive restarts
--   and several daemons share them.
-- * A case that leaves the state a timer waits in loses the timer, whoever changed it.
-- * Breach events are recorded once per case and target.

ALTER TABLE case_events ADD COLUMN noticed_at timestamptz;
-- Events from before this migration were handled (or not) by the code of their time.
UPDATE case_events SET noticed_at = at WHERE public AND needs_notice;
CREATE INDEX case_events_unnoticed_idx ON case_events (id)
    WHERE public AND needs_notice AND noticed_at IS NULL;
CREATE UNIQUE INDEX case_events_breach_once_idx ON case_events (case_id, kind)
    WHERE kind IN ('response_breached', 'resolution_breached');

CREATE TABLE case_timers (
    id         bigserial PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases(id),
    kind       text NOT NULL CHECK (kind IN ('closure_request', 'auto_close', 'hold_until')),
    attempt    integer NOT NULL DEFAULT 0,
    due_at     timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT caselog_now(),
    UNIQUE (case_id, kind)
);
CREATE INDEX case_timers_due_idx ON case_timers (due_at);

CREATE FUNCTION caselog_drop_stale_timers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state <> 'resolved' THEN
        DELETE FROM case_timers WHERE case_id = NEW.id AND kind IN ('closure_request', 'auto_close');
    END IF;
    IF NEW.state <> 'on_hold' THEN
        DELETE FROM case_timers WHERE case_id = NEW.id AND kind = 'hold_until';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER cases_drop_stale_timers AFTER UPDATE OF state ON cases
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION caselog_drop_stale_timers();

-- The scheduler's breach check looks only at cases still running against a target.
CREATE INDEX cases_response_running_idx ON cases (response_due)
    WHERE responded_at IS NULL AND state <> 'closed';
CREATE INDEX cases_resolution_running_idx ON cases (resolution_due)
    WHERE resolved_at IS NULL AND state <> 'closed';
