-- What people are told. A notification is addressed to an audience (a firm, an officer, a bank's admins, a town's
-- task force), once per event (dedupe_key); each person of that audience who chose e-mail or SMS gets a delivery
-- per channel, which the sender process sends, retries with back-off and records.

-- A person's channels, addresses and quiet hours, set by the person (an address reaches this service only so).
CREATE TABLE people (
    subject       text        PRIMARY KEY,
    role          text        NOT NULL,
    audiences     text[]      NOT NULL,           -- firm:<id>, officer:<id>, bank:<id>, town:<code> or town:*
    email         text,
    phone         text,
    channels      text[]      NOT NULL DEFAULT '{}',
    quiet_start   time,
    quiet_end     time,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_by_audience ON people USING gin (audiences);

CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,
    dedupe_key      text        NOT NULL UNIQUE,  -- event id, audience, kind: one notification per event and audience
    audience        text        NOT NULL,
    kind            text        NOT NULL,
    title           text        NOT NULL,
    body            text        NOT NULL,
    link            text        NOT NULL DEFAULT '',
    need_id         uuid,
    occurred_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_by_audience ON notifications (audience, created_at DESC);

CREATE TABLE reads (
    notification_id uuid NOT NULL REFERENCES notifications,
    subject         text NOT NULL,
    read_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, subject)
);

CREATE TABLE deliveries (
    delivery_id     uuid        PRIMARY KEY,
    notification_id uuid        NOT NULL REFERENCES notifications,
    subject         text        NOT NULL,
    channel         text        NOT NULL,         -- email | sms
    address         text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',  -- pending | sent | failed
    attempts        int         NOT NULL DEFAULT 0,
    due_at          timestamptz NOT NULL,         -- after the person's quiet hours, and after each back-off
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (notification_id, subject, channel)
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE status = 'pending';

-- What the notifier keeps of a need to address what follows it (outcomes name the need, not the firm).
CREATE TABLE needs (
    need_id   uuid    PRIMARY KEY,
    firm_id   uuid    NOT NULL,
    chain     text    NOT NULL,
    amount    numeric(18, 2),
    town      text
);

-- Events about a need that arrived before the need was known here (topics are read side by side): told when it is.
CREATE TABLE early_events (
    need_id     uuid        NOT NULL,
    event_id    uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    payload     text        NOT NULL,
    PRIMARY KEY (need_id, event_id)
);

-- Open proposals, to remind the officer before the answer is due.
CREATE TABLE reminders (
    match_id   uuid        PRIMARY KEY,
    need_id    uuid        NOT NULL,
    officer_id uuid        NOT NULL,
    chain      text        NOT NULL,
    amount     numeric(18, 2) NOT NULL,
    answer_by  timestamptz NOT NULL,
    remind_at  timestamptz NOT NULL
);
CREATE INDEX reminders_due ON reminders (remind_at);

-- Each bank's officers and products, to tell its admins when a chain it lends to has nobody on duty.
CREATE TABLE bank_officers (
    officer_id uuid    PRIMARY KEY,
    bank_id    uuid    NOT NULL,
    chains     text[]  NOT NULL,
    available  boolean NOT NULL
);
CREATE TABLE bank_products (
    product_id uuid    PRIMARY KEY,
    bank_id    uuid    NOT NULL,
    chains     text[]  NOT NULL,
    active     boolean NOT NULL
);
CREATE TABLE uncovered_chains (
    bank_id uuid NOT NULL,
    chain   text NOT NULL,
    PRIMARY KEY (bank_id, chain)
);

CREATE TABLE banks (
    bank_id uuid PRIMARY KEY,
    name    text NOT NULL
);
