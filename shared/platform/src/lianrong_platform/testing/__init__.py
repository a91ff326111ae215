"""Test support for Lianrong's suites: where the real Kafka and PostgreSQL are, fresh databases and topics per test,
tokens, and reading what landed on a topic. Loaded as a pytest plugin by the repository's conftest."""
