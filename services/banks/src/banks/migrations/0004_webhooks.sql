-- Webhooks for banks' own systems (Standard Webhooks): endpoints a bank admin registers, the bank's messages, and
-- one delivery per endpoint and message, retried with back-off from this outbox by the dispatcher process.
CREATE TABLE webhook_endpoints (
    endpoint_id      uuid PRIMARY KEY,
    bank_id          uuid NOT NULL REFERENCES banks (bank_id),
    url              text NOT NULL,
    event_types      text[] NOT NULL,
    secret           text NOT NULL,
    description      text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    failing_since    timestamptz,       -- the first failure of the current run of failures
    disabled_reason  text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_by_bank ON webhook_endpoints (bank_id);

CREATE TABLE webhook_messages (
    message_id   uuid PRIMARY KEY,     -- the event's id: the receiver's key for deduplication (webhook-id)
    bank_id      uuid NOT NULL,
    event_type   text NOT NULL,
    payload      text NOT NULL,        -- the event as published, byte for byte what is signed
    occurred_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_messages_by_bank ON webhook_messages (bank_id, occurred_at);

CREATE TABLE webhook_deliveries (
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (endpoint_id) ON DELETE CASCADE,
    message_id       uuid NOT NULL REFERENCES webhook_messages (message_id),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      integer,
    last_error       text NOT NULL DEFAULT '',
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    PRIMARY KEY (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- Service accounts: a bank's own systems authenticate with a client credential, not a person's token.
CREATE TABLE service_accounts (
    client_id    uuid PRIMARY KEY,
    bank_id      uuid NOT NULL REFERENCES banks (bank_id),
    name         text NOT NULL,
    secret_hash  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

-- Wake the dispatcher when a delivery is queued.
CREATE FUNCTION webhook_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('webhooks', '');
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_notify AFTER INSERT ON webhook_deliveries FOR EACH STATEMENT EXECUTE FUNCTION webhook_notify();
