-- 010_trust: who may act on a case, the same message, and claims tied to the claiming
-- session (issue #15; docs/DECISIONS.md "Trust at the boundary").
--
-- messages.from_outside: the sender did not belong to the case the message threads
--   onto; it is kept as an internal event, never answered, never the parent our
--   In-Reply-To names, and it ends no hold.
-- messages.content_sha256: SHA-256 of the raw bytes from the first blank line on (the
--   body and attachments as sent). The same Message-ID from the same sender is the same
--   message only with the same content; rows stored before this migration have none,
--   and are taken to be the same (as they were).
-- messages.defects: what was wrong with the message, as the parser and the store found
--   it (e.g. reused_message_id). Issue #17's 021 adds the same column for `caselog
--   show`: whichever comes second must add it IF NOT EXISTS.
-- messages.attachments_not_listed / body_not_read: what the parser could not take in
--   (too many parts; the body nested too deep), so that nothing is cut short in silence.
-- outbox.claimed_pid / claimed_backend_start: the database session of the daemon that
--   claimed a row; a row whose session is gone can be claimed at once (the lease stays
--   as the fallback).
ALTER TABLE messages ADD COLUMN from_outside boolean NOT NULL DEFAULT false,
                     ADD COLUMN content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
                     ADD COLUMN IF NOT EXISTS defects text[] NOT NULL DEFAULT '{}',
                     ADD COLUMN attachments_not_listed integer NOT NULL DEFAULT 0
                         CHECK (attachments_not_listed >= 0),
                     ADD COLUMN body_not_read text;

DROP INDEX messages_in_msgid_key;
CREATE UNIQUE INDEX messages_in_msgid_key ON messages (message_id, from_address, content_sha256)
    WHERE direction = 'in' AND message_id IS NOT NULL;

ALTER TABLE outbox ADD COLUMN claimed_pid integer,
                   ADD COLUMN claimed_backend_start timestamptz;
