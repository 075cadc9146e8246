-- 009_compression: the big columns (raw mail in and out, body text, unlogged mail) are compressed
-- with lz4 instead of PostgreSQL's default pglz. pglz cost about 60% of the server's CPU
-- while ingesting (docs/PERFORMANCE.md); lz4 compresses mail at several times its speed
-- for a few percent more disk. Only new values are written with lz4; old ones stay
-- readable as they are. A server built without lz4 keeps pglz (the migration still
-- succeeds: compression is an optimisation, never a requirement).
DO $$
BEGIN
    ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4,
                         ALTER COLUMN body_text SET COMPRESSION lz4;
    ALTER TABLE unlogged ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this server: keeping pglz';
END
$$;
