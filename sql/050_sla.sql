-- 050_sla: the SLA clocks as rules/lifecycle.h keeps them (issue 20; docs/DECISIONS.md,
-- "SLA clocks").
-- * cases.hold_credit: working seconds of ended pauses (holds awaiting the school or
--   deferred by it) already added to resolution_due, so that a priority or type change
--   recomputes resolution_due from logged_at and keeps what the holds earned.
-- * A pause holds the resolution clock only if it began at or before resolution_due:
--   caselog_resolution_paused() says so for SQL readers, and the views' 'paused' and
--   sla_breaches use it (a case put on hold after its target passed has missed it).
-- * cases.reactivations counts the school reopening a resolved case within the reopen
--   window; staff reopens are not reactivations. Rows from before this migration get
--   the school's reopenings (reopened events from mail); whether each was within the
--   window is not known after the fact, so all of them are kept.
-- The programs write these columns only as lifecycle_plan() returns them.

ALTER TABLE cases ADD COLUMN hold_credit bigint NOT NULL DEFAULT 0 CHECK (hold_credit >= 0);

UPDATE cases c SET reactivations = (SELECT count(*) FROM case_events e
                                    WHERE e.case_id = c.id AND e.kind = 'reopened' AND e.message_id IS NOT NULL)
WHERE reactivations > 0;

-- Does a hold stop this case's resolution clock now? The SQL mirror of
-- lifecycle_resolution_breached()'s pause rule (rules/lifecycle.c).
CREATE FUNCTION caselog_resolution_paused(state text, hold_reason text, hold_started_at timestamptz,
                                          resolution_due timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT state = 'on_hold' AND hold_reason IN ('awaiting_customer', 'customer_deferral')
           AND hold_started_at IS NOT NULL
           AND (resolution_due IS NULL OR hold_started_at <= resolution_due)
$$;

-- Views are replaced with their options (identity makes them security_invoker) kept.
CREATE FUNCTION caselog_keep_view_options(view_name regclass, definition text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    options text[];
BEGIN
    SELECT reloptions INTO options FROM pg_class WHERE oid = view_name;
    EXECUTE definition;
    IF options IS NOT NULL THEN
        EXECUTE format('ALTER VIEW %s SET (%s)', view_name, array_to_string(options, ', '));
    END IF;
END;
$$;

SELECT caselog_keep_view_options('desk_cases', $view$
CREATE OR REPLACE VIEW desk_cases AS
SELECT c.id, c.reference, c.type, c.queue, c.state, c.hold_reason, c.hold_until,
       c.priority, c.priority_reason, c.assignee, s.name AS school, s.identifier AS school_identifier,
       c.requester, c.subject, c.received_at, c.logged_at,
       c.response_due, c.responded_at, c.resolution_due, c.resolved_at, c.reactivations,
       c.confidential, c.follows,
       CASE
         WHEN c.responded_at IS NOT NULL AND c.response_due IS NOT NULL
              AND c.responded_at > c.response_due THEN 'missed'
         WHEN c.responded_at IS NOT NULL THEN 'met'
         WHEN c.response_due IS NOT NULL AND c.response_due < caselog_now() THEN 'breached'
         ELSE 'running'
       END AS response_status,
       CASE
         WHEN c.state = 'resolved' AND c.resolution_due IS NOT NULL
              AND c.resolved_at > c.resolution_due THEN 'missed'
         WHEN c.state = 'resolved' THEN 'met'
         WHEN caselog_resolution_paused(c.state, c.hold_reason, c.hold_started_at, c.resolution_due)
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL AND c.resolution_due < caselog_now() THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id
WHERE c.state <> 'closed'
$view$);

SELECT caselog_keep_view_options('case_sla', $view$
CREATE OR REPLACE VIEW case_sla AS
SELECT c.id, c.reference, c.type, c.queue, c.state, c.hold_reason, c.hold_until,
       c.priority, c.priority_reason, c.assignee, s.name AS school, s.identifier AS school_identifier,
       c.requester, c.requester_name, c.subject, c.received_at, c.logged_at,
       c.response_due, c.responded_at, c.resolution_due, c.resolved_at, c.closed_at,
       c.reactivations, c.confidential, c.follows, c.confirm_required,
       CASE
         WHEN c.responded_at IS NOT NULL AND c.response_due IS NOT NULL
              AND c.responded_at > c.response_due THEN 'missed'
         WHEN c.responded_at IS NOT NULL THEN 'met'
         WHEN c.response_due IS NOT NULL
              AND c.response_due < coalesce(c.closed_at, caselog_now()) THEN 'breached'
         ELSE 'running'
       END AS response_status,
       CASE
         WHEN c.resolved_at IS NOT NULL AND c.resolution_due IS NOT NULL
              AND c.resolved_at > c.resolution_due THEN 'missed'
         WHEN c.resolved_at IS NOT NULL THEN 'met'
         WHEN caselog_resolution_paused(c.state, c.hold_reason, c.hold_started_at, c.resolution_due)
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL
              AND c.resolution_due < coalesce(c.closed_at, caselog_now()) THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id
$view$);

SELECT caselog_keep_view_options('sla_breaches', $view$
CREATE OR REPLACE VIEW sla_breaches AS
SELECT c.id, c.reference, c.priority, c.state, c.queue, c.school_id, 'response'::text AS target,
       c.response_due AS due, c.responded_at AS met_at,
       coalesce(c.responded_at, caselog_now()) - c.response_due AS overdue_by
FROM cases c
WHERE c.response_due IS NOT NULL
  AND coalesce(c.responded_at, CASE WHEN c.state = 'closed' THEN c.closed_at ELSE caselog_now() END)
      > c.response_due
UNION ALL
SELECT c.id, c.reference, c.priority, c.state, c.queue, c.school_id, 'resolution'::text,
       c.resolution_due, c.resolved_at,
       coalesce(c.resolved_at, c.closed_at, caselog_now()) - c.resolution_due
FROM cases c
WHERE c.resolution_due IS NOT NULL
  AND NOT (caselog_resolution_paused(c.state, c.hold_reason, c.hold_started_at, c.resolution_due)
           AND c.resolved_at IS NULL)
  AND coalesce(c.resolved_at, c.closed_at, caselog_now()) > c.resolution_due
$view$);

DROP FUNCTION caselog_keep_view_options(regclass, text);
