-- 008_status: what `caselog status` shows per mailbox, written by the daemon after every
-- pass (ok or not). A mailbox whose last_ok_at falls behind is the alarm to watch.

CREATE TABLE mailbox_status (
    name         text PRIMARY KEY,
    last_pass_at timestamptz NOT NULL,
    last_ok_at   timestamptz,
    last_error   text,           -- of the last failed pass; NULL once a pass succeeds
    found        integer NOT NULL DEFAULT 0,   -- new messages the last pass found
    seen         integer NOT NULL DEFAULT 0,
    logged       integer NOT NULL DEFAULT 0,
    unlogged     integer NOT NULL DEFAULT 0,
    daemon       text            -- host:pid of the daemon that made the pass
);
