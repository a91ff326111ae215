CREATE TABLE banks (
    bank_id     uuid PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Lead (主办行) and cooperating (合作银行) designations per chain, with their history: ended rows stay.
CREATE TABLE designations (
    designation_id     uuid PRIMARY KEY,
    chain              text NOT NULL,
    bank_id            uuid NOT NULL REFERENCES banks (bank_id),
    role               text NOT NULL CHECK (role IN ('lead', 'cooperating')),
    valid_from         date NOT NULL,
    valid_until        date,
    chain_credit_line  numeric(16, 2),
    designated_by      text NOT NULL,
    designated_at      timestamptz NOT NULL DEFAULT now(),
    ended_on           date
);
-- A chain has at most one current lead bank.
CREATE UNIQUE INDEX one_current_lead ON designations (chain) WHERE role = 'lead' AND ended_on IS NULL;
CREATE INDEX designations_by_chain ON designations (chain, ended_on);

CREATE TABLE products (
    product_id     uuid PRIMARY KEY,
    bank_id        uuid NOT NULL REFERENCES banks (bank_id),
    terms          jsonb NOT NULL,
    capacity       numeric(16, 2) NOT NULL CHECK (capacity >= 0),
    disbursed      numeric(16, 2) NOT NULL DEFAULT 0,
    withdrawn      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- Capacity is never over-committed, whatever races: the database refuses the row that would.
    CONSTRAINT capacity_never_negative CHECK (disbursed >= 0 AND disbursed <= capacity)
);

CREATE TABLE officers (
    officer_id  uuid PRIMARY KEY,
    bank_id     uuid NOT NULL REFERENCES banks (bank_id),
    profile     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The officers' inbox: match proposals consumed from the matcher, and what the officer did with them.
CREATE TABLE matches (
    match_id         uuid PRIMARY KEY,
    need_id          uuid NOT NULL,
    firm_id          uuid NOT NULL,
    bank_id          uuid NOT NULL,
    officer_id       uuid NOT NULL,
    product_id       uuid NOT NULL,
    proposal         jsonb NOT NULL,
    answer_by        timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'proposed',
    approved_amount  numeric(16, 2),
    approved         jsonb,
    disbursed_amount numeric(16, 2),
    outcome          jsonb NOT NULL DEFAULT '{}',
    received_at      timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matches_by_officer ON matches (officer_id, status, received_at DESC);
CREATE INDEX matches_by_bank ON matches (bank_id, status, received_at DESC);
CREATE INDEX matches_by_need ON matches (need_id);

-- The firm's identity and contact, disclosed with its consent for one match only.
CREATE TABLE disclosures (
    match_id       uuid PRIMARY KEY,
    need_id        uuid NOT NULL,
    bank_id        uuid NOT NULL,
    uscc           text NOT NULL,
    legal_name     text NOT NULL,
    contact_name   text NOT NULL,
    contact_phone  text NOT NULL,
    facts          jsonb NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
);

-- Needs as the firms service published them: terms and the firm's non-identifying facts (town, size, honours),
-- so an officer can judge a proposal; identity comes only through a disclosure.
CREATE TABLE needs (
    need_id       uuid PRIMARY KEY,
    chain         text NOT NULL,
    terms         jsonb NOT NULL,
    firm          jsonb NOT NULL,
    position      jsonb NOT NULL,
    first_loan    boolean NOT NULL,
    withdrawn_at  timestamptz
);

-- Officers' screens follow their inbox live: every change to a match notifies the API processes.
CREATE FUNCTION matches_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('officer_inbox', json_build_object(
        'match_id', NEW.match_id, 'officer_id', NEW.officer_id, 'bank_id', NEW.bank_id, 'status', NEW.status)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER matches_notify AFTER INSERT OR UPDATE ON matches FOR EACH ROW EXECUTE FUNCTION matches_notify();
