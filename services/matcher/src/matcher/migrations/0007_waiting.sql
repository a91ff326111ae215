-- A need no line can take now, but that fits a line (or an officer) held by open proposals, waits for capacity to
-- free before it is escalated: status 'waiting' until wait_until, tried again at next_retry_at.
ALTER TABLE needs ADD COLUMN wait_until timestamptz;
CREATE INDEX needs_waiting ON needs (next_retry_at) WHERE status = 'waiting';
DROP INDEX needs_by_firm;
CREATE INDEX needs_by_firm ON needs (firm_id, chain) WHERE status IN ('open', 'waiting', 'proposed', 'escalated');
