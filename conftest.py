"""Repository-wide pytest set-up: the shared fixtures (real Kafka and PostgreSQL, fresh databases and topics,
tokens) live in lianrong_platform.testing."""

pytest_plugins = ["lianrong_platform.testing.fixtures"]
