-- 060_ingest_triggers: the triggers the ingest's inserts fire, made cheap for a batch
-- written a statement per table (issue 21; docs/DECISIONS.md "Speed, latency and
-- memory"). Measured on 10,000-row INSERT ... SELECTs, a row-level trigger that calls
-- PL/pgSQL costs per row: the search queue's (021) 75 us, case_events_notify (003) 22
-- us, against about 500 us of server time for logging a whole message. Same effects:
-- * messages_search_enqueue queues every inbound message's id for its search document
--   once per statement, from the statement's new rows (a transition table), instead of
--   once per row;
-- * case_events_notify is called only for the events that need a notice (public and
--   needs_notice): it did nothing for the others (the store's own events, which carry
--   their mail in outbox rows), but PL/pgSQL was started for each to find that out.

CREATE FUNCTION caselog_search_enqueue_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO message_search_queue (message_id)
        SELECT id FROM new_messages WHERE direction = 'in' ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
SELECT caselog_pin_search_path('caselog_search_enqueue_rows()'::regprocedure);
REVOKE ALL ON FUNCTION caselog_search_enqueue_rows() FROM PUBLIC;

DROP TRIGGER messages_search_enqueue ON messages;
CREATE TRIGGER messages_search_enqueue AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT EXECUTE FUNCTION caselog_search_enqueue_rows();
DROP FUNCTION caselog_search_enqueue();

DROP TRIGGER case_events_notify ON case_events;
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    FOR EACH ROW WHEN (NEW.public AND NEW.needs_notice) EXECUTE FUNCTION caselog_notify_event();
