-- 022_monitoring: figures for `caselog status --prometheus` (issue 17, part 6): open cases
-- by priority and SLA state, and breaches by target. SECURITY DEFINER like
-- caselog_desk_health(): counts reveal nothing confidential, and a monitoring check
-- reads the whole desk whoever runs it.

-- sla: the worse of the two targets: breached, missed, paused or ok.
CREATE FUNCTION caselog_open_case_counts(OUT priority smallint, OUT sla text, OUT cases bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT priority,
           CASE WHEN 'breached' IN (response_status, resolution_status) THEN 'breached'
                WHEN 'missed' IN (response_status, resolution_status) THEN 'missed'
                WHEN resolution_status = 'paused' THEN 'paused'
                ELSE 'ok' END AS sla,
           count(*)
      FROM case_sla WHERE state <> 'closed' GROUP BY 1, 2 ORDER BY 1, 2
$$;

CREATE FUNCTION caselog_open_breaches(OUT target text, OUT cases bigint)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT t.target, count(DISTINCT b.id) FROM (VALUES ('response'), ('resolution')) t (target)
      LEFT JOIN sla_breaches b ON b.target = t.target AND b.state <> 'closed'
     GROUP BY t.target ORDER BY t.target
$$;

SELECT caselog_pin_search_path(f) FROM unnest(ARRAY['caselog_open_case_counts()', 'caselog_open_breaches()']::regprocedure[]) f;
REVOKE ALL ON FUNCTION caselog_open_case_counts(), caselog_open_breaches() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caselog_open_case_counts(), caselog_open_breaches() TO caselog_desk, caselog_daemon;
