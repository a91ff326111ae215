"""Kafka adapters: the idempotent producer, topic administration, and the consumer loop."""
