-- The correlation id travels as a Kafka header too, so a reader can trace a message without parsing its value.
ALTER TABLE outbox ADD COLUMN correlation_id uuid;
