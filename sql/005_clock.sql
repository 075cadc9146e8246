-- 005_clock: one clock for the programs and the database. caselog_now() is now(), moved
-- by the session setting caselog.now_offset (seconds), which the programs set when a
-- test sets their clock (CASELOG_NOW; common/clock.h). Plain SQL from other front ends
-- leaves it unset and gets now(). Defaults and views use it from here on.

CREATE FUNCTION caselog_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT now() + make_interval(secs => coalesce(nullif(current_setting('caselog.now_offset', true), '')::double precision, 0))
$$;

ALTER TABLE schools ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE schools ALTER COLUMN updated_at SET DEFAULT caselog_now();
ALTER TABLE contacts ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE cases ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE cases ALTER COLUMN updated_at SET DEFAULT caselog_now();
ALTER TABLE messages ALTER COLUMN received_at SET DEFAULT caselog_now();
ALTER TABLE messages ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE case_events ALTER COLUMN at SET DEFAULT caselog_now();
ALTER TABLE outbox ALTER COLUMN next_attempt_at SET DEFAULT caselog_now();
ALTER TABLE outbox ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE unlogged ALTER COLUMN created_at SET DEFAULT caselog_now();
ALTER TABLE mailbox_cursors ALTER COLUMN updated_at SET DEFAULT caselog_now();

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
         WHEN c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL AND c.resolution_due < caselog_now() THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id
WHERE c.state <> 'closed';

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
  AND NOT (c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           AND c.resolved_at IS NULL)
  AND coalesce(c.resolved_at, c.closed_at, caselog_now()) > c.resolution_due;

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
         WHEN c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL
              AND c.resolution_due < coalesce(c.closed_at, caselog_now()) THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id;
