-- The matcher's own view of the market, built from events (idempotently: every write is an upsert or guarded).
CREATE TABLE banks (
    bank_id  uuid PRIMARY KEY,
    name     text NOT NULL
);
CREATE TABLE designations (
    designation_id  uuid PRIMARY KEY,
    chain           text NOT NULL,
    bank_id         uuid NOT NULL,
    role            text NOT NULL,
    valid_from      date NOT NULL,
    valid_until     date
);
CREATE INDEX designations_by_chain ON designations (chain);

CREATE TABLE products (
    product_id    uuid PRIMARY KEY,
    bank_id       uuid NOT NULL,
    terms         jsonb NOT NULL,
    chains        text[] NOT NULL,
    product_type  text NOT NULL,
    capacity      numeric(16, 2) NOT NULL,
    disbursed     numeric(16, 2) NOT NULL DEFAULT 0,
    reserved      numeric(16, 2) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    withdrawn     boolean NOT NULL DEFAULT false,
    version       integer NOT NULL DEFAULT 1  -- bumped when the terms change: parsed terms are cached by it
);
-- The indexed path: a need reads only the products of its chain and product types.
CREATE INDEX products_by_chain ON products USING gin (chains);

CREATE TABLE officers (
    officer_id    uuid PRIMARY KEY,
    bank_id       uuid NOT NULL,
    profile       jsonb NOT NULL,
    open_matches  integer NOT NULL DEFAULT 0 CHECK (open_matches >= 0)
);
CREATE INDEX officers_by_bank ON officers (bank_id);

CREATE TABLE firms (
    firm_id  uuid PRIMARY KEY,
    facts    jsonb NOT NULL
);
CREATE TABLE chain_masters (
    firm_id  uuid NOT NULL,
    chain    text NOT NULL,
    PRIMARY KEY (firm_id, chain)
);
CREATE TABLE links (
    link_id               uuid PRIMARY KEY,
    supplier_firm_id      uuid NOT NULL,
    chain_master_firm_id  uuid NOT NULL,
    chain                 text NOT NULL,
    tier                  text NOT NULL,
    status                text NOT NULL
);
CREATE INDEX links_by_supplier ON links (supplier_firm_id, chain);
CREATE TABLE receivables (
    receivable_id     uuid PRIMARY KEY,
    supplier_firm_id  uuid NOT NULL,
    amount            numeric(16, 2) NOT NULL,
    due_date          date NOT NULL
);

CREATE TABLE needs (
    need_id        uuid PRIMARY KEY,
    firm_id        uuid NOT NULL,
    chain          text NOT NULL,
    terms          jsonb NOT NULL,
    firm           jsonb NOT NULL,
    position       jsonb NOT NULL,
    first_loan     boolean NOT NULL,
    status         text NOT NULL DEFAULT 'open',
    attempts       integer NOT NULL DEFAULT 0,
    skip_products  uuid[] NOT NULL DEFAULT '{}',
    skip_banks     uuid[] NOT NULL DEFAULT '{}',
    received_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX needs_by_firm ON needs (firm_id, chain) WHERE status IN ('open', 'proposed', 'escalated');

CREATE TABLE proposals (
    match_id         uuid PRIMARY KEY,
    need_id          uuid NOT NULL REFERENCES needs (need_id),
    bank_id          uuid NOT NULL,
    product_id       uuid NOT NULL REFERENCES products (product_id),
    officer_id       uuid NOT NULL REFERENCES officers (officer_id),
    reserved_amount  numeric(16, 2) NOT NULL,
    attempt          integer NOT NULL,
    score            double precision NOT NULL,
    status           text NOT NULL DEFAULT 'open',
    answer_by        timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz
);
-- A need has at most one live proposal: never matched twice, whatever instance or replay.
CREATE UNIQUE INDEX one_live_proposal ON proposals (need_id) WHERE status IN ('open', 'accepted', 'approved');
CREATE INDEX proposals_due ON proposals (answer_by) WHERE status = 'open';
