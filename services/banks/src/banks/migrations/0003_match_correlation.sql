-- The correlation id of the proposal: one id follows an SME's request from its POST to the officer's inbox.
ALTER TABLE matches ADD COLUMN correlation_id uuid;
