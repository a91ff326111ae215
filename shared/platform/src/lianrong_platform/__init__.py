"""Adapters with no business rules that every Lianrong service uses: settings, logging, PostgreSQL, Kafka,
the transactional outbox and inbox, HTTP problems, health, metrics and authentication."""
