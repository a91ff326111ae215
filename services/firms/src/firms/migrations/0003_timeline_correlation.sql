-- Each timeline entry keeps the correlation id of its event: one id follows an SME's request through every service.
ALTER TABLE need_timeline ADD COLUMN correlation_id uuid;
