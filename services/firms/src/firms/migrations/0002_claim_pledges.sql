-- A confirmed receivable or order backs at most its value (times the advance rate of its kind) across the live
-- needs that rely on it. Each such need holds a pledge until it is withdrawn or closed, or the claim is revoked.
CREATE TABLE claim_pledges (
    need_id        uuid PRIMARY KEY REFERENCES needs (need_id),
    receivable_id  uuid NOT NULL REFERENCES receivables (receivable_id),
    amount         numeric(16, 2) NOT NULL CHECK (amount > 0),
    pledged_at     timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    released_why   text
);
CREATE INDEX claim_pledges_live ON claim_pledges (receivable_id) WHERE released_at IS NULL;
INSERT INTO claim_pledges (need_id, receivable_id, amount)
SELECT n.need_id, (n.position->>'receivable_id')::uuid, (n.terms->>'amount')::numeric
FROM needs n JOIN receivables r ON r.receivable_id = (n.position->>'receivable_id')::uuid
WHERE n.position->>'receivable_id' IS NOT NULL AND n.status NOT IN ('withdrawn');
-- A chain master may revoke a confirmation it gave (with a reason): links and receivables get 'revoked'.
ALTER TABLE supplier_links ADD COLUMN revoked_at timestamptz;
ALTER TABLE receivables ADD COLUMN revoked_at timestamptz;
