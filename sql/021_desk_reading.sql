-- 021_desk_reading: what the desk's reading needs (issue 17, part 3).
-- * messages.defects: what the parser (and the store) found wrong with a message, kept
--   as data so `caselog show` can say so.
-- * Full-text search over the subjects and bodies of inbound mail. A message's
--   document (subject weighted above body; the body's first 100,000 characters, which
--   keeps every document under PostgreSQL's 1 MB tsvector limit) lives in
--   message_search with a GIN index. It is made after the message is logged, by the
--   daemon after its passes and by `caselog list --search` before it searches
--   (caselog_search_index()), never in the ingest transaction: to_tsvector costs a few
--   milliseconds for a typical mail, more than logging it.

-- (migration 010 of issue #15 adds it too: whichever runs second finds it there)
ALTER TABLE messages ADD COLUMN IF NOT EXISTS defects text[] NOT NULL DEFAULT '{}';

-- English stemming ("printers" finds "printer"); words of other languages are matched
-- as written.
CREATE FUNCTION caselog_message_document(subject text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(subject, '')), 'A') ||
           setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 100000)), 'B')
$$;

CREATE TABLE message_search (
    message_id bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    case_id    bigint REFERENCES cases(id),
    document   tsvector NOT NULL
);
CREATE INDEX message_search_document_idx ON message_search USING gin (document);
CREATE INDEX message_search_case_idx ON message_search (case_id);

-- Inbound messages wait here to be indexed: a small insert by trigger, so that the
-- indexer never scans messages for what it has not done.
CREATE TABLE message_search_queue (message_id bigint PRIMARY KEY);
INSERT INTO message_search_queue SELECT id FROM messages WHERE direction = 'in';

CREATE FUNCTION caselog_search_enqueue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO message_search_queue (message_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER messages_search_enqueue AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.direction = 'in') EXECUTE FUNCTION caselog_search_enqueue();

-- Index up to max_messages waiting messages (the newest first); returns how many. Any
-- desk member may run it: it writes only index rows, whatever the caller may read.
-- SKIP LOCKED: a daemon and a CLI indexing at once share the queue.
CREATE FUNCTION caselog_search_index(max_messages integer) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
    WITH todo AS (
        DELETE FROM message_search_queue WHERE message_id IN (
            SELECT message_id FROM message_search_queue ORDER BY message_id DESC
             LIMIT max_messages FOR UPDATE SKIP LOCKED)
        RETURNING message_id),
    done AS (
        INSERT INTO message_search (message_id, case_id, document)
        SELECT m.id, m.case_id, caselog_message_document(m.subject, m.body_text)
          FROM messages m JOIN todo ON todo.message_id = m.id
        ON CONFLICT (message_id) DO NOTHING RETURNING 1)
    SELECT count(*)::integer FROM todo
$$;
-- How many inbound messages wait to be indexed (a reader's hint that search is behind).
CREATE FUNCTION caselog_search_pending() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT count(*) FROM message_search_queue
$$;
SELECT caselog_pin_search_path(f) FROM unnest(ARRAY['caselog_search_index(integer)', 'caselog_search_pending()',
    'caselog_search_enqueue()']::regprocedure[]) f;
REVOKE ALL ON FUNCTION caselog_search_index(integer), caselog_search_pending() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caselog_search_index(integer), caselog_search_pending() TO caselog_desk, caselog_daemon;

REVOKE ALL ON FUNCTION caselog_search_enqueue() FROM PUBLIC;
GRANT SELECT ON message_search TO caselog_desk;
GRANT ALL ON message_search, message_search_queue TO caselog_daemon;
ALTER TABLE message_search ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_search_daemon ON message_search TO caselog_daemon USING (true) WITH CHECK (true);
CREATE POLICY message_search_desk ON message_search TO caselog_desk
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = message_search.case_id));
