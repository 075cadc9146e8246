-- 023_report: how many confidential cases were logged in a period, for every reader
-- (issue 17). The service report reads cases with the reader's rights, so a desk member
-- outside caselog_safeguarding counts no confidential case; `caselog report` says how
-- many it did not count, so that nobody takes a partial report for the whole desk. A
-- count reveals nothing of a case. (The report's facts themselves belong to the SLA
-- work's query, which this function does not copy.)
CREATE FUNCTION caselog_confidential_cases(from_at timestamptz, to_at timestamptz) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT count(*) FROM cases WHERE confidential AND logged_at >= from_at AND logged_at < to_at
$$;
SELECT caselog_pin_search_path('caselog_confidential_cases(timestamptz, timestamptz)');
REVOKE ALL ON FUNCTION caselog_confidential_cases(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caselog_confidential_cases(timestamptz, timestamptz) TO caselog_desk, caselog_daemon;
