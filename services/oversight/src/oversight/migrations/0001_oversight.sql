-- Counts and sums by cell (chain × town × bank × size class × week) and metric, split by a pseudonymous firm key
-- (a keyed hash of the firm id, the key held by this service) so that distinct firms can be counted and dominant
-- firms found for disclosure control. No USCC, firm name, person or amount of a single need is stored here.
CREATE TABLE facts (
    chain       text    NOT NULL,
    town        text    NOT NULL,
    bank        text    NOT NULL,
    size_class  text    NOT NULL,
    week        date    NOT NULL,
    metric      text    NOT NULL,
    firm_key    text    NOT NULL,
    count       bigint  NOT NULL DEFAULT 0,
    amount      numeric(18, 2),
    PRIMARY KEY (chain, town, bank, size_class, week, metric, firm_key)
);
CREATE INDEX facts_by_week ON facts (week);

-- Durations (need → first contact, need → decision) in seconds, per cell, for medians and p90s.
CREATE TABLE durations (
    chain       text    NOT NULL,
    town        text    NOT NULL,
    bank        text    NOT NULL,
    size_class  text    NOT NULL,
    week        date    NOT NULL,
    metric      text    NOT NULL,
    firm_key    text    NOT NULL,
    seconds     double precision NOT NULL
);
CREATE INDEX durations_by_week ON durations (week);

-- Where a need's later events are counted: its cell's dimensions, never its amount or its firm's identity.
CREATE TABLE need_keys (
    need_key          text PRIMARY KEY,  -- keyed hash of the need id
    chain             text NOT NULL,
    town              text NOT NULL,
    size_class        text NOT NULL,
    firm_key          text NOT NULL,
    first_loan        boolean NOT NULL,
    submitted_at      timestamptz NOT NULL,
    contacted         boolean NOT NULL DEFAULT false,
    decided           boolean NOT NULL DEFAULT false
);

CREATE TABLE banks (
    bank_id  text PRIMARY KEY,
    name     text NOT NULL
);
CREATE TABLE designations (
    designation_id     uuid PRIMARY KEY,
    chain              text NOT NULL,
    bank_id            text NOT NULL,
    role               text NOT NULL,
    valid_from         date NOT NULL,
    valid_until        date,
    chain_credit_line  numeric(18, 2)
);
