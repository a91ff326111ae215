-- A proposal kept in an officer's inbox holds only the exclusions of the officer's own bank: proposals received
-- before that rule held lose the other banks' products, lines and remarks.
UPDATE matches m SET proposal = jsonb_set(
    m.proposal, '{excluded}',
    coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(m.proposal->'excluded') AS e
              WHERE e->>'bank_id' = m.bank_id::text), '[]'::jsonb))
WHERE m.proposal ? 'excluded';
