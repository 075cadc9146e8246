-- bench/web/fill.sql: the desk bench/web measures: 60 schools, 10,000 open cases (each
-- logged from one message of school prose, with the event logging made), and one long
-- case of 200 messages (100 from the school, 100 from the desk) with an event after
-- each. Written with SQL rather than ingested: the benchmark is of the web desk, not of
-- ingest (bench/ingest). The last line printed is the long case's reference.
BEGIN;
INSERT INTO schools (name, identifier)
SELECT CASE WHEN i % 7 = 0 THEN 'Ysgol Gŵyr ' || i ELSE 'Oakfield Primary ' || i END, 'URN' || (100000 + i)
FROM generate_series(1, 60) AS i;
INSERT INTO school_domains (domain, school_id)
SELECT 'school' || s.id || '.sch.uk', s.id FROM schools s;

CREATE TEMPORARY TABLE bench_words (w text[]);
INSERT INTO bench_words VALUES (ARRAY['printer', 'jamming', 'SIMS', 'login', 'census', 'Wi-Fi', 'projector',
    'laptop', 'password', 'reset', 'email', 'Teams', 'room', 'staff', 'pupil', 'report', 'backup', 'licence',
    'interactive', 'whiteboard', 'slow', 'network', 'library', 'headteacher', 'office', 'urgent', 'broken',
    'cannot', 'access', 'shared', 'drive', 'folder', 'attendance', 'register', 'timetable', 'exam']);

-- The message text: a few lines of school prose, 1-3 KB.
CREATE TEMPORARY TABLE bench_text AS
SELECT i, (SELECT string_agg(w[1 + ((i * 7 + k * 13) % array_length(w, 1))] ||
                             CASE WHEN k % 11 = 10 THEN E'.\n' ELSE ' ' END, '')
             FROM generate_series(1, 150 + (i % 300)) AS k) AS body
FROM bench_words, generate_series(1, 200) AS i;

INSERT INTO cases (number, reference, type, queue, state, hold_reason, priority, priority_reason, school_id,
                   requester, requester_name, assignee, subject, received_at, logged_at, response_due,
                   resolution_due, responded_at, resolved_at, confirm_required)
SELECT nextval('case_number_seq') AS n, 'INC' || lpad(currval('case_number_seq')::text, 7, '0'),
       (ARRAY['incident', 'incident', 'incident', 'service_request', 'enquiry', 'change_request'])[1 + i % 6],
       (ARRAY['ICT', 'MIS', 'Change'])[1 + i % 3],
       (ARRAY['open', 'assigned', 'assigned', 'on_hold', 'resolved'])[1 + i % 5],
       CASE WHEN i % 5 = 3 THEN 'awaiting_customer' END,
       1 + i % 5, 'mailbox default', 1 + i % 60,
       'staff' || (i % 400) || '@school' || (1 + i % 60) || '.sch.uk', 'Staff Member ' || (i % 400),
       CASE WHEN i % 5 IN (1, 2, 4) THEN 'bench_engineer_' || (i % 8) END,
       'Case ' || i || ': ' || (SELECT w[1 + i % 36] || ' ' || w[1 + (i / 36) % 36] || ' ' || w[1 + (i / 7) % 36] FROM bench_words),
       now() - make_interval(mins => i * 3), now() - make_interval(mins => i * 3),
       now() - make_interval(mins => i * 3) + interval '8 hours', now() + make_interval(mins => 20000 - i * 5),
       CASE WHEN i % 5 IN (1, 2, 4) THEN now() - make_interval(mins => i * 3) + interval '1 hour' END,
       CASE WHEN i % 5 = 4 THEN now() - interval '1 hour' END, true
FROM generate_series(1, 10000) AS i;

INSERT INTO messages (case_id, direction, message_id, from_address, from_name, to_addresses, subject, received_at,
                      body_text, raw, raw_sha256, size)
SELECT c.id, 'in', 'bench-' || c.id || '@bench.example', c.requester, c.requester_name,
       ARRAY['servicedesk@desk.example.org'], c.subject, c.received_at, t.body,
       convert_to('Subject: ' || c.subject || E'\r\n\r\n' || t.body, 'UTF8'),
       encode(sha256(convert_to('Subject: ' || c.subject || E'\r\n\r\n' || t.body, 'UTF8')), 'hex'),
       octet_length(t.body)
FROM cases c JOIN bench_text t ON t.i = 1 + c.id % 200;

-- Each case's first event, as logging makes it.
INSERT INTO case_events (case_id, at, actor, kind, public, needs_notice, message_id, data)
SELECT m.case_id, m.received_at, m.from_address, 'created', true, false, m.id,
       jsonb_build_object('reason', 'no subject tag or reference')
FROM messages m;

-- The long case: 200 messages, alternately the school's and the desk's, each with an event.
WITH long AS (SELECT id, requester, subject FROM cases ORDER BY id DESC LIMIT 1)
INSERT INTO messages (case_id, direction, message_id, from_address, to_addresses, subject, received_at,
                      body_text, raw, raw_sha256, size)
SELECT long.id, CASE WHEN k % 2 = 0 THEN 'in' ELSE 'out' END, 'bench-long-' || k || '@bench.example',
       CASE WHEN k % 2 = 0 THEN long.requester ELSE 'servicedesk@desk.example.org' END,
       ARRAY[CASE WHEN k % 2 = 0 THEN 'servicedesk@desk.example.org' ELSE long.requester END],
       'Re: ' || long.subject, now() - make_interval(mins => 2000 - k * 10), t.body,
       convert_to('Subject: long ' || k || E'\r\n\r\n' || t.body, 'UTF8'),
       encode(sha256(convert_to('Subject: long ' || k || E'\r\n\r\n' || t.body, 'UTF8')), 'hex'),
       octet_length(t.body)
FROM long, generate_series(1, 200) AS k JOIN bench_text t ON t.i = k;
WITH long AS (SELECT id FROM cases ORDER BY id DESC LIMIT 1)
INSERT INTO case_events (case_id, at, actor, kind, public, needs_notice, data)
SELECT long.id, now() - make_interval(mins => 2000 - k * 10) + interval '1 minute',
       'bench_engineer_' || (k % 8), CASE WHEN k % 3 = 0 THEN 'note' ELSE 'comment' END, k % 3 <> 0, false,
       jsonb_build_object('text', 'Step ' || k || ' of the long case')
FROM long, generate_series(1, 200) AS k;
COMMIT;
ANALYZE cases, messages, case_events, schools, school_domains;
SELECT reference FROM cases ORDER BY id DESC LIMIT 1;
