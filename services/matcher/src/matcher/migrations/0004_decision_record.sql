-- 整链授信: a bank's whole-chain credit line for one chain caps what all its products commit for needs of that
-- chain. Usage is counted for every bank and chain (so a line attached later sees what is committed already); `line`
-- is NULL while the bank holds no such line for the chain.
ALTER TABLE designations ADD COLUMN chain_credit_line numeric(16, 2);
CREATE TABLE chain_lines (
    bank_id    uuid NOT NULL,
    chain      text NOT NULL,
    line       numeric(16, 2),
    reserved   numeric(16, 2) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    disbursed  numeric(16, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (bank_id, chain)
);
ALTER TABLE proposals ADD COLUMN chain text;
UPDATE proposals p SET chain = n.chain FROM needs n WHERE n.need_id = p.need_id;
ALTER TABLE proposals ALTER COLUMN chain SET NOT NULL;
INSERT INTO chain_lines (bank_id, chain, reserved, disbursed)
SELECT bank_id, chain,
       coalesce(sum(reserved_amount) FILTER (WHERE status IN ('open', 'accepted', 'approved')), 0),
       0
FROM proposals GROUP BY bank_id, chain;

-- Re-routing that means it: an officer who passed a need on never gets it again; a bank that declined for a reason
-- of its own, let a deadline pass or made no decision in time is not asked again.
ALTER TABLE needs ADD COLUMN skip_officers uuid[] NOT NULL DEFAULT '{}';
-- After an officer accepts, the bank has until decide_by for a credit decision.
ALTER TABLE proposals ADD COLUMN accepted_at timestamptz;
ALTER TABLE proposals ADD COLUMN decide_by timestamptz;
CREATE INDEX proposals_decision_due ON proposals (decide_by) WHERE status = 'accepted';

-- 全程留痕: every routing decision with what it was decided on. Terms and profiles are kept once per version.
-- (A product's or an officer's bank never changes, so it is kept here rather than in every decision.)
CREATE TABLE product_terms (
    product_id  uuid NOT NULL,
    version     integer NOT NULL,
    bank_id     uuid NOT NULL,
    terms       jsonb NOT NULL,
    PRIMARY KEY (product_id, version)
);
INSERT INTO product_terms (product_id, version, bank_id, terms) SELECT product_id, version, bank_id, terms FROM products;
CREATE TABLE officer_profiles (
    officer_id  uuid NOT NULL,
    version     integer NOT NULL,
    bank_id     uuid NOT NULL,
    profile     jsonb NOT NULL,
    PRIMARY KEY (officer_id, version)
);
INSERT INTO officer_profiles (officer_id, version, bank_id, profile)
SELECT officer_id, version, bank_id, profile FROM officers;
CREATE TABLE weight_sets (
    version  text PRIMARY KEY,
    weights  jsonb NOT NULL
);
CREATE TABLE decisions (
    decision_id      uuid PRIMARY KEY,
    need_id          uuid NOT NULL,
    kind             text NOT NULL,  -- first, reroute, second_chance, amended
    decided_at       timestamptz NOT NULL,
    weights_version  text NOT NULL,
    match_id         uuid,           -- the proposal made, or NULL for an escalation
    inputs           jsonb NOT NULL,
    outcome          jsonb NOT NULL,
    -- a second chance that found nobody changes nothing: it is counted on the decision it repeated
    quiet_retries    integer NOT NULL DEFAULT 0,
    last_retry_at    timestamptz
);
CREATE INDEX decisions_by_need ON decisions (need_id, decided_at);
CREATE INDEX decisions_by_time ON decisions (decided_at);
