-- 002_views: views for people who read the desk with SQL (SPEC section 6 names them).
-- desk_cases: every case that is not closed, with its SLA status.
-- sla_breaches: every missed response or resolution target, open or closed.

CREATE VIEW desk_cases AS
SELECT c.id, c.reference, c.type, c.queue, c.state, c.hold_reason, c.hold_until,
       c.priority, c.priority_reason, c.assignee, s.name AS school, s.identifier AS school_identifier,
       c.requester, c.subject, c.received_at, c.logged_at,
       c.response_due, c.responded_at, c.resolution_due, c.resolved_at, c.reactivations,
       c.confidential, c.follows,
       CASE
         WHEN c.responded_at IS NOT NULL AND c.response_due IS NOT NULL
              AND c.responded_at > c.response_due THEN 'missed'
         WHEN c.responded_at IS NOT NULL THEN 'met'
         WHEN c.response_due IS NOT NULL AND c.response_due < now() THEN 'breached'
         ELSE 'running'
       END AS response_status,
       CASE
         WHEN c.state = 'resolved' AND c.resolution_due IS NOT NULL
              AND c.resolved_at > c.resolution_due THEN 'missed'
         WHEN c.state = 'resolved' THEN 'met'
         WHEN c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL AND c.resolution_due < now() THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id
WHERE c.state <> 'closed';

CREATE VIEW sla_breaches AS
SELECT c.id, c.reference, c.priority, c.state, c.queue, c.school_id, 'response'::text AS target,
       c.response_due AS due, c.responded_at AS met_at,
       coalesce(c.responded_at, now()) - c.response_due AS overdue_by
FROM cases c
WHERE c.response_due IS NOT NULL
  AND coalesce(c.responded_at, CASE WHEN c.state = 'closed' THEN c.closed_at ELSE now() END)
      > c.response_due
UNION ALL
SELECT c.id, c.reference, c.priority, c.state, c.queue, c.school_id, 'resolution'::text,
       c.resolution_due, c.resolved_at,
       coalesce(c.resolved_at, c.closed_at, now()) - c.resolution_due
FROM cases c
WHERE c.resolution_due IS NOT NULL
  AND NOT (c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           AND c.resolved_at IS NULL)
  AND coalesce(c.resolved_at, c.closed_at, now()) > c.resolution_due;
