-- 推荐清单: lists uploaded by town task forces, the needs they created (one per firm and need, however often the
-- list is uploaded), and firms created from a list that their owners have not claimed yet.
ALTER TABLE firms ADD COLUMN claimed boolean NOT NULL DEFAULT true;

CREATE TABLE recommendation_lists (
    list_id      uuid PRIMARY KEY,
    uploaded_by  text NOT NULL,
    filename     text NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    rows         integer NOT NULL,
    created      integer NOT NULL,
    present      integer NOT NULL,
    refused      integer NOT NULL
);

CREATE TABLE listed_needs (
    list_key           text PRIMARY KEY,  -- the firm's USCC, chain, amount, term and consent date, hashed
    need_id            uuid NOT NULL UNIQUE REFERENCES needs (need_id),
    firm_id            uuid NOT NULL REFERENCES firms (firm_id),
    list_id            uuid NOT NULL REFERENCES recommendation_lists (list_id),
    row_number         integer NOT NULL,
    consent_scope      text NOT NULL,
    consent_signed_on  date NOT NULL,
    consent_recorded_by text NOT NULL
);
