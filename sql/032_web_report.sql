-- 032_web_report: the web desk's chart of SLA breaches per week: the breaches
-- (sla_breaches: targets that passed unmet) of the cases its reader may read, as the
-- report's own figures count them (023: the page says how many confidential cases it
-- left out), by the week (Monday 00:00 in the desk's zone tz) the target fell due in,
-- every week of the period with zeros.
CREATE FUNCTION caselog_report_breach_weeks(from_at timestamptz, to_at timestamptz, tz text,
    OUT week_start bigint, OUT response bigint, OUT resolution bigint)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    WITH weeks AS (SELECT generate_series(date_trunc('week', from_at AT TIME ZONE tz),
                                          (to_at AT TIME ZONE tz) - interval '1 second', interval '1 week') AS w),
         b AS (SELECT date_trunc('week', due AT TIME ZONE tz) AS w, target FROM sla_breaches
                WHERE due >= from_at AND due < to_at)
    SELECT floor(extract(epoch FROM weeks.w AT TIME ZONE tz))::bigint,
           count(b.target) FILTER (WHERE b.target = 'response'),
           count(b.target) FILTER (WHERE b.target = 'resolution')
      FROM weeks LEFT JOIN b ON b.w = weeks.w GROUP BY weeks.w ORDER BY weeks.w
$$;
SELECT caselog_pin_search_path('caselog_report_breach_weeks(timestamptz, timestamptz, text)');
REVOKE ALL ON FUNCTION caselog_report_breach_weeks(timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caselog_report_breach_weeks(timestamptz, timestamptz, text) TO caselog_desk, caselog_daemon;
