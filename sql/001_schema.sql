-- 001_schema: the school directory, cases, messages, events, outbox, unlogged mail and
-- mailbox cursors (SPEC sections 2, 3, 5). Constraints make duplicates impossible:
-- (mailbox, uidvalidity, uid) is unique for stored and unlogged mail, an inbound
-- Message-ID is stored once per sender, the raw bytes of an inbound message once.
-- Applied by caselogd --migrate inside one transaction.

CREATE TABLE schools (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    identifier  text NOT NULL UNIQUE CHECK (identifier <> ''),   -- URN or other identifier
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A mail domain belongs to at most one school; stored lower case.
CREATE TABLE school_domains (
    domain      text PRIMARY KEY CHECK (domain = lower(domain) AND domain <> ''),
    school_id   bigint NOT NULL REFERENCES schools(id) ON DELETE CASCADE
);
CREATE INDEX school_domains_school_idx ON school_domains (school_id);

-- A person at a school; the e-mail address is stored lower case and is unique.
CREATE TABLE contacts (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name        text,
    school_id   bigint REFERENCES schools(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_school_idx ON contacts (school_id);

CREATE SEQUENCE case_number_seq AS bigint START 1;

CREATE TABLE cases (
    id               bigserial PRIMARY KEY,
    number           bigint NOT NULL UNIQUE,
    reference        text NOT NULL UNIQUE,
    type             text NOT NULL CHECK (type IN ('incident', 'service_request', 'enquiry',
                                                   'change_request', 'complaint')),
    queue            text,
    state            text NOT NULL DEFAULT 'open'
                     CHECK (state IN ('open', 'assigned', 'on_hold', 'resolved', 'closed')),
    hold_reason      text CHECK (hold_reason IN ('awaiting_customer', 'awaiting_change',
                                                 'customer_deferral')),
    hold_until       timestamptz,
    hold_started_at  timestamptz,
    confirm_required boolean NOT NULL DEFAULT true,
    priority         smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
    priority_reason  text,
    school_id        bigint REFERENCES schools(id) ON DELETE SET NULL,
    requester        text NOT NULL,                 -- e-mail address, lower case
    requester_name   text,
    assignee         text,
    subject          text NOT NULL DEFAULT '',
    received_at      timestamptz NOT NULL,
    logged_at        timestamptz NOT NULL,
    response_due     timestamptz,
    resolution_due   timestamptz,
    responded_at     timestamptz,
    resolved_at      timestamptz,
    closed_at        timestamptz,
    reactivations    integer NOT NULL DEFAULT 0 CHECK (reactivations >= 0),
    confidential     boolean NOT NULL DEFAULT false,
    follows          bigint REFERENCES cases(id),   -- the closed case this one continues
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'on_hold') = (hold_reason IS NOT NULL)),
    CHECK (state <> 'closed' OR closed_at IS NOT NULL),
    CHECK (follows IS NULL OR follows <> id)
);
-- The desk's list: cases not closed, by priority then due time.
CREATE INDEX cases_desk_list_idx ON cases (priority, resolution_due, id) WHERE state <> 'closed';
CREATE INDEX cases_queue_idx ON cases (queue, priority, resolution_due) WHERE state <> 'closed';
CREATE INDEX cases_assignee_idx ON cases (assignee) WHERE state <> 'closed';
CREATE INDEX cases_school_idx ON cases (school_id, logged_at);
CREATE INDEX cases_requester_idx ON cases (requester);
CREATE INDEX cases_logged_at_idx ON cases (logged_at);
CREATE INDEX cases_follows_idx ON cases (follows) WHERE follows IS NOT NULL;

CREATE TABLE messages (
    id                    bigserial PRIMARY KEY,
    case_id               bigint REFERENCES cases(id),
    direction             text NOT NULL CHECK (direction IN ('in', 'out')),
    mailbox               text,
    uidvalidity           bigint CHECK (uidvalidity > 0),
    uid                   bigint CHECK (uid > 0),
    message_id            text CHECK (message_id <> ''),   -- without <>
    in_reply_to           text,
    reference_ids         text[] NOT NULL DEFAULT '{}',    -- the References header, without <>
    from_address          text,                            -- lower case
    from_name             text,
    to_addresses          text[] NOT NULL DEFAULT '{}',
    cc_addresses          text[] NOT NULL DEFAULT '{}',
    subject               text NOT NULL DEFAULT '',
    date_header           text,
    sent_date             timestamptz,                     -- parsed Date header
    received_at           timestamptz NOT NULL DEFAULT now(),
    body_text             text NOT NULL DEFAULT '',
    classification        text NOT NULL DEFAULT 'ordinary'
                          CHECK (classification IN ('ordinary', 'auto_reply', 'bounce', 'list', 'loop')),
    classification_reason text,
    raw                   bytea,
    raw_sha256            text CHECK (raw_sha256 ~ '^[0-9a-f]{64}$'),
    size                  bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((mailbox IS NULL) = (uid IS NULL) AND (uid IS NULL) = (uidvalidity IS NULL)),
    CHECK (direction = 'out' OR (raw IS NOT NULL AND raw_sha256 IS NOT NULL)),
    UNIQUE (mailbox, uidvalidity, uid)
);
-- One inbound message per (Message-ID, sender): a school CCing two desk mailboxes gives one row.
CREATE UNIQUE INDEX messages_in_msgid_key ON messages (message_id, from_address)
    WHERE direction = 'in' AND message_id IS NOT NULL;
-- The same bytes are the same message.
CREATE UNIQUE INDEX messages_in_sha_key ON messages (raw_sha256) WHERE direction = 'in';
-- Our own Message-IDs are unique.
CREATE UNIQUE INDEX messages_out_msgid_key ON messages (message_id)
    WHERE direction = 'out' AND message_id IS NOT NULL;
-- Threading looks up every stored Message-ID, inbound and outbound.
CREATE INDEX messages_msgid_idx ON messages (message_id);
CREATE INDEX messages_case_idx ON messages (case_id, received_at);

CREATE TABLE attachments (
    id           bigserial PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    ordinal      integer NOT NULL CHECK (ordinal >= 1),
    name         text,
    content_type text NOT NULL DEFAULT 'application/octet-stream',
    disposition  text,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    UNIQUE (message_id, ordinal)
);

-- Every change to a case. Front ends insert public events; the daemon mails an update
-- for each public event with needs_notice (the store's own events have it false, because
-- it writes their outbox rows itself).
CREATE TABLE case_events (
    id           bigserial PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases(id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    kind         text NOT NULL CHECK (kind <> ''),
    public       boolean NOT NULL,
    needs_notice boolean NOT NULL DEFAULT true,
    message_id   bigint REFERENCES messages(id),
    data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case_idx ON case_events (case_id, at);
CREATE INDEX case_events_notice_idx ON case_events (id) WHERE public AND needs_notice;
-- One event per stored message and kind.
CREATE UNIQUE INDEX case_events_message_key ON case_events (message_id, kind)
    WHERE message_id IS NOT NULL;

-- Outgoing mail to render and send. A row names its template and case; a later stage
-- renders it into a messages row (direction 'out') and sends it.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    case_id         bigint REFERENCES cases(id),
    template        text NOT NULL CHECK (template IN ('acknowledgement', 'update',
                                'closure-request', 'closed', 'reopened', 'more-info', 'too-large')),
    recipient       text NOT NULL,
    event_id        bigint REFERENCES case_events(id),
    in_reply_to     bigint REFERENCES messages(id),   -- the inbound message that caused it
    data            jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_error      text,
    sent_message_id bigint REFERENCES messages(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_case_idx ON outbox (case_id);
CREATE INDEX outbox_failed_idx ON outbox (created_at) WHERE state = 'failed';
-- At most one acknowledgement per case.
CREATE UNIQUE INDEX outbox_ack_key ON outbox (case_id) WHERE template = 'acknowledgement';

CREATE TABLE unlogged (
    id           bigserial PRIMARY KEY,
    mailbox      text,
    uidvalidity  bigint,
    uid          bigint,
    received_at  timestamptz,
    reason       text NOT NULL,
    message_id   text,
    from_address text,
    subject      text,
    raw          bytea NOT NULL,
    raw_sha256   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX unlogged_created_idx ON unlogged (created_at);

CREATE TABLE mailbox_cursors (
    name        text PRIMARY KEY,
    uidvalidity bigint NOT NULL CHECK (uidvalidity > 0),
    last_uid    bigint NOT NULL CHECK (last_uid >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
