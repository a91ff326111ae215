-- An escalated need is tried again later: capacity frees up when other needs are declined, rejected or withdrawn,
-- officers come back, banks publish products. next_retry_at says when; the sweep takes the due ones.
ALTER TABLE needs ADD COLUMN next_retry_at timestamptz;
UPDATE needs SET next_retry_at = now() WHERE status = 'escalated';
CREATE INDEX needs_due_for_retry ON needs (next_retry_at) WHERE status = 'escalated';
