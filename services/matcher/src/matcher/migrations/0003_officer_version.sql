-- Bumped when an officer's profile changes, so parsed profiles can be cached by (officer, version) as product terms
-- are: a decision reads every officer of the candidate banks, whose profiles rarely change.
ALTER TABLE officers ADD COLUMN version integer NOT NULL DEFAULT 1;
