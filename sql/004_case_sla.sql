-- 004_case_sla: every case, closed ones too, with its SLA status, as desk_cases shows
-- the open ones. The CLI's list and show read it.
CREATE VIEW case_sla AS
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
              AND c.response_due < coalesce(c.closed_at, now()) THEN 'breached'
         ELSE 'running'
       END AS response_status,
       CASE
         WHEN c.resolved_at IS NOT NULL AND c.resolution_due IS NOT NULL
              AND c.resolved_at > c.resolution_due THEN 'missed'
         WHEN c.resolved_at IS NOT NULL THEN 'met'
         WHEN c.state = 'on_hold' AND c.hold_reason IN ('awaiting_customer', 'customer_deferral')
           THEN 'paused'
         WHEN c.resolution_due IS NOT NULL
              AND c.resolution_due < coalesce(c.closed_at, now()) THEN 'breached'
         ELSE 'running'
       END AS resolution_status
FROM cases c
LEFT JOIN schools s ON s.id = c.school_id;
