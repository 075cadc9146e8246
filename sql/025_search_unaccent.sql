-- 025_search_unaccent: search as people type it (after issue 17; docs/DECISIONS.md, "The
-- desk tried as people"). Staff on a UK keyboard search "cafe", "Zoe", "Llyr" for
-- mail that says "Café", "Zoë", "Llŷr": words are matched without their accents, on
-- both sides (the documents and the query), through a text search configuration of
-- our own, caselog_search: English stemming after PostgreSQL's unaccent dictionary.
-- unaccent is a trusted extension (the database's owner may create it); where it is
-- not installed or may not be created, caselog_search is plain English, as before.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent is not available (%): search matches accents as written', SQLERRM;
    END;
    CREATE TEXT SEARCH CONFIGURATION caselog_search (COPY = pg_catalog.english);
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
        ALTER TEXT SEARCH CONFIGURATION caselog_search
            ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION caselog_message_document(subject text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('caselog_search'::regconfig, coalesce(subject, '')), 'A') ||
           setweight(to_tsvector('caselog_search'::regconfig, left(coalesce(body, ''), 100000)), 'B')
$$;

-- A document made before is made again: the indexer replaces it.
CREATE OR REPLACE FUNCTION caselog_search_index(max_messages integer) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
    WITH claimed AS (
        DELETE FROM message_search_queue WHERE message_id IN (
            SELECT message_id FROM message_search_queue ORDER BY message_id DESC
             LIMIT max_messages FOR UPDATE SKIP LOCKED)
        RETURNING message_id),
    indexed AS (
        INSERT INTO message_search (message_id, case_id, document)
        SELECT m.id, m.case_id, caselog_message_document(m.subject, m.body_text)
          FROM messages m JOIN claimed ON claimed.message_id = m.id
        ON CONFLICT (message_id) DO UPDATE SET document = EXCLUDED.document RETURNING 1)
    SELECT count(*)::integer FROM claimed
$$;
SELECT caselog_pin_search_path('caselog_search_index(integer)'::regprocedure);

-- Every document already made, again (the daemon indexes 500 a pass, `list --search`
-- up to 5,000 before it searches; until then the old document still matches as before).
INSERT INTO message_search_queue SELECT message_id FROM message_search ON CONFLICT DO NOTHING;
